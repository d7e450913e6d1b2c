"""``dolisync sync``: one sync run now, with a progress display and a one-line summary.

What this module knows: the command's options, choosing between a progress bar (stderr is a
terminal) and plain log lines, and how a partly failed run is reported (every failed
entity, then the exit code of the first error's class).
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated

import typer

from dolisync.cli.errors import echo_error
from dolisync.cli.output import summary_line
from dolisync.cli.state import get_state
from dolisync.daemon.lock import acquire_store_lock
from dolisync.records import ENTITIES
from dolisync.sync import NO_PROGRESS, SyncProgress, SyncReport

ENTITY_HELP = (
    f"Sync only this entity (repeat, or separate with commas): {', '.join(ENTITIES)}. "
    "Default: [sync] entities of the config."
)


def parse_entity_options(values: list[str] | None) -> list[str] | None:
    """``--entity tickets --entity messages,users`` -> the names; BadParameter on a typo."""
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENTITIES]
    if unknown:
        raise typer.BadParameter(
            f"unknown entity {unknown[0]!r}; choose among: {', '.join(ENTITIES)}",
            param_hint="'--entity'",
        )
    return names


def sync(
    ctx: typer.Context,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Re-list everything (by id) and mark objects Dolibarr no longer has as "
            "deleted. Slower; use it now and then, or to repair the mirror.",
        ),
    ] = False,
    entity: Annotated[
        list[str] | None,
        typer.Option("--entity", "-e", metavar="NAME", help=ENTITY_HELP),
    ] = None,
) -> None:
    """Mirror Dolibarr into the local store now (one run).

    Fetches only what changed since the last run (everything with --full) and ends with a
    one-line summary. If an entity fails, the others are still synced and the exit code is
    the first error's.
    """
    state = get_state(ctx)
    entities = parse_entity_options(entity)
    state.config()
    use_bar = sys.stderr.isatty() and not state.debug
    if use_bar:
        state.setup_logging(quiet_info=True)
    with (
        acquire_store_lock(state.config().store.url, command="sync"),
        state.service() as service,
        _progress(use_bar) as progress,
    ):
        report = service.sync(entities, full=full, progress=progress)
    _report(report)


def _progress(use_bar: bool) -> AbstractContextManager[SyncProgress]:
    if not use_bar:
        return nullcontext(NO_PROGRESS)
    from dolisync.cli.progress import RichProgress

    return RichProgress()


def _report(report: SyncReport) -> None:
    typer.echo(summary_line(report))
    for entity, error in report.errors:
        echo_error(error, prefix=f"{entity}: ")
    skipped = [entry.entity for entry in report.entities if entry.skipped]
    if skipped:
        typer.echo(f"skipped after that error: {', '.join(skipped)}", err=True)
    first = report.first_error
    if first is not None:
        raise typer.Exit(first.exit_code)
