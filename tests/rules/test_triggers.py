"""Each trigger, and the loop guard: dolisync's own writes never make a rule fire."""

from __future__ import annotations

import pytest

from dolisync.rules import Trigger
from tests.rules.builders import fires, message, rule, ticket, view

RULES = "".join(
    rule(on=f'["{name}"]', name=name.replace(".", "-"))
    for name in (
        "ticket.created",
        "ticket.updated",
        "ticket.changed.status",
        "ticket.changed.assigned_user_id",
        "ticket.message",
        "schedule",
    )
)
TICKET = ticket()


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        (Trigger.created(), ["ticket-created"]),
        (Trigger.updated(["subject"], seq=7), ["ticket-updated"]),
        (
            Trigger.updated(["status", "modified_at"], seq=8),
            ["ticket-updated", "ticket-changed-status"],
        ),
        (
            Trigger.updated(["assigned_user_id"], seq=9),
            ["ticket-updated", "ticket-changed-assigned_user_id"],
        ),
        (Trigger.message(50), ["ticket-message"]),
        (Trigger.schedule(TICKET), ["schedule"]),
    ],
)
def test_each_trigger_reaches_the_rules_listening_to_it(
    trigger: Trigger, expected: list[str]
) -> None:
    assert fires(RULES, view(TICKET), trigger=trigger) == expected


def test_firing_records_the_on_entry_that_matched() -> None:
    from dolisync.rules import evaluate
    from tests.rules.builders import NOW, ruleset

    rules = ruleset(rule(on='["ticket.changed.status", "ticket.updated"]'))
    result = evaluate(rules, view(TICKET), Trigger.updated(["status"], seq=3), now=NOW)
    assert [firing.trigger for firing in result.firings] == ["ticket.changed.status"]
    result = evaluate(rules, view(TICKET), Trigger.updated(["subject"], seq=4), now=NOW)
    assert [firing.trigger for firing in result.firings] == ["ticket.updated"]


def test_message_trigger_sees_the_triggering_message() -> None:
    rules = rule('message = { contains = "urgent" }', on='["ticket.message"]')
    urgent = view(ticket(), message=message(id=51, text="URGENT please"))
    calm = view(ticket(), message=message(id=52, text="no hurry"))
    assert fires(rules, urgent, trigger=Trigger.message(51)) == ["r"]
    assert fires(rules, calm, trigger=Trigger.message(52)) == []


def test_view_build_picks_the_triggering_message_else_the_latest_public_one() -> None:
    from dolisync.rules import TicketView

    older = message(id=1, text="first", created_at=100)
    newer = message(id=2, text="second", created_at=200)
    note = message(id=3, text="internal", created_at=300, private=True)
    messages = [older, note, newer]
    assert TicketView.build(TICKET, messages=messages).message == newer
    assert TicketView.build(TICKET, messages=messages, message_id=3).message == note
    assert TicketView.build(TICKET, messages=[]).message is None


@pytest.mark.parametrize(
    "trigger",
    [
        Trigger.created(own_write=True),
        Trigger.updated(["status"], seq=3, own_write=True),
        Trigger.message(50, own_write=True),
    ],
)
def test_own_writes_never_fire_a_rule(trigger: Trigger) -> None:
    from dolisync.rules import evaluate
    from tests.rules.builders import NOW, ruleset

    result = evaluate(ruleset(RULES), view(TICKET), trigger, now=NOW)
    assert result.firings == ()
    assert [event.event for event in result.events] == ["rules.own_write_ignored"]


def test_a_rule_reacting_to_its_own_status_change_does_not_loop() -> None:
    # set_status on "status changed" would loop forever if its own write came back as a trigger
    from dolisync.rules import evaluate
    from tests.rules.builders import NOW, ruleset

    rules = ruleset(
        """
[[rules]]
name = "bounce"
on = ["ticket.changed.status"]
repeat = "on_change"
[[rules.then]]
action = "set_status"
status = "in_progress"
"""
    )
    first = evaluate(rules, view(TICKET), Trigger.updated(["status"], seq=1), now=NOW)
    assert len(first.firings) == 1
    echo = evaluate(
        rules, view(TICKET), Trigger.updated(["status"], seq=2, own_write=True), now=NOW
    )
    assert echo.firings == ()


@pytest.mark.parametrize(
    ("name", "kind", "changed"),
    [
        ("ticket.created", "created", frozenset()),
        ("ticket.updated", "updated", frozenset()),
        ("ticket.changed.severity_code", "updated", frozenset({"severity_code"})),
        ("ticket.message", "message", frozenset()),
        ("schedule", "schedule", frozenset()),
    ],
)
def test_trigger_from_its_name(name: str, kind: str, changed: frozenset[str]) -> None:
    trigger = Trigger.named(name, TICKET, message_id=4)
    assert (trigger.kind, trigger.changed) == (kind, changed)
    assert trigger.matching([name]) == name


def test_unknown_trigger_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown trigger"):
        Trigger.named("ticket.deleted", TICKET)


def test_triggers_from_the_store_s_change_log() -> None:
    from dolisync.rules.triggers import trigger_for_change
    from dolisync.store import Change, ChangeKind

    def change(entity: str, kind: ChangeKind, **changes: tuple[object, object]) -> Change:
        return Change(
            seq=41, source="main", entity=entity, object_id=7, kind=kind, changes=changes, at=1.0
        )

    updated = trigger_for_change(change("tickets", "updated", status=(0, 3)))
    assert updated == Trigger.updated(["status"], seq=41)
    assert updated is not None
    assert updated.names == {"ticket.updated", "ticket.changed.status"}
    assert trigger_for_change(change("tickets", "created")) == Trigger.created()
    assert trigger_for_change(change("messages", "created")) == Trigger.message(7)
    own = trigger_for_change(change("messages", "created"), own_write=True)
    assert own is not None
    assert own.own_write
    assert trigger_for_change(change("tickets", "deleted")) is None
    assert trigger_for_change(change("interventions", "created")) is None
