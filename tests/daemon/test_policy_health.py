"""Which failures back off, and when the mirror counts as fresh."""

from __future__ import annotations

import pytest

from dolisync.daemon.health import judge
from dolisync.daemon.policy import Backoff, severity
from dolisync.daemon.schedule import Pending
from dolisync.errors import (
    AuthError,
    ConfigError,
    DolibarrTimeout,
    PermissionDenied,
    Problem,
    SchemaTooNew,
    ServerError,
    StoreError,
    StoreLocked,
    TransportError,
)
from dolisync.store import EntityStatus, SourceStatus


@pytest.mark.parametrize(
    "error",
    [
        TransportError("refused"),
        DolibarrTimeout("slow"),
        ServerError("500", status=500),
        StoreLocked("busy"),
    ],
)
def test_failures_that_fix_themselves_are_retried_on_time(error: Exception) -> None:
    assert severity(error) == "transient"


@pytest.mark.parametrize(
    "error",
    [
        AuthError("401", status=401),
        PermissionDenied("403", status=403),
        ConfigError([Problem(path="rules[0]", message="bad")]),
        SchemaTooNew("newer"),
        StoreError("disk full"),
        KeyError("a bug"),
    ],
)
def test_failures_that_need_an_admin_back_off(error: Exception) -> None:
    assert severity(error) == "needs_admin"


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(60.0, cap=300.0)
    assert [backoff.failed(0.0) for _ in range(5)] == [60.0, 120.0, 240.0, 300.0, 300.0]
    assert not backoff.allows(299.0)
    assert backoff.allows(300.0)
    backoff.succeeded()
    assert backoff.allows(0.0)
    assert backoff.failed(0.0) == 60.0


def _source(**last_syncs: float | None) -> SourceStatus:
    entities = {name: EntityStatus(rows=1, last_sync=at) for name, at in last_syncs.items()}
    return SourceStatus(source="default", entities=entities)


def test_fresh_mirror_is_healthy() -> None:
    health = judge(
        _source(tickets=990.0, users=995.0), ["tickets", "users"], now=1000.0, max_lag=60
    )
    assert health.ok
    assert health.lag == 10.0
    assert health.to_dict()["status"] == "ok"


def test_the_stalest_configured_entity_decides() -> None:
    source = _source(tickets=990.0, users=100.0)
    health = judge(source, ["tickets", "users"], now=1000.0, max_lag=60)
    assert not health.ok
    assert "users" in health.reason
    assert judge(source, ["tickets"], now=1000.0, max_lag=60).ok  # users not configured


def test_never_synced_is_not_healthy_yet() -> None:
    health = judge(_source(tickets=None), ["tickets"], now=1000.0, max_lag=60)
    assert not health.ok
    assert health.to_dict()["reason"] == "never synced yet: tickets"


def test_work_due_while_a_cycle_runs_is_remembered_once() -> None:
    pending = Pending()
    for work in ("cycle", "cycle", "schedule", "cycle"):
        pending.post(work)
    assert pending.take() == {"cycle", "schedule"}  # one cycle, with the time-rules pass
    assert pending.take() == frozenset()
