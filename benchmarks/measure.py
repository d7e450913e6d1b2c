"""Running one command in a fresh process and measuring it: wall time and peak RSS.

What this module knows: how to get the peak RSS of exactly one run. ``ru_maxrss`` of a
child counts the memory it inherited at fork (before exec), so a child forked straight from
this runner would report at least the runner's own RSS. Each command is therefore started
by a tiny launcher (``python -S``, ~10 MiB, less than any Python program) that spawns it,
reaps it with ``os.wait4`` and reports that one process's usage and wall time. Output goes
to files, not pipes, so a chatty process can never block on a full pipe.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# argv: REPORT_FILE COMMAND...; writes {"returncode", "wall_seconds", "peak_rss_kib"}.
_LAUNCHER = """
import json, os, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawn(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(report, "w") as out:
    json.dump({"returncode": os.waitstatus_to_exitcode(status), "wall_seconds": wall,
               "peak_rss_kib": usage.ru_maxrss}, out)
"""


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One finished process: how it ended, how long it took, its peak memory, its output."""

    argv: tuple[str, ...]
    returncode: int
    wall_seconds: float
    peak_rss_kib: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def peak_rss_mib(self) -> float:
        return self.peak_rss_kib / 1024

    def check(self, what: str) -> ProcessRun:
        """Self, or RuntimeError quoting the end of stderr when the process failed."""
        if self.returncode != 0 or self.timed_out:
            reason = "timed out" if self.timed_out else f"exited with {self.returncode}"
            tail = "\n".join(self.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"{what} {reason}: {' '.join(self.argv)}\n{tail}")
        return self


def run_measured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 900.0,
) -> ProcessRun:
    """Run ``argv`` (an absolute executable first) to its end and measure it; the whole
    process group is killed after ``timeout`` seconds."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "usage.json"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), *argv]
        started = time.perf_counter()
        process = subprocess.Popen(
            launcher, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True
        )
        timed_out = False
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        outer_wall = time.perf_counter() - started
        # No report: the launcher itself failed or was killed; never pass that for success.
        usage: dict[str, Any] = json.loads(report.read_text()) if report.exists() else {}
        return ProcessRun(
            argv=tuple(argv),
            returncode=int(usage["returncode"]) if usage else (process.returncode or -1),
            wall_seconds=float(usage.get("wall_seconds", outer_wall)),
            peak_rss_kib=int(usage.get("peak_rss_kib", 0)),
            stdout=_read(out),
            stderr=_read(err),
            timed_out=timed_out,
        )


def _read(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
