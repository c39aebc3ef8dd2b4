"""Draw the audit sample: seeded random rows of the `actions` (and `quotes`) tables that
the real pipeline extracts from corpus articles nothing was tuned or trained on.

Articles (seed ARTICLE_SEED, the same every draw while the corpora and exclusions hold):
10 BBC business, 10 BBC tech and politics (5 each), 10 Reuters-21578 stories, from
../shared/corpora, never an id of ../shared/gold/dev_articles.jsonl (the gold the rules are
developed against) or of training/data/news_entities.jsonl (the annotated training
articles); BBC articles marked as a copy of another are left out, Reuters stories are those
of 600 to 3,500 characters, the first of identical bodies (as training/draw_sample.py).

They run through the pipeline as benchmarks/quality.py runs it (run_newsetl, the same code
as the nightly flow, into a temporary warehouse). Then, seed ROW_SEED: 100 rows of `actions`
with a non-null actor_entity_id (the entity-actor rows every measure counts), and 30 rows of
`quotes`, each table's rows ordered by article, field and offsets before sampling. Re-run it
whenever the extraction changes: the articles stay, the rows are drawn from the new output.

Written: sample.jsonl (one row a line: kind, key, article id, field, offsets of the verb or
quote content and of the sentence or paragraph, sha256 of the field's cleaned text, and the
extracted values to judge; never the article's or the sentence's text, which stay in
../shared) and sample.meta.json beside it (seeds, articles, counts, commit, model).

A second, fresh sample (--fresh: seed FRESH_SEED, sample_fresh.jsonl) draws 30 other
articles the same way, none of the main sample's (whose judges' notes developers have
read), nor of benchmarks/type_labels (the type labels and the lexicon review), nor of an
earlier fresh sample whose notes were read (read_articles.json: each retired fresh draw's
seed and articles): the audit of rows nobody has looked at before. Once developers read a
fresh sample's notes, its draw is retired there and FRESH_SEED moves on.

Usage: python benchmarks/audit/draw.py [--fresh] [--out FILE] [--rows 100]
           [--quotes 30] [--keep DIR] [--ner newsetl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.audit.rows import (  # noqa: E402
    SAMPLE,
    extraction_fingerprint,
    meta_path,
    row_key,
    write_jsonl,
)

ARTICLE_SEED = 1717
FRESH_SEED = 3308  # the fresh sample's articles (--fresh); 2112, 3301-3307 retired (read_articles.json)
ROW_SEED = 17
FRESH_SAMPLE = SAMPLE.with_name("sample_fresh.jsonl")
READ_ARTICLES = SAMPLE.with_name("read_articles.json")  # retired fresh draws
TYPE_LABELS = ROOT / "benchmarks" / "type_labels"
# (pool, how many): BBC categories by name, "reuters" for Reuters-21578
ARTICLES = (("business", 10), ("tech", 5), ("politics", 5), ("reuters", 10))
ROWS, QUOTES = 100, 30


def excluded_ids() -> set[str]:
    """The gold articles and the annotated training articles."""
    from training import corpora

    ids = corpora.gold_ids()
    if corpora.NEWS_ENTITIES.exists():
        ids |= {r["id"] for r in corpora.iter_jsonl(corpora.NEWS_ENTITIES)}
    return ids


def fresh_exclusions() -> set[str]:
    """For the fresh sample: the articles the main sample's judgements were read on, those
    of retired fresh samples (read_articles.json), and the articles of the type labels and
    of the lexicon review (benchmarks/type_labels)."""
    ids = set(json.loads(meta_path(SAMPLE).read_text(encoding="utf-8"))["articles"])
    if READ_ARTICLES.exists():
        for retired in json.loads(READ_ARTICLES.read_text(encoding="utf-8"))["retired"]:
            ids |= set(retired["articles"])
    for name in ("articles.json", "review_articles.json"):
        ids |= set(json.loads((TYPE_LABELS / name).read_text(encoding="utf-8"))["articles"])
    return ids


def pick_articles(excluded: set[str], seed: int = ARTICLE_SEED) -> list[dict]:
    """The corpus records of the audit's articles, in drawing order."""
    from training import corpora

    bbc, reuters = corpora.draw_pools(excluded)
    rng = random.Random(seed)
    picked: list[dict] = []
    for pool, n in ARTICLES:
        members = reuters if pool == "reuters" else [a for a in bbc if a.get("category") == pool]
        picked += rng.sample(members, n)
    return picked


