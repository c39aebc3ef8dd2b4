"""A batch's duplicate decisions (transforms/copies.py), on an index without a warehouse."""

from tests.transforms.test_dedup import EDITED, STORY
from transforms.clean import CleanArticle
from transforms.copies import decide_batch, same_decision
from transforms.dedup import DuplicateIndex, read
from transforms.extract import Article

OTHER = (
    "Corvex Energy will cut 1,200 jobs after quarterly profit fell 38%, the group said on Thursday. The "
    "company also lowered its forecast for the full year, blaming weak demand for industrial batteries "
    "and higher costs at its plant in eastern Norlund. Unions said they would fight the cuts."
)


def art(aid: str, body: str, **kw) -> Article:
    return Article(
        aid, aid, "wire", "in.jsonl", None, None, f"h-{aid}-{len(body)}", "{}", CleanArticle("", body), **kw
    )


def decide(idx, batch, outside=None):
    texts = {a.article_id: read(a.clean.body, a.source) for a in batch}
    return decide_batch(idx, batch, texts, outside or {})


def test_a_batch_is_decided_in_read_order():
    got = decide(DuplicateIndex(), [art("a", STORY), art("b", STORY), art("c", EDITED), art("d", OTHER)])
    assert [a.article_id for a in got.canonical] == ["a", "d"]
    assert [(c.article_id, c.duplicate_of, c.duplicate_kind) for c in got.copies] == [
        ("b", "a", "exact"),
        ("c", "a", "near"),
    ]
    assert all(a.body_hash and a.minhash for a in got.articles.values()) and got.rechecked == []


def test_a_new_version_decides_its_copies_again():
    idx = DuplicateIndex()
    first = decide(idx, [art("a", STORY), art("b", STORY)])
    (copy,) = first.copies
    # a new version of `a` that is another story: its stored copy `b` is canonical now
    again = decide(idx, [art("a", OTHER)], outside={"a": [copy]})
    assert [(a.article_id, a.duplicate_of) for a, _ in again.rechecked] == [("b", None)]
    assert again.rechecked[0][1] == "a"  # the batch article that made it change
    assert {a.article_id for a in again.canonical} == {"a", "b"} and again.copies == []


def test_a_copy_still_copying_the_same_article_is_not_rechecked():
    idx = DuplicateIndex()
    (copy,) = decide(idx, [art("a", STORY), art("b", STORY)]).copies
    again = decide(idx, [art("a", STORY)], outside={"a": [copy]})  # the same story again
    assert again.rechecked == [] and [a.article_id for a in again.canonical] == ["a"]
    changed = decide(idx, [art("a", STORY + " A line added at the end of the story.")], outside={"a": [copy]})
    ((c, of),) = changed.rechecked  # now a near copy: its decision changed
    assert (c.duplicate_of, c.duplicate_kind, of) == ("a", "near", "a") and not same_decision(c, copy)
