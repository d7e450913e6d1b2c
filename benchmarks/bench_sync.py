"""The sync benchmark: dolisync against a hand-written loop, on the same simulated Dolibarr.

What this module knows: the scenarios and what each one measures. Per ticket count, one
simulator process is started and seeded; then, each in a fresh process:

* ``baseline``: ``benchmarks.baseline_sync`` copies every ticket (the yardstick);
* ``full_<n>``: ``dolisync sync --entity tickets`` into an empty store (the first load);
* ``incremental_<n>``: the same command after 1% of the tickets were modified;
* ``noop_<n>``: the same command again, nothing changed (ideal: the ``/status`` probe and
  the listing of the rows inside the overlap window, usually one page).

The first loads (baseline and full) are repeated, interleaved, and the fastest of each kept.

Each run records rows written, requests (the simulator's request log), bytes, wall seconds
(process start to exit: what a user waits), dolisync's own sync seconds (from its
``sync.run`` log line), peak RSS of that process, and the simulator's share of the time
(see ``simproc``). ``run`` returns the whole result as one JSON-able dict.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dolisync
from benchmarks.measure import ProcessRun, run_measured
from benchmarks.simproc import SimulatorProcess

DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (10_000,)
TOUCH_FRACTION = 0.01
RATIO_GOAL = 1.5
SCHEMA_VERSION = 1
RUN_TIMEOUT = 900.0
FAST_REPEATS = 3  # first loads at sizes up to FAST_SIZE_LIMIT are cheap enough to repeat
FAST_SIZE_LIMIT = 20_000
REPO_ROOT = Path(__file__).resolve().parent.parent

Say = Callable[[str], None]


def size_label(tickets: int) -> str:
    """10000 -> "10k", 300 -> "300"."""
    return f"{tickets // 1000}k" if tickets >= 1000 and tickets % 1000 == 0 else str(tickets)


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    seed: int = 1,
    repeats: int | None = None,
    workdir: Path | None = None,
    say: Say | None = None,
) -> dict[str, Any]:
    """Run every scenario for each ticket count; the result document (see the module doc).

    The first loads (baseline and dolisync full) run ``repeats`` times, interleaved, and the
    fastest of each is kept (default: 3 up to 20k tickets, else 1). Scratch files (stores,
    configs, simulator logs) live in a temporary folder under ``workdir`` (default: the
    system's), removed at the end: its disk is part of the result.
    """
    say = say or _quiet
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="dolisync-bench-", dir=workdir) as scratch:
        where = Path(scratch)
        machine["scratch_dir"] = str(where.parent)
        scenarios: dict[str, Any] = {}
        baselines: dict[str, Any] = {}
        simulators: dict[str, Any] = {}
        for tickets in sizes:
            label = size_label(tickets)
            count = repeats or (FAST_REPEATS if tickets <= FAST_SIZE_LIMIT else 1)
            found = _bench_size(tickets, seed=seed, repeats=count, workdir=where, say=say)
            baselines[label] = found.pop("baseline")
            simulators[label] = found.pop("simulator")
            scenarios.update(found)
    return {
        "benchmark": "sync",
        "schema_version": SCHEMA_VERSION,
        "machine": machine,
        "method": method_notes(simulators),
        "sizes": [size_label(tickets) for tickets in sizes],
        "scenarios": scenarios,
        "baseline": baselines,
        "simulator": simulators,
        "comparison": compare(scenarios, baselines),
        "memory": memory(scenarios, baselines),
    }


def machine_info() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dolisync_version": dolisync.__version__,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def method_notes(simulators: dict[str, Any]) -> dict[str, str]:
    shares = {info["share_method"] for info in simulators.values()}
    share = shares.pop() if len(shares) == 1 else "mixed"
    how = {
        "replay": "every logged request replayed from a trivial keep-alive client and timed "
        "(server work + its HTTP layer + loopback round trips)",
        "request_log": "sum of the per-request times in the simulator's request log (computing "
        "the answers; its HTTP layer excluded)",
    }
    return {
        "simulator_share": f"{share}: {how.get(share, share)}",
        "replay_seconds": how["replay"],
        "wall_seconds": "process start to exit (imports included): what a user waits",
        "sync_seconds": "dolisync's own run time (its sync.run log line); baseline: its loop",
        "peak_rss": "ru_maxrss of that one process, reaped by a tiny launcher with os.wait4 (MiB)",
        "requests": "counted in the simulator's request log",
        "ratio": "dolisync full wall / baseline wall, same simulator, same run, each the "
        f"fastest of its interleaved repeats; goal <= {RATIO_GOAL}",
        "ratio_client_side": "the same with each run's replay_seconds subtracted",
    }


# -- one ticket count ---------------------------------------------------------------------


def _bench_size(
    tickets: int, *, seed: int, repeats: int, workdir: Path, say: Say
) -> dict[str, Any]:
    label = size_label(tickets)
    say(f"[{label}] starting the simulator with {tickets:,} tickets")
    with SimulatorProcess(tickets=tickets, seed=seed, workdir=workdir) as simulator:
        ready_at = time.monotonic()
        say(f"[{label}] simulator ready in {simulator.startup_seconds:.1f} s")
        config, store = _write_config(simulator, workdir / f"dolisync-{label}.toml")
        baselines, fulls = [], []
        for attempt in range(1, repeats + 1):  # interleaved: load drift hits both alike
            say(f"[{label}] baseline, then dolisync full (run {attempt} of {repeats})")
            baselines.append(_baseline(simulator, workdir / f"baseline-{label}.db"))
            _remove_store(store)
            fulls.append(_dolisync(simulator, config, "full", expected=tickets))
        results: dict[str, Any] = {"baseline": _fastest(baselines)}
        results[f"full_{label}"] = _fastest(fulls)
        # Dolibarr's tms has 1 s resolution: a touch in the seeding second would not show.
        time.sleep(max(0.0, ready_at + 1.1 - time.monotonic()))
        touched = simulator.touch(max(1, round(tickets * TOUCH_FRACTION)))
        say(f"[{label}] dolisync incremental ({len(touched)} tickets touched)")
        results[f"incremental_{label}"] = _dolisync(
            simulator, config, "incremental", expected=len(touched)
        )
        say(f"[{label}] dolisync noop")
        results[f"noop_{label}"] = _dolisync(simulator, config, "noop", expected=0)
        share_method = results[f"full_{label}"]["simulator_share_method"]
        startup = simulator.startup_seconds
    results["simulator"] = {
        "command": " ".join(simulator.argv[1:]),
        "startup_seconds": round(startup, 3),
        "peak_rss_mib": _mib(simulator.peak_rss_kib),
        "share_method": share_method,
    }
    return results


def _fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the shortest wall time, with every run's wall time beside it."""
    best = dict(min(runs, key=lambda run: float(run["wall_seconds"])))
    best["repeats"] = len(runs)
    best["wall_seconds_all"] = [run["wall_seconds"] for run in runs]
    return best


def _write_config(simulator: SimulatorProcess, path: Path) -> tuple[Path, Path]:
    """A dolisync config for ``simulator`` at ``path``; returns it and its store's file."""
    store = path.with_suffix(".db")
    path.write_text(
        f'[dolibarr]\nurl = "{simulator.root_url}"\n\n'
        f'[store]\nurl = "sqlite:///{store}"\n\n'
        '[sync]\nentities = ["tickets"]\n',
        encoding="utf-8",
    )
    return path, store


def _remove_store(store: Path) -> None:
    """Delete a SQLite store with its -wal, -shm and lock files (the next load starts empty)."""
    for leftover in store.parent.glob(store.name + "*"):
        leftover.unlink()


def _env(simulator: SimulatorProcess) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("DOLISYNC_")}
    env["DOLISYNC_API_KEY"] = simulator.api_key
    # `-m benchmarks.baseline_sync` must import from any working directory.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _baseline(simulator: SimulatorProcess, db_path: Path) -> dict[str, Any]:
    simulator.clear_requests()
    argv = [sys.executable, "-m", "benchmarks.baseline_sync", simulator.root_url, str(db_path)]
    process = run_measured(argv, env=_env(simulator), timeout=RUN_TIMEOUT)
    process.check("the baseline")
    reported = json.loads(process.stdout)
    result = _measured(simulator, process, "full", rows=int(reported["rows"]))
    result.update(tool="baseline", sync_seconds=round(float(reported["seconds"]), 3))
    result["expected_rows"] = simulator.tickets
    return result


