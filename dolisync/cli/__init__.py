"""The ``dolisync`` command line: the only layer that prints or chooses exit codes.

What this module knows: the command tree, the global options, and which optional command
groups (``simulator``, ``rules``) are mounted when their modules exist. Every command runs
under the single error handler of ``errors.py``; exit codes are ``dolisync.errors.EXIT_CODES``.
"""

from __future__ import annotations

import faulthandler
import importlib
from pathlib import Path
from typing import Annotated

import typer

from dolisync import __version__
from dolisync.cli.config_cmd import config_app
from dolisync.cli.doctor_cmd import doctor
from dolisync.cli.errors import GuardedGroup
from dolisync.cli.run_cmd import run
from dolisync.cli.state import CliState
from dolisync.cli.status_cmd import status
from dolisync.cli.sync_cmd import sync
from dolisync.config.model import LOG_FORMATS

app = typer.Typer(
    name="dolisync",
    cls=GuardedGroup,
    help="Mirror Dolibarr tickets, messages and interventions into a local database, "
    "apply support rules, and write results back exactly once.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    # Never let Typer/rich print tracebacks with local variables: they hold the API key.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"dolisync {__version__}")
        raise typer.Exit


def _check_log_format(value: str | None) -> str | None:
    if value is not None and value not in LOG_FORMATS:
        raise typer.BadParameter(f"must be one of: {', '.join(LOG_FORMATS)}")
    return value


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            metavar="PATH",
            help="Config file. Default: $DOLISYNC_CONFIG, ./dolisync.toml, then "
            "/etc/dolisync/config.toml.",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Debug logs, and a traceback when dolisync hits a bug."),
    ] = False,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            metavar="auto|json|console",
            callback=_check_log_format,
            help="Log line format (default: the config's [logging] format; auto = console "
            "on a terminal, JSON otherwise).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Global options (they go before the command: `dolisync --debug sync`)."""
    state = CliState(config_path=config, debug=debug, log_format=log_format)
    ctx.obj = state
    state.setup_logging()


app.command("sync")(sync)
app.command("run")(run)
app.command("status")(status)
app.command("doctor")(doctor)
app.add_typer(config_app, name="config")


def _mount_optional() -> None:
    """Command groups written elsewhere, mounted when present: ``simulator``, ``rules``,
    ``actions``."""
    for name in ("simulator", "rules", "actions"):
        try:
            module = importlib.import_module(f"dolisync.cli.{name}_cmd")
        except ModuleNotFoundError as error:
            if error.name != f"dolisync.cli.{name}_cmd":
                raise
            continue
        sub_app = getattr(module, "app", None)
        if isinstance(sub_app, typer.Typer):
            app.add_typer(sub_app, name=name)
        elif callable(command := getattr(module, name, None)):
            app.command(name)(command)


_mount_optional()


def main() -> None:
    """The ``dolisync`` console script."""
    faulthandler.enable()  # a hard crash (segfault, deadlock + SIGABRT) still shows where
    app(prog_name="dolisync")
