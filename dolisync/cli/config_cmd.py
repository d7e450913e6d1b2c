"""``dolisync config check`` and ``dolisync config show``.

What this module knows: how a validated config is confirmed (``ok: <path>`` plus warnings)
and shown (every effective value and where it came from; the API key only masked).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from dolisync.cli.state import get_state

config_app = typer.Typer(
    name="config",
    help="Check or show the configuration file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the config file.

    Prints `ok: <path>` and any warnings, or every problem found (exit 3). Contacts nothing.
    """
    config = get_state(ctx).config()
    typer.echo(f"ok: {config.path}")
    for warning in config.warnings:
        typer.echo(f"warning: {warning}", err=True)


@config_app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the effective configuration and where each value came from.

    Defaults included. The API key is never printed, only a masked hint.
    """
    from dolisync.config import config_to_display

    display = config_to_display(get_state(ctx).config())
    if as_json:
        typer.echo(json.dumps(display, indent=2, ensure_ascii=False))
        return
    for line in _as_toml_like(display):
        typer.echo(line)


def _as_toml_like(display: Mapping[str, Any]) -> list[str]:
    """Sections as ``[name]`` with ``key = value`` lines, values in JSON notation, each
    followed by where it came from (``# file``, ``# default``, ``# env ...``)."""
    sources: Mapping[str, str] = display.get("sources", {})
    lines = [f"# {display.get('file')}"]
    for section, values in display.items():
        if not isinstance(values, Mapping) or section == "sources":
            continue
        lines.append(f"\n[{section}]")
        for key, value in values.items():
            origin = sources.get(f"{section}.{key}")
            comment = f"  # {origin}" if origin else ""
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}{comment}")
    rules = display.get("rules")
    if rules is not None:
        lines.append(f"\n# rules: {rules}")
    lines.extend(f"# warning: {warning}" for warning in display.get("warnings", []))
    return lines
