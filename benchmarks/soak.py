"""The soak test: ``dolisync run`` for N minutes against a faulty simulator, memory sampled.

    python -m benchmarks.soak                  # 30 minutes (results/soak.json)
    python -m benchmarks.soak --minutes 5 --interval 2s

What this module knows: how to keep a daemon busy for a long time and what to watch. A
simulator process (``simproc``) answers with faults on (latency, 5xx, resets, truncated
JSON, writes applied then failed); every few seconds tickets are created, touched and
answered behind the daemon's back, so each cycle syncs, fires a rule and writes back. The
daemon runs as systemd would run it (notify socket, watchdog) with its metrics endpoint on,
scraped at every sample. Its RSS is sampled every ``--sample`` seconds.

The result (``results/soak.json``): RSS first/last/min/max and the slope of a least-squares
line through the samples (MiB per hour, also after the first tenth: start-up warms caches),
cycles by outcome, errors (error log lines, failed requests by kind), restarts (the daemon
dying is a failure; it is restarted, as ``Restart=on-failure`` would) and the exit code and
time of the final SIGTERM. Nothing is judged here: the numbers are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from benchmarks.measure import free_port
from benchmarks.simproc import SimulatorProcess
from dolisync.durations import parse_duration

RESULT = Path(__file__).parent / "results" / "soak.json"
FAULTS = (
    "latency=2ms..40ms; error500=0.02; error503=0.01,method=GET; reset=0.01; truncate=0.005; "
    "apply_then_500=0.02,method=PUT; seed=7"
)
RULES = """
[[rules]]
name = "acknowledge"
on = ["ticket.created"]
[[rules.then]]
action = "set_status"
status = "read"

[[rules]]
name = "thank-the-customer"
on = ["ticket.message"]
[[rules.then]]
action = "post_message"
text = "Thanks, we read your message about {ticket.subject}."
private = true
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    parser.add_argument("--interval", default="5s", help="the daemon's [sync] interval")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--tickets", type=int, default=300, help="tickets seeded")
    parser.add_argument("--faults", default=FAULTS, help="the simulator's fault spec")
    parser.add_argument("--out", type=Path, default=RESULT, help="the result file")
    return parser.parse_args(argv)


class NotifyCounter:
    """A fake systemd: counts the daemon's notify messages (READY, WATCHDOG, STATUS...)."""

    def __init__(self) -> None:
        self.name = f"@dolisync-soak-{os.getpid()}"
        self.counts: Counter[str] = Counter()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(b"\0" + self.name[1:].encode())
        self._socket.settimeout(0.5)
        self._stopped = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stopped:
            try:
                data = self._socket.recv(4096)
            except (TimeoutError, OSError):
                continue
            for line in data.decode(errors="replace").splitlines():
                self.counts[line.split("=", 1)[0]] += 1

    def close(self) -> None:
        self._stopped = True
        self._thread.join(timeout=2)
        self._socket.close()


class Daemon:
    """``python -m dolisync run`` with JSON logs appended to one file across restarts."""

    def __init__(self, config: Path, env: dict[str, str], log_path: Path) -> None:
        self.argv = [sys.executable, "-m", "dolisync", "--config", str(config)]
        self.argv += ["--log-format", "json", "run"]
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, env=self.env
            )

    def alive_or_restarted(self) -> bool:
        """True when running; a dead daemon is restarted (and counted), as systemd would."""
        assert self.process is not None
        if self.process.poll() is None:
            return True
        self.restarts += 1
        self.start()
        return False

    def rss_mib(self) -> float | None:
        assert self.process is not None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None

    def stop(self, timeout: float = 60.0) -> tuple[int | None, float]:
        """SIGTERM; (exit code, seconds it took)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        return code, time.monotonic() - started


def write_config(folder: Path, sim: SimulatorProcess, *, interval: str, port: int) -> Path:
    path = folder / "dolisync.toml"
    path.write_text(
        f"""
[dolibarr]
url = "{sim.root_url}"
timeout = "10s"

[store]
url = "sqlite:///./soak.db"

[sync]
interval = "{interval}"
overlap = "1m"

[daemon]
schedule_tick = "1m"

