"""The nightly report: one static HTML page beside the warehouse (`data/news.report.html`
for `data/news.duckdb`) that works offline.

It shows the last run's counts, actions per type, the most active companies over time
(Altair charts rendered by Vega-Lite; the Vega, Vega-Lite and vega-embed JavaScript is
embedded in the page, from vl-convert, so nothing is fetched), the newest notable actions
with their evidence sentence, and a link to the Great Expectations Data Docs of the runs.
"""

from __future__ import annotations

import html
import json
import os
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from warehouse.backend import Target, target
from warehouse.connection import connect

#: Action types that are news (the rest, OTHER and STATEMENT, is not listed as notable).
NOT_NOTABLE = ("OTHER", "STATEMENT")
TOP_COMPANIES = 8
NEWEST_ACTIONS = 25


def report_path(warehouse: str | os.PathLike[str] | Target) -> Path:
    """Where the report of a warehouse goes: beside it, `<name>.report.html` (a lake's:
    beside its SQLite catalog, or in the lake_home folder: backend.Target.sidecar)."""
    p = target(warehouse).sidecar
    return p.with_name(p.stem + ".report.html")


def data_docs_index(warehouse: str | os.PathLike[str] | Target) -> Path:
    """The Data Docs site the runs build (expectations/datadocs.py)."""
    side = target(warehouse).sidecar
    return Path(str(side) + ".gx") / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsetl"


