"""``dolisync run``: the service (sync, evaluate rules, write back, every ``sync.interval``).

What this module knows: the command's options and what it prints. The daemon itself lives in
``dolisync.daemon``; ``--once`` runs one cycle here and prints its summary line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dolisync.cli.errors import echo_error
from dolisync.cli.state import CliState, get_state
from dolisync.logging import configure_logging

if TYPE_CHECKING:
    from dolisync.config import Config


def run(
    ctx: typer.Context,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run one cycle, print its summary line and exit."),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Evaluate rules and record what they would do, but write nothing to "
            "Dolibarr (default: [writeback] dry_run of the config).",
        ),
    ] = False,
) -> None:
    """Run dolisync as a service: a cycle every [sync] interval until stopped.

    A cycle syncs Dolibarr into the store, evaluates the rules and writes their actions
    back. Meant for systemd (Type=notify; see docs/admin.md): READY once Dolibarr answered,
    watchdog pings, status line. Signals: SIGTERM/SIGINT finish the current page or action
    and exit 0; SIGHUP reloads the config (a broken one is refused, the old one kept);
    SIGUSR1 runs a full resync cycle.

    Only one dolisync may write a store: a second `run` (or a `sync`) on the same store
    refuses at once with exit code 6; it does not wait.

    Exit codes: 0 after a stop (also a forced one), 3 bad config, 6 store locked or
    unusable; with --once, the code of the first sync error, as for `sync`.
    """
    state = get_state(ctx)
    config = state.config()
    chosen = True if dry_run else None
    if once:
        _run_once(state, config, dry_run=chosen)
        return
    from dolisync.daemon.daemon import Daemon

    Daemon(config, dry_run=chosen, on_reload=lambda new: _follow_logging(state, new)).run()


def _run_once(state: CliState, config: Config, *, dry_run: bool | None) -> None:
    from dolisync.cycle import run_cycle
    from dolisync.daemon.lock import acquire_store_lock
    from dolisync.daemon.progress import CycleProgress, StopRequested
    from dolisync.daemon.signals import Lifecycle, StopTimeout

    lifecycle = Lifecycle(grace=config.daemon.stop_timeout)
    progress = CycleProgress(heartbeat=lambda: None, should_stop=lifecycle.should_stop)
    with (
        lifecycle.installed(),
        acquire_store_lock(config.store.url, command="run --once"),
        state.service() as service,
    ):
        try:
            report = run_cycle(
                service, dry_run=dry_run, progress=progress, should_stop=lifecycle.should_stop
            )
        except (StopRequested, StopTimeout):
            # Each committed page is kept: the next run resumes from there.
            typer.echo(f"stopped by {lifecycle.stop_signal} before the cycle finished", err=True)
            return
    typer.echo(report.summary_line())
    for entity, error in report.sync.errors:
        echo_error(error, prefix=f"{entity}: ")
    first = report.sync.first_error
    if first is not None:
        raise typer.Exit(first.exit_code)


def _follow_logging(state: CliState, config: Config) -> None:
    """After a reload, log as the new config says, unless --debug/--log-format decided."""
    level = "debug" if state.debug else config.logging.level
    configure_logging(level, state.log_format or config.logging.format)
