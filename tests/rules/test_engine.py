"""Ordering, stop, enabled, caps, fires-once vs repeat, and what a firing records."""

from __future__ import annotations

from typing import Any

from dolisync.rules import RuleSet, Trigger, evaluate, firing_key, idempotency_key
from dolisync.rules.templates import Template
from tests.rules.builders import NOW, SOURCE, rule, ruleset, specs, ticket, view

TWO_ACTIONS = """
[[rules]]
name = "triage"
on = ["ticket.created"]
max_actions_per_run = 5
[rules.when]
severity_code = "HIGH"
[[rules.then]]
action = "assign"
user = "tech1"
[[rules.then]]
action = "set_status"
status = "assigned"
"""


def names(rules: str, **fields: Any) -> list[str]:
    result = evaluate(ruleset(rules), view(ticket(**fields)), Trigger.created(), now=NOW)
    return [firing.rule_name for firing in result.firings]


def test_rules_fire_in_file_order() -> None:
    rules = rule(name="b") + rule(name="a") + rule(name="c")
    assert names(rules) == ["b", "a", "c"]


def test_stop_skips_later_rules_once_a_rule_matched() -> None:
    rules = (
        rule(name="first")
        + rule('severity_code = "HIGH"', name="vip", extra="stop = true")
        + rule(name="later")
    )
    assert names(rules, severity_code="HIGH") == ["first", "vip"]
    assert names(rules, severity_code="LOW") == ["first", "later"]  # vip did not match


def test_stop_holds_even_when_the_stopping_rule_already_fired() -> None:
    rules = ruleset(rule(name="vip", extra="stop = true") + rule(name="later"))
    run = rules.start_run()
    first = run.evaluate(view(), Trigger.created(), now=NOW)
    again = run.evaluate(view(), Trigger.created(), now=NOW)
    assert [firing.rule_name for firing in first.firings] == ["vip"]
    assert again.firings == ()
    assert again.matched == ("vip",)


def test_disabled_rules_never_fire() -> None:
    rules = rule(name="off", extra="enabled = false\nstop = true") + rule(name="on")
    assert names(rules) == ["on"]


def test_a_rule_fires_once_per_ticket() -> None:
    rules = ruleset(rule(on='["ticket.created", "ticket.updated"]'))
    run = rules.start_run()
    assert len(run.evaluate(view(), Trigger.created(), now=NOW).firings) == 1
    assert run.evaluate(view(), Trigger.updated(["status"], seq=2), now=NOW).firings == ()
    other = view(ticket(id=13))
    assert len(run.evaluate(other, Trigger.updated(["status"], seq=3), now=NOW).firings) == 1


def test_fired_memory_from_earlier_runs_is_honoured() -> None:
    rules = ruleset(rule())
    key = firing_key("r", SOURCE, 12, None)
    assert evaluate(rules, view(), Trigger.created(), now=NOW, fired={key}).firings == ()
    assert evaluate(rules, view(ticket(id=99)), Trigger.created(), now=NOW, fired={key}).firings


def test_repeat_on_change_fires_again_for_each_new_change() -> None:
    rules = ruleset(rule(on='["ticket.updated"]', extra='repeat = "on_change"'))
    run = rules.start_run()
    first = run.evaluate(view(), Trigger.updated(["status"], seq=2), now=NOW).firings
    same = run.evaluate(view(), Trigger.updated(["status"], seq=2), now=NOW).firings
    later = run.evaluate(view(), Trigger.updated(["status"], seq=3), now=NOW).firings
    assert (len(first), len(same), len(later)) == (1, 0, 1)
    assert first[0].trigger_version == "change:2"
    assert first[0].key != later[0].key


def test_schedule_with_on_change_fires_once_per_ticket_state() -> None:
    rules = ruleset(rule(on='["schedule"]', extra='repeat = "on_change"'))
    run = rules.start_run()
    quiet = ticket(modified_at=100)
    assert run.evaluate(view(quiet), Trigger.schedule(quiet), now=NOW).firings
    assert not run.evaluate(view(quiet), Trigger.schedule(quiet), now=NOW + 60).firings
    touched = ticket(modified_at=200)
    assert run.evaluate(view(touched), Trigger.schedule(touched), now=NOW + 120).firings


def test_cap_withholds_whole_firings_and_says_so() -> None:
    # 2 actions per firing, cap 5: two tickets fit (4 actions), the third would make 6
    run = ruleset(TWO_ACTIONS).start_run()
    results = [
        run.evaluate(view(ticket(id=n, severity_code="HIGH")), Trigger.created(), now=NOW)
        for n in (1, 2, 3)
    ]
    assert [len(result.firings) for result in results] == [1, 1, 0]
    event = results[2].events[0]
    assert (event.event, event.rule_name, event.ticket_id) == ("rules.capped", "triage", 3)
    assert event.detail["limit"] == 5
    assert event.detail["used"] == 4
    assert results[2].matched == ("triage",)
    # a new run starts counting from zero, and the capped ticket was not marked as fired
    again = ruleset(TWO_ACTIONS).start_run()
    assert again.evaluate(
        view(ticket(id=3, severity_code="HIGH")), Trigger.created(), now=NOW
    ).firings


