"""``dolisync simulator``: starts, prints its URL and key, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests


def test_simulator_command_serves_until_ctrl_c() -> None:
    command = [sys.executable, "-m", "dolisync", "simulator", "--port", "0", "--tickets", "5"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[1].split()[1]
        key = lines[2].split()[-1]
        answer = requests.get(
            url + "/api/index.php/tickets", headers={"DOLAPIKEY": key}, timeout=10
        )
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert answer.status_code == 200
    assert len(answer.json()) == 5


def test_bad_fault_spec_is_a_usage_error() -> None:
    command = [sys.executable, "-m", "dolisync", "simulator", "--faults", "error500=2"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "error500=2 must be a rate between 0 and 1" in result.stderr
