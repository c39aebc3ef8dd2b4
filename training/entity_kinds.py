"""Learn the entity-kind classifier (transforms/entity_kinds.py) and its lexicons, into
transforms/model/entity_kinds/.

`make model` (training/build.py) runs this after training/ner.py has written the recognisers
cross-fitted on the annotated news and CoNLL-2003 train (`--crossfit DIR`: DIR/part0 did not
learn from part 0 of either, DIR/part1 not from part 1). Steps:

1. lexicons. Word case: over BBC and Reuters-21578 (never a gold article), how often each
   word is written in lower case against capitalised inside a sentence: "lower" (80% or more
   in lower case), "mixed" (20-80%); other words read as names. Words seen fewer than 5
   times are left out. Given names: the first words of people's names in CoNLL-2003 train
   and the annotated news learned from, seen twice or more.
2. clusters: each annotated article (those the recogniser learns from, not those kept aside
   to stop on) and each CoNLL-2003 train document is parsed by the whole pipeline with the
   recogniser that did not learn from it, and its names clustered as the run clusters them
   (transforms.entities.candidate_clusters);
3. targets: a news cluster takes the label of the annotated entity one of its names matches
   (the scorer's matching: lower case, no leading "the", no trailing "'s"), else NONE; a CoNLL
   cluster the gold label at its mentions' offsets (PER, ORG, LOC; MISC is no entity), else NONE;
4. a multinomial logistic regression (scikit-learn, L2) is fitted to all clusters, CoNLL's
   weighing a fifth of the news' in all (CONLL_WEIGHT); its C and the bias of NONE are chosen
   for the best entity F1 on the news out of fold (5 folds grouped by document); features
   whose weights are all under MIN_WEIGHT are dropped. The record gives the out-of-fold accuracy and entity F1
   beside those of the mentions' vote alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import corpora  # noqa: E402
from training.ner import split_news  # noqa: E402
from transforms.entity_features import Lexicons  # noqa: E402

OUT = corpora.ROOT / "transforms" / "model" / "entity_kinds"  # transforms.entity_kinds.KINDS_DIR
MIN_COUNT = 5
MIN_WEIGHT = 0.02  # a feature weighing less for every label is left out of weights.json
CONLL_WEIGHT = 0.2  # CoNLL's clusters weigh a fifth of the news' clusters in all
_WORD = re.compile(r"[A-Za-z][a-z]+(?:[-'][a-z]+)*")
_SENTENCE_OPENERS = frozenset(".!?:;\"'(-\n")


def word_case() -> dict[str, list[str]]:
    """Buckets of lower-cased words by how the news corpora write them (see step 1)."""
    gold = corpora.gold_ids()
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for path in corpora.CORPORA.values():
        for r in corpora.iter_jsonl(path):
            if r["id"] in gold:
                continue
            text = r.get("text") or ""
            for m in _WORD.finditer(text):
                w = m.group()
                before = text[: m.start()].rstrip(" \t")
                if not before or before[-1] in _SENTENCE_OPENERS or before.endswith("\n"):
                    continue
                if w.islower():
                    lower[w] += 1
                elif w[0].isupper() and w[1:].islower():
                    capital[w.lower()] += 1
    buckets: dict[str, list[str]] = {"lower": [], "mixed": []}
    for w in sorted(set(lower) | set(capital)):
        n = lower[w] + capital[w]
        if n < MIN_COUNT:
            continue
        share = lower[w] / n
        if share >= 0.8:
            buckets["lower"].append(w)
        elif share >= 0.2:
            buckets["mixed"].append(w)
    return buckets


def given_names(news: list) -> list[str]:
    """The first words of the people's names in CoNLL-2003 train and the annotated news
    learned from (names of two words or more), lower case, seen at least twice."""
    counts: Counter[str] = Counter()
    for _, mentions in corpora.conll_split("train"):
        counts.update(
            m["text"].split()[0].lower()
            for m in mentions
            if m["label"] == "PER" and len(m["text"].split()) > 1
        )
    for a in news:
        counts.update(
            e["name"].split()[0].lower()
            for e in a.entities
            if e["label"] == "PERSON" and len(e["name"].split()) > 1
        )
    return sorted(w for w, n in counts.items() if n >= 2 and w.isalpha())


def norm(s: str) -> str:
    """A name as the scorer compares it."""
    s = s.replace("’", "'").replace("<", " ").replace(">", " ").lower()
    s = re.sub(r"\s+", " ", s).strip(" .,;:\"'()[]")
    s = re.sub(r"^the ", "", s)
    return re.sub(r"'s$", "", s).strip()


def target(names: set[str], vote: str, entities: list[dict]) -> str:
    """The annotated label of the entity the cluster's names match (its own label first when
    several match), else NONE."""
    hits = [
        e["label"] for e in entities if names & ({norm(e["name"])} | {norm(a) for a in e.get("aliases", [])})
    ]
    if not hits:
        return "NONE"
    return vote if vote in hits else hits[0]


CONLL_KIND = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "MISC": "NONE"}


def conll_target(c, mentions: dict[tuple[int, int], str]) -> str:
    """A CoNLL cluster's target: the gold label most of its mentions have at the same
    offsets (PER, ORG, LOC; MISC, a nationality or event, is no entity), else NONE."""
    labels = Counter(
        mentions[(m.start_char, m.end_char)] for m in c.mentions if (m.start_char, m.end_char) in mentions
    )
    return CONLL_KIND[labels.most_common(1)[0][0]] if labels else "NONE"


def cluster_rows(crossfit: Path, news: list, conll: list, lex) -> list[tuple[str, dict, str]]:
    """(document id, features, target) for every cluster of the annotated news and of
    CoNLL-2003 train, each parsed by the recogniser that did not learn from it (news
    document ids are the articles' ids, CoNLL's 'conll-N')."""
    from transforms.entities import candidate_clusters
    from transforms.entity_features import Article, cluster_features, kind
    from transforms.model import NlpSpec
    from transforms.names import display_name
    from transforms.nlp import load_nlp

    rows = []
    for part in (0, 1):
        nlp = load_nlp(NlpSpec(ner=str(crossfit / f"part{part}")))
        articles = [a for i, a in enumerate(news) if i % 2 == part]  # what part{part} did not learn from
        for a, doc in zip(articles, nlp.pipe([a.text for a in articles], batch_size=16), strict=True):
            clusters, rules = candidate_clusters(doc, a.tickers)
            article = Article(doc, rules)
            for c in clusters.values():
                names = {norm(c.name)} | {norm(m.text) for m in c.mentions}
                names |= {norm(display_name(m.text, c.label)) for m in c.mentions}
                rows.append(
                    (a.id, cluster_features(c, article, lex), target(names, kind(c.label), a.entities))
                )
        docs = [(i, d) for i, d in enumerate(conll) if i % 2 == part]
        for (i, (_, mentions)), doc in zip(
            docs, nlp.pipe([d[0] for _, d in docs], batch_size=16), strict=True
        ):
            clusters, rules = candidate_clusters(doc)
            article = Article(doc, rules)
            gold = {(m["start"], m["end"]): m["label"] for m in mentions}
            for c in clusters.values():
                rows.append((f"conll-{i}", cluster_features(c, article, lex), conll_target(c, gold)))
    return rows


def entity_f1(y, predicted, none: int) -> float:
    """F1 of per-cluster decisions as the scorer counts entities: a cluster kept with its
    right label is a hit; kept with a wrong label, a false alarm (and a miss when it is an
    entity); left out while it is an entity, a miss."""
    kept, entity = predicted != none, y != none
    tp = int((kept & (predicted == y)).sum())
    fp = int((kept & (predicted != y)).sum())
    fn = int((entity & (predicted != y)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _out_of_fold(x, y, groups, weights, c: float, seed: int):
    """Each cluster's class scores from the model fitted without its document's fold."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    scores = np.zeros((len(y), int(y.max()) + 1))
    for train_idx, test_idx in GroupKFold(n_splits=5).split(x, y, groups):
        model = LogisticRegression(C=c, max_iter=5000, random_state=seed)
        model.fit(x[train_idx], y[train_idx], sample_weight=weights[train_idx])
        scores[np.ix_(test_idx, model.classes_)] = model.decision_function(x[test_idx])
    return scores


