"""The run log (`pipeline_runs`): a run's row from its start to its end, and the runs a
dead process left 'running'. The counters and the columns a run may set come from the
registry (warehouse.schema.run_counters)."""

from __future__ import annotations

import json
import os
from datetime import datetime

import duckdb

from transforms.registry.operational import PIPELINE_RUNS
from warehouse.loading import Writer
from warehouse.migrations import utcnow
from warehouse.schema import run_counters, run_updatable

# quarantine stages of extracted rows (counted as rows_quarantined, not articles)
_ROW_STAGES = [
    f"validate:{t}"
    for t in ("entities", "entity_mentions", "actions", "quotes", "action_amounts", "main_events")
]
_KILLED = "process ended without finishing the run (killed or crashed); its counts are what it committed"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLog(Writer):
    """`pipeline_runs` on the warehouse's connection (a part of `Warehouse`)."""

    con: duckdb.DuckDBPyConnection
    # a run's pid tells whether it is alive: every writer runs on this machine (not so for a
    # PostgreSQL-catalogued lake, whose runs 'running' are left as they are)
    local_writers = True

    def mark_dead_runs(self) -> int:
        """Runs still 'running' whose process is gone (killed) are marked 'killed', with the
        counts of what they committed: articles loaded (and the batches they came in) and
        quarantine rows carrying their run_id. Articles they skipped are not known, and
        rejections an earlier run had already stored are not stored again."""
        if not self.local_writers:
            return 0

        def mark() -> int:
            rows = self.con.execute(
                "SELECT run_id, pid FROM pipeline_runs WHERE status = 'running'"
            ).fetchall()
            dead = [rid for rid, pid in rows if pid is None or not _pid_alive(pid)]
            for rid in dead:
                self._mark_killed(rid, *self.committed(rid))
            return len(dead)

        if self.con.execute("SELECT count(*) FROM pipeline_runs WHERE status = 'running'").fetchone() == (0,):
            return 0
        return self.write(mark)

    def count_committed(self, run_id: str) -> None:
        """A stopped or failed run's row counts at least the articles and batches the
        warehouse holds from it (a stop between a batch's commit and its count)."""
        self.write(
            lambda: self.con.execute(
                """UPDATE pipeline_runs SET
                     articles_loaded = greatest(articles_loaded, (SELECT count(*) FROM articles WHERE run_id = ?)),
                     batches = greatest(batches, (SELECT count(DISTINCT loaded_at) FROM articles WHERE run_id = ?))
                   WHERE run_id = ?""",
                [run_id, run_id, run_id],
            )
        )

    def committed(self, run_id: str) -> tuple[int, int, int, int]:
        """(articles loaded, batches, articles quarantined, rows quarantined) a run committed."""
        loaded, batches = self.con.execute(
            "SELECT count(*), count(DISTINCT loaded_at) FROM articles WHERE run_id = ?", [run_id]
        ).fetchone() or (0, 0)
        arts_q, rows_q = self.con.execute(
            """SELECT count(*) FILTER (WHERE NOT list_contains(?, stage)),
                      count(*) FILTER (WHERE list_contains(?, stage))
               FROM quarantine WHERE run_id = ?""",
            [_ROW_STAGES, _ROW_STAGES, run_id],
        ).fetchone() or (0, 0)
        return loaded, batches, arts_q, rows_q

    def _mark_killed(self, run_id: str, loaded: int, batches: int, arts_q: int, rows_q: int) -> None:
        self.con.execute(
            """UPDATE pipeline_runs SET status = 'killed', error = coalesce(error, ?),
                 articles_loaded = greatest(articles_loaded, ?),
                 articles_quarantined = greatest(articles_quarantined, ?),
                 rows_quarantined = greatest(rows_quarantined, ?),
                 batches = greatest(batches, ?),
                 articles_seen = greatest(articles_seen, articles_skipped + ? + ?)
               WHERE run_id = ?""",
            [_KILLED, loaded, arts_q, rows_q, batches, loaded, arts_q, run_id],
        )

    def last_success_started(self) -> datetime | None:
        """When the last successful run started (UTC), or None."""
        row = self.con.execute(
            "SELECT max(started_at) FROM pipeline_runs WHERE status = 'succeeded'"
        ).fetchone()
        return row[0] if row else None

    def begin_run(
        self,
        run_id: str,
        *,
        sources: list[str],
        params: dict[str, object],
        model_version: str,
        code_version: str,
        since: object = None,
        until: object = None,
    ) -> None:
        """The run's row: 'running', every counter 0, its settings and process id."""
        counters = run_counters()
        names = ["run_id", "started_at", "status", *counters]
        names += ["sources", "params", "model_version", "code_version", "pid", "since", "until"]
        values: list[object] = [run_id, utcnow(), "running", *[0] * len(counters)]
        values += [sources, json.dumps(params, default=str), model_version, code_version, os.getpid()]
        values += [since, until]
        marks = ", ".join("?" * len(names))
        self.write(
            lambda: self.con.execute(
                f"INSERT INTO pipeline_runs ({', '.join(names)}) VALUES ({marks})", values
            )
        )

    def update_run(self, run_id: str, **fields: object) -> None:
        """Set counters and outcome columns (`run_updatable`); JSON columns are encoded here."""
        bad = set(fields) - run_updatable()
        if bad:
            raise ValueError(f"not run fields: {sorted(bad)}")
        names = sorted(fields)
        values = [
            json.dumps(fields[n]) if PIPELINE_RUNS.column(n).type == "JSON" else fields[n] for n in names
        ]
        sets = ", ".join(f"{n} = ?" for n in names)
        self.write(
            lambda: self.con.execute(f"UPDATE pipeline_runs SET {sets} WHERE run_id = ?", [*values, run_id])
        )

    def run_row(self, run_id: str) -> dict[str, object] | None:
        """The run's pipeline_runs row as stored (None when there is none)."""
        cur = self.con.execute("SELECT * FROM pipeline_runs WHERE run_id = ?", [run_id])
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))
