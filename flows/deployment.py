"""The nightly deployment's schedule and parameters (`newsetl serve`, prefect.yaml)."""


def nightly_deployment_args(
    *, cron: str, timezone: str = "UTC", sources: list[str] | None = None, warehouse: str | None = None
) -> dict:
    """Schedule and parameters of the nightly deployment (`newsetl serve`, prefect.yaml)."""
    from prefect.schedules import Cron

    params: dict = {}
    if sources:
        params["sources"] = sources
    if warehouse:
        params["warehouse"] = warehouse
    return {
        "schedules": [Cron(cron, timezone=timezone)],
        "parameters": params,
        "description": "newsetl nightly ingest: read sources, extract, validate, load the warehouse.",
        "tags": ["newsetl"],
    }
