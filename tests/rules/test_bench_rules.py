"""The rules benchmark runs and writes the documented shape (at a tiny size: no timing)."""

from __future__ import annotations

from benchmarks import bench_rules


def test_the_rules_benchmark_runs_at_a_tiny_size() -> None:
    result = bench_rules.run(sizes=(150, 300), repeats=1)
    assert result["rules"] == 100
    assert set(result["sizes"]) == {"150", "300"}
    small, large = result["sizes"]["150"], result["sizes"]["300"]
    assert (small["tickets"], large["tickets"]) == (150, 300)
    assert 0 < small["firings"] <= large["firings"]
    assert result["goal"]["met"] is None  # 100k tickets were not measured
    assert result["linearity"] >= 1
    assert bench_rules.summary_lines(result)[-2].startswith("linearity")
    assert small["cpu_seconds"] >= 0
