"""The ``[writeback]`` section: the outbox's safety valves and retry policy.

What this module knows: its keys, defaults, checks and how ``config show`` prints them. What
each valve does is documented in docs/writeback.md and config.example.toml.
"""

from __future__ import annotations

from typing import Any, Final

from dolisync.config import checks
from dolisync.config.model import WritebackConfig
from dolisync.config.reader import Table
from dolisync.durations import format_duration

WRITEBACK_KEYS: Final = (
    "dry_run",
    "writes",
    "max_writes_per_cycle",
    "max_writes_per_ticket",
    "max_attempts",
    "max_attempts_rejected",
    "retry_delay",
    "retry_delay_max",
    "act_on_existing",
)
MAX_CAP: Final = 10_000
MAX_ATTEMPTS: Final = 100
DEFAULTS: Final = WritebackConfig()


def read_writeback(table: Table) -> WritebackConfig:
    """The section's values; a maximum below its minimum is a problem of the maximum."""
    cap = checks.integer_between(1, MAX_CAP)
    attempts = checks.integer_between(1, MAX_ATTEMPTS)
    config = WritebackConfig(
        dry_run=table.get("dry_run", checks.boolean, DEFAULTS.dry_run),
        writes=table.get("writes", checks.boolean, DEFAULTS.writes),
        max_writes_per_cycle=table.get("max_writes_per_cycle", cap, DEFAULTS.max_writes_per_cycle),
        max_writes_per_ticket=table.get(
            "max_writes_per_ticket", cap, DEFAULTS.max_writes_per_ticket
        ),
        max_attempts=table.get("max_attempts", attempts, DEFAULTS.max_attempts),
        max_attempts_rejected=table.get(
            "max_attempts_rejected", attempts, DEFAULTS.max_attempts_rejected
        ),
        retry_delay=table.get("retry_delay", checks.duration(), DEFAULTS.retry_delay),
        retry_delay_max=table.get("retry_delay_max", checks.duration(), DEFAULTS.retry_delay_max),
        act_on_existing=table.get("act_on_existing", checks.boolean, DEFAULTS.act_on_existing),
    )
    if config.retry_delay_max < config.retry_delay:
        table.collector.problem(
            table.path_of("retry_delay_max"),
            f"must be at least retry_delay ({format_duration(config.retry_delay)})",
        )
    if config.max_attempts_rejected > config.max_attempts:
        table.collector.problem(
            table.path_of("max_attempts_rejected"),
            f"must be at most max_attempts ({config.max_attempts})",
        )
    return config


def writeback_to_display(config: WritebackConfig) -> dict[str, Any]:
    """The section as ``config show`` prints it (durations as the file writes them)."""
    return {
        "dry_run": config.dry_run,
        "writes": config.writes,
        "max_writes_per_cycle": config.max_writes_per_cycle,
        "max_writes_per_ticket": config.max_writes_per_ticket,
        "max_attempts": config.max_attempts,
        "max_attempts_rejected": config.max_attempts_rejected,
        "retry_delay": format_duration(config.retry_delay),
        "retry_delay_max": format_duration(config.retry_delay_max),
        "act_on_existing": config.act_on_existing,
    }
