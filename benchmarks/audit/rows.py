"""The audit's rows and judgements: which fields are judged, how a row is keyed, how a
judgement is checked, and reading and writing the files. Pure: no ../shared, no model.

A sample row (sample.jsonl) holds where the row is (article id, field, verb or content
offsets, sentence offsets) and the extracted values to judge, never the article's text. A
judgement (judgements.jsonl) is keyed by `row_key`: a hash of the article, the offsets and
every judged value, so a row whose extraction changes needs a new judgement and an unchanged
row keeps its old one across draws.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "sample.jsonl"
JUDGEMENTS = HERE / "judgements.jsonl"

# the extracted values of a row of each kind: the key hashes them, the sheet shows them
VALUES = {
    "action": (
        "actor",  # entities.name of actor_entity_id
        "actor_label",
        "actor_text",
        "verb",
        "verb_text",
        "target_text",
        "target_head",
        "negated",
        "modality",
        "action_type",
        "event_period",
        "event_date_text",
    ),
    "quote": (
        "speaker",  # entities.name of speaker_entity_id (None when it is none)
        "speaker_label",
        "speaker_text",
        "cue_verb",
        "content_sha256",  # the content is article text: only its hash is stored
        "direct",
    ),
}

# the verdicts a judgement of each kind gives: field -> the row values it judges (a verdict
# may be None, "empty and rightly so", only when all of those values are empty)
VERDICTS = {
    "action": {
        "is_action": (),
        "actor": (),
        "verb": (),
        "target": ("target_text", "target_head"),
        "negated": (),
        "modality": (),
        "action_type": (),
        "event_time": ("event_period", "event_date_text"),
    },
    "quote": {
        "is_quote": (),
        "speaker": ("speaker", "speaker_text"),
        "cue_verb": ("cue_verb",),
        "content": (),
        "direct": (),
    },
}
# the verdict that says whether the row is a real one at all; when it is false, the doer
# (speaker) cannot be right either
IS_REAL = {"action": ("is_action", "actor"), "quote": ("is_quote", "speaker")}


def row_key(row: dict) -> str:
    """The judgement key of a sample row: sha256 (first 16 hex digits) of its kind, article,
    field, offsets and every judged value."""
    kind = row["kind"]
    ident = [kind, row["article"], row["field"], row["start_char"], row["end_char"]]
    values = {name: row.get(name) for name in VALUES[kind]}
    payload = json.dumps([ident, values], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_judgement(row: dict, verdicts: dict) -> list[str]:
    """What is wrong with `verdicts` as a judgement of `row` ([] when nothing): every verdict
    of the row's kind is given and is true, false or null; null only when the field is empty;
    a field that is empty is judged null (rightly empty) or false (it should have a value)."""
    kind = row["kind"]
    spec = VERDICTS[kind]
    problems = [f"unknown verdict {k!r}" for k in verdicts if k not in spec]
    for name, judged in spec.items():
        if name not in verdicts:
            problems.append(f"{name}: no verdict")
            continue
        v = verdicts[name]
        if v not in (True, False, None) or isinstance(v, int) and not isinstance(v, bool):
            problems.append(f"{name}: {v!r} is not true, false or null")
            continue
        is_empty = bool(judged) and all(empty(row.get(f)) for f in judged)
        if v is None and not is_empty:
            problems.append(f"{name}: null, but the row has a value (judge it true or false)")
        if v is True and is_empty:
            problems.append(f"{name}: true, but the row has no value (null when rightly empty, else false)")
    real, doer = IS_REAL[kind]
    if verdicts.get(real) is False and verdicts.get(doer) is True:
        problems.append(f"{doer}: true, but {real} is false")
    return problems


def parse_verdict(text: str) -> bool | None:
    """'true'/'false'/'null' (also 1/0/y/n/yes/no/none) -> True/False/None."""
    t = text.strip().lower()
    if t in ("true", "t", "1", "y", "yes", "right"):
        return True
    if t in ("false", "f", "0", "n", "no", "wrong"):
        return False
    if t in ("null", "none", "empty", "-"):
        return None
    raise ValueError(f"{text!r}: a verdict is true, false or null")


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")


def judgements_by_key(judgements: Iterable[dict]) -> dict[str, dict]:
    """The latest judgement of each key (a later line replaces an earlier one)."""
    out: dict[str, dict] = {}
    for j in judgements:
        out[j["key"]] = j
    return out


def extraction_fingerprint(root: Path) -> str:
    """sha256 of every file under `root`/transforms (code, patterns, lexicons, model weights):
    what a draw extracted with. A sample drawn with another fingerprint is out of date."""
    digest = hashlib.sha256()
    base = root / "transforms"
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(base)).encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def meta_path(sample: Path) -> Path:
    """Where the draw's description (seeds, articles, commit) sits beside a sample file."""
    return sample.with_name(sample.stem + ".meta.json")