@lru_cache(maxsize=1)
def _vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (assigns window.vegaEmbed), for the
    Vega-Lite version Altair writes. Bundling takes ~2 s, so the script is kept in the user's
    cache directory, keyed by the versions (built again if the cache is not writable)."""
    from importlib.metadata import version

    import altair as alt

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    cached = _cache_dir() / f"vega-bundle-vl{major_minor}-vlconvert{version('vl-convert-python')}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    import vl_convert

    bundle: str = vl_convert.javascript_bundle(vl_version=major_minor)  # type: ignore[call-arg]  # the stub wants `snippet`; vl-convert defaults it
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass
    return bundle


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def gather(warehouse: str | os.PathLike[str] | Target) -> dict[str, Any]:
    """Everything the page shows, read from the warehouse (read-only)."""
    con = connect(warehouse, read_only=True)
    try:
        run = _rows(
            con,
            """SELECT run_id, status, started_at, finished_at, articles_seen, articles_loaded,
                      articles_skipped, articles_quarantined, rows_quarantined, articles_duplicate, error
               FROM pipeline_runs ORDER BY started_at DESC LIMIT 1""",
        )
        totals = _rows(
            con,
            """SELECT (SELECT count(*) FROM articles) AS articles,
                      (SELECT count(*) FROM entities) AS entities,
                      (SELECT count(*) FROM actions) AS actions,
                      (SELECT count(*) FROM quotes) AS quotes,
                      (SELECT count(*) FROM quarantine) AS quarantined""",
        )[0]
        per_type = _rows(
            con,
            """SELECT action_type, count(*) AS actions, count(*) FILTER (WHERE negated) AS negated
               FROM actions GROUP BY action_type ORDER BY actions DESC""",
        )
        over_time = _rows(
            con,
            """WITH top AS (
                   SELECT actor_name FROM company_actions
                   GROUP BY actor_name ORDER BY count(*) DESC, actor_name LIMIT ?)
               SELECT c.actor_name AS company,
                      strftime(date_trunc('month', coalesce(c.article_date, c.event_date)), '%Y-%m') AS month,
                      count(*) AS actions
               FROM company_actions c JOIN top USING (actor_name)
               WHERE coalesce(c.article_date, c.event_date) IS NOT NULL
               GROUP BY ALL ORDER BY month, company""",
            [TOP_COMPANIES],
        )
        newest = _rows(
            con,
            f"""SELECT actor_name, verb, action_type, target_text, negated, modality,
                      coalesce(event_period, CAST(article_date AS VARCHAR)) AS "when",
                      article_date, title, url, evidence
               FROM company_actions
               WHERE action_type NOT IN ({", ".join("?" for _ in NOT_NOTABLE)})
               ORDER BY article_date DESC NULLS LAST, actor_name, action_id
               LIMIT ?""",
            [*NOT_NOTABLE, NEWEST_ACTIONS],
        )
        per_country = _rows(con, _PER_COUNTRY, [run[0]["run_id"]]) if run else []
    finally:
        con.close()
    return {
        "run": run[0] if run else None,
        "totals": totals,
        "per_type": per_type,
        "over_time": over_time,
        "newest": newest,
        "per_country": per_country,
    }


# the last run's actions by the country of a place they involve (actor, target, argument or
# place: docs/queries.md 18)
_PER_COUNTRY = """
WITH involved AS (
  SELECT a.action_id, unnest(list_distinct(
           [a.actor_entity_id, a.target_entity_id, a.place_entity_id]
           || list_transform(a.arguments, x -> x.entity_id))) AS entity_id
  FROM actions a JOIN articles r USING (article_id)
  WHERE r.run_id = ?
)
SELECT e.country_code AS country, count(DISTINCT i.action_id) AS actions
FROM involved i JOIN entities e USING (entity_id)
WHERE e.country_code IS NOT NULL
GROUP BY ALL ORDER BY actions DESC, country"""


def country_map(per_country: list[dict[str, Any]]) -> str:
    """An SVG world map of actions by country (pygal, drawn here: no tiles, no script from
    elsewhere); countries the map lacks are still in the table beside it."""
    from pygal.maps.world import World

    chart = World(js=(), disable_xml_declaration=True, show_legend=False, width=800, height=420)
    chart.add("actions", {r["country"].lower(): r["actions"] for r in per_country})
    svg: str = chart.render(is_unicode=True)
    return svg


def charts(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Vega-Lite specs (built with Altair) of the page's charts."""
    import altair as alt

    by_type = (
        alt.Chart(alt.Data(values=data["per_type"]))  # type: ignore[no-untyped-call]  # altair's schema classes are untyped
        .mark_bar()
        .encode(
            x=alt.X("actions:Q", title="actions"),
            y=alt.Y("action_type:N", sort="-x", title="action type"),
            tooltip=["action_type:N", "actions:Q", "negated:Q"],
        )
        .properties(title="Actions per type", width=520, height=alt.Step(16))
    )
    over_time = (
        alt.Chart(alt.Data(values=data["over_time"]))  # type: ignore[no-untyped-call]  # altair's schema classes are untyped
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="month (article date)"),
            y=alt.Y("actions:Q", title="actions"),
            color=alt.Color("company:N", title="company"),
            tooltip=["company:N", "month:O", "actions:Q"],
        )
        .properties(title=f"Actions of the {TOP_COMPANIES} most active companies", width=520, height=260)
    )
    return {"by_type": by_type.to_dict(validate=False), "over_time": over_time.to_dict(validate=False)}


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element: a name containing '</script>' can't end it."""
    return json.dumps(value, default=str).replace("</", "<\\/")


def _esc(v: object) -> str:
    return "" if v is None else html.escape(str(v))


_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def _link_url(v: object) -> str | None:
    """`v` when it is an absolute http(s) URL (the only links the report makes: never
    `javascript:`, `data:` or anything else an article's `url` may hold), else None."""
    return v if isinstance(v, str) and _HTTP_URL.fullmatch(v) else None


