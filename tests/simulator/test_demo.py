"""``make demo``: the simulator starts and dolisync mirrors its tickets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_demo_mirrors_the_simulated_tickets(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "dolisync.demo", "--cycles", "2", "--interval", "0"]
    command += ["--store", str(tmp_path / "demo.db")]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "== sync 2 ==" in result.stdout
    assert "someone just changed tickets" in result.stdout
    assert re.search(r"^tickets +200 ", result.stdout, re.MULTILINE), result.stdout
