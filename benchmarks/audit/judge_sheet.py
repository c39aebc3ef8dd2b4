"""The judge's sheet: each sampled row without a judgement, with its evidence (read from
../shared/corpora and cleaned as the pipeline cleans it; never stored here) and the values
to judge; and `record`, which checks a judgement and appends it to judgements.jsonl.

Usage:
  python benchmarks/audit/judge_sheet.py [show] [--limit N] [--all] [--key KEY] [--kind action|quote]
  python benchmarks/audit/judge_sheet.py record KEY is_action=true actor=true verb=true \\
      target=false negated=true modality=true action_type=true event_time=null \\
      [--note "target: the clause, not 'it'"] [--judge NAME]
  python benchmarks/audit/judge_sheet.py record --from FILE   (JSON lines: {"key", "verdicts", "note"})

Verdicts are true, false or null (null: the field is empty and rightly so); README.md says
what right means for each field. A later judgement of a key replaces an earlier one.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.audit.rows import (  # noqa: E402
    JUDGEMENTS,
    SAMPLE,
    VALUES,
    VERDICTS,
    check_judgement,
    judgements_by_key,
    parse_verdict,
    read_jsonl,
    row_key,
)


def _window_before(text: str, start: int, chars: int) -> str:
    """Up to `chars` characters before `start`, cut at a word."""
    if start <= 0 or chars <= 0:
        return ""
    lo = max(0, start - chars)
    piece = text[lo:start]
    if lo > 0 and " " in piece:
        piece = "... " + piece[piece.index(" ") + 1 :]
    return piece


def _quote_window(text: str, lo: int, hi: int, start: int, end: int, chars: int) -> tuple[int, int]:
    """Of the paragraph [lo, hi), up to `chars` characters before the content [start, end)
    and 300 after, cut at spaces."""
    if start - lo > chars:
        cut = text.find(" ", start - chars, start)
        lo = cut + 1 if cut >= 0 else start - chars
    if hi - end > 300:
        cut = text.rfind(" ", end, end + 300)
        hi = cut if cut >= 0 else end + 300
    return lo, hi


def _marked(text: str, lo: int, hi: int, start: int, end: int) -> str:
    """text[lo:hi] with the span [start, end) in [[double brackets]]."""
    return text[lo:start] + "[[" + text[start:end] + "]]" + text[end:hi]


def _fmt(v: object) -> str:
    return "-" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, str | bool) else str(v)


def _values(row: dict) -> list[str]:
    if row["kind"] == "action":
        return [
            f"  actor        {_fmt(row['actor'])} ({row['actor_label']})   as written: {_fmt(row['actor_text'])}"
            f" ({row.get('actor_resolution')})",
            f"  verb         {_fmt(row['verb'])}   as written: {_fmt(row['verb_text'])}",
            f"  target       {_fmt(row['target_text'])}   head: {_fmt(row['target_head'])}",
            f"  negated      {_fmt(row['negated'])}",
            f"  modality     {_fmt(row['modality'])}",
            f"  action_type  {_fmt(row['action_type'])}",
            f"  event_time   {_fmt(row['event_period'])}   as written: {_fmt(row['event_date_text'])}",
        ]
    return [
        f"  speaker      {_fmt(row['speaker'])} ({row['speaker_label']})   as written: {_fmt(row['speaker_text'])}",
        f"  cue_verb     {_fmt(row['cue_verb'])}",
        "  content      the [[marked]] span above",
        f"  direct       {_fmt(row['direct'])}",
    ]


def sheet(row: dict, texts: dict[str, str] | None, published: str | None, context: int) -> list[str]:
    """The sheet of one row: where, evidence (when the texts are at hand), values, and the
    record command to fill in."""
    key = row_key(row)
    lines = [
        f"### {row['kind']} {key}: {row['article']} {row['field']} {row['start_char']}-{row['end_char']}"
        f" (sentence {row.get('sentence_index')})"
    ]
    if texts is None:
        lines.append("  (evidence unavailable: the article is not in ../shared/corpora)")
    else:
        import hashlib

        text = texts[row["field"]]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != row.get("text_sha256"):
            lines.append(
                "  WARNING: the cleaned text differs from the drawn one: offsets may be off; re-draw"
            )
        lines.append(f"  headline: {texts['title']}")
        lines.append(f"  published: {published or '- (no date: relative dates cannot be placed)'}")
        lo, hi = row.get("sentence_start"), row.get("sentence_end")
        if lo is None or hi is None:  # the sentence was not found: a window around the verb
            lo, hi = max(0, row["start_char"] - 300), min(len(text), row["end_char"] + 300)
            lines.append("  (sentence offsets unknown: 300 characters either side)")
        if row["kind"] == "quote":  # the paragraph is the context: around the content only
            lo, hi = _quote_window(text, lo, hi, row["start_char"], row["end_char"], context)
        before = _window_before(text, lo, context) if row["kind"] == "action" else ""
        if before.strip():
            lines.append("  before:")
            lines += textwrap.wrap(
                before.replace("\n", " / "), 100, initial_indent="    ", subsequent_indent="    "
            )
        lines.append("  sentence:" if row["kind"] == "action" else "  paragraph (the content marked):")
        marked = _marked(text, lo, hi, row["start_char"], row["end_char"])
        lines += textwrap.wrap(
            marked.replace("\n", " / "), 100, initial_indent="    ", subsequent_indent="    "
        )
    lines += _values(row)
    verdicts = " ".join(f"{v}=" for v in VERDICTS[row["kind"]])
    lines += [f"  record: python benchmarks/audit/judge_sheet.py record {key} {verdicts} --note ''", ""]
    return lines


def show(args: argparse.Namespace) -> int:
    sample = read_jsonl(args.sample)
    if not sample:
        print(f"no sample at {args.sample}: python benchmarks/audit/draw.py", file=sys.stderr)
        return 1
    judged = judgements_by_key(read_jsonl(args.judgements))
    rows = [
        r
        for r in sample
        if (args.all or row_key(r) not in judged)
        and (args.kind is None or r["kind"] == args.kind)
        and (args.key is None or row_key(r).startswith(args.key))
    ]
    todo = sum(1 for r in sample if row_key(r) not in judged)
    print(f"{todo} of {len(sample)} sampled rows have no judgement; showing {min(len(rows), args.limit)}\n")
    rows = rows[: args.limit]
    from benchmarks.audit.evidence import available, field_texts, records

    recs = records({r["article"] for r in rows}) if available() and rows else {}
    from transforms.dates import parse_date

    for row in rows:
        rec = recs.get(row["article"])
        texts = field_texts(rec) if rec else None
        published = parse_date(rec.get("published_at"))[0] if rec else None
        print("\n".join(sheet(row, texts, published and published.isoformat(), args.context)))
    return 0


def _verdicts_from_args(items: list[str]) -> dict:
    verdicts = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{item!r}: write FIELD=true|false|null")
        verdicts[name.strip()] = parse_verdict(value)
    return verdicts


def record(args: argparse.Namespace) -> int:
    sample = {row_key(r): r for r in read_jsonl(args.sample)}
    if args.from_file:
        wanted = read_jsonl(args.from_file)
    else:
        if not args.key:
            print("record: give KEY and FIELD=VALUE verdicts, or --from FILE", file=sys.stderr)
            return 2
        try:
            wanted = [{"key": args.key, "verdicts": _verdicts_from_args(args.verdicts), "note": args.note}]
        except ValueError as exc:
            print(f"record: {exc}", file=sys.stderr)
            return 2
    lines, failed = [], 0
    for w in wanted:
        matches = [k for k in sample if k.startswith(w.get("key") or "\0")]
        if len(matches) != 1:
            print(f"{w.get('key')}: {len(matches)} sampled rows have this key", file=sys.stderr)
            failed += 1
            continue
        row = sample[matches[0]]
        problems = check_judgement(row, w.get("verdicts") or {})
        if problems:
            print(f"{matches[0]}: {'; '.join(problems)}", file=sys.stderr)
            failed += 1
            continue
        lines.append(
            {
                "key": matches[0],
                "kind": row["kind"],
                "article": row["article"],
                "start_char": row["start_char"],
                "verdicts": {f: w["verdicts"][f] for f in VERDICTS[row["kind"]]},
                "note": w.get("note") or "",
                "judge": w.get("judge") or args.judge,
                "judged_at": w.get("judged_at") or datetime.now(UTC).date().isoformat(),
                "values": {f: row.get(f) for f in VALUES[row["kind"]]},
            }
        )
    if failed:
        print(f"nothing recorded: {failed} of {len(wanted)} judgements fail the checks", file=sys.stderr)
        return 1
    with args.judgements.open("a", encoding="utf-8") as fh:
        for j in lines:
            fh.write(json.dumps(j, ensure_ascii=False) + "\n")
    print(f"recorded {len(lines)} judgements in {args.judgements}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    sub = ap.add_subparsers(dest="command")
    sh = sub.add_parser("show", help="the sheet of rows without a judgement (the default)")
    rec = sub.add_parser("record", help="check judgements and append them to the judgements file")
    for p in (ap, sh):
        p.add_argument("--limit", type=int, default=10, help="rows to show (default: %(default)s)")
        p.add_argument("--all", action="store_true", help="judged rows too")
        p.add_argument("--key", default=None, help="only the row whose key starts so")
        p.add_argument("--kind", choices=sorted(VERDICTS), default=None)
        p.add_argument("--context", type=int, default=400, help="characters shown before the sentence")
    rec.add_argument("key", nargs="?", default=None)
    rec.add_argument("verdicts", nargs="*", metavar="FIELD=VALUE")
    rec.add_argument("--note", default="", help="free text: why a field is wrong, doubts")
    rec.add_argument("--judge", default="", help="who judged (a name, or the agent's session)")
    rec.add_argument("--from", dest="from_file", type=Path, default=None, help="judgements as JSON lines")
    args = ap.parse_args(argv)
    return record(args) if args.command == "record" else show(args)


if __name__ == "__main__":
    sys.exit(main())