[metrics]
enabled = true
listen = "127.0.0.1:{port}"
max_lag = "10m"
{RULES}"""
    )
    return path


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def stir(sim: SimulatorProcess, round_number: int) -> None:
    """What support staff and customers do between two cycles."""
    ticket = sim.control("POST", "/tickets", {"subject": f"Soak ticket {round_number}"})["id"]
    sim.control("POST", f"/tickets/{ticket}/messages", {"message": "Any news?"})
    sim.touch(3)
    if round_number % 6 == 0:
        sim.clear_requests()  # the simulator's own log would grow for 30 minutes


def slope_per_hour(points: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of (seconds, MiB) points, in MiB per hour."""
    if len(points) < 3:
        return None
    count = len(points)
    mean_t = sum(t for t, _ in points) / count
    mean_m = sum(m for _, m in points) / count
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return None
    covariance = sum((t - mean_t) * (m - mean_m) for t, m in points)
    return round(covariance / spread * 3600, 3)


def log_counts(path: Path) -> tuple[Counter[str], Counter[str]]:
    """(lines per level, error events by name) of the daemon's JSON log."""
    levels: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            levels["unparsed"] += 1
            continue
        levels[entry.get("level", "?")] += 1
        if entry.get("level") == "error":
            errors[entry.get("event", "?")] += 1
    return levels, errors


def _pick(samples: dict[Any, float], name: str, label: str) -> dict[str, float]:
    """``{label value: sample}`` of one labelled metric."""
    found = {}
    for (metric, labels), value in samples.items():
        if metric == name and labels:
            found[dict(labels)[label]] = value
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="dolisync-soak-"))
    notify = NotifyCounter()
    with SimulatorProcess(tickets=args.tickets, seed=1, workdir=workdir) as sim:
        sim.control("PUT", "/faults", {"spec": args.faults})
        port = free_port()
        config = write_config(workdir, sim, interval=args.interval, port=port)
        env = {**os.environ, "DOLISYNC_API_KEY": sim.api_key, "NOTIFY_SOCKET": notify.name}
        env["WATCHDOG_USEC"] = "60000000"
        daemon = Daemon(config, env, workdir / "daemon.log")
        daemon.start()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        points: list[tuple[float, float]] = []
        last_metrics: dict[Any, float] = {}
        round_number = 0
        while time.monotonic() < deadline:
            time.sleep(args.sample)
            if daemon.alive_or_restarted():
                rss = daemon.rss_mib()
                if rss is not None:
                    points.append((round(time.monotonic() - started, 1), round(rss, 2)))
                try:
                    last_metrics = scrape(port)
                except OSError as error:
                    print(f"scrape failed: {error}", file=sys.stderr)
            round_number += 1
            stir(sim, round_number)
            print(f"{points[-1] if points else '-'}", file=sys.stderr)
        exit_code, stop_seconds = daemon.stop()
    notify.close()
    levels, error_events = log_counts(daemon.log_path)
    memory = [mib for _, mib in points]
    warm = [point for point in points if point[0] >= args.minutes * 6]  # after the first tenth
    cycles = _pick(last_metrics, "dolisync_cycles_total", "outcome")
    return {
        "benchmark": "soak",
        "minutes": args.minutes,
        "interval": args.interval,
        "faults": args.faults,
        "tickets_seeded": args.tickets,
        "stir_rounds": round_number,
        "rss_mib": {
            "first": memory[0] if memory else None,
            "last": memory[-1] if memory else None,
            "min": min(memory, default=None),
            "max": max(memory, default=None),
        },
        "rss_slope_mib_per_hour": slope_per_hour(points),
        "rss_slope_after_warmup_mib_per_hour": slope_per_hour(warm),
        "cycles": {**cycles, "total": sum(cycles.values())},
        "errors": {
            "error_log_lines": levels.get("error", 0),
            "warning_log_lines": levels.get("warning", 0),
            "error_events": dict(error_events),
            "failed_requests_by_kind": _pick(
                last_metrics, "dolisync_dolibarr_request_errors_total", "kind"
            ),
        },
        "requests": last_metrics.get(("dolisync_dolibarr_requests_total", ())),
        "rule_fires": last_metrics.get(("dolisync_rule_fires_total", ())),
        "actions": _pick(last_metrics, "dolisync_actions_total", "outcome"),
        "outbox": _pick(last_metrics, "dolisync_outbox_items", "state"),
        "restarts": daemon.restarts,
        "exit_code": exit_code,
        "stop_seconds": round(stop_seconds, 2),
        "notify": dict(notify.counts),
        "samples": points,
        "workdir": str(workdir),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    parse_duration(args.interval)  # fail now, not in the daemon
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    temporary.replace(args.out)
    summary = {key: result[key] for key in ("rss_mib", "rss_slope_mib_per_hour", "cycles")}
    print(json.dumps({**summary, "restarts": result["restarts"], "exit_code": result["exit_code"]}))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