def _dolisync(
    simulator: SimulatorProcess, config: Path, kind: str, *, expected: int
) -> dict[str, Any]:
    simulator.clear_requests()
    argv = [sys.executable, "-m", "dolisync", "--log-format", "json", "--config", str(config)]
    argv += ["sync", "--entity", "tickets"]
    process = run_measured(argv, env=_env(simulator), cwd=config.parent, timeout=RUN_TIMEOUT)
    process.check(f"dolisync ({kind})")
    run_line = _log_event(process.stderr, "sync.run")
    entity_line = _log_event(process.stderr, "sync.entity")
    rows = int(run_line.get("created", 0)) + int(run_line.get("updated", 0))
    result = _measured(simulator, process, kind, rows=rows)
    result.update(
        tool="dolisync",
        expected_rows=expected,
        sync_seconds=_round(run_line.get("seconds")),
        listed=entity_line.get("listed"),
        fetched=entity_line.get("fetched"),
        requests_reported=run_line.get("requests"),
        summary=process.stdout.strip(),
    )
    return result


def _measured(
    simulator: SimulatorProcess, process: ProcessRun, kind: str, *, rows: int
) -> dict[str, Any]:
    """The fields every run has; the server's share is measured right now (see simproc)."""
    entries = simulator.requests()
    share = simulator.server_share(entries)
    replayed = share if share.method == "replay" else simulator.replay(entries)
    wall = process.wall_seconds
    return {
        "tool": "",
        "kind": kind,
        "tickets": simulator.tickets,
        "rows": rows,
        "requests": len(entries),
        "bytes": share.bytes if share.bytes is not None else replayed.bytes,
        "wall_seconds": round(wall, 3),
        "rows_per_second": round(rows / wall, 1) if wall > 0 else None,
        "peak_rss_mib": _mib(process.peak_rss_kib),
        "simulator_seconds": round(share.seconds, 3),
        "simulator_share": round(share.seconds / wall, 3) if wall > 0 else None,
        "simulator_share_method": share.method,
        "replay_seconds": round(replayed.seconds, 3),
    }


