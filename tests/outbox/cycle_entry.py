"""``python -m tests.outbox.cycle_entry CONFIG``: one cycle in a process of its own.

The kill tests SIGKILL this process at random points; ``dolisync run --once`` does the same
work once the daemon's command exists (the test uses it then).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dolisync.config import load_config
from dolisync.cycle import run_cycle
from dolisync.service import Service


def main(argv: list[str]) -> int:
    config = load_config(Path(argv[1]))
    with Service(config) as service:
        report = run_cycle(service)
    print(report.summary_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
