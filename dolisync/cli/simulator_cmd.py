"""``dolisync simulator``: run the bundled fake Dolibarr (REST API over HTTP) in the foreground.

What this module knows: the command's options and how they map to ``SimulatorOptions``, what
to print on start, and that Ctrl-C is the normal way to stop (exit 0).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from dolisync.errors import UserError

if TYPE_CHECKING:
    from dolisync.simulator import Simulator

FAULTS_HELP = (
    "Faults to inject: rules separated by ';', each 'key=value' pairs separated by ','. "
    "Kinds (rate 0..1): error500, error502, error503, error429 (with retry_after=SECONDS), "
    "hang (hang_seconds=S, default 30), reset, truncate, malformed, apply_then_500, "
    "apply_then_reset, apply_then_hang (the write is committed, then the call fails); "
    "latency=50ms or latency=20ms..200ms. Scope: method=PUT, path=/tickets, count=N (first N "
    "faults only). seed=N makes draws repeatable. "
    "Example: 'latency=20ms; error500=0.1,method=GET; apply_then_500=1,method=PUT,count=1'."
)


def simulator(
    *,
    host: Annotated[str, typer.Option(help="Address to bind (keep 127.0.0.1).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8080,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="API key of the admin user (default: the demo key)."),
    ] = None,
    dolibarr_version: Annotated[
        str,
        typer.Option("--dolibarr-version", metavar="22.0.4|20.0.2", help="Dolibarr to imitate."),
    ] = "22.0.4",
    tickets: Annotated[
        int, typer.Option(min=0, help="Tickets to seed (0: a fresh install, admin user only).")
    ] = 200,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated data (same seed, same data).")
    ] = 1,
    faults: Annotated[str, typer.Option(metavar="SPEC", help=FAULTS_HELP)] = "",
    empty_list_404: Annotated[
        bool, typer.Option("--empty-list-404", help="Answer 404 for empty lists (Dolibarr < 19).")
    ] = False,
    timezone: Annotated[
        str,
        typer.Option(metavar="TZ", help="PHP timezone, e.g. Europe/Paris (DB values are local)."),
    ] = "UTC",
    db_timezone: Annotated[
        str | None,
        typer.Option(
            metavar="TZ",
            help="The database's timezone when it differs from PHP's (a common set-up: PHP "
            "Europe/Paris, MariaDB UTC); JSON epochs then shift as on a real server. "
            "Default: the PHP timezone.",
        ),
    ] = None,
    auth_delay: Annotated[
        float, typer.Option(min=0.0, metavar="SECONDS", help="Pause before a 401 for a wrong key.")
    ] = 1.0,
    user: Annotated[
        list[str] | None,
        typer.Option(
            "--user",
            metavar="LOGIN:KEY:RIGHTS",
            help="An API user besides the admin, with a comma list of rights (repeatable), "
            "e.g. limited:k3y:tickets.read,thirdparties.read. Rights: tickets.read, "
            "tickets.write, interventions.read, interventions.create, interventions.validate, "
            "thirdparties.read, thirdparties.all, users.read, agenda.read, agenda.read_all.",
        ),
    ] = None,
) -> None:
    """Run a simulated Dolibarr REST API (stateful, in memory) until Ctrl-C.

    It answers like the real Dolibarr 22.0.4 or 20.0.2 (captured answers, version quirks),
    with seeded customers, technicians, tickets, messages and interventions. Point dolisync at
    the printed URL (the server root) and key. Tests drive it through /_simulator/ (loopback).
    """
    from dolisync.simulator import DEMO_API_KEY, Simulator, SimulatorOptions
    from dolisync.simulator.faults import FaultSpecError, parse_spec

    try:
        parse_spec(faults)
        options = SimulatorOptions(
            host=host, port=port, api_key=api_key or DEMO_API_KEY, version=dolibarr_version,
            tickets=tickets, seed=seed, timezone=timezone, db_timezone=db_timezone,
            auth_delay=auth_delay,
            empty_list_404=empty_list_404, faults=faults, users=tuple(user or ()),
        )  # fmt: skip
    except FaultSpecError as error:
        raise UserError(str(error), hint="see `dolisync simulator --help` for --faults") from None
    except ValueError as error:
        raise UserError(f"simulator: {error}") from None
    try:
        sim = Simulator(options)
        sim.bind()
    except OSError as error:
        raise UserError(
            f"cannot listen on {host}:{port}: {error.strerror}", hint="pick another --port"
        ) from None
    _serve(sim, options.api_key)


def _serve(sim: Simulator, api_key: str) -> None:
    sim.start()
    typer.echo(f"Dolibarr {sim.options.version} simulator: {sim.options.tickets} tickets")
    typer.echo(f"  url:     {sim.root_url}   (API root {sim.base_url})")
    typer.echo(f"  api key: {api_key}")
    typer.echo(f"  control: {sim.root_url}/_simulator/")
    typer.echo("Ctrl-C to stop.")
    stopped = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        sim.stop()
