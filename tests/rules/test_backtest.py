"""Backtest: replaying a real store's change log, with past states rebuilt from old values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dolisync.rules.backtest import BacktestReport, format_report, replay, timelines
from dolisync.store import Store
from tests.rules.builders import NOW, SOURCE, ruleset
from tests.rules.history import DAY, RULES, fill


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open("sqlite://") as opened:
        fill(opened)
        yield opened


def backtest(store: Store, days: float, *, tick: float = DAY) -> BacktestReport:
    history = timelines(store, SOURCE)
    return replay(ruleset(RULES), history, since=NOW - days * DAY, until=NOW, tick=tick)


def test_counts_per_rule_over_the_window(store: Store) -> None:
    report = backtest(store, 30)
    assert report.counts == {
        "started": 1,
        "onsite": 1,
        "reply": 1,
        "new": 1,
        "stale": 3,
        "never": 0,
    }
    assert report.tickets == 4
    assert [firing.at for firing in report.firings] == sorted(
        firing.at for firing in report.firings
    )


def test_past_states_are_rebuilt_from_the_change_log(store: Store) -> None:
    # ticket 1 is closed now; 10 days ago it moved to in_progress, and that is what fired
    (started,) = [firing for firing in backtest(store, 30).firings if firing.rule_name == "started"]
    assert (started.ticket_id, started.at, started.trigger) == (
        1,
        NOW - 10 * DAY,
        "ticket.changed.status",
    )
    assert started.actions[0].params["text"] == "now in_progress"


def test_each_event_is_evaluated_at_its_own_time(store: Store) -> None:
    firings = {
        (firing.rule_name, firing.ticket_id): firing.at for firing in backtest(store, 30).firings
    }
    assert firings[("onsite", 2)] == NOW - 5 * DAY
    assert firings[("reply", 3)] == NOW - 2 * DAY
    assert firings[("new", 4)] == NOW - DAY
    # schedule ticks: each stale ticket fires once, at the first tick of the window
    assert {ticket: at for (rule, ticket), at in firings.items() if rule == "stale"} == {
        1: NOW - 30 * DAY,
        2: NOW - 30 * DAY,
        3: NOW - 30 * DAY,
    }


def test_only_firings_inside_the_window_are_reported(store: Store) -> None:
    report = backtest(store, 3)
    assert report.counts["started"] == report.counts["onsite"] == 0
    assert (report.counts["reply"], report.counts["new"]) == (1, 1)
    # ticket 1 is closed by then: only 2 and 3 are still unread
    assert sorted(f.ticket_id for f in report.firings if f.rule_name == "stale") == [2, 3]
    assert report.since == NOW - 3 * DAY


def test_old_creations_stay_outside_a_short_window(store: Store) -> None:
    # tickets 1-3 appeared 40 days ago: "new" fired for them then, not in the last 30 days
    report = backtest(store, 50)
    assert report.counts["new"] == 4


def test_without_schedule_rules_there_are_no_ticks(store: Store) -> None:
    text = RULES.split('[[rules]]\nname = "stale"')[0]
    report = replay(ruleset(text), timelines(store, SOURCE), since=NOW - 30 * DAY, until=NOW)
    # 4 creations, 3 updates (ticket 1 twice, ticket 2 once), 1 message
    assert report.evaluations == 8


def test_report_as_text_and_json(store: Store) -> None:
    report = backtest(store, 30)
    lines = format_report(report)
    assert lines[0].startswith(
        f"ruleset {report.ruleset_hash}: 7 firings over the last 30d (4 tickets"
    )
    assert "  stale    3" in lines
    assert any(
        "TS2612-0001  started (ticket.changed.status): post_message" in line for line in lines
    )
    document = report.to_dict()
    assert document["counts"]["stale"] == 3
    assert len(document["firings"]) == 7
    assert document["firings"][0]["actions"][0]["idempotency_key"].startswith("dsr-")
