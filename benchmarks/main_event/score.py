"""Score the main event against the gold headlines (issue #19).

Runs the pipeline (benchmarks/quality.py's run_newsetl) on the 34 gold articles of
../shared/gold/dev_articles.jsonl and reads `article_events`. An article counts when its
gold has an action stated by the headline (an action whose evidence is the title); the
main event is right when its doer (canonical name, else as written) and the gold's agree
(one contains the other, case and a leading "the" ignored) and its verb is the gold's verb
or one of its alt_verbs.

Usage: python benchmarks/main_event/score.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

GOLD = ROOT.parent / "shared" / "gold"


def _norm(name: str | None) -> str:
    text = (name or "").lower().strip()
    return text[4:] if text.startswith("the ") else text


def headline_actions(gold: dict, title: str) -> list[dict]:
    """The gold actions the headline states."""
    t = title.lower().strip()
    return [a for a in gold["actions"] if t and a["evidence"].strip() and a["evidence"].lower().strip() in t]


def agrees(who: str | None, verb: str | None, gold_actions: list[dict]) -> bool:
    w = _norm(who)
    return bool(w) and any(
        (w in _norm(g["actor"]) or _norm(g["actor"]) in w) and verb in [g["verb"], *g.get("alt_verbs", [])]
        for g in gold_actions
    )


def score(
    events: dict[str, tuple[str | None, str | None, str | None]], gold: dict[str, dict]
) -> tuple[int, int, list]:
    """events: article id -> (title, who, verb). (right, scored, misses)."""
    right, scored, misses = 0, 0, []
    for aid, (title, who, verb) in sorted(events.items()):
        heads = headline_actions(gold[aid], title or "") if aid in gold else []
        if not heads:
            continue
        scored += 1
        if agrees(who, verb, heads):
            right += 1
        else:
            misses.append((aid, title, who, verb, [(g["actor"], g["verb"]) for g in heads]))
    return right, scored, misses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    import duckdb

    from benchmarks.quality import run_newsetl

    if not (GOLD / "dev_articles.jsonl").exists():
        print(f"{GOLD} not found: nothing to score", file=sys.stderr)
        return 1
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-events-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run_newsetl(GOLD / "dev_articles.jsonl", workdir / "events.duckdb")
        con = duckdb.connect(str(workdir / "events.duckdb"), read_only=True)
        rows = con.execute(
            "SELECT r.external_id, e.title, e.who, e.verb FROM article_events e JOIN articles r USING (article_id)"
        ).fetchall()
        con.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    gold = {
        g["id"]: g
        for g in map(json.loads, (GOLD / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines())
    }
    right, scored, misses = score({aid: (t, w, v) for aid, t, w, v in rows}, gold)
    print(
        f"main event agrees with the headline's doer and verb: {right}/{scored} = {right / max(scored, 1):.3f}"
    )
    print(f"({len(rows)} articles, {scored} whose gold headline states an action)")
    for m in misses:
        print("  miss", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
