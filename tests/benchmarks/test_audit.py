"""The audit's machinery (benchmarks/audit): judgement keys, the checks on a judgement, the
scoring arithmetic, recording and the sheet, on in-memory rows (no ../shared, no model)."""

from __future__ import annotations

import json

import pytest

from benchmarks.audit import judge_sheet
from benchmarks.audit.draw import paragraph_span, sentence_span
from benchmarks.audit.rows import VERDICTS, check_judgement, row_key
from benchmarks.audit.score import report_lines, score_rows, wilson

TEXT = "Acme said on Friday that it bought Widget Co. Profits rose."


def action(**changes) -> dict:
    row = {
        "kind": "action",
        "article": "bbc-business-999",
        "field": "body",
        "start_char": 5,
        "end_char": 9,
        "sentence_index": 1,
        "sentence_start": 0,
        "sentence_end": 45,
        "text_sha256": "x",
        "actor_resolution": "direct",
        "actor": "Acme",
        "actor_label": "ORG",
        "actor_text": "Acme",
        "verb": "say",
        "verb_text": "said",
        "target_text": "that it bought Widget Co",
        "target_head": "bought",
        "negated": False,
        "modality": "asserted",
        "action_type": "STATEMENT",
        "event_period": None,
        "event_date_text": None,
    }
    row.update(changes)
    row["key"] = row_key(row)
    return row


def verdicts(**changes) -> dict:
    v = dict.fromkeys(VERDICTS["action"], True)
    v["event_time"] = None
    v.update(changes)
    return v


def test_the_key_changes_with_every_judged_value_and_only_with_them():
    base = row_key(action())
    assert base == row_key(action()) and len(base) == 16
    judged = {
        "article": "bbc-business-998",
        "field": "title",
        "start_char": 6,
        "end_char": 10,
        "actor": "Acme Corp",
        "actor_label": "PERSON",
        "actor_text": "it",
        "verb": "tell",
        "verb_text": "told",
        "target_text": "it bought Widget Co",
        "target_head": "Co",
        "negated": True,
        "modality": "reported",
        "action_type": "OTHER",
        "event_period": "2004-W03",
        "event_date_text": "on Friday",
    }
    for name, value in judged.items():
        assert row_key(action(**{name: value})) != base, name
    # where the sentence is, how the actor was found, the text's hash: not judged, same key
    same = action(
        sentence_index=2, sentence_start=1, sentence_end=40, text_sha256="y", actor_resolution="pronoun"
    )
    assert row_key(same) == base


def test_a_judgement_gives_every_verdict_and_null_only_for_an_empty_field():
    row = action()
    assert check_judgement(row, verdicts()) == []
    assert any(
        "no verdict" in p for p in check_judgement(row, {k: v for k, v in verdicts().items() if k != "verb"})
    )
    assert any("null, but the row has a value" in p for p in check_judgement(row, verdicts(target=None)))
    assert any("not true, false or null" in p for p in check_judgement(row, verdicts(verb=1)))
    assert any("unknown verdict" in p for p in check_judgement(row, {**verdicts(), "tense": True}))
    # an empty field is rightly empty (null) or should have a value (false), never true
    dated = action(event_period="2004-W03", event_date_text="on Friday")
    assert check_judgement(dated, verdicts(event_time=True)) == []
    assert any("null, but" in p for p in check_judgement(dated, verdicts(event_time=None)))
    assert any("true, but the row has no value" in p for p in check_judgement(row, verdicts(event_time=True)))
    assert check_judgement(row, verdicts(event_time=False)) == []
    # no action, no right actor
    assert any("is_action is false" in p for p in check_judgement(row, verdicts(is_action=False)))
    assert check_judgement(row, verdicts(is_action=False, actor=False)) == []