def test_caps_count_per_rule() -> None:
    capped = rule(name="small", extra="max_actions_per_run = 1")
    run = ruleset(capped + rule(name="big")).start_run()
    first = run.evaluate(view(ticket(id=1)), Trigger.created(), now=NOW)
    second = run.evaluate(view(ticket(id=2)), Trigger.created(), now=NOW)
    assert [firing.rule_name for firing in first.firings] == ["small", "big"]
    assert [firing.rule_name for firing in second.firings] == ["big"]


def test_firing_carries_what_the_audit_log_needs() -> None:
    rules = ruleset(TWO_ACTIONS)
    result = evaluate(rules, view(ticket(severity_code="HIGH")), Trigger.created(), now=NOW)
    (firing,) = result.firings
    assert (firing.rule_name, firing.source, firing.ticket_id) == ("triage", SOURCE, 12)
    assert (firing.ruleset_hash, firing.trigger, firing.at) == (rules.hash, "ticket.created", NOW)
    assert firing.trigger_version is None
    assert [(a.kind, a.index, dict(a.params)) for a in firing.actions] == [
        ("assign", 0, {"user": "tech1"}),
        ("set_status", 1, {"status": "assigned"}),
    ]
    document = firing.to_dict()
    assert document["actions"][1]["idempotency_key"] == idempotency_key(
        "triage", SOURCE, 12, 1, None
    )


def test_idempotency_keys_are_deterministic_and_distinct() -> None:
    key = idempotency_key("triage", SOURCE, 12, 0, None)
    assert key == idempotency_key("triage", SOURCE, 12, 0, None)
    others = {
        idempotency_key("triage", SOURCE, 12, 1, None),
        idempotency_key("triage", SOURCE, 13, 0, None),
        idempotency_key("triage", "other", 12, 0, None),
        idempotency_key("triage2", SOURCE, 12, 0, None),
        idempotency_key("triage", SOURCE, 12, 0, "change:5"),
    }
    assert key not in others
    assert len(others) == 5
    assert key.startswith("dsr-")
    assert all(char in "0123456789abcdef" for char in key.removeprefix("dsr-"))


def test_ruleset_hash_follows_the_rules_not_the_object() -> None:
    assert ruleset(TWO_ACTIONS).hash == ruleset(TWO_ACTIONS).hash
    assert ruleset(TWO_ACTIONS).hash != ruleset(TWO_ACTIONS.replace("tech1", "tech2")).hash
    two = specs(rule(name="a") + rule(name="b"))
    assert RuleSet(two).hash != RuleSet(tuple(reversed(two))).hash  # order matters


def test_actions_carry_rendered_parameters() -> None:
    rules = ruleset(
        """
[[rules]]
name = "onsite"
on = ["ticket.created"]
[[rules.then]]
action = "create_intervention"
description = "On-site work for {ticket.ref}: {ticket.subject}"
lines = [{ description = "Diagnosis for {customer.name}", duration = "1h30m" }]
[[rules.then]]
action = "post_message"
text = "Intervention {intervention.ref} created by rule {rule.name}."
[[rules.then]]
action = "set_severity"
severity = "HIGH"
[[rules.then]]
action = "set_category"
category = "ONSITE"
[[rules.then]]
action = "set_type"
type = "ISSUE"
[[rules.then]]
action = "assign"
user = 7
"""
    )
    from tests.rules.builders import customer

    acme = view(ticket(project_id=4, socid=3), customer=customer())
    (firing,) = evaluate(rules, acme, Trigger.created(), now=NOW).firings
    create, note, severity, category, kind, assign = (dict(a.params) for a in firing.actions)
    assert create == {
        "description": "On-site work for TS2612-0012: Printer broken",
        "project_id": 4,
        "socid": 3,
        "lines": ({"description": "Diagnosis for ACME Corp", "duration": 5400},),
    }
    assert note["private"] is True
    assert isinstance(note["text"], Template)
    assert note["text"].fields == {"intervention.ref"}
    assert note["text"].render({"intervention.ref": "FI2612-0001"}) == (
        "Intervention FI2612-0001 created by rule onsite."
    )
    assert firing.actions[1].pending_fields == {"intervention.ref"}
    assert firing.actions[0].pending_fields == frozenset()
    assert (severity, category, kind, assign) == (
        {"severity_code": "HIGH"},
        {"category_code": "ONSITE"},
        {"type_code": "ISSUE"},
        {"user": 7},
    )


def test_project_none_or_an_id() -> None:
    base = """
[[rules]]
name = "i"
on = ["ticket.created"]
[[rules.then]]
action = "create_intervention"
project = {}
"""
    for project, expected in (('"none"', None), ("9", 9), ('"ticket"', 4)):
        rules = ruleset(base.format(project))
        (firing,) = evaluate(rules, view(ticket(project_id=4)), Trigger.created(), now=NOW).firings
        assert firing.actions[0].params["project_id"] == expected
