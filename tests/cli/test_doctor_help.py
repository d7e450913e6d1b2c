"""``dolisync doctor`` checks honestly; every command explains itself in --help."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import responses
import typer
from typer.core import TyperGroup

from dolisync import __version__
from dolisync.cli import app
from dolisync.errors import EXIT_AUTH, EXIT_UNREACHABLE
from tests.cli.conftest import Cli, run
from tests.cli.test_config_errors import KEY, closed_port


def lines_by_status(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"ok": [], "warn": [], "FAIL": []}
    for line in output.splitlines():
        word = line.split(" ", 1)[0]
        if word in found:
            found[word].append(line)
    return found


def test_doctor_passes_against_a_healthy_dolibarr(cli: Cli) -> None:
    result = cli("doctor")

    assert result.exit_code == 0, result.output
    checks = lines_by_status(result.stdout)
    assert checks["FAIL"] == []
    joined = "\n".join(checks["ok"])
    assert "Dolibarr 22.0.4" in joined
    for entity in ("tickets", "messages", "interventions", "thirdparties", "users"):
        assert f"  {entity}: readable" in joined
    assert "timezone: server PHP timezone UTC" in joined
    assert "store:" in joined


def test_doctor_fails_on_a_wrong_key_and_says_why(cli: Cli) -> None:
    result = cli("doctor", key="wrong-" + KEY)

    assert result.exit_code == EXIT_AUTH
    (failure,) = lines_by_status(result.stdout)["FAIL"]
    assert failure.startswith("FAIL  api key:")


@responses.activate
def test_doctor_warns_when_the_server_hides_its_clock(make_cli: Callable[..., Cli]) -> None:
    """Production mode (not simulated): ``/status`` has no time, so the skew is unknown."""
    root = "http://dolibarr.test/api/index.php"
    status = {
        "success": {
            "code": 200,
            "dolibarr_version": "22.0.4",
            "access_locked": "0",
            "environment": "production",
        }
    }
    responses.get(f"{root}/status", json=status)
    for path in ("/tickets", "/agendaevents", "/interventions", "/thirdparties", "/users"):
        responses.get(f"{root}{path}", json=[{"id": "1"}])
    cli = make_cli("http://dolibarr.test", KEY)

    result = cli("doctor")

    assert result.exit_code == 0, result.output
    (clock,) = [line for line in lines_by_status(result.stdout)["warn"] if " clock:" in line]
    assert "skew unknown" in clock


def test_doctor_reports_an_unreachable_dolibarr_at_once(make_cli: Callable[..., Cli]) -> None:
    cli = make_cli(f"http://127.0.0.1:{closed_port()}", KEY)

    result = cli("doctor")

    assert result.exit_code == EXIT_UNREACHABLE
    (failure,) = lines_by_status(result.stdout)["FAIL"]
    assert failure.startswith("FAIL  dolibarr:")
    assert "1 attempt" in failure or "refused" in failure


def all_commands() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(root, ())
    return found


@pytest.mark.parametrize("path", all_commands(), ids=lambda path: " ".join(path) or "dolisync")
def test_every_command_explains_itself(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")

    assert result.exit_code == 0
    assert "Usage: dolisync" in result.stdout
    description = result.stdout.split("\n\n")[1].strip()
    assert len(description) > 15, result.stdout


def test_version() -> None:
    result = run("--version")

    assert (result.exit_code, result.stdout.strip()) == (0, f"dolisync {__version__}")
