"""Opening, migrating and loading the DuckDB warehouse. The only module that opens DuckDB.

Loads are bulk: polars frames go in through Arrow, one transaction per batch, and every
value reaches SQL as a bound parameter or a registered Arrow relation, never as text.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.reference import COMPANIES_PATH
from warehouse.lock import WarehouseBusy, WarehouseLock
from warehouse.schema import (
    PIPELINE_RUNS,
    TABLES,
    TABLES_BY_NAME,
    VIEWS,
    comment_sql,
    create_table_sql,
    run_counters,
    run_updatable,
)

__all__ = ["Warehouse", "WarehouseBusy", "connect", "migrate", "query"]

SCHEMA_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name VARCHAR NOT NULL,
  applied_at TIMESTAMP NOT NULL
)"""


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _m001_initial(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("articles", "entities", "entity_mentions", "actions", "pipeline_runs", "quarantine"):
        con.execute(create_table_sql(TABLES_BY_NAME[name]))


def _comments(con: duckdb.DuckDBPyConnection) -> None:
    # COMMENT ON takes no bound parameters; the texts are this module's own constants
    # (warehouse/schema.py), quoted by comment_sql.
    for t in (*TABLES, *VIEWS):
        for stmt in comment_sql(t):
            con.execute(stmt)
    con.execute(
        "COMMENT ON TABLE schema_migrations IS 'Applied schema migrations. Grain: one row per migration.'"
    )
    con.execute("COMMENT ON COLUMN schema_migrations.version IS 'Migration number.'")
    con.execute("COMMENT ON COLUMN schema_migrations.name IS 'What the migration does.'")
    con.execute("COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied (UTC).'")


def _m002_companies(con: duckdb.DuckDBPyConnection) -> None:
    """The companies reference table, seeded from transforms/data/companies.csv."""
    from transforms.names import entity_id

    con.execute(create_table_sql(TABLES_BY_NAME["companies"]))
    seed = pl.read_csv(COMPANIES_PATH, infer_schema=False).with_columns(
        pl.col("aliases").fill_null("").str.split("|").list.eval(pl.element().filter(pl.element() != "")),
        pl.col("ticker")
        .map_elements(lambda t: entity_id("ORG", "ticker:" + t), return_dtype=pl.String)
        .alias("entity_id"),
        *[pl.col(c).replace("", None) for c in ("exchange", "sector", "sub_industry", "headquarters")],
    )
    con.register("_seed", seed.to_arrow())
    try:
        con.execute("INSERT INTO companies BY NAME SELECT * FROM _seed")
    finally:
        con.unregister("_seed")


def _add_declared_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Add the columns schema.py declares for `table` that the database lacks."""
    for c in TABLES_BY_NAME[table].columns:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {c.name} {c.type}")


def _m003_actions_detail_and_quotes(con: duckdb.DuckDBPyConnection) -> None:
    """actions: target_head, modality, action_type, event date and key; the quotes table."""
    _add_declared_columns(con, "actions")
    con.execute(create_table_sql(TABLES_BY_NAME["quotes"]))


def _m004_run_window(con: duckdb.DuckDBPyConnection) -> None:
    """pipeline_runs: articles_out_of_range, since, until."""
    _add_declared_columns(con, "pipeline_runs")


def _m005_duplicates_and_fetch_state(con: duckdb.DuckDBPyConnection) -> None:
    """articles: body_hash, minhash, duplicate_of/kind/similarity; pipeline_runs:
    source_counts; the fetch_state table (conditional GET)."""
    _add_declared_columns(con, "articles")
    _add_declared_columns(con, "pipeline_runs")
    con.execute(create_table_sql(TABLES_BY_NAME["fetch_state"]))


def _m006_cleaning_removed(con: duckdb.DuckDBPyConnection) -> None:
    """articles: cleaning_removed (what cleaning removed, by rule)."""
    _add_declared_columns(con, "articles")


# quarantine.quarantine_key in SQL, for rows that lack it; expectations/runner.py
# quarantine_row computes the same in Python
QUARANTINE_KEY_SQL = (
    "sha256(concat_ws(chr(31), coalesce(source_path, ''), coalesce(external_id, ''), stage, "
    "sha256(coalesce(raw, ''))))"
)


def _m007_quarantine_key(con: duckdb.DuckDBPyConnection) -> None:
    """quarantine: quarantine_key (what was rejected, across runs), filled for stored rows."""
    _add_declared_columns(con, "quarantine")
    con.execute(f"UPDATE quarantine SET quarantine_key = {QUARANTINE_KEY_SQL} WHERE quarantine_key IS NULL")


# Ordered migrations: (version, name, function). Append; never edit an applied one.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "initial tables", _m001_initial),
    (2, "companies reference table", _m002_companies),
    (3, "action modality, type, dates, event key; quotes", _m003_actions_detail_and_quotes),
    (4, "backfill window on pipeline_runs", _m004_run_window),
    (5, "duplicates, per-source counts, fetch state", _m005_duplicates_and_fetch_state),
    (6, "what cleaning removed, per article", _m006_cleaning_removed),
    (7, "quarantine key: a re-run does not quarantine the same input twice", _m007_quarantine_key),
]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations and refresh comments; returns the versions applied."""
    con.execute(SCHEMA_VERSION_TABLE)
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, fn in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            fn(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _utcnow()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    for v in VIEWS:
        con.execute(f"CREATE OR REPLACE VIEW {v.name} AS {v.sql}")
    _comments(con)
    return applied


class WarehouseUnreadable(RuntimeError):
    """The published warehouse file is not a DuckDB database this DuckDB can open (or a folder)."""


def connect(path: str | os.PathLike[str], *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable connection creates and migrates it."""
    p = Path(path)
    if p.is_dir():
        raise WarehouseUnreadable(f"warehouse {p} is a folder, not a DuckDB file")
    if read_only:
        if not p.exists():
            raise FileNotFoundError(f"no warehouse at {p}: run `newsetl run` first")
        try:
            return duckdb.connect(str(p), read_only=True)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise WarehouseUnreadable(f"warehouse {p} cannot be opened ({first})") from exc
    p.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(p))
    migrate(con)
    return con


def _identity(path: Path) -> str:
    """What the published file is: inode, size and mtime (or 'absent')."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "absent"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


class Warehouse:
    """A writable warehouse for one pipeline run, built in a staging copy and published
    by an atomic rename (see docs/operations.md).

    - One writer at a time: an exclusive lock on `<file>.lock` (released by the OS if the
      process dies, SIGKILL included). A second run fails fast with `WarehouseBusy`.
    - Readers are never blocked: the run never opens the published file for writing; it
      copies it to `<file>.staging`, writes there (one transaction per batch), then
      `os.replace`s it over the published file. Open read-only connections keep reading
      the old version; new connections see the new one.
    - Crash safety: a run killed at any moment leaves the published file as it was. Its
      staging copy holds whole committed batches; the next run resumes from it (when the
      published file is still the one it was copied from), marks the dead run `killed`
      and finishes the rest.
    """

    def __init__(self, path: str | os.PathLike[str], lock: WarehouseLock | None = None):
        """Open `path` for one run; `lock` is the run's lock when the caller took it first
        (the CLI does, before anything slow), else it is taken here."""
        self.path = Path(path).resolve()  # a symlink: publish to its target, keep the link
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staging = self.path.with_name(self.path.name + ".staging")
        self._wal = self.path.with_name(self.path.name + ".wal")
        self._base_file = self.path.with_name(self.path.name + ".staging.base")
        self._lock = lock if lock is not None else WarehouseLock(self.path)
        try:
            self.resumed = self._prepare_staging()
            self.con = self._open_staging()
        except BaseException:
            self._lock.release()
            raise
        self.published = False

    def _open_staging(self) -> duckdb.DuckDBPyConnection:
        """Connect to the staging copy. A dead run's copy that does not open is dropped and
        made again from the published file; a copy of the published file that does not
        open means the published file is not a warehouse: one line naming it."""
        try:
            return connect(self.staging)
        except duckdb.Error as exc:
            self._drop_staging()
            if self.resumed:
                self.resumed = self._prepare_staging()
                return self._open_staging()
            if not self.path.exists():
                raise
            first = str(exc).splitlines()[0].replace(str(self.staging), str(self.path))
            raise WarehouseUnreadable(
                f"warehouse {self.path} cannot be opened ({first}); it was not changed: restore it "
                "from a backup, or move it away to start a new one"
            ) from exc

    def _drop_staging(self) -> None:
        for stale in (self.staging, self.staging.with_name(self.staging.name + ".wal"), self._base_file):
            stale.unlink(missing_ok=True)

    def _base(self) -> str:
        """What the published file and its WAL are (the staging copy derives from them)."""
        return f"{_identity(self.path)} wal={_identity(self._wal)}"

    def _prepare_staging(self) -> bool:
        """Reuse a dead run's staging copy if it derives from the current file, else copy.

        No other process may have the file open for writing (WarehouseBusy, before anything
        is written). A `<file>.wal` left by a writer that is gone (crashed, killed) is copied
        with the file, so the staging copy replays it and the published one never gets a WAL
        that does not belong to it."""
        self._lock.hold_file()
        base = self._base()
        self._base_now = base
        if self.staging.exists() and self._base_file.exists() and self._base_file.read_text() == base:
            return True
        staging_wal = self.staging.with_name(self.staging.name + ".wal")
        for stale in (self.staging, staging_wal, self._base_file):
            stale.unlink(missing_ok=True)
        if self._lock.guard is not None:
            tmp = self.staging.with_name(self.staging.name + ".tmp")
            # copy through the locked descriptor: closing another one of this file would drop
            # the shared lock that keeps other writers out
            self._lock.guard.seek(0)
            with open(tmp, "wb") as out:
                shutil.copyfileobj(self._lock.guard, out, 1 << 20)
            if self._wal.exists():
                shutil.copyfile(self._wal, staging_wal)
            os.replace(tmp, self.staging)
            base = self._base()  # the copy is of what is there now (a reader may have come)
            self._base_now = base
        self._base_file.write_text(base)
        return False

    def publish(self) -> None:
        """Checkpoint the staging copy and atomically put it in place of the published file.

        Refused (WarehouseBusy, nothing replaced) when another process has the file open for
        writing or the file or its WAL changed since the copy was made (another writer's
        work would be lost). The published file's WAL, if a dead writer left one, is already
        in the staging copy: it is removed first, so no reader ever finds the new file beside
        a WAL that is not its own."""
        self.con.execute("CHECKPOINT")
        self.con.close()
        self._lock.hold_file()
        if self._base() != self._base_now:
            raise WarehouseBusy(
                f"{self.path} changed while this run was writing (another writer); not published: "
                "run again (it starts from the current file)"
            )
        staging_wal = self.staging.with_name(self.staging.name + ".wal")
        if staging_wal.exists() and staging_wal.stat().st_size:
            raise RuntimeError(f"{staging_wal} still holds commits after CHECKPOINT; not published")
        staging_wal.unlink(missing_ok=True)
        self._wal.unlink(missing_ok=True)
        os.replace(self.staging, self.path)
        self.published = True
        self._lock.release_file()
        self._base_file.unlink(missing_ok=True)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def mark_unpublished(self, run_id: str, reason: str) -> None:
        """After a publish that failed before the rename: the run's row says `failed` and
        why, in the staging copy, which is kept; the next run resumes from it and publishes
        it (the published file is untouched)."""
        if self.published:
            return
        try:
            self.con.execute("SELECT 1")
        except duckdb.ConnectionException:  # publish had closed it
            self.con = connect(self.staging)
        self.update_run(run_id, status="failed", error=reason[:10_000])
        self.con.execute("CHECKPOINT")

    def close(self) -> None:
        if not self.published:
            self.con.close()  # staging kept: the next run resumes from it
        self._lock.release()

    @staticmethod
    def reader(path: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
        """A read-only connection for analysts (`newsetl sql`, `newsetl shell`) that cannot
        touch any file but the warehouse: external access off (no COPY ... TO, ATTACH,
        EXPORT, INSTALL, read_csv of other files), no extension autoloading, and the
        configuration locked so a statement cannot turn these back on."""
        con = connect(path, read_only=True)
        try:
            for setting in (
                "enable_external_access = false",
                "autoinstall_known_extensions = false",
                "autoload_known_extensions = false",
                "allow_community_extensions = false",
                "lock_configuration = true",
            ):
                con.execute(f"SET {setting}")
        except BaseException:
            con.close()
            raise
        return con

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- runs --------------------------------------------------------------------
    def mark_dead_runs(self) -> int:
        """Runs still 'running' whose process is gone (killed) are marked 'killed', with the
        counts of what they committed: articles loaded (and the batches they came in) and
        quarantine rows carrying their run_id. Articles they skipped are not known, and
        rejections an earlier run had already stored are not stored again."""
        rows = self.con.execute("SELECT run_id, pid FROM pipeline_runs WHERE status = 'running'").fetchall()
        dead = [rid for rid, pid in rows if pid is None or not _pid_alive(pid)]
        row_stages = [f"validate:{t}" for t in ("entities", "entity_mentions", "actions", "quotes")]
        for rid in dead:
            loaded, batches = self.con.execute(
                "SELECT count(*), count(DISTINCT loaded_at) FROM articles WHERE run_id = ?", [rid]
            ).fetchone()
            arts_q, rows_q = self.con.execute(
                """SELECT count(*) FILTER (WHERE NOT list_contains(?, stage)),
                          count(*) FILTER (WHERE list_contains(?, stage))
                   FROM quarantine WHERE run_id = ?""",
                [row_stages, row_stages, rid],
            ).fetchone()
            self.con.execute(
                """UPDATE pipeline_runs SET status = 'killed', error = coalesce(error, ?),
                     articles_loaded = greatest(articles_loaded, ?),
                     articles_quarantined = greatest(articles_quarantined, ?),
                     rows_quarantined = greatest(rows_quarantined, ?),
                     batches = greatest(batches, ?),
                     articles_seen = greatest(articles_seen, articles_skipped + ? + ?)
                   WHERE run_id = ?""",
                [
                    "process ended without finishing the run (killed or crashed); its counts are what it committed",
                    loaded,
                    arts_q,
                    rows_q,
                    batches,
                    loaded,
                    arts_q,
                    rid,
                ],
            )
        return len(dead)

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
        params: dict,
        model_version: str,
        code_version: str,
        since: object = None,
        until: object = None,
    ) -> None:
        counters = run_counters()
        names = ["run_id", "started_at", "status", *counters]
        names += ["sources", "params", "model_version", "code_version", "pid", "since", "until"]
        values: list[object] = [run_id, _utcnow(), "running", *[0] * len(counters)]
        values += [sources, json.dumps(params, default=str), model_version, code_version, os.getpid()]
        values += [since, until]
        marks = ", ".join("?" * len(names))
        self.con.execute(f"INSERT INTO pipeline_runs ({', '.join(names)}) VALUES ({marks})", values)

    def update_run(self, run_id: str, **fields: object) -> None:
        allowed = run_updatable()
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"not run fields: {sorted(bad)}")
        names = sorted(fields)
        run_columns = {c.name: c for c in PIPELINE_RUNS.columns}
        values = [json.dumps(fields[n]) if run_columns[n].type == "JSON" else fields[n] for n in names]
        sets = ", ".join(f"{n} = ?" for n in names)
        self.con.execute(f"UPDATE pipeline_runs SET {sets} WHERE run_id = ?", [*values, run_id])

    def run_row(self, run_id: str) -> dict | None:
        """The run's pipeline_runs row as stored (None when there is none)."""
        cur = self.con.execute("SELECT * FROM pipeline_runs WHERE run_id = ?", [run_id])
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))

    def validation_rows(self, table: str, columns: list[str], *, run_id: str | None = None) -> pl.DataFrame:
        """`columns` of a table's rows, to validate them (expectations/runner.py
        RUN_TABLES): only the rows of run `run_id` when given. Names are checked against the
        schema (they come from the suites), values are bound."""
        declared = {c.name for c in TABLES_BY_NAME[table].columns}
        unknown = [c for c in columns if c not in declared]
        if unknown:
            raise ValueError(f"not columns of {table}: {unknown}")
        cols = ", ".join(f'"{c}"' for c in columns)
        where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
        rows = self.con.execute(f"SELECT {cols} FROM {table} {where}", params).fetchall()
        return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)

    # ---- duplicates and web sources ------------------------------------------------
    def canonical_signatures(self) -> Iterator[tuple[str, str | None, bytes | None]]:
        """(article_id, body_hash, minhash) of the canonical articles, first loaded first,
        to seed the duplicate index (transforms.dedup)."""
        cur = self.con.execute(
            """SELECT article_id, body_hash, minhash FROM articles
               WHERE duplicate_of IS NULL ORDER BY loaded_at, article_id"""
        )
        while rows := cur.fetchmany(10_000):
            yield from rows

    def copies_of(self, article_ids: Iterable[str]) -> list[dict]:
        """The stored copies (`duplicate_of` one of these articles), whole rows, in the order
        they were loaded: what to re-check when those articles change."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return []
        self.con.register("_of_ids", ids.to_arrow())
        try:
            cur = self.con.execute(
                """SELECT a.* FROM articles a JOIN _of_ids o ON a.duplicate_of = o.article_id
                   ORDER BY a.loaded_at, a.article_id"""
            )
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        finally:
            self.con.unregister("_of_ids")

    def article_bodies(self, article_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """article_id -> (source, body) of the given stored articles."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return {}
        self.con.register("_body_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                "SELECT a.article_id, a.source, a.body FROM articles a JOIN _body_ids USING (article_id)"
            ).fetchall()
        finally:
            self.con.unregister("_body_ids")
        return {aid: (source, body) for aid, source, body in rows}

    def recent_bodies(self, source: str, limit: int) -> list[tuple[str, str]]:
        """`(article_id, body)` of the source's last `limit` canonical articles in the order
        they were stored (load time, then article id), oldest first: the paragraphs the
        source repeats (transforms.dedup boilerplate)."""
        rows = self.con.execute(
            """SELECT article_id, body FROM articles WHERE source = ? AND duplicate_of IS NULL
               ORDER BY loaded_at DESC, article_id DESC LIMIT ?""",
            [source, limit],
        ).fetchall()
        return [(aid, body) for aid, body in reversed(rows)]

    def known_external_ids(self, source: str, external_ids: list[str]) -> set[str]:
        """Which of these ids of `source` are loaded (a feed's entries not to fetch again)."""
        return set(self.loaded_entries(source, external_ids))

    def loaded_entries(self, source: str, external_ids: list[str]) -> dict[str, datetime | None]:
        """external_id -> stored published_at of those of these ids of `source` that are
        loaded: a feed's entries not to fetch again, counted as seen and skipped."""
        ids = pl.DataFrame({"external_id": external_ids}, schema={"external_id": pl.String})
        self.con.register("_ext_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                """SELECT a.external_id, max(a.published_at) FROM articles a JOIN _ext_ids USING (external_id)
                   WHERE a.source = ? GROUP BY a.external_id""",
                [source],
            ).fetchall()
        finally:
            self.con.unregister("_ext_ids")
        return dict(rows)

    def fetch_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """url -> (etag, last_modified) for conditional GET."""
        return {
            u: (e, m)
            for u, e, m in self.con.execute("SELECT url, etag, last_modified FROM fetch_state").fetchall()
        }

    def save_fetch_state(self, run_id: str, fetched: dict[str, dict]) -> None:
        if not fetched:
            return
        now = _utcnow()
        rows = [
            [u, f.get("etag"), f.get("last_modified"), f.get("status"), now, run_id]
            for u, f in fetched.items()
        ]
        self.con.executemany(
            """INSERT INTO fetch_state (url, etag, last_modified, status, fetched_at, run_id)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                 status = excluded.status, fetched_at = excluded.fetched_at, run_id = excluded.run_id""",
            rows,
        )

    # ---- incremental -------------------------------------------------------------
    def existing_versions(self, article_ids: Iterable[str]) -> dict[str, tuple[str, object]]:
        """(content_hash, published_at) of the given articles that are already loaded."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return {}
        self.con.register("_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                "SELECT a.article_id, a.content_hash, a.published_at FROM articles a JOIN _ids USING (article_id)"
            ).fetchall()
        finally:
            self.con.unregister("_ids")
        return {aid: (h, pub) for aid, h, pub in rows}

    def existing_hashes(self, article_ids: Iterable[str]) -> dict[str, str]:
        """content_hash of the given articles that are already loaded."""
        return {aid: h for aid, (h, _) in self.existing_versions(article_ids).items()}

    # ---- loading -----------------------------------------------------------------
    def add_quarantine(self, rows: list[dict]) -> None:
        """Store rejected inputs, except those an earlier run already stored (same
        quarantine_key): re-running unchanged input adds no quarantine rows. Within one
        run every rejection is kept."""
        if not rows:
            return
        frame = pl.DataFrame(
            rows,
            schema={
                "quarantine_id": pl.String,
                "run_id": pl.String,
                "source_path": pl.String,
                "external_id": pl.String,
                "stage": pl.String,
                "reason": pl.String,
                "raw": pl.String,
                "created_at": pl.Datetime("us"),
                "quarantine_key": pl.String,
            },
        )
        self.con.register("_q", frame.to_arrow())
        try:
            self.con.execute(
                f"""INSERT INTO quarantine BY NAME
                    SELECT * FROM (
                      SELECT * REPLACE (coalesce(quarantine_key, {QUARANTINE_KEY_SQL}) AS quarantine_key)
                      FROM _q) k
                    WHERE NOT EXISTS (
                      SELECT 1 FROM quarantine s
                      WHERE s.quarantine_key = k.quarantine_key AND s.run_id <> k.run_id)"""
            )
        finally:
            self.con.unregister("_q")

    def load_batch(
        self,
        run_id: str,
        articles: pl.DataFrame,
        entities: pl.DataFrame,
        mentions: pl.DataFrame,
        actions: pl.DataFrame,
        quotes: pl.DataFrame,
        quarantine: list[dict],
    ) -> None:
        """Replace the batch's articles and their rows, upsert entities, in one transaction."""
        now = _utcnow()
        arts = articles.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(now).alias("loaded_at"))
        # the canonical name is the longest form seen, ties broken alphabetically: the same
        # whatever order batches arrive in
        ent = (
            entities.sort(pl.col("name").str.len_chars(), "name", descending=[True, False])
            .group_by("entity_id", maintain_order=True)
            .agg(
                pl.col("name").first(),
                pl.col("label").first(),
                pl.col("ticker").drop_nulls().first(),
                pl.col("exchange").drop_nulls().first(),
                pl.col("sector").drop_nulls().first(),
                pl.col("aliases").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
            )
        )
        con = self.con
        rels = {
            "_articles": arts,
            "_entities": ent,
            "_mentions": mentions,
            "_actions": actions,
            "_quotes": quotes,
        }
        for name, frame in rels.items():
            con.register(name, frame.to_arrow())
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """CREATE TEMP TABLE _touched AS
                   SELECT DISTINCT entity_id FROM entity_mentions
                   WHERE article_id IN (SELECT article_id FROM _articles)
                   UNION SELECT entity_id FROM _entities"""
            )
            for table in ("quotes", "actions", "entity_mentions", "articles"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM _articles)")
            con.execute("INSERT INTO articles BY NAME SELECT * FROM _articles")
            con.execute("INSERT INTO entity_mentions BY NAME SELECT * FROM _mentions")
            con.execute("INSERT INTO actions BY NAME SELECT * FROM _actions")
            con.execute("INSERT INTO quotes BY NAME SELECT * FROM _quotes")
            con.execute(
                """INSERT INTO entities (entity_id, name, label, ticker, exchange, sector, aliases,
                                         mention_count, article_count)
                   SELECT entity_id, name, label, ticker, exchange, sector, aliases, 0, 0 FROM _entities
                   ON CONFLICT (entity_id) DO UPDATE SET
                     name = CASE WHEN length(excluded.name) > length(entities.name)
                                   OR (length(excluded.name) = length(entities.name) AND excluded.name < entities.name)
                                 THEN excluded.name ELSE entities.name END,
                     ticker = coalesce(entities.ticker, excluded.ticker),
                     exchange = coalesce(entities.exchange, excluded.exchange),
                     sector = coalesce(entities.sector, excluded.sector),
                     aliases = list_sort(list_distinct(list_concat(entities.aliases, excluded.aliases)))"""
            )
            con.execute(
                """UPDATE entities SET mention_count = s.n, article_count = s.na,
                          first_seen = s.first_seen, last_seen = s.last_seen
                   FROM (SELECT m.entity_id, count(*) AS n, count(DISTINCT m.article_id) AS na,
                                min(coalesce(a.published_at, a.loaded_at)) AS first_seen,
                                max(coalesce(a.published_at, a.loaded_at)) AS last_seen
                         FROM entity_mentions m JOIN articles a USING (article_id)
                         WHERE m.entity_id IN (SELECT entity_id FROM _touched)
                         GROUP BY m.entity_id) s
                   WHERE entities.entity_id = s.entity_id"""
            )
            con.execute(
                """DELETE FROM entities WHERE entity_id IN (SELECT entity_id FROM _touched)
                   AND entity_id NOT IN (SELECT entity_id FROM entity_mentions)"""
            )
            self.add_quarantine(quarantine)
            con.execute("DROP TABLE _touched")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in rels:
                con.unregister(name)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def query(
    path: str | os.PathLike[str], sql: str, params: list | None = None
) -> tuple[list[str], list[tuple]]:
    """Run one read-only query; returns column names and rows. The connection is
    read-only and cannot reach files (Warehouse.reader): no COPY ... TO, ATTACH, INSTALL,
    EXPORT or reading other files. Empty SQL is a ValueError."""
    if not sql or not sql.strip() or not sql.strip().strip(";").strip():
        raise ValueError('no SQL given: pass a query, e.g. newsetl sql "select count(*) from articles"')
    con = Warehouse.reader(path)
    try:
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()
    finally:
        con.close()