def sentence_span(text: str, evidence: str | None, start: int, end: int) -> tuple[int, int] | None:
    """Offsets of the evidence sentence in the field's text: the occurrence of `evidence`
    (ignoring case: a headline's case is restored before parsing) that holds the verb."""
    if not evidence:
        return None
    low, ev = text.lower(), evidence.lower()
    if len(low) != len(text) or len(ev) != len(evidence):
        low, ev = text, evidence
    at = low.find(ev)
    while at >= 0:
        if at <= start and end <= at + len(ev):
            return at, at + len(ev)
        at = low.find(ev, at + 1)
    return None


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the paragraph(s) holding [start, end)."""
    lo = text.rfind("\n\n", 0, start)
    hi = text.find("\n\n", end)
    return (0 if lo < 0 else lo + 2), (len(text) if hi < 0 else hi)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


ACTIONS_SQL = """
select ar.external_id, a.field, a.start_char, a.end_char, a.sentence_index, a.evidence,
       e.name, e.label, a.actor_text, a.actor_resolution, a.verb, a.verb_text, a.target_text,
       a.target_head, a.negated, a.modality, a.action_type, a.event_period, a.event_date_text,
       a.action_id
from actions a join articles ar using (article_id)
left join entities e on e.entity_id = a.actor_entity_id
where a.actor_entity_id is not null
order by ar.external_id, a.field, a.start_char, a.end_char, a.action_id
"""

QUOTES_SQL = """
select ar.external_id, q.field, q.start_char, q.end_char, q.content, e.name, e.label,
       q.speaker_text, q.cue_verb, q.direct, q.quote_id
