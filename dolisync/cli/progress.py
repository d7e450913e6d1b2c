"""The progress display of ``dolisync sync`` on a terminal (rich), one line per entity.

What this module knows: how to draw the engine's progress events. Used only when stderr is
a terminal; elsewhere the engine's log lines tell the same story.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from dolisync.cli.output import count, plural
from dolisync.records import Entity
from dolisync.sync import EntityReport, PageProgress


class RichProgress:
    """A ``SyncProgress`` drawing one spinner line per entity on stderr."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/green]"),
            TextColumn("{task.description:<14}"),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self._tasks: dict[Entity, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def entity_started(self, entity: Entity) -> None:
        self._tasks[entity] = self._progress.add_task(entity, total=None, detail="listing…")

    def page_committed(self, page: PageProgress) -> None:
        detail = f"{plural(page.seen_total, 'object')}, {plural(page.requests_total, 'request')}"
        self._progress.update(self._tasks[page.entity], detail=detail)

    def entity_finished(self, report: EntityReport) -> None:
        task = self._tasks[report.entity]
        if report.error is not None:
            detail = f"[red]failed: {type(report.error).__name__}[/red]"
        else:
            detail = (
                f"{count(report.seen)} seen: {count(report.created)} new, "
                f"{count(report.updated)} updated, {count(report.deleted)} deleted; "
                f"{plural(report.requests, 'request')}"
            )
        self._progress.update(task, detail=detail, total=1, completed=1)