def render(data: dict[str, Any], *, data_docs: str | None, generated: datetime | None = None) -> str:
    """The page's HTML (pure: data in, text out)."""
    generated = generated or datetime.now(UTC)
    specs = charts(data)
    run = data["run"]
    t = data["totals"]
    run_rows = (
        "".join(
            f"<tr><th>{label}</th><td>{_esc(run[key])}</td></tr>"
            for label, key in [
                ("run", "run_id"),
                ("status", "status"),
                ("started (UTC)", "started_at"),
                ("finished (UTC)", "finished_at"),
                ("articles seen", "articles_seen"),
                ("loaded", "articles_loaded"),
                ("of which copies of earlier stories", "articles_duplicate"),
                ("unchanged (skipped)", "articles_skipped"),
                ("quarantined", "articles_quarantined"),
                ("rows quarantined", "rows_quarantined"),
            ]
        )
        if run
        else "<tr><td>no run recorded yet</td></tr>"
    )
    error = f'<p class="error">{_esc(run["error"])}</p>' if run and run.get("error") else ""
    newest = "".join(
        "<tr>"
        f"<td>{_esc(a['when'])}</td><td>{_esc(a['actor_name'])}</td>"
        f"<td>{'not ' if a['negated'] else ''}{_esc(a['verb'])}"
        f"{'' if a['modality'] == 'asserted' else ' (' + _esc(a['modality']) + ')'}</td>"
        f"<td>{_esc(a['action_type'])}</td><td>{_esc(a['target_text'])}</td>"
        f"<td class='evidence'>{_esc(a['evidence'])}"
        + (
            f"<br><a href='{_esc(_link_url(a['url']))}'>{_esc(a['title'] or a['url'])}</a>"
            if _link_url(a["url"])
            else f"<br><i>{_esc(a['title'] or a['url'])}</i>"
        )
        + "</td></tr>"
        for a in data["newest"]
    )
    countries = "".join(
        f"<tr><td>{_esc(r['country'])}</td><td>{_esc(r['actions'])}</td></tr>" for r in data["per_country"]
    )
    docs_link = (
        f'<a href="{_esc(data_docs)}">Great Expectations Data Docs</a> (validation results of every run)'
        if data_docs
        else "Data Docs not built (NEWSETL_DATA_DOCS=false)"
    )
    chart_js = "\n".join(
        f"vegaEmbed('#{name}', {_script_json(spec)}, {{actions: false, renderer: 'svg'}})"
        f".catch(e => console.error(e));"
        for name, spec in specs.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>newsetl nightly report</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 8px 0 20px; }}
th, td {{ border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f5f5f5; }} .evidence {{ max-width: 520px; }} .error {{ color: #b00; }}
.totals td {{ text-align: right; }} .charts {{ display: flex; flex-wrap: wrap; gap: 24px; }}
.map svg {{ max-width: 800px; height: auto; }}
</style>
<script>{_vega_bundle()}</script>
</head><body>
<h1>newsetl nightly report</h1>
<p>Generated {generated:%Y-%m-%d %H:%M} UTC. {docs_link}.</p>
<h2>Last run</h2>
<table>{run_rows}</table>{error}
<h2>Warehouse</h2>
<table class="totals"><tr><th>articles</th><th>entities</th><th>actions</th><th>quotes</th><th>quarantine rows</th></tr>
<tr><td>{t["articles"]}</td><td>{t["entities"]}</td><td>{t["actions"]}</td><td>{t["quotes"]}</td><td>{t["quarantined"]}</td></tr></table>
<div class="charts"><div id="by_type"></div><div id="over_time"></div></div>
<h2>Newest notable actions</h2>
<table><tr><th>when</th><th>company</th><th>did</th><th>type</th><th>to what</th><th>evidence</th></tr>
{newest or '<tr><td colspan="6">none yet</td></tr>'}</table>
<h2>The last run's actions by country</h2>
<p>Actions whose actor, target, argument or place is a place of the country (ISO 3166-1).</p>
<div class="map">{country_map(data["per_country"]) if data["per_country"] else "<p>no place named in the last run</p>"}</div>
<table class="countries"><tr><th>country</th><th>actions</th></tr>
{countries or '<tr><td colspan="2">none</td></tr>'}</table>
<script>
{chart_js}
</script>
</body></html>
"""


def write_report(
    warehouse: str | os.PathLike[str] | Target, out: str | os.PathLike[str] | None = None
) -> Path:
    """Build the report of `warehouse` and write it (atomically) beside it, or to `out`."""
    out_path = Path(out) if out else report_path(warehouse)
    docs = data_docs_index(warehouse)
    link = os.path.relpath(docs, out_path.parent) if docs.exists() else None
    page = render(gather(warehouse), data_docs=link)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f"{out_path.name}.{os.getpid()}.tmp")  # two writers of one lake at once
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_path)
    return out_path