def _log_event(stderr: str, event: str) -> dict[str, Any]:
    """The last JSON log line of ``event`` (empty when the log format changed)."""
    found: dict[str, Any] = {}
    for line in stderr.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("event") == event:
            found = record
    return found


# -- the verdicts ---------------------------------------------------------------------------


def compare(scenarios: dict[str, Any], baselines: dict[str, Any]) -> dict[str, Any]:
    """Per size: dolisync's full load against the baseline's, as wall and in-process ratios."""
    comparison: dict[str, Any] = {}
    for label, base in baselines.items():
        full = scenarios[f"full_{label}"]
        ratio = _ratio(full["wall_seconds"], base["wall_seconds"])
        client = _ratio(
            full["wall_seconds"] - full["replay_seconds"],
            base["wall_seconds"] - base["replay_seconds"],
        )
        comparison[label] = {
            "dolisync_seconds": full["wall_seconds"],
            "baseline_seconds": base["wall_seconds"],
            "ratio": ratio,
            "ratio_in_process": _ratio(full["sync_seconds"], base["sync_seconds"]),
            "ratio_client_side": client,
            "goal": RATIO_GOAL,
            "meets_goal": ratio is not None and ratio <= RATIO_GOAL,
        }
    return comparison


def memory(scenarios: dict[str, Any], baselines: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS of the full load per size, and how much it grows from the smallest size."""
    dolisync_rss = {label: scenarios[f"full_{label}"]["peak_rss_mib"] for label in baselines}
    baseline_rss = {label: base["peak_rss_mib"] for label, base in baselines.items()}
    values = list(dolisync_rss.values())
    return {
        "dolisync_full_peak_rss_mib": dolisync_rss,
        "baseline_peak_rss_mib": baseline_rss,
        "growth": _ratio(values[-1], values[0]) if len(values) > 1 else None,
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator or denominator <= 0:
        return None
    return round(numerator / denominator, 3)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def _quiet(_message: str) -> None:
    pass
