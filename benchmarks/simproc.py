"""The simulated Dolibarr as a separate process, and how much of a run's time it took.

What this module knows: how to start ``dolisync simulator`` on a free port, wait until it has
seeded its data, drive its control API (``/_simulator/``), read its request log, and measure
the server's own share of a run's time.

The server's share comes from its request log when that carries per-request timings
(``seconds`` and ``bytes``: the time to compute each answer). Independently, every logged
request can be replayed from a trivial keep-alive client (no JSON parsing, no storage) and
timed: that is the server's work plus its HTTP layer and the loopback round trips, i.e.
what no client can go below.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from benchmarks.measure import free_port
from dolisync.simulator import DEMO_API_KEY

API_ROOT = "/api/index.php"


def peak_rss_kib(pid: int) -> int | None:
    """A live process's peak RSS since its exec (``VmHWM``; None where /proc is missing)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


@dataclass(frozen=True, slots=True)
class ServerShare:
    """What the server spent on a list of requests, and how that was measured."""

    seconds: float
    bytes: int | None
    requests: int
    method: str  # "request_log" or "replay"


def simulator_command(tickets: int, seed: int, port: int) -> list[str]:
    """The argv that serves a seeded simulator on ``port`` (auth delay 0: no key is wrong)."""
    argv = [sys.executable, "-m", "dolisync", "simulator", "--tickets", str(tickets)]
    return [*argv, "--seed", str(seed), "--port", str(port), "--auth-delay", "0"]


class SimulatorProcess:
    """A seeded simulator in its own process; use in a ``with`` block."""

    def __init__(self, *, tickets: int, seed: int, workdir: Path) -> None:
        self.tickets = tickets
        self.seed = seed
        self.port = free_port()
        self.argv = simulator_command(tickets, seed, self.port)
        self._log_path = workdir / f"simulator-{tickets}.log"
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.api_key = DEMO_API_KEY
        self.startup_seconds = 0.0
        self.peak_rss_kib: int | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.root_url + API_ROOT

    def start(self, timeout: float = 900.0) -> SimulatorProcess:
        """Start it and return once the control API answers (its data is seeded then)."""
        started = time.perf_counter()
        self._log = self._log_path.open("wb")
        self._process = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT)
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"simulator exited at start-up; see {self._log_path}")
            with contextlib.suppress(OSError):
                info = self.control("GET", "/")
                break
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"simulator not ready after {timeout:.0f} s")
            time.sleep(0.2)
        self.startup_seconds = time.perf_counter() - started
        self.api_key = str(info.get("api_key") or DEMO_API_KEY)
        if int(info.get("tickets", -1)) != self.tickets:
            raise RuntimeError(f"simulator holds {info.get('tickets')} tickets, not {self.tickets}")
        return self

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 10 s), noting its peak RSS first."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            self.peak_rss_kib = peak_rss_kib(process.pid)
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- control API --------------------------------------------------------------------

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.root_url + "/_simulator" + path, data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        with self._opener.open(request, timeout=600) as answer:
            return json.loads(answer.read() or b"null")

    def touch(self, count: int) -> list[int]:
        """Modify ``count`` random tickets as a Dolibarr user would (their tms moves)."""
        ids: list[int] = self.control("POST", "/touch", {"count": count})["ids"]
        return ids

    def clear_requests(self) -> None:
        self.control("DELETE", "/requests")

    def requests(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.control("GET", "/requests")
        return entries

    # -- the server's share -------------------------------------------------------------

    def server_share(self, entries: Sequence[dict[str, Any]]) -> ServerShare:
        """The server's time for ``entries``: from its log when every entry has a timing,
        else replayed (see ``replay``)."""
        if entries and all(entry.get("seconds") is not None for entry in entries):
            sizes = [entry.get("bytes") for entry in entries]
            total = sum(int(size) for size in sizes if size is not None)
            return ServerShare(
                seconds=sum(float(entry["seconds"]) for entry in entries),
                bytes=total if all(size is not None for size in sizes) else None,
                requests=len(entries),
                method="request_log",
            )
        return self.replay(entries)

    def replay(self, entries: Sequence[dict[str, Any]]) -> ServerShare:
        """Send the GETs of ``entries`` again from a trivial keep-alive client and time them.

        Only faithful when the server's data did not change since the requests were made:
        call it right after the run it measures.
        """
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"DOLAPIKEY": self.api_key, "Accept": "application/json"}
        seconds, size, replayed = 0.0, 0, 0
        try:
            for entry in entries:
                if entry.get("method") != "GET":
                    continue  # a sync only reads; never repeat a write
                query = entry.get("query") or {}
                target = API_ROOT + str(entry["path"]) + ("?" + urlencode(query) if query else "")
                started = time.perf_counter()
                connection.request("GET", target, headers=headers)
                body = connection.getresponse().read()
                seconds += time.perf_counter() - started
                size += len(body)
                replayed += 1
        finally:
            connection.close()
        return ServerShare(seconds=seconds, bytes=size, requests=replayed, method="replay")
