"""The benchmarks still run: ``benchmarks.run`` at 300 tickets writes a complete sync.json.

Only the shape and the counts are checked, never a timing (the machine is shared and noisy).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run

TICKETS = 300
TOUCHED = 3  # 1% of TICKETS
KINDS = ("full", "incremental", "noop")
RUN_FIELDS: dict[str, type | tuple[type, ...]] = {
    "tool": str,
    "kind": str,
    "tickets": int,
    "rows": int,
    "requests": int,
    "bytes": int,
    "wall_seconds": float,
    "sync_seconds": float,
    "rows_per_second": (int, float),
    "peak_rss_mib": float,
    "simulator_seconds": float,
    "simulator_share": float,
    "simulator_share_method": str,
    "replay_seconds": float,
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench")
    argv = ["--only", "sync", "--tickets", str(TICKETS), "--repeats", "1", "--out", str(folder)]
    assert run.main(argv) == 0
    return folder


@pytest.fixture(scope="module")
def result(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "sync.json").read_text(encoding="utf-8"))
    return loaded


def test_the_result_file_holds_every_scenario_the_baseline_and_the_machine(
    result: dict[str, Any],
) -> None:
    assert result["benchmark"] == "sync"
    assert set(result["scenarios"]) == {f"{kind}_{TICKETS}" for kind in KINDS}
    assert set(result["baseline"]) == {str(TICKETS)}
    machine = result["machine"]
    assert machine["cpu_count"] >= 1
    assert machine["python"].count(".") == 2
    assert machine["dolisync_version"]
    assert machine["timestamp"].startswith("20")


def test_every_run_reports_rows_requests_bytes_time_memory_and_the_servers_share(
    result: dict[str, Any],
) -> None:
    runs = [*result["scenarios"].values(), *result["baseline"].values()]
    for measured in runs:
        for field, kind in RUN_FIELDS.items():
            assert isinstance(measured[field], kind), (measured["kind"], field, measured[field])
        assert measured["wall_seconds"] > 0
        assert measured["peak_rss_mib"] > 0
        assert measured["simulator_share_method"] in ("replay", "request_log")
        assert measured["simulator_seconds"] > 0
        assert measured["replay_seconds"] > 0


def test_the_counts_are_what_the_scenarios_asked_for(result: dict[str, Any]) -> None:
    scenarios = result["scenarios"]
    full_pages = math.ceil(TICKETS / 100)
    assert scenarios[f"full_{TICKETS}"]["rows"] == TICKETS
    assert scenarios[f"full_{TICKETS}"]["requests"] >= full_pages
    assert scenarios[f"incremental_{TICKETS}"]["rows"] == TOUCHED
    assert scenarios[f"noop_{TICKETS}"]["rows"] == 0
    assert result["baseline"][str(TICKETS)]["rows"] == TICKETS
    assert result["baseline"][str(TICKETS)]["requests"] >= full_pages


def test_dolisync_is_compared_with_the_baseline(result: dict[str, Any]) -> None:
    verdict = result["comparison"][str(TICKETS)]
    expected = round(verdict["dolisync_seconds"] / verdict["baseline_seconds"], 3)
    assert verdict["ratio"] == expected
    assert verdict["meets_goal"] == (verdict["ratio"] <= verdict["goal"])
    assert result["memory"]["dolisync_full_peak_rss_mib"][str(TICKETS)] > 0


def test_the_summary_table_lists_every_scenario(result: dict[str, Any]) -> None:
    text = "\n".join(run.sync_summary(result))
    for name in [*result["scenarios"], f"baseline_{TICKETS}"]:
        assert name in text
    assert "vs baseline" in text
