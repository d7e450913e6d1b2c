"""``dolisync doctor``: one line per check (ok / warn / FAIL), hints under failures.

What this module knows: how checks are printed and the exit code (0 unless a check failed;
then the code of the first failure's error class, 1 when it had none).
"""

from __future__ import annotations

import typer

from dolisync.cli.doctor_checks import Check, run_checks
from dolisync.cli.state import get_state
from dolisync.errors import EXIT_ERROR

_LABELS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def doctor(ctx: typer.Context) -> None:
    """Check everything dolisync depends on, one line per check.

    The config; Dolibarr (reachable, version, API key, read rights for each configured
    entity, and whether the API user sees all third parties' records); clock skew and time
    zones; the store. Exits non-zero if a check fails; warnings keep exit code 0.
    """
    failures: list[Check] = []
    for check in run_checks(get_state(ctx)):
        typer.echo(f"{_LABELS[check.status]}  {check.name}: {check.message}")
        if check.hint and check.status != "ok":
            typer.echo(f"      hint: {check.hint}")
        if check.status == "fail":
            failures.append(check)
    if failures:
        first = failures[0].error
        raise typer.Exit(first.exit_code if first is not None else EXIT_ERROR)
