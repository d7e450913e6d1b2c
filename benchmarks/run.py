"""The benchmark runner: ``python -m benchmarks.run [--quick] [--only NAME]`` (``make bench``).

What this module knows: which benchmarks exist (``sync`` here, ``rules`` when
``benchmarks/bench_rules.py`` exists), where their results go (``benchmarks/results/<name>.json``,
written atomically), and how the sync result reads as a table. Progress goes to stderr,
the summary to stdout. Timings are reported, never judged: the exit code says only whether
every benchmark ran.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import bench_sync

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = ("sync", "rules")
RULES_MODULE = "benchmarks.bench_rules"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="only the 10k sync scenarios (for development)"
    )
    parser.add_argument("--only", choices=BENCHMARKS, help="run this benchmark only")
    parser.add_argument(
        "--tickets",
        type=int,
        action="append",
        metavar="N",
        help="sync benchmark ticket counts instead of 10k and 100k (repeatable)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help="first loads per size, fastest kept (default: 3 up to 20k tickets, else 1)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the sync benchmark's stores go (default: the system's temp folder; "
        "e.g. /dev/shm to leave the disk out of the comparison)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = [args.only] if args.only else list(BENCHMARKS)
    failed = False
    for name in chosen:
        try:
            if name == "sync":
                run_sync(args)
            else:
                failed |= not run_rules(args, asked=args.only == "rules")
        except Exception as error:  # report and go on with the next benchmark
            print(f"benchmark {name} failed: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def run_sync(args: argparse.Namespace) -> None:
    sizes = args.tickets or (bench_sync.QUICK_SIZES if args.quick else bench_sync.DEFAULT_SIZES)
    result = bench_sync.run(sizes, repeats=args.repeats, workdir=args.workdir, say=_progress)
    path = write_result(result, args.out / "sync.json")
    print("\n".join(sync_summary(result)))
    print(f"written: {path}")


def run_rules(args: argparse.Namespace, *, asked: bool) -> bool:
    """Run ``bench_rules.run()`` if it exists; False only when it was asked for and is missing."""
    if importlib.util.find_spec(RULES_MODULE) is None:
        print(f"rules benchmark: {RULES_MODULE} does not exist yet; skipped", file=sys.stderr)
        return not asked
    module = importlib.import_module(RULES_MODULE)
    bench: Callable[..., dict[str, Any]] = module.run
    _progress("[rules] running")
    wants_quick = "quick" in inspect.signature(bench).parameters
    result = bench(quick=args.quick) if wants_quick else bench()
    path = write_result(result, args.out / "rules.json")
    summary = getattr(module, "summary_lines", None)
    lines = summary(result) if callable(summary) else [json.dumps(result, indent=2)[:4000]]
    print("\n".join(["", "rules benchmark", *lines]))
    print(f"written: {path}")
    return True


def write_result(result: dict[str, Any], path: Path) -> Path:
    """Write ``result`` as JSON, atomically (a reader never sees half a file)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


# -- the sync summary -------------------------------------------------------------------------

_COLUMNS = (
    ("scenario", "<18"),
    ("rows", ">7"),
    ("requests", ">8"),
    ("MiB sent", ">8"),
    ("wall s", ">7"),
    ("sync s", ">7"),
    ("rows/s", ">8"),
    ("RSS MiB", ">7"),
    ("sim share", ">9"),
)


def sync_summary(result: dict[str, Any]) -> list[str]:
    """The sync result as a table and a few verdict lines."""
    machine = result["machine"]
    lines = [
        "",
        f"sync benchmark — dolisync {machine['dolisync_version']}, Python {machine['python']}, "
        f"{machine['cpu_count']} CPUs, load {machine['load_average']}, "
        f"stores in {machine['scratch_dir']}",
        "  ".join(f"{title:{align}}" for title, align in _COLUMNS),
    ]
    for label in result["sizes"]:
        lines.append(_row(f"baseline_{label}", result["baseline"][label]))
        for kind in ("full", "incremental", "noop"):
            name = f"{kind}_{label}"
            lines.append(_row(name, result["scenarios"][name]))
    lines.append("")
    for label, verdict in result["comparison"].items():
        met = "met" if verdict["meets_goal"] else "NOT met"
        lines.append(
            f"full {label} vs baseline: {verdict['ratio']}x wall (goal <= {verdict['goal']}x: "
            f"{met}); in-process {verdict['ratio_in_process']}x; client side only "
            f"{verdict['ratio_client_side']}x"
        )
    rss = result["memory"]["dolisync_full_peak_rss_mib"]
    growth = result["memory"]["growth"]
    lines.append(
        "dolisync peak RSS (full): "
        + ", ".join(f"{label} {mib} MiB" for label, mib in rss.items())
        + (f" (x{growth} from the smallest)" if growth is not None else "")
    )
    for label in result["sizes"]:
        noop = result["scenarios"][f"noop_{label}"]
        lines.append(
            f"noop {label}: {noop['requests']} requests for {noop['listed']} rows re-listed "
            f"(ideal: the /status probe + {noop_ideal_listings(noop['listed'])} listing "
            "page(s) for the rows inside the overlap window)"
        )
    lines.append(f"simulator share: {result['method']['simulator_share']}")
    return lines


def noop_ideal_listings(listed: int | None, page_size: int = 100) -> int:
    """Listing pages a no-op poll needs: the overlap window's rows, and at least one page."""
    return max(1, math.ceil((listed or 0) / page_size))


def _row(name: str, run: dict[str, Any]) -> str:
    share = run["simulator_share"]
    cells = [
        name,
        f"{run['rows']:,}",
        f"{run['requests']:,}",
        "-" if run["bytes"] is None else f"{run['bytes'] / 2**20:.1f}",
        f"{run['wall_seconds']:.2f}",
        "-" if run["sync_seconds"] is None else f"{run['sync_seconds']:.2f}",
        "-" if run["rows_per_second"] is None else f"{run['rows_per_second']:,.0f}",
        f"{run['peak_rss_mib']}",
        "-" if share is None else f"{share:.0%}",
    ]
    return "  ".join(f"{cell:{align}}" for cell, (_, align) in zip(cells, _COLUMNS, strict=True))


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
