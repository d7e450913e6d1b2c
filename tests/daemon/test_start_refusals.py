"""What `dolisync run` refuses at start, before serving: each with its documented exit code."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dolisync.cli import app
from dolisync.errors import EXIT_CONFIG
from dolisync.simulator import Simulator
from tests.daemon.conftest import RULE, write_config


@pytest.fixture
def key(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOLISYNC_API_KEY", simulator.api_key)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)


@pytest.mark.usefixtures("key")
def test_a_rule_the_engine_refuses_fails_the_start(tmp_path: Path, simulator: Simulator) -> None:
    broken = RULE.replace('status = "read"', 'status = "sleeping"')
    config = write_config(tmp_path / "dolisync.toml", simulator, extra=broken)
    result = CliRunner().invoke(app, ["--config", str(config), "run"])
    assert result.exit_code == EXIT_CONFIG, result.output
    assert "rules[0].then[0].status" in result.output
    assert simulator.control.requests() == []
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # nothing left installed


@pytest.mark.usefixtures("key")
def test_a_metrics_port_in_use_fails_the_start(tmp_path: Path, simulator: Simulator) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        metrics = f'[metrics]\nenabled = true\nlisten = "127.0.0.1:{port}"\n'
        config = write_config(tmp_path / "dolisync.toml", simulator, extra=metrics)
        result = CliRunner().invoke(app, ["--config", str(config), "run"])
    assert result.exit_code == EXIT_CONFIG, result.output
    assert "metrics.listen: cannot listen on it" in result.output
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
