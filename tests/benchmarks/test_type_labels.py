"""The type benchmark's arithmetic (benchmarks/type_labels/score.py) on in-memory rows."""

from __future__ import annotations

from benchmarks.type_labels.score import is_right, label_key, read_labels, report_lines, score


def label(start: int, type_: str, fold: str = "dev", also: list[str] | None = None) -> dict:
    return {"article": "a", "field": "body", "start_char": start, "lemma": "x", "type": type_,
            "also": also or [], "note": "", "fold": fold}  # fmt: skip


def test_right_is_the_type_or_an_equal_alternative():
    assert is_right(label(0, "OPINION", also=["ADVOCATE"]), "ADVOCATE")
    assert not is_right(label(0, "OPINION"), "AGREE")


def test_score_per_fold_counts_missing_rows_apart():
    labels = [label(0, "OPINION"), label(5, "CHANGE"), label(9, "HALT", fold="heldout")]
    predicted = {("a", "body", 0): ("hope", "OPINION"), ("a", "body", 5): ("drop", "HALT")}
    lemma_only = {"hope": "AGREE", "drop": "HALT"}.get
    s = score(labels, predicted, lemma_only)
    assert (s["dev"]["labelled"], s["dev"]["missing"], s["dev"]["right"], s["dev"]["lemma_right"]) == (
        2,
        0,
        1,
        0,
    )
    assert (s["heldout"]["labelled"], s["heldout"]["missing"], s["heldout"]["right"]) == (1, 1, 0)
    assert (s["all"]["labelled"], s["all"]["right"]) == (3, 1)
    assert [err[1] for err in s["dev"]["errors"]] == ["HALT"]
    lines = report_lines(s)
    assert lines[-1].startswith("all") and "0.500" in lines[1]


def test_the_shipped_labels_are_well_formed():
    from transforms.action_types import taxonomy

    rows = read_labels()
    assert len(rows) == len({label_key(r) for r in rows}) == 420
    assert {r["fold"] for r in rows} == {"dev", "heldout"}
    assert all(r["type"] in taxonomy() and set(r["also"]) <= set(taxonomy()) for r in rows)
    assert not any("sentence" in r or "text" in r for r in rows)  # corpus text stays in ../shared
