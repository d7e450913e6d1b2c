"""The systemd units: `systemd-analyze verify` is clean and the service's exposure score is
2.0 or lower. Skipped (with the reason) where systemd-analyze is missing."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).parents[2] / "systemd"
INSTALLED_BINARY = "/opt/dolisync/.venv/bin/dolisync"
ANALYZE = shutil.which("systemd-analyze")
MAX_EXPOSURE = 2.0

pytestmark = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed: the unit files are not checked"
)


def _analyze(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    return subprocess.run(
        [ANALYZE, *args], capture_output=True, text=True, timeout=60, check=False, cwd=cwd
    )


def test_units_verify_clean(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: point it at this checkout's dolisync instead
    # of the documented /opt path (the rest of each unit is checked as shipped).
    binary = Path(sys.executable).parent / "dolisync"
    assert binary.exists()
    for unit in UNITS.iterdir():
        text = unit.read_text().replace(INSTALLED_BINARY, str(binary))
        (tmp_path / unit.name).write_text(text)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["dolisync-resync.service", "dolisync-resync.timer", "dolisync.service"]
    result = _analyze("verify", *names, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # unknown or misspelt directives are only warnings: the output must be empty
    assert result.stdout + result.stderr == ""


def test_the_service_is_hardened() -> None:
    result = _analyze("security", "--offline=true", str(UNITS / "dolisync.service"))
    found = re.search(r"Overall exposure level for dolisync\.service: (\d+\.\d+)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found[1]) <= MAX_EXPOSURE, result.stdout


def test_the_service_unit_says_what_the_issue_requires() -> None:
    text = (UNITS / "dolisync.service").read_text()
    for line in (
        "Type=notify",
        "Restart=on-failure",
        "DynamicUser=yes",
        "StateDirectory=dolisync",
        "ConfigurationDirectory=dolisync",
        "LoadCredential=dolibarr-api-key:/etc/dolisync/api-key",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "ProtectSystem=strict",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service",
        "CapabilityBoundingSet=",
        "MemoryDenyWriteExecute=yes",
    ):
        assert re.search(rf"^{re.escape(line)}$", text, flags=re.MULTILINE), line
    assert re.search(r"^WatchdogSec=\S+$", text, flags=re.MULTILINE)
    assert f"ExecStart={INSTALLED_BINARY} --config /etc/dolisync/config.toml run" in text
