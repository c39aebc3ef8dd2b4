"""Fine-tune the packaged model's named-entity recogniser on CoNLL-2003 and newsetl's
annotated news.

`make model` runs this. Data (read from ../shared, never copied into the repository;
training/corpora.py and training/examples.py say how each is labelled):

- CoNLL-2003 `train` (946 Reuters documents, 1996, gold PER/ORG/LOC/MISC);
- newsetl's annotated news (training/data/news_entities.jsonl: BBC business, tech, politics
  and Reuters-21578 articles, entities in the gold files' format), but for one article in
  `--news-dev` (by a hash of its id), kept aside to stop on;
- to stop: the mean of the mention F1 on CoNLL-2003 `dev` and on the news kept aside.
  CoNLL `test` and the 34 gold articles are never read.

Only the `ner` component is trained (its own tok2vec); the other components are the
packaged model's. The weights are written to transforms/model/ner (spaCy's `to_disk`)
with `training.json` (data, settings, the scores per epoch, the weights' hash).
Fixed seeds and one thread: the same data gives the same weights (tests/training).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread: the same sums every run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import corpora  # noqa: E402
from training.examples import TO_CONLL, conll_examples, news_examples, project  # noqa: E402

OUT = corpora.ROOT / "transforms" / "model" / "ner"  # transforms.model.NER_WEIGHTS
KIND = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "GPE", "FAC": "GPE", "PRODUCT": "PRODUCT"}
SETTINGS = (
    "seed",
    "learn_rate",
    "dropout",
    "batch_size",
    "max_epochs",
    "patience",
    "news_dev",
    "news_weight",
    "leave_out",
    "limit",
)


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
    }


def _match(pairs: Iterable[tuple[Counter, Counter]]) -> dict:
    tp = fp = fn = 0
    for want, got in pairs:
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
    return _prf(tp, fp, fn)


def _ner_docs(nlp, texts: list[str]) -> list:
    with nlp.select_pipes(enable=["ner"]):
        return list(nlp.pipe(texts, batch_size=32))


def conll_f1(nlp, docs: list[tuple[str, list[dict]]]) -> dict:
    """CoNLL mention P/R/F1 of `nlp`'s recogniser, matched as score_conll.py does (text
    and CoNLL label, a multiset per document)."""
    pairs = []
    for (_, mentions), doc in zip(docs, _ner_docs(nlp, [t for t, _ in docs]), strict=True):
        want = Counter((" ".join(m["text"].split()), m["label"]) for m in mentions)
        got = Counter(
            (" ".join(e.text.split()), TO_CONLL[e.label_]) for e in doc.ents if e.label_ in TO_CONLL
        )
        pairs.append((want, got))
    return _match(pairs)


def news_f1(nlp, articles: list) -> dict:
    """Mention P/R/F1 on annotated news: the projected names against the recogniser's
    ORG, PERSON, place and PRODUCT mentions (text and kind, a multiset per article)."""
    pairs = []
    for art, doc in zip(articles, _ner_docs(nlp, [a.text for a in articles]), strict=True):
        want = Counter(
            (" ".join(art.text[a:b].split()), KIND[lab]) for a, b, lab in project(art.text, art.entities)
        )
        got = Counter((" ".join(e.text.split()), KIND[e.label_]) for e in doc.ents if e.label_ in KIND)
        pairs.append((want, got))
    return _match(pairs)


def batches(examples: list, size: int, rng: random.Random) -> Iterator[list]:
    order = list(range(len(examples)))
    rng.shuffle(order)
    for i in range(0, len(order), size):
        yield [examples[j] for j in order[i : i + size]]


def _aside(article, every: int) -> bool:
    """Is the article kept aside? One in `every`, by a hash of its id (the same article
    whatever else the file holds)."""
    aid = article["id"] if isinstance(article, dict) else article.id
    return every > 0 and int(hashlib.sha1(aid.encode()).hexdigest(), 16) % every == 0


def split_news(articles: list, every: int) -> tuple[list, list]:
    """(to learn from, kept aside to stop on): about one article in `every` is kept aside."""
    return [a for a in articles if not _aside(a, every)], [a for a in articles if _aside(a, every)]


def leave_out(articles: list, part: str | None) -> list:
    """The articles without part K of N (`K/N`: every article i with i % N == K), for
    cross-fitting: a model that did not learn from part K labels part K's documents."""
    if not part:
        return articles
    k, n = (int(x) for x in part.split("/"))
    return [a for i, a in enumerate(articles) if i % n != k]


