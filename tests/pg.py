"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary directory,
listening on 127.0.0.1 and a free port only, removed when the tests end.

Knows where PostgreSQL's programs live (``PATH``, then Debian's ``/usr/lib/postgresql/*/bin``),
that ``initdb`` and ``postgres`` refuse to run as root (as root they run as the ``postgres``
system user, else ``nobody``), and how to tell a server that started from one that did not.
The cluster trades durability for speed (``fsync=off``): it holds test data only.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

PROGRAMS = ("initdb", "pg_ctl", "postgres")
SERVICE_USERS = ("postgres", "nobody")  # who runs the server when the tests run as root
SUPERUSER = "dolisync"
DATABASE = "dolisync_test"
START_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1


class PostgresUnavailableError(Exception):
    """No throwaway server could be started; the message says why (for a skip reason)."""


def find_bindir() -> Path | None:
    """A directory holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda path: _version(path.parent.name), reverse=True)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in PROGRAMS):
            return directory
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdecimal())


@dataclass(frozen=True, slots=True)
class _Account:
    """Who the PostgreSQL programs run as: None when the tests do not run as root."""

    uid: int | None = None
    gid: int | None = None

    def own(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def process_options(self) -> dict[str, Any]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _account() -> _Account:
    if os.geteuid() != 0:
        return _Account()
    for name in SERVICE_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Account(entry.pw_uid, entry.pw_gid)
    raise PostgresUnavailableError(
        f"running as root and none of the users {', '.join(SERVICE_USERS)} exists"
    )


# looked up here, so the child only calls it; Linux only (elsewhere a killed run may leave
# a server behind, which its temporary directory's removal does not stop)
_prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)


def _die_with_parent() -> None:
    # A killed test run must not leave a server behind: the kernel sends SIGQUIT (immediate
    # shutdown) when the process that started it dies. Runs in the child, after setuid.
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGQUIT))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Cluster:
    def __init__(self, bindir: Path, account: _Account) -> None:
        self.bindir = bindir
        self.account = account
        self.root = Path(tempfile.mkdtemp(prefix="dolisync-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.password = secrets.token_urlsafe(16)
        self.port = 0
        self.server: subprocess.Popen[bytes] | None = None

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            args,
            cwd=self.root,  # the service user may not be allowed into ours
            env=_environment(),
            capture_output=True,
            check=False,
            timeout=START_TIMEOUT_S,
            **self.account.process_options(),
        )
        if done.returncode != 0:
            output = (done.stderr or done.stdout).decode(errors="replace").strip()
            last = output.splitlines()[-1] if output else f"exit status {done.returncode}"
            raise PostgresUnavailableError(f"{Path(args[0]).name} failed: {last}")

    def initdb(self) -> None:
        self.account.own(self.root)
        password_file = self.root / "password"
        password_file.write_text(self.password)
        password_file.chmod(0o600)
        self.account.own(password_file)
        self._run(
            str(self.bindir / "initdb"),
            f"--pgdata={self.data}",
            f"--username={SUPERUSER}",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        password_file.unlink()

    def start(self) -> None:
        """Start the server on a free port; again on another if that one was taken meanwhile."""
        for _attempt in range(3):
            try:
                self._start_on(_free_port())
                return
            except PostgresUnavailableError:
                if "already in use" not in self.log.read_text(errors="replace"):
                    raise
        raise PostgresUnavailableError("no free port for postgres after 3 attempts")

    def _start_on(self, port: int) -> None:
        self.port = port
        command = [
            str(self.bindir / "postgres"),
            "-D", str(self.data),
            "-p", str(self.port),
            "-k", str(self.root),  # the Unix socket stays in our private directory
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.server = subprocess.Popen(
                command,
                cwd=self.root,
                env=_environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - one C call, safe with threads
                **self.account.process_options(),
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.server is not None
            if self.server.poll() is not None:
                raise PostgresUnavailableError(f"postgres exited: {self._last_log_line()}")
            try:
                with psycopg.connect(**self._connect_args("postgres"), connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailableError(
                        f"postgres did not accept connections: {exc}"
                    ) from None
            time.sleep(0.05)

    def _last_log_line(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no log output"

    def _connect_args(self, database: str) -> dict[str, Any]:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "user": SUPERUSER,
            "password": self.password,
            "dbname": database,
        }

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(**self._connect_args("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            password=self.password,
            host="127.0.0.1",
            port=self.port,
            database=name,
        )
        return url.render_as_string(hide_password=False)

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            subprocess.run(
                [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate"],
                cwd=self.root,
                env=_environment(),
                capture_output=True,
                check=False,
                timeout=START_TIMEOUT_S,
                **self.account.process_options(),
            )
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _environment() -> dict[str, str]:
    # nothing of ours leaks in (PGDATA, PGPORT, a locale the server user cannot load...)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a private PostgreSQL server, yield the URL of a fresh database, remove it all.

    Raises ``PostgresUnavailableError`` (the reason in one line) when no server can be started.
    """
    try:
        import psycopg
    except ImportError:
        raise PostgresUnavailableError(
            "the psycopg driver is not installed (pip install -e '.[test]')"
        ) from None
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailableError(
            f"no PostgreSQL programs ({', '.join(PROGRAMS)}) on PATH or in /usr/lib/postgresql"
        )
    cluster = _Cluster(bindir, _account())
    try:
        cluster.initdb()
        cluster.start()
        url = cluster.create_database(DATABASE)
    except (OSError, subprocess.SubprocessError, psycopg.Error) as exc:
        cluster.stop()
        raise PostgresUnavailableError(f"cannot start PostgreSQL: {exc}") from None
    except BaseException:
        cluster.stop()
        raise
    try:
        yield url
    finally:
        cluster.stop()
