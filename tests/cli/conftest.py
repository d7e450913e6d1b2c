"""Running the ``dolisync`` command in-process, against a simulator and a temporary config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dolisync.cli import app
from dolisync.simulator import Simulator


@pytest.fixture(autouse=True)
def _logging_restored(restore_logging: None) -> None:
    """Every test here runs commands: logging is put back after each (see ``restore_logging``)."""


@dataclass
class Cli:
    """``cli("sync")`` runs ``dolisync --config <file> sync`` with the key in the environment."""

    config: Path
    api_key: str

    def __call__(self, *args: str, key: str | None = None) -> Result:
        env = {"DOLISYNC_API_KEY": self.api_key if key is None else key, "DOLISYNC_CONFIG": ""}
        return CliRunner().invoke(app, ["--config", str(self.config), *args], env=env)


def write_config(directory: Path, url: str, *, extra: str = "") -> Path:
    path = directory / "dolisync.toml"
    path.write_text(
        f'[dolibarr]\nurl = "{url}"\n\n[store]\nurl = "sqlite:///{directory / "mirror.db"}"\n'
        + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def make_cli(tmp_path: Path) -> Callable[..., Cli]:
    def factory(url: str, api_key: str, *, extra: str = "") -> Cli:
        return Cli(config=write_config(tmp_path, url, extra=extra), api_key=api_key)

    return factory


@pytest.fixture
def cli(simulator: Simulator, make_cli: Callable[..., Cli]) -> Cli:
    return make_cli(simulator.base_url, simulator.api_key)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``dolisync <args>`` without a prepared config."""
    return CliRunner().invoke(app, list(args), env={"DOLISYNC_CONFIG": "", **(env or {})})