def fit(rows: list[tuple[str, dict, str]], seed: int) -> tuple[dict, dict]:
    """The fitted weights (labels, bias, weights by feature) and the cross-validation scores.
    CoNLL's clusters weigh CONLL_WEIGHT of the news' in all; C and the NONE label's bias
    offset (how sure the model must be that a name is no entity to drop it) are chosen for
    the best out-of-fold entity F1 (`entity_f1`) on the news."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from transforms.entity_kinds import LABELS, NONE

    none = LABELS.index(NONE)
    vec = DictVectorizer()
    # features in name order: the sparse rows, and so every sum the fit makes, the same in every process
    x = vec.fit_transform([dict(sorted(f.items())) for _, f, _ in rows])
    y = np.array([LABELS.index(t) for _, _, t in rows])
    groups = np.array([a for a, _, _ in rows])
    news = np.array([not a.startswith("conll-") for a in groups])
    weights = np.where(news, 1.0, CONLL_WEIGHT * news.sum() / max(1, (~news).sum()))
    offsets = [round(o, 2) for o in np.arange(-2.0, 1.01, 0.1)]
    cv: dict[str, dict] = {}
    for c in (0.3, 1.0, 3.0, 10.0):
        scores = _out_of_fold(x, y, groups, weights, c, seed)[news]
        f1 = {}
        for o in offsets:
            shifted = scores.copy()
            shifted[:, none] += o
            f1[o] = entity_f1(y[news], shifted.argmax(axis=1), none)
        best = max(offsets, key=lambda o: f1[o])
        cv[str(c)] = {
            "accuracy": round(float((scores.argmax(axis=1) == y[news]).mean()), 4),
            "none_offset": best,
            "entity_f1": round(f1[best], 4),
        }
    best_c = max(cv, key=lambda k: cv[k]["entity_f1"])
    model = LogisticRegression(C=float(best_c), max_iter=5000, random_state=seed).fit(
        x, y, sample_weight=weights
    )
    coef = np.zeros((len(LABELS), x.shape[1]))
    bias = np.zeros(len(LABELS))
    coef[model.classes_] = model.coef_
    bias[model.classes_] = model.intercept_
    bias[none] += cv[best_c]["none_offset"]
    weights_by_feature = {
        name: [round(float(v), 3) for v in coef[:, j]]
        for j, name in enumerate(vec.get_feature_names_out())
        if np.abs(coef[:, j]).max() >= MIN_WEIGHT
    }
    fitted = {
        "labels": list(LABELS),
        "bias": [round(float(b), 4) for b in bias],
        "weights": weights_by_feature,
    }
    votes = np.array([LABELS.index(v) if v in LABELS else none for v in (_vote(f) for _, f, _ in rows)])[news]
    return fitted, {
        "cross_validation_by_C (news)": cv,
        "C": float(best_c),
        "majority (news)": round(float(np.bincount(y[news]).max() / news.sum()), 4),
        "vote (news)": {
            "accuracy": round(float((votes == y[news]).mean()), 4),
            "entity_f1": round(entity_f1(y[news], votes, none), 4),
        },
    }


def _vote(features: dict) -> str:
    return next((k[5:] for k in features if k.startswith("vote=")), NONE_LABEL)


NONE_LABEL = "NONE"


def files_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("weights.json", "word_case.json", "given_names.json"):
        h.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return h.hexdigest()


def build(crossfit: Path, out: Path, news_dev: int, seed: int) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    buckets = word_case()
    (out / "word_case.json").write_text(
        json.dumps({"_doc": __doc__.split("\n\n")[2].strip(), "buckets": buckets}, indent=0) + "\n",
        encoding="utf-8",
    )
    news, _ = split_news(corpora.annotated_news(), news_dev)
    names = given_names(news)
    (out / "given_names.json").write_text(
        json.dumps({"given_names": names}, indent=0) + "\n", encoding="utf-8"
    )
    lex = Lexicons({w: b for b, ws in buckets.items() for w in ws}, frozenset(names))
    rows = cluster_rows(crossfit, news, corpora.conll_split("train"), lex)
    fitted, scores = fit(rows, seed)
    (out / "weights.json").write_text(
        json.dumps(fitted, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    meta = {
        "data": {
            source: f"{len({a for a, _, _ in part})} documents, {len(part)} clusters "
            f"(targets {dict(Counter(t for _, _, t in part))})"
            for source, part in (
                (
                    "news_entities.jsonl, but those kept aside",
                    [r for r in rows if not r[0].startswith("conll-")],
                ),
                ("CoNLL-2003 train", [r for r in rows if r[0].startswith("conll-")]),
            )
        },
        "parsed_by": "the recogniser that did not learn from the document (cross-fitted)",
        "word_case": {k: len(v) for k, v in buckets.items()},
        "given_names": len(names),
        "settings": {"news_dev": news_dev, "seed": seed},
        "scores": scores,
        "features": len(fitted["weights"]),
        "sha256": files_hash(out),
    }
    (out / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--crossfit", type=Path, required=True, help="folder with the recognisers part0 and part1"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--news-dev", type=int, default=6, help="as training/ner.py: one article in N is kept aside"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    meta = build(args.crossfit, args.out, args.news_dev, args.seed)
    print(json.dumps(meta["scores"]), f"{meta['features']} features; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