def train(args: argparse.Namespace) -> dict:
    import spacy
    from spacy.util import fix_random_seed

    from transforms.model import MODEL_NAME, weights_hash
    from transforms.tokenizer import GUARDED_TOKENIZER

    fix_random_seed(args.seed)
    nlp = spacy.load(MODEL_NAME, config={"nlp": {"tokenizer": {"@tokenizers": GUARDED_TOKENIZER}}})
    t = time.perf_counter()
    conll_train = corpora.conll_split("train", args.limit)
    conll_dev = corpora.conll_split("dev", args.limit)
    news = corpora.annotated_news()[: args.limit]
    news_train, news_dev = split_news(news, args.news_dev)
    news_train = leave_out(news_train, args.leave_out)
    conll_train = leave_out(conll_train, args.leave_out)
    examples = conll_examples(nlp, conll_train)
    examples += news_examples(nlp, news_train) * args.news_weight
    print(
        f"{len(conll_train)} CoNLL + {len(news_train)} news documents (x{args.news_weight}) to learn from, "
        f"{len(conll_dev)} CoNLL + {len(news_dev)} news to stop on, in {time.perf_counter() - t:.0f} s"
    )

    def scores() -> dict:
        out = {"conll_dev": conll_f1(nlp, conll_dev)}
        if news_dev:
            out["news_dev"] = news_f1(nlp, news_dev)
        out["f1"] = round(sum(v["f1"] for v in out.values()) / len(out), 4)
        return out

    base = scores()
    print(f"packaged model: {base}")
    ner = nlp.get_pipe("ner")
    others = [n for n in nlp.pipe_names if n != "ner"]
    fix_random_seed(args.seed)  # again: loading may draw random numbers the first time in a process
    optimizer = nlp.resume_training()
    optimizer.learn_rate = args.learn_rate
    rng = random.Random(args.seed)
    best, best_f1, history, stale = None, -1.0, [], 0
    for epoch in range(1, args.max_epochs + 1):
        t = time.perf_counter()
        losses: dict[str, float] = {}
        for batch in batches(examples, args.batch_size, rng):
            nlp.update(batch, sgd=optimizer, drop=args.dropout, losses=losses, exclude=others)
        now = scores()
        history.append({"epoch": epoch, "loss": round(float(losses.get("ner", 0.0)), 1), **now})
        print(f"epoch {epoch}: loss {losses.get('ner', 0.0):.0f}, {now}, {time.perf_counter() - t:.0f} s")
        if now["f1"] > best_f1:
            best, best_f1, stale = ner.to_bytes(), now["f1"], 0
        else:
            stale += 1
            if stale >= args.patience:
                break
    assert best is not None
    ner.from_bytes(best)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ner.to_disk(out, exclude=["vocab"])  # the weights and labels; strings are the model's own
    meta = {
        "base_model": f"{MODEL_NAME}-{spacy.util.get_package_version(MODEL_NAME)}",
        "spacy": spacy.__version__,
        "data": {
            "conll2003": "train (946 documents) to learn, dev to stop; test never read",
            "news": f"training/data/news_entities.jsonl: {len(news_train)} articles to learn "
            f"(x{args.news_weight}), {len(news_dev)} to stop; no gold article",
        },
        "settings": {k: getattr(args, k) for k in SETTINGS},
        "packaged_model": base,
        "history": history,
        "best_f1": best_f1,
        "sha256": weights_hash(out),
    }
    (out / "training.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(OUT), help="folder for the weights (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--learn-rate", type=float, default=0.001)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--batch-size", type=int, default=8, help="documents per update")
    ap.add_argument("--max-epochs", type=int, default=12)
    ap.add_argument("--patience", type=int, default=2, help="epochs without a better score before stopping")
    ap.add_argument(
        "--news-dev", type=int, default=6, help="one annotated article in N is kept aside to stop on"
    )
    ap.add_argument(
        "--news-weight", type=int, default=2, help="times each annotated article is seen per epoch"
    )
    ap.add_argument(
        "--leave-out",
        default=None,
        metavar="K/N",
        help="leave out part K of N of the news and of CoNLL train",
    )
    ap.add_argument(
        "--limit", type=int, default=None, help="only the first N documents of each source (a quick check)"
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    if not corpora.CONLL.exists() or not corpora.NEWS_ENTITIES.exists():
        print(f"{corpora.CONLL} or {corpora.NEWS_ENTITIES} not found: nothing to train on", file=sys.stderr)
        return 2
    from threadpoolctl import threadpool_limits

    # one BLAS thread, also when numpy was loaded before OMP_NUM_THREADS was set (a test
    # worker, a notebook): threads change the order of sums, and so the weights
    with threadpool_limits(limits=1):
        meta = train(args)
    print(
        f"best score {meta['best_f1']} (packaged model {meta['packaged_model']['f1']}); "
        f"weights in {args.out}, sha256 {meta['sha256']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
