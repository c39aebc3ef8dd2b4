"""transforms/patterns/ is read through one loader, and each word list exists once."""

import ast
import json
from pathlib import Path

import pytest

from transforms import lexicons
from transforms.dates import parse_date
from transforms.names import display_name, legal_forms, name_key
from transforms.timex import normalise

TRANSFORMS = Path(lexicons.__file__).parent


def test_only_the_loader_opens_the_patterns_folder():
    """No module but transforms/lexicons.py names the folder (a path built to it)."""
    for path in sorted(TRANSFORMS.rglob("*.py")):
        if path.name == "lexicons.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == "patterns"]
        assert not names, (
            f"{path.relative_to(TRANSFORMS)} builds a path to patterns/: use transforms.lexicons"
        )


def _lists():
    for path in sorted(lexicons.PATTERNS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            if not key.startswith("_") and isinstance(value, list) and all(isinstance(w, str) for w in value):
                yield path.name, key, value


@pytest.mark.parametrize(
    ("file", "key", "words"), list(_lists()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_list_holds_each_word_once(file, key, words):
    assert len(words) == len(set(words)), sorted(w for w in set(words) if words.count(w) > 1)


def test_the_organisation_nouns_of_appositives_and_descriptions_share_one_core():
    c = lexicons.word_lists("cues.json")
    core, appositive, description = (
        c["org_nouns"],
        c["org_nouns_appositive_only"],
        c["org_nouns_description_only"],
    )
    assert not core & appositive and not core & description and not appositive & description


def test_every_month_form_is_read_by_timex_and_the_three_letter_ones_by_dates():
    published = parse_date("2020-06-15")[0]
    for form, n in lexicons.month_numbers().items():
        assert normalise(f"{form} 3, 2019", published).label == f"2019-{n:02d}-03", form
        if len(form) == 3:
            assert parse_date(f"03-{form.upper()}-2019 10:00:00")[0].month == n, form


def test_honorifics_come_from_names_json_and_legal_forms_from_cleanco():
    honorifics = lexicons.ordered_words("names.json", "honorifics")
    titles = lexicons.ordered_words("names.json", "titles")
    for h in honorifics + titles:
        assert display_name(f"{h.title()} Jane Smith", "PERSON") == "Jane Smith", h
    for form in legal_forms():
        assert name_key("Acme " + " ".join(form), "ORG") == "acme", form
    for word in lexicons.ordered_words("names.json", "not_legal_forms"):
        assert name_key(f"Acme {word}", "ORG") != "acme", word


def test_only_honorifics_are_evidence_of_a_person():
    """A title such as "Father" or "general" is dropped from a person's name but does not
    make the name after it a person ("Father Christmas", "a general Production Diary")."""
    import spacy
    from spacy.tokens import Span

    import transforms.entity_rules  # noqa: F401  (registers the component)

    nlp = spacy.blank("en")
    rules = nlp.add_pipe("newsetl_entity_rules")

    def label_after(title):
        doc = nlp.make_doc(f"{title} Trotter came")
        doc.ents = [Span(doc, 1, 2, label="ORG")]
        return rules(doc).ents[0].label_

    assert [label_after(t) for t in ("Mr", "Senator", "Father", "General")] == [
        "PERSON",
        "PERSON",
        "ORG",
        "ORG",
    ]
    assert (
        display_name("Father Jim Trotter", "PERSON")
        == display_name("Mr Jim Trotter", "PERSON")
        == "Jim Trotter"
    )


def test_a_bad_line_of_a_jsonl_file_names_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n\n{"b": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:3"):
        lexicons.read_jsonl(bad)
    bad.write_text('{"a": 1}\n[1]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: not a JSON object"):
        lexicons.read_jsonl(bad)


def test_a_row_without_a_required_key_names_the_file_and_line(tmp_path):
    bad = tmp_path / "patterns.jsonl"
    bad.write_text('{"label": "ORG", "pattern": "Acme"}\n{"pattern": "Beta"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"patterns\.jsonl:2: no 'label'"):
        lexicons.read_jsonl(bad, required=("label", "pattern"))
    assert len(lexicons.read_jsonl(bad, required=("pattern",))) == 2


def test_a_json_file_that_is_not_json_names_the_file_and_line(tmp_path):
    bad = tmp_path / "cues.json"
    bad.write_text('{\n "a": [1,\n}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"cues\.json:3"):
        lexicons.read_json(bad)


def test_a_missing_word_list_names_the_file_and_its_lists():
    with pytest.raises(
        KeyError, match=r"clauses\.json has no list 'no_such_list' \(it has: .*reporting_verbs"
    ):
        lexicons.words("clauses.json", "no_such_list")


def _lexicon_rows():
    from transforms.action_types import LEXICON_FILE

    return list(lexicons.load_jsonl(LEXICON_FILE))


def _values(row: dict, field: str) -> list[str]:
    v = row.get(field)
    if v is None:
        return [""]
    return [str(x).lower() for x in v] if isinstance(v, list) else [str(v).lower()]


def test_no_verb_lexicon_word_is_dead():
    """The lexicon's first row for a combination wins (transforms/action_types.py): a word of
    a later row whose every combination an earlier row already types otherwise never
    applies ("own" was INVEST before its POSSESS row; "unveil" LAUNCH before STATEMENT)."""
    from itertools import product

    fields = ("lemma", "particle", "object", "prep")
    typed: dict[tuple[str, ...], str] = {}
    dead = []
    for n, row in enumerate(_lexicon_rows(), 1):
        if "noun" in row:
            continue
        combos = list(product(*(_values(row, f) for f in fields)))
        for i, field in enumerate(fields):
            for value in _values(row, field):
                mine = [c for c in combos if c[i] == value]
                if all(typed.get(c, row["type"]) != row["type"] for c in mine):
                    dead.append((n, field, value, row["type"], typed[mine[0]]))
        for c in combos:
            typed.setdefault(c, row["type"])
    assert dead == []


def test_owning_is_possessing():
    from transforms.action_types import classify

    assert classify("own") == classify("own", object_head="house") == "POSSESS"


def test_a_missing_ordered_list_names_the_file_and_its_lists():
    with pytest.raises(KeyError, match=r"months\.json has no list 'no_such_list'"):
        lexicons.ordered_words("months.json", "no_such_list")


def test_a_verb_lexicon_row_without_lemma_or_noun_names_the_row(monkeypatch):
    from transforms import action_types

    rows = [{"lemma": "buy", "type": "ACQUIRE"}, {"object": "stake", "type": "INVEST"}]
    monkeypatch.setattr(action_types, "load_jsonl", lambda name, required=(): rows)
    action_types._tables.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"verb_lexicon\.jsonl row 2: neither 'lemma' nor 'noun'"):
            action_types._tables()
    finally:
        monkeypatch.undo()
        action_types._tables.cache_clear()
