"""[writeback]: the outbox's safety valves, their defaults, and every mistake reported."""

from __future__ import annotations

import re
from pathlib import Path

from dolisync.config import WritebackConfig, config_to_display
from dolisync.config.writeback_section import WRITEBACK_KEYS
from tests.config.conftest import MINIMAL, Fail, Load

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def test_defaults_write_with_caps_and_patient_retries(load: Load) -> None:
    config = load(MINIMAL)
    assert config.writeback == WritebackConfig()
    assert (config.writeback.dry_run, config.writeback.writes) == (False, True)
    assert config.writeback.retry_delay == 60.0
    assert config.sources["writeback.dry_run"] == "default"


def test_every_key_is_read(load: Load) -> None:
    config = load(
        MINIMAL
        + """
[writeback]
dry_run = true
writes = false
max_writes_per_cycle = 5
max_writes_per_ticket = 3
max_attempts = 7
max_attempts_rejected = 1
retry_delay = "10s"
retry_delay_max = "5m"
act_on_existing = true
"""
    )
    assert config.writeback == WritebackConfig(
        dry_run=True,
        writes=False,
        max_writes_per_cycle=5,
        max_writes_per_ticket=3,
        max_attempts=7,
        max_attempts_rejected=1,
        retry_delay=10.0,
        retry_delay_max=300.0,
        act_on_existing=True,
    )
    shown = config_to_display(config)["writeback"]
    assert (shown["retry_delay"], shown["retry_delay_max"], shown["writes"]) == ("10s", "5m", False)


def test_mistakes_are_all_reported_with_their_path(fail: Fail) -> None:
    problems = fail(
        MINIMAL
        + """
[writeback]
dry_run = "yes"
max_writes_per_cycle = 0
max_attempts = 3
max_attempts_rejected = 4
retry_delay = "1h"
retry_delay_max = "10m"
wirtes = false
"""
    )
    assert "true or false" in problems["writeback.dry_run"].message
    assert "from 1 to 10000" in problems["writeback.max_writes_per_cycle"].message
    assert "at most max_attempts (3)" in problems["writeback.max_attempts_rejected"].message
    assert "at least retry_delay (1h)" in problems["writeback.retry_delay_max"].message
    assert "did you mean 'writes'" in problems["writeback.wirtes"].message
    assert problems["writeback.retry_delay_max"].line is not None


def test_the_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    assert "\n[writeback]\n" in text
    for key in WRITEBACK_KEYS:
        assert re.search(rf"^# {key} = ", text, flags=re.MULTILINE), key
