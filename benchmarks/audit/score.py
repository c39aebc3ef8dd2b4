"""Score the audit: of the sampled rows the developers judged, the share right in every
field and the share right per field (benchmarks/audit/README.md says what "right" is).

A sampled row without a valid judgement is counted and reported, never counted right: the
shares are over the judged rows, with the number unjudged beside them and the share right
in every field if every unjudged row were wrong. 95% intervals are Wilson score intervals.

Usage: python benchmarks/audit/score.py [--sample FILE] [--judgements FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.audit.rows import (  # noqa: E402
    JUDGEMENTS,
    SAMPLE,
    VERDICTS,
    check_judgement,
    extraction_fingerprint,
    judgements_by_key,
    meta_path,
    read_jsonl,
    row_key,
)

NOUNS = {"action": "entity-actor action rows", "quote": "quote rows"}


def wilson(right: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """95% Wilson score interval of a share right/n (None when n is 0)."""
    if n == 0:
        return None
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def score_rows(sample: list[dict], judgements: list[dict]) -> dict[str, dict]:
    """Per kind of row ('action', 'quote'): rows sampled, judged, unjudged (no judgement of
    the row's current key), invalid (a judgement that fails rows.check_judgement: reported,
    counted unjudged), right in every field, and per field right / rightly empty / wrong.
    A row whose stored key is not the hash of its values is counted `stale_key` (and judged
    by the recomputed key)."""
    by_key = judgements_by_key(judgements)
    out: dict[str, dict] = {}
    for row in sample:
        kind = row["kind"]
        s = out.setdefault(
            kind,
            {
                "rows": 0,
                "judged": 0,
                "unjudged": 0,
                "invalid": [],
                "stale_key": 0,
                "all_right": 0,
                "fields": {f: {"right": 0, "empty": 0, "wrong": 0} for f in VERDICTS[kind]},
            },
        )
        s["rows"] += 1
        key = row_key(row)
        if row.get("key") != key:
            s["stale_key"] += 1
        j = by_key.get(key)
        if j is None:
            s["unjudged"] += 1
            continue
        verdicts = j.get("verdicts") or {}
        problems = check_judgement(row, verdicts)
        if problems:
            s["unjudged"] += 1
            s["invalid"].append({"key": key, "problems": problems})
            continue
        s["judged"] += 1
        s["all_right"] += all(verdicts[f] is not False for f in VERDICTS[kind])
        for f in VERDICTS[kind]:
            v = verdicts[f]
            s["fields"][f]["right" if v is True else "empty" if v is None else "wrong"] += 1
    return out


def score(sample: Path = SAMPLE, judgements: Path = JUDGEMENTS) -> dict[str, dict]:
    return score_rows(read_jsonl(sample), read_jsonl(judgements))


def _share(right: int, n: int) -> str:
    if n == 0:
        return "-"
    lo_hi = wilson(right, n)
    assert lo_hi is not None
    return f"{right / n:.2f} ({right}/{n}; 95% {lo_hi[0]:.2f}-{lo_hi[1]:.2f})"


def report_lines(scores: dict[str, dict]) -> list[str]:
    """The markdown lines of the scores: per kind, the all-fields share, then a table per field
    (a rightly empty field counts right and is also shown apart)."""
    lines: list[str] = []
    for kind, s in scores.items():
        n = s["judged"]
        lines.append(
            f"{NOUNS.get(kind, kind)}: {s['rows']} sampled, {n} judged, {s['unjudged']} without a judgement"
        )
        if s["invalid"]:
            lines.append(f"  {len(s['invalid'])} judgements fail the checks (counted unjudged):")
            lines += [f"    {i['key']}: {'; '.join(i['problems'])}" for i in s["invalid"][:5]]
        if s["stale_key"]:
            lines.append(
                f"  {s['stale_key']} rows' stored key is not the hash of their values (edited by hand?)"
            )
        if n == 0:
            lines.append("")
            continue
        lines.append(f"- right in every field: **{_share(s['all_right'], n)}**")
        if s["unjudged"]:
            lines.append(
                f"- right in every field if the {s['unjudged']} unjudged rows were all wrong: "
                f"{s['all_right'] / s['rows']:.2f} ({s['all_right']}/{s['rows']})"
            )
        lines += ["", "| field | right | of which rightly empty | wrong |", "|---|---|---|---|"]
        for f, c in s["fields"].items():
            lines.append(f"| {f} | {_share(c['right'] + c['empty'], n)} | {c['empty']} | {c['wrong']} |")
        lines.append("")
    return lines


def staleness(sample: Path) -> str | None:
    """A line saying when the sample was drawn and whether the extraction code changed since."""
    mp = meta_path(sample)
    if not mp.exists():
        return None
    meta = json.loads(mp.read_text(encoding="utf-8"))
    line = (
        f"drawn {meta.get('drawn_at')} at commit {str(meta.get('commit'))[:10]}"
        f"{' (transforms/ had uncommitted changes)' if meta.get('transforms_uncommitted') else ''}; "
        f"{len(meta.get('articles', []))} articles, {meta.get('entity_actions')} entity actions, "
        f"model {meta.get('model_version')}"
    )
    if meta.get("transforms_sha256") and meta["transforms_sha256"] != extraction_fingerprint(ROOT):
        line += "\n**transforms/ changed since the draw: re-draw (python benchmarks/audit/draw.py)**"
    return line


def section(sample: Path = SAMPLE, judgements: Path = JUDGEMENTS) -> list[str]:
    """benchmarks/quality.py's audit section (needs no ../shared): the sample, and the
    fresh sample beside it when there is one."""
    lines = ["", "## Audit of sampled rows (benchmarks/audit)", ""]
    if not sample.exists():
        return lines + [f"no audit sample at {sample}: draw one with python benchmarks/audit/draw.py", ""]
    lines += _sample_lines(sample, judgements)
    fresh = sample.with_name(sample.stem + "_fresh.jsonl")
    if fresh.exists():
        lines += ["", f"### Fresh sample ({fresh.name}: articles nobody read judgements on)", ""]
        lines += _sample_lines(fresh, judgements)
    return lines


def _sample_lines(sample: Path, judgements: Path) -> list[str]:
    stale = staleness(sample)
    return ([stale, ""] if stale else []) + report_lines(score(sample, judgements))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    ap.add_argument("--json", action="store_true", help="the scores as one JSON object")
    args = ap.parse_args()
    if args.json:
        print(json.dumps(score(args.sample, args.judgements)))
    else:
        print("\n".join(section(args.sample, args.judgements)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
