"""The long-lived commands: `serve` (the nightly flow on its cron schedule) and `server` (a
local Prefect server), and the Prefect API they share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.text import Text

from flows.cli.output import console, fail
from flows.settings import Settings


def serve(
    cron: str = typer.Option(
        None, "--cron", help="Cron schedule. Default: NEWSETL_SCHEDULE_CRON or '0 2 * * *'.", metavar="CRON"
    ),
    source: list[Path] = typer.Option(
        None, "--source", "-s", metavar="SOURCE", help="Sources the scheduled runs read (repeatable)."
    ),
    warehouse: str = typer.Option(
        None, "--warehouse", "-w", metavar="WAREHOUSE", help="Warehouse the scheduled runs write."
    ),
    name: str = typer.Option("nightly", "--name", help="Deployment name.", metavar="NAME"),
) -> None:
    """Serve the nightly flow on its cron schedule until stopped (Prefect `serve`).

    Scheduling needs a real Prefect server: PREFECT_API_URL when set, else a running
    `newsetl server`, else one started here (127.0.0.1:NEWSETL_PREFECT_PORT, database in
    the project's Prefect home) for as long as this command runs."""
    from flows.prefect_api import use_project_home

    use_project_home()
    settings = Settings()  # NEWSETL_DASK_ADDRESS: the scheduled runs parse on Dask
    with long_lived_api(settings) as url:
        from flows.deployment import nightly_deployment_args
        from flows.nightly import flow_for
        from flows.prefect_api import api_settings

        kwargs = nightly_deployment_args(
            cron=cron or settings.schedule_cron,
            timezone=settings.timezone,
            sources=[str(s) for s in source] if source else None,
            warehouse=str(warehouse) if warehouse else None,
        )
        console.print(
            Text(
                f"serving deployment nightly/{name} on cron {cron or settings.schedule_cron!r} "
                f"({settings.timezone}); Prefect API {url}"
            )
        )
        with api_settings(url):
            flow_for(settings, url).serve(name=name, **kwargs)


def server(
    port: int = typer.Option(
        None, "--port", help="Port on 127.0.0.1. Default: NEWSETL_PREFECT_PORT (4200).", metavar="PORT"
    ),
) -> None:
    """Run a long-lived local Prefect server until stopped.

    It binds 127.0.0.1 and keeps its database in the project's Prefect home; `newsetl run`
    and `newsetl serve` use it, and `prefect deploy` / `prefect worker` reach it with
    PREFECT_API_URL=http://127.0.0.1:PORT/api."""
    from flows.prefect_api import LocalServer, PrefectStartError, prefect_home, use_project_home

    use_project_home()
    settings = Settings()
    srv = LocalServer(temporary=False, port=port or settings.prefect_port, log=prefect_home() / "server.log")
    try:
        srv.start().wait(settings.prefect_startup_timeout)
    except PrefectStartError as exc:
        fail(f"{exc} (port {srv.port}: NEWSETL_PREFECT_PORT)", 1, srv.log)
    srv.record()
    console.print(Text(f"Prefect server at {srv.api_url} (home {prefect_home()}); stop with Ctrl-C"))
    console.print(Text(f"export PREFECT_API_URL={srv.api_url}", style="bold"))
    try:
        srv.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        srv.unrecord()
    if srv.proc.returncode not in (0, -15, None):
        fail(f"the Prefect server exited with code {srv.proc.returncode}", 1, srv.log)


@contextmanager
def long_lived_api(settings: Settings) -> Iterator[str]:
    """PREFECT_API_URL, a running `newsetl server`, or a server with every service (the
    scheduler included) started for the block."""
    from flows.prefect_api import (
        LocalServer,
        PrefectStartError,
        configured_api_url,
        prefect_home,
        recorded_server,
    )

    url = os.environ.get("PREFECT_API_URL") or configured_api_url() or recorded_server()
    if url:
        yield url
        return
    srv = LocalServer(temporary=False, port=settings.prefect_port, log=prefect_home() / "server.log")
    try:
        url = srv.start().wait(settings.prefect_startup_timeout)
    except PrefectStartError as exc:
        fail(f"{exc} (port {srv.port}: NEWSETL_PREFECT_PORT)", 1, srv.log)
    srv.record()
    try:
        yield url
    finally:
        srv.stop()
        srv.unrecord()
