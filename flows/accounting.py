"""What a run counts and reports: `RunCounts` (one field per counter column of
`pipeline_runs`, from the schema), the same counts per source, the check that they
reconcile, `RunResult` and the run-summary artifact's markdown."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, make_dataclass

from flows.display import md_code, md_text
from warehouse.schema import run_counters


def _reconciles(self) -> bool:
    return self.articles_seen == self.articles_loaded + self.articles_skipped + self.articles_quarantined


RunCounts = make_dataclass(
    "RunCounts",
    [(name, int, field(default=0)) for name in run_counters()],
    namespace={
        "__doc__": "A run's counts: the counter columns of pipeline_runs (warehouse.schema.run_counters).",
        "reconciles": property(_reconciles),
    },
)
RunCounts.__module__ = __name__

# per-source count keys (the keys of pipeline_runs.source_counts) -> RunCounts fields
COUNT_FIELDS = {
    "seen": "articles_seen",
    "loaded": "articles_loaded",
    "skipped": "articles_skipped",
    "quarantined": "articles_quarantined",
    "duplicates": "articles_duplicate",
}


class Tally:
    """A run's counts, in total (`counts`) and per source (`source_counts`), together:
    each article is counted for the source it came from (`origin`), else for the source
    being read (`current_source`)."""

    def __init__(self) -> None:
        self.counts = RunCounts()
        self.source_counts: dict[str, dict[str, int]] = {}
        self.origin: dict[str, str] = {}  # article_id -> source label
        self.current_source = ""  # label of the source being read

    def start_source(self, label: str) -> None:
        """The run reads this source now. A source with nothing in it (a feed answered 304
        Not Modified, an empty folder) is in the per-source counts too, with zeros."""
        self.current_source = label
        self.source_counts.setdefault(label, dict.fromkeys(COUNT_FIELDS, 0))

    def count(self, key: str, n: int = 1, *, aid: str | None = None, label: str | None = None) -> None:
        """Count articles: the run's totals and its source's (`label`, else the source the
        article `aid` came from, else the one being read) together."""
        if not n:
            return
        field_name = COUNT_FIELDS[key]
        setattr(self.counts, field_name, getattr(self.counts, field_name) + n)
        if label is None:
            label = self.origin.get(aid, self.current_source) if aid else self.current_source
        per_source = self.source_counts.setdefault(label, dict.fromkeys(COUNT_FIELDS, 0))
        per_source[key] += n

    def source_of(self, aid: str) -> str:
        return self.origin.get(aid, self.current_source)

    def unreconciled(self) -> list[str]:
        """The accounting check every run makes for itself: seen = loaded + skipped +
        quarantined, for the run and for each source. Errors (the run fails) when not."""
        out = []
        c = self.counts
        if not c.reconciles:
            out.append(
                f"counts do not reconcile: seen {c.articles_seen} != loaded {c.articles_loaded} + skipped "
                f"{c.articles_skipped} + quarantined {c.articles_quarantined}"
            )
        for label, n in self.source_counts.items():
            if n["seen"] != n["loaded"] + n["skipped"] + n["quarantined"]:
                out.append(
                    f"counts of source {label} do not reconcile: seen {n['seen']} != loaded {n['loaded']} "
                    f"+ skipped {n['skipped']} + quarantined {n['quarantined']}"
                )
        return out


@dataclass
class RunResult:
    run_id: str
    status: str
    warehouse: str
    counts: RunCounts
    stage_seconds: dict[str, float]
    validation: dict[str, dict]
    errors: list[str] = field(default_factory=list)
    report: str | None = None  # the HTML report written at the end of the run

    def to_dict(self) -> dict:
        d = asdict(self)
        d["counts"] = asdict(self.counts)
        return d


def summary_markdown(result: RunResult) -> str:
    """The run-summary artifact: counts, stage times, validation, errors (data as text)."""
    c = result.counts
    lines = [
        f"# newsetl run {md_code(result.run_id)}: {md_text(result.status)}",
        "",
        f"Warehouse: {md_code(result.warehouse)}",
        "",
        "| seen | loaded | skipped (unchanged) | quarantined | rows quarantined | batches |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {c.articles_seen} | {c.articles_loaded} | {c.articles_skipped} | {c.articles_quarantined} | {c.rows_quarantined} | {c.batches} |",
        "",
        "| stage | seconds |",
        "|---|---:|",
        *[f"| {k} | {v:.2f} |" for k, v in result.stage_seconds.items()],
        "",
        "| table | rows validated | rows rejected | failed expectations |",
        "|---|---:|---:|---|",
        *[
            f"| {md_text(t)} | {v['rows']} | {v['rows_rejected']} | {md_text(', '.join(v['failed']) or '-')} |"
            for t, v in result.validation.items()
            if isinstance(v, dict)
        ],
        "",
        f"Great Expectations Data Docs: {md_code(result.validation.get('data_docs', 'not built'))}",
        "",
        f"Report: {md_code(result.report or 'not written')}",
    ]
    if result.errors:
        lines += ["", "## Errors", *[f"- {md_text(e)}" for e in result.errors]]
    return "\n".join(lines)
