"""Extensions registered the documented way (docs/extending.md): entry points in the
metadata of a distribution on sys.path. Nothing is installed: the test writes the package
and its `.dist-info` into a temporary folder and puts that folder on sys.path."""

import pytest

from tests.conftest import install_plugin, query

MODULE = '''
"""A demo extension: a source kind that generates articles, and an extractor."""
from flows.sources import ChunkRef, RawRecord


class CountdownSource:
    """`countdown:N` yields N small articles (stands in for an API client)."""

    def __init__(self, location, **options):
        self.n = int(location)
        self.name = "countdown"
        self.prefix = options.get("prefix", "Launch")

    def estimate(self):
        return self.n

    def chunks(self):
        return [ChunkRef(path=f"countdown:{self.n}", root="countdown", kind="countdown")]

    def read(self, ref):
        items = [
            RawRecord(
                source_path=ref.path,
                external_id=f"t-{i}",
                title=f"{self.prefix} {i}",
                text=f"Zorblax Dynamics opened a factory in Oslo. Zorblax hired {i * 10} engineers.",
                published_at=f"2026-01-{i + 1:02d}",
                source="countdown",
                url=None,
            )
            for i in range(self.n)
        ]
        return items, None


def configure(nlp):
    """Extractor: teach the pipeline a product name the model does not know."""
    ruler = nlp.add_pipe("entity_ruler", name="demo_products", before="ner")
    ruler.add_patterns([{"label": "PRODUCT", "pattern": "Quantum Widget"}])
'''

ENTRY_POINTS = """
[newsetl.sources]
countdown = newsetl_demo_ext:CountdownSource

[newsetl.extractors]
demo_products = newsetl_demo_ext:configure
"""


@pytest.fixture
def demo_extension(tmp_path, monkeypatch):
    return install_plugin(tmp_path, monkeypatch, "newsetl_demo_ext", MODULE, ENTRY_POINTS)


def test_custom_source_kind_and_extractor_are_discovered(demo_extension):
    from flows.sources import open_source, source_kinds
    from transforms.extensions import extractor_entry_points

    assert "countdown" in source_kinds()
    assert [ep.name for ep in extractor_entry_points()] == ["demo_products"]
    src = open_source("countdown:2")
    items, nxt = src.read(src.chunks()[0])
    assert [i.external_id for i in items] == ["t-0", "t-1"] and nxt is None


def test_flow_runs_with_a_custom_source_and_extractor(demo_extension, prefect_harness, tmp_path):
    from flows.nightly import nightly
    from transforms.nlp import load_nlp

    wh = tmp_path / "w.duckdb"
    res = nightly(sources=["countdown:3"], warehouse=str(wh))
    assert res["status"] == "succeeded"
    assert res["counts"]["articles_loaded"] == 3
    assert query(wh, "select count(*) from articles where source = 'countdown'")[0][0] == 3
    assert "extractors demo_products" in query(wh, "select model_version from pipeline_runs")[0][0]
    assert "demo_products" in load_nlp().pipe_names
    names = {r[0] for r in query(wh, "select name from entities")}
    assert "Zorblax Dynamics" in names


def test_extractor_adds_entities(demo_extension):
    from transforms.nlp import load_nlp

    doc = load_nlp()("Acme said the Quantum Widget ships in May.")
    assert ("Quantum Widget", "PRODUCT") in {(e.text, e.label_) for e in doc.ents}


def test_failing_source_is_a_quarantine_row_and_a_run_error(prefect_harness, tmp_path, monkeypatch):
    from flows.nightly import nightly
    from flows.sources import registry

    def broken(location, **options):
        raise ConnectionError("feed server down")

    monkeypatch.setitem(registry._REGISTERED, "broken", broken)
    wh = tmp_path / "w.duckdb"
    from tests.conftest import SAMPLE

    res = nightly(sources=["broken:x", str(SAMPLE / "fictional.jsonl")], warehouse=str(wh))
    assert res["status"] == "failed" and "feed server down" in res["errors"][0]
    c = res["counts"]
    assert c["articles_loaded"] >= 10 and c["articles_quarantined"] == 1
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    (stage, reason) = query(wh, "select stage, reason from quarantine")[0]
    assert stage == "read" and "ConnectionError" in reason