from quotes q join articles ar using (article_id)
left join entities e on e.entity_id = q.speaker_entity_id
order by ar.external_id, q.field, q.start_char, q.end_char, q.quote_id
"""


def action_row(r: tuple, texts: dict) -> dict:
    (ext, field, start, end, sent_index, evidence, name, label, actor_text, resolution, verb, verb_text,
     target_text, target_head, negated, modality, action_type, period, date_text, _) = r  # fmt: skip
    text = texts[ext][field]
    span = sentence_span(text, evidence, start, end)
    row = {
        "kind": "action",
        "key": "",
        "article": ext,
        "field": field,
        "start_char": start,
        "end_char": end,
        "sentence_index": sent_index,
        "sentence_start": span[0] if span else None,
        "sentence_end": span[1] if span else None,
        "text_sha256": sha256(text),
        "actor_resolution": resolution,
        "actor": name,
        "actor_label": label,
        "actor_text": actor_text,
        "verb": verb,
        "verb_text": verb_text,
        "target_text": target_text,
        "target_head": target_head,
        "negated": negated,
        "modality": modality,
        "action_type": action_type,
        "event_period": period,
        "event_date_text": date_text,
    }
    row["key"] = row_key(row)
    return row


def quote_row(r: tuple, texts: dict) -> dict:
    ext, field, start, end, content, name, label, speaker_text, cue, direct, _ = r
    text = texts[ext][field]
    lo, hi = paragraph_span(text, start, end)
    row = {
        "kind": "quote",
        "key": "",
        "article": ext,
        "field": field,
        "start_char": start,
        "end_char": end,
        "sentence_index": None,
        "sentence_start": lo,  # the quote's paragraph: quotes carry no sentence
        "sentence_end": hi,
        "text_sha256": sha256(text),
        "speaker": name,
        "speaker_label": label,
        "speaker_text": speaker_text,
        "cue_verb": cue,
        "content_sha256": sha256(content or ""),
        "direct": direct,
    }
    row["key"] = row_key(row)
    return row


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--", "transforms")
    return {"commit": git("rev-parse", "HEAD") or None, "transforms_uncommitted": bool(dirty)}


def draw(out: Path, rows: int, quotes: int, workdir: Path, ner: str, fresh: bool = False) -> dict:
    import duckdb

    from benchmarks.quality import run_newsetl

    t0 = time.perf_counter()
    fingerprint = extraction_fingerprint(ROOT)
    seed = FRESH_SEED if fresh else ARTICLE_SEED
    records = pick_articles(excluded_ids() | (fresh_exclusions() if fresh else set()), seed)
    articles = workdir / "audit_articles.jsonl"
    with articles.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    warehouse = workdir / "audit.duckdb"
    result = run_newsetl(articles, warehouse, ner)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        texts = {
            ext: {"title": title or "", "body": body or ""}
            for ext, title, body in con.execute("select external_id, title, body from articles").fetchall()
        }
        actions = con.execute(ACTIONS_SQL).fetchall()
        quote_rows = con.execute(QUOTES_SQL).fetchall() if quotes else []
        model = con.execute(
            "select model_version from pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    rng = random.Random(ROW_SEED)
    picked = [action_row(r, texts) for r in rng.sample(actions, min(rows, len(actions)))]
    qrng = random.Random(ROW_SEED + 1)
    picked += [quote_row(r, texts) for r in qrng.sample(quote_rows, min(quotes, len(quote_rows)))]
    write_jsonl(out, picked)
    missing = [ext for ext in (r["id"] for r in records) if ext not in texts]
    # the sheet re-reads each text from ../shared and cleans it again: it must be the stored one
    from benchmarks.audit.evidence import field_texts

    differ = [r["id"] for r in records if r["id"] in texts and field_texts(r) != texts[r["id"]]]
    unplaced = sum(1 for r in picked if r["kind"] == "action" and r["sentence_start"] is None)
    meta = {
        "drawn_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **git_state(),
        "transforms_sha256": fingerprint,
        "model_version": model[0] if model else None,
        "article_seed": seed,
        "fresh": fresh,
        "row_seed": ROW_SEED,
        "articles": [r["id"] for r in records],
        "articles_loaded": len(texts),
        "articles_not_loaded": missing,
        "entity_actions": len(actions),
        "quotes": len(quote_rows),
        "sampled_actions": sum(1 for r in picked if r["kind"] == "action"),
        "sampled_quotes": sum(1 for r in picked if r["kind"] == "quote"),
        "actions_without_sentence_offsets": unplaced,
        "articles_whose_cleaning_differs": differ,
        "run_status": result.get("status"),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    meta_path(out).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None, help=f"sample file (default: {SAMPLE})")
    ap.add_argument(
        "--fresh",
        action="store_true",
        help=f"the fresh sample: seed {FRESH_SEED}, none of the main sample's or the type labels' "
        f"articles (default out: {FRESH_SAMPLE})",
    )
    ap.add_argument("--rows", type=int, default=ROWS, help="entity-actor action rows (default: %(default)s)")
    ap.add_argument(
        "--quotes", type=int, default=QUOTES, help="quote rows, 0 for none (default: %(default)s)"
    )
    ap.add_argument("--keep", type=Path, default=None, help="keep the articles file and warehouse in DIR")
    ap.add_argument("--ner", default="newsetl", help="the recogniser's weights (as benchmarks/quality.py)")
    args = ap.parse_args()
    from training import corpora

    if not corpora.CORPORA["bbc"].exists() or not corpora.CORPORA["reuters"].exists():
        print(f"{corpora.SHARED / 'corpora'} not found: nothing to draw", file=sys.stderr)
        return 1
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-audit-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        out = args.out or (FRESH_SAMPLE if args.fresh else SAMPLE)
        meta = draw(out, args.rows, args.quotes, workdir, args.ner, args.fresh)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({k: v for k, v in meta.items() if k != "articles"}, indent=1))
    print(f"wrote {out} and {meta_path(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
