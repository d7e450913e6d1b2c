"""One writer per store: a second `run`, `run --once` or `sync` is refused with exit code 6."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dolisync.cli import app
from dolisync.daemon.lock import acquire_store_lock, lock_path_for
from dolisync.errors import EXIT_STORE, StoreLocked
from dolisync.simulator import Simulator
from tests.daemon.conftest import write_config


def test_a_second_holder_is_refused_until_the_first_releases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state' / 'store.db'}"
    first = acquire_store_lock(url, command="run")
    with pytest.raises(StoreLocked) as refused:
        acquire_store_lock(url, command="sync")
    assert "is in use by another dolisync" in refused.value.message
    assert "dolisync run" in refused.value.message  # who holds it
    assert refused.value.exit_code == EXIT_STORE
    first.release()
    with acquire_store_lock(url, command="sync") as second:
        assert second.path == tmp_path / "state" / "store.db.lock"
    assert (tmp_path / "state" / "store.db.lock").stat().st_mode & 0o777 == 0o600


def test_only_sqlite_files_have_a_lock_file() -> None:
    assert lock_path_for("sqlite:////var/lib/dolisync/dolisync.db") == Path(
        "/var/lib/dolisync/dolisync.db.lock"
    )
    assert lock_path_for("sqlite://") is None
    assert lock_path_for("postgresql+psycopg://u@db/mirror") is None
    with acquire_store_lock("sqlite://", command="sync") as nothing:
        assert nothing.path is None


@pytest.mark.parametrize("command", [["sync"], ["run", "--once"]])
def test_commands_that_write_refuse_while_the_store_is_held(
    tmp_path: Path, simulator: Simulator, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    config = write_config(tmp_path / "dolisync.toml", simulator)
    monkeypatch.setenv("DOLISYNC_API_KEY", simulator.api_key)
    with acquire_store_lock(f"sqlite:///{tmp_path / 'store.db'}", command="run"):
        result = CliRunner().invoke(app, ["--config", str(config), *command])
    assert result.exit_code == EXIT_STORE, result.output
    assert "in use by another dolisync (pid" in result.output
    assert simulator.control.requests() == []  # refused before talking to Dolibarr
