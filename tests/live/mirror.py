"""A dolisync set up the way a user sets it up: a config file, a key file, a SQLite store.

What this module knows: how to write that config for one Dolibarr URL (with optional
``[writeback]`` and ``[[rules]]`` text), and the two ways the suite drives it: the ``dolisync``
command in a subprocess (what a user types) and the Python API (``Service``), for exact
counts. The key lives in a file readable by its owner only, never in the command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dolisync.config import Config, load_config
from dolisync.service import Service
from dolisync.store import Store
from dolisync.sync import SyncReport

SOURCE = "live"
CLI_TIMEOUT = 600.0  # a first sync of a big Dolibarr reads everything


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class LiveMirror:
    """One dolisync configuration in a folder of its own."""

    def __init__(
        self,
        folder: Path,
        url: str,
        api_key: str,
        *,
        entities: Sequence[str] | None = None,
        overlap: str = "10m",
        extra_toml: str = "",
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.api_key = api_key
        key_file = folder / "api-key"
        key_file.write_text(api_key + "\n")
        key_file.chmod(0o600)
        entity_line = (
            "entities = [" + ", ".join(f'"{name}"' for name in entities) + "]\n"
            if entities is not None
            else ""
        )
        self.config_path = folder / "dolisync.toml"
        self.config_path.write_text(
            "[dolibarr]\n"
            f'url = "{url}"\n'
            f'name = "{SOURCE}"\n'
            'api_key_file = "api-key"\n'
            "[store]\n"
            'url = "sqlite:///./mirror.db"\n'
            "[sync]\n"
            f'overlap = "{overlap}"\n'
            f"{entity_line}"
            "[logging]\n"
            'level = "warning"\n'
            'format = "json"\n'
            f"{extra_toml}"
        )

    def config(self) -> Config:
        return load_config(self.config_path, env={})

    @contextmanager
    def service(self) -> Iterator[Service]:
        with Service(self.config()) as service:
            yield service

    def sync(self, *, full: bool = False) -> SyncReport:
        with self.service() as service:
            return service.sync(full=full)

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = Store.open(self.config().store.url)
        try:
            yield store
        finally:
            store.close()

    def cli(self, *args: str, timeout: float = CLI_TIMEOUT) -> CliResult:
        """``dolisync --config <file> <args>`` as a user runs it."""
        completed = subprocess.run(
            self._command(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_environment(),
            cwd=self.folder,
            check=False,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """The same command, started and left running (for the crash test)."""
        return subprocess.Popen(
            self._command(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(),
            cwd=self.folder,
        )

    def _command(self, args: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", "dolisync", "--config", str(self.config_path), *args]


def _environment() -> dict[str, str]:
    """The tester's environment without DOLISYNC_* variables: only the config file speaks."""
    return {name: value for name, value in os.environ.items() if not name.startswith("DOLISYNC_")}