def test_scores_count_rows_right_in_every_field_per_field_and_the_unjudged():
    rows = [action(start_char=i, end_char=i + 4) for i in range(5)]
    judgements = [
        {"key": rows[0]["key"], "verdicts": verdicts()},  # right in every field
        {"key": rows[1]["key"], "verdicts": verdicts(target=False)},
        {"key": rows[2]["key"], "verdicts": verdicts(is_action=False, actor=False, modality=False)},
        {"key": rows[3]["key"], "verdicts": verdicts(target=None)},  # fails the checks: not counted
        {"key": "0" * 16, "verdicts": verdicts()},  # a row no longer sampled: ignored
    ]
    s = score_rows(rows, judgements)["action"]
    assert (s["rows"], s["judged"], s["unjudged"], s["all_right"]) == (5, 3, 2, 1)
    assert [i["key"] for i in s["invalid"]] == [rows[3]["key"]]
    f = s["fields"]
    assert f["target"] == {"right": 2, "empty": 0, "wrong": 1}
    assert f["actor"] == {"right": 2, "empty": 0, "wrong": 1}
    assert f["modality"] == {"right": 2, "empty": 0, "wrong": 1}
    assert f["event_time"] == {"right": 0, "empty": 3, "wrong": 0}
    lines = "\n".join(report_lines({"action": s}))
    assert "5 sampled, 3 judged, 2 without a judgement" in lines
    assert "right in every field: **0.33 (1/3;" in lines
    assert "if the 2 unjudged rows were all wrong: 0.20 (1/5)" in lines
    assert "| event_time | 1.00 (3/3;" in lines


def test_a_later_judgement_replaces_an_earlier_one_and_a_changed_row_loses_its_own():
    row = action()
    first = {"key": row["key"], "verdicts": verdicts(verb=False)}
    second = {"key": row["key"], "verdicts": verdicts()}
    assert score_rows([row], [first, second])["action"]["all_right"] == 1
    changed = action(verb="tell")
    assert score_rows([changed], [first, second])["action"]["unjudged"] == 1


def test_wilson_interval():
    assert wilson(0, 0) is None
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    assert wilson(100, 100)[1] == pytest.approx(1.0) and wilson(0, 100)[0] == pytest.approx(0.0)
    assert wilson(100, 100)[0] == pytest.approx(0.963, abs=1e-3)


def test_the_sentence_is_found_around_the_verb_ignoring_case():
    text = "ACME SAID IT. Acme said it again. Acme said it."
    assert sentence_span(text, "Acme said it.", 39, 43) == (34, 47)
    assert sentence_span(text, "Acme said it.", 5, 9) == (0, 13)
    assert sentence_span(text, "Nothing like it.", 5, 9) is None
    assert paragraph_span("a b\n\nc d e\n\nf", 6, 7) == (5, 10)


def test_record_checks_and_appends_and_the_sheet_shows_the_row(tmp_path, capsys):
    row = action()
    sample, judged = tmp_path / "sample.jsonl", tmp_path / "judgements.jsonl"
    sample.write_text(json.dumps(row) + "\n", encoding="utf-8")
    files = ["--sample", str(sample), "--judgements", str(judged)]
    bad = [*files, "record", row["key"][:8], "is_action=true"]
    assert judge_sheet.main(bad) == 1 and not judged.exists()
    good = [*files, "record", row["key"][:8], *(f"{k}={str(v).lower()}" for k, v in verdicts().items())]
    assert judge_sheet.main([*good, "--note", "ok", "--judge", "test"]) == 0
    (line,) = [json.loads(x) for x in judged.read_text(encoding="utf-8").splitlines()]
    assert line["key"] == row["key"] and line["verdicts"] == verdicts() and line["note"] == "ok"
    assert score_rows([row], [line])["action"]["all_right"] == 1
    sheet = "\n".join(judge_sheet.sheet(row, {"title": "Acme news", "body": TEXT}, None, 400))
    assert "Acme [[said]] on Friday" in sheet
    assert f"record {row['key']} is_action= actor=" in sheet


def test_a_fresh_draw_excludes_every_retired_fresh_samples_articles(tmp_path, monkeypatch):
    """Articles whose judges' notes developers read are never drawn fresh again."""
    from benchmarks.audit import draw

    main_meta = tmp_path / "sample.meta.json"
    main_meta.write_text(json.dumps({"articles": ["bbc-business-001"]}))
    retired = tmp_path / "read_articles.json"
    retired.write_text(
        json.dumps({"retired": [{"article_seed": 1, "articles": ["reuters-7", "bbc-tech-2"]}]})
    )
    monkeypatch.setattr(draw, "SAMPLE", tmp_path / "sample.jsonl")
    monkeypatch.setattr(draw, "READ_ARTICLES", retired)
    excluded = draw.fresh_exclusions()
    assert {"bbc-business-001", "reuters-7", "bbc-tech-2"} <= excluded
    retired.unlink()
    assert "reuters-7" not in draw.fresh_exclusions()


def test_the_shipped_retired_draws_are_not_the_current_seed():
    from benchmarks.audit import draw

    seeds = [r["article_seed"] for r in json.loads(draw.READ_ARTICLES.read_text())["retired"]]
    assert draw.FRESH_SEED not in seeds
