"""``config check`` / ``config show``, and how every failure class reaches the user: one
clear message, a hint, the documented exit code, and never the API key."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dolisync.cli.errors import GuardedGroup
from dolisync.errors import (
    EXIT_AUTH,
    EXIT_BUG,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_UNREACHABLE,
)
from dolisync.logging import register_secret
from tests.cli.conftest import Cli, run

KEY = "k3y-that-must-never-be-printed-0123456789"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_config_check_says_ok_and_names_the_file(cli: Cli) -> None:
    result = cli("config", "check")

    assert result.exit_code == 0
    assert result.stdout.strip() == f"ok: {cli.config}"


def test_config_check_lists_every_problem_and_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        '[dolibarr]\nurl = "ftp://nowhere"\ntimeout = "soon"\n[sync]\nentites = []\n',
        encoding="utf-8",
    )

    result = run("--config", str(path), "config", "check", env={"DOLISYNC_API_KEY": KEY})

    assert result.exit_code == EXIT_CONFIG
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert "3 problems" in lines[0]
    for where in ("dolibarr.url", "dolibarr.timeout", "sync.entites"):
        assert any(where in line for line in lines), (where, lines)
    assert any(line.startswith("hint: ") for line in lines)
    assert "Traceback" not in result.output


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.toml"), "sync")

    assert result.exit_code == EXIT_CONFIG
    assert result.stderr.startswith("error: ")


def test_config_show_never_prints_the_key(make_cli: Callable[..., Cli]) -> None:
    cli = make_cli("http://127.0.0.1:9", KEY)

    text = cli("config", "show")
    as_json = cli("config", "show", "--json")

    assert text.exit_code == 0
    assert as_json.exit_code == 0
    for result in (text, as_json):
        assert KEY not in result.output
    shown = json.loads(as_json.stdout)
    assert shown["dolibarr"]["url"] == "http://127.0.0.1:9/api/index.php"
    assert KEY[:2] in shown["dolibarr"]["api_key"]
    assert "environment variable DOLISYNC_API_KEY" in shown["dolibarr"]["api_key_source"]
    assert 'url = "http://127.0.0.1:9/api/index.php"' in text.stdout


def test_a_wrong_key_exits_5_with_one_line(cli: Cli) -> None:
    result = cli("sync", key="wrong-" + KEY)

    assert result.exit_code == EXIT_AUTH
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "401" in errors[0] or "key" in errors[0].lower()
    assert KEY not in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_dolibarr_exits_4(make_cli: Callable[..., Cli]) -> None:
    cli = make_cli(f"http://127.0.0.1:{closed_port()}", KEY)

    result = cli("sync")

    assert result.exit_code == EXIT_UNREACHABLE
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert "refused" in error
    assert "Traceback" not in result.output


# -- the handler itself, on a tiny app with the same top-level group -------------------


def failing_app(error: BaseException) -> typer.Typer:
    app = typer.Typer(cls=GuardedGroup, pretty_exceptions_enable=False)

    @app.callback()
    def options(debug: bool = typer.Option(False, "--debug")) -> None:
        """Options."""

    @app.command()
    def explode() -> None:
        """Raise."""
        raise error

    return app


def test_a_bug_exits_70_with_one_line_and_no_traceback() -> None:
    result = CliRunner().invoke(failing_app(ValueError("unexpected None")), ["explode"])

    assert result.exit_code == EXIT_BUG
    assert result.stderr.strip() == (
        "internal error (a bug): ValueError: unexpected None; rerun with --debug for the traceback"
    )


def test_a_bug_shows_a_redacted_traceback_with_debug() -> None:
    register_secret(KEY)
    app = failing_app(RuntimeError(f"request with {KEY} failed"))

    result = CliRunner().invoke(app, ["--debug", "explode"])

    assert result.exit_code == EXIT_BUG
    assert "Traceback (most recent call last)" in result.stderr
    assert KEY not in result.output
    assert "***" in result.stderr


@pytest.mark.parametrize(
    ("error", "code"), [(KeyboardInterrupt(), EXIT_INTERRUPTED), (SystemExit(0), 0)]
)
def test_interrupts_and_exits_pass_through(error: BaseException, code: int) -> None:
    result = CliRunner().invoke(failing_app(error), ["explode"])

    assert result.exit_code == code
