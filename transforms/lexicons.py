"""The one loader of the data in transforms/patterns/: word lists (JSON objects of lists),
patterns and lexicons (JSON lines). Every module reads its lexicons from here, and each
list exists once: cues.json (evidence of an entity's kind), names.json (honorifics,
corporate suffixes), months.json, clauses.json (reporting, plan and light-verb words),
exchanges.json, markup.json, boilerplate.json, entity_patterns.jsonl, verb_lexicon.jsonl,
action_types.json and amounts.json (currencies, scales and unit nouns). Closed grammatical classes (pronouns, function words, dependency
labels) stay beside the code that reads them.

Keys starting with "_" in a JSON object are documentation and never returned.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PATTERNS_DIR = Path(__file__).parent / "patterns"


def path(name: str) -> Path:
    """The file `name` ("cues.json", "verb_lexicon.jsonl") of transforms/patterns/."""
    return PATTERNS_DIR / name


@lru_cache(maxsize=32)
def load_json(name: str) -> Any:
    """A JSON file of transforms/patterns/, parsed (cached: do not mutate it); a file that
    is not JSON is an error naming it and the line."""
    return read_json(path(name))


def read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file.name}:{exc.lineno}: {exc.msg}") from exc


def load_jsonl(name: str, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The rows of a JSON lines file of transforms/patterns/ (blank lines skipped); a bad
    line, or a row without one of the `required` keys, is an error naming the file and
    the line."""
    return read_jsonl(path(name), required)


def read_jsonl(file: Path, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file.name}:{n}: {exc}") from exc
        if not isinstance(row, dict):
            raise ValueError(f"{file.name}:{n}: not a JSON object")
        missing = [k for k in required if k not in row]
        if missing:
            raise ValueError(f"{file.name}:{n}: no {', '.join(repr(k) for k in missing)} in {line.strip()}")
        rows.append(row)
    return rows


@lru_cache(maxsize=32)
def word_lists(name: str) -> dict[str, frozenset[str]]:
    """Every list of the JSON object `name`, as sets (documentation keys left out)."""
    data = load_json(name)
    return {k: frozenset(v) for k, v in data.items() if not k.startswith("_")}


def words(name: str, key: str) -> frozenset[str]:
    """One list of a JSON object of transforms/patterns/, as a set; a list the file does
    not have is an error naming the file and the lists it has."""
    lists = word_lists(name)
    if key not in lists:
        raise KeyError(f"{name} has no list {key!r} (it has: {', '.join(sorted(lists))})")
    return lists[key]


def ordered_words(name: str, key: str) -> list[str]:
    """One list of a JSON object of transforms/patterns/, in its written order."""
    data = load_json(name)
    if key not in data:
        raise KeyError(f"{name} has no list {key!r} (it has: {', '.join(sorted(data))})")
    return list(data[key])


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Every written form of a month (lower case: "march", "mar", "sept") -> 1..12
    (patterns/months.json)."""
    months = load_json("months.json")["months"]
    return {form: n for n, forms in enumerate(months, 1) for form in forms}


@lru_cache(maxsize=1)
def weekday_numbers() -> dict[str, int]:
    """Weekday names, Monday first: "monday" -> 0 ... "sunday" -> 6 (patterns/months.json)."""
    return {d: i for i, d in enumerate(load_json("months.json")["weekdays"])}
