"""Every query in docs/queries.md runs against the sample warehouse and returns rows."""

import re
from pathlib import Path

import pytest

from tests.conftest import query

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries.md"


def _queries() -> list[tuple[str, str]]:
    text = QUERIES.read_text(encoding="utf-8")
    out = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        for sql in re.findall(r"```sql\n(.*?)```", section, re.S):
            out.append((title, sql))
    return out


def test_queries_doc_has_at_least_ten_questions():
    assert len(_queries()) >= 10


@pytest.mark.parametrize(("title", "sql"), _queries(), ids=[t.split(".")[0] for t, _ in _queries()])
def test_documented_query_returns_rows(sample_warehouse, title, sql):
    rows = query(sample_warehouse, sql)
    assert rows, f"query {title!r} returned no rows on the sample warehouse"


def test_facial_recognition_question_names_amazon_ibm_and_microsoft(sample_warehouse):
    title, sql = _queries()[0]
    assert "facial recognition" in title
    rows = query(sample_warehouse, sql)
    companies = {r[0] for r in rows}
    assert {"Amazon", "IBM", "Microsoft"} <= companies
    assert all(r[6] and r[7] for r in rows)  # a date and the evidence sentence for each
