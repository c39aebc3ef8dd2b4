"""The run's progress bar (`newsetl run --progress`): articles done of the sources'
estimate, and the rate."""

from flows.config import SourceSpec
from flows.sources import open_source


def progress_bar(specs: list[SourceSpec], web):
    """(rich Progress, its task id), the total being what the sources estimate."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class Rate(TextColumn):
        def render(self, task):  # articles per second
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} articles/s" if speed else "")

    prog = Progress(
        TextColumn("[bold]articles"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(""),
        TimeElapsedColumn(),
        transient=False,
    )
    total = _estimate(specs, web)
    task_id = prog.add_task("articles", total=total or None)
    return prog, task_id


def _estimate(specs: list[SourceSpec], web) -> int:
    total = 0
    for s in specs:
        try:
            total += open_source(s.location, kind=s.kind, options=s.options, name=s.name, web=web).estimate()
        except Exception:  # noqa: BLE001  (a broken source is reported when it is read)
            total += 1
    return total
