"""``explain``: per rule, per condition, the value seen and true/false, and the verdict."""

from __future__ import annotations

from dolisync.rules import Trigger, firing_key
from dolisync.rules.explain import explain, format_explanation
from tests.rules.builders import HOUR, NOW, SOURCE, customer, rule, ruleset, ticket, view

RULES = ruleset(
    rule(
        """category_code = "ONSITE"
status = { not = ["closed", "canceled"] }
age = { over = "1h" }
any = [{ type_code = "ISSUE" }, { customer.name = { regex = "^ACME" } }]""",
        name="onsite",
        on='["ticket.created", "ticket.updated"]',
    )
    + rule(name="vip", extra="stop = true", when='customer.code_client = "VIP"')
    + rule(name="after-vip")
    + rule(name="off", extra="enabled = false")
    + rule(name="ticks", on='["schedule"]')
)
ACME = customer(code_client="VIP")


def verdicts(explanation: object) -> dict[str, str]:
    return {rule.name: rule.verdict for rule in explanation.rules}  # type: ignore[attr-defined]


def test_every_rule_gets_a_verdict() -> None:
    onsite = view(ticket(category_code="ONSITE", status=1), customer=ACME)
    explanation = explain(RULES, onsite, Trigger.created(), now=NOW)
    assert verdicts(explanation) == {
        "onsite": "fires",
        "vip": "fires",
        "after-vip": "not evaluated: rule 'vip' matched first (stop = true)",
        "off": "disabled",
        "ticks": "not listening to ticket.created",
    }
    assert [firing.rule_name for firing in explanation.evaluation.firings] == ["onsite", "vip"]


def test_conditions_show_the_value_seen_and_the_result() -> None:
    closed = view(
        ticket(category_code="ONSITE", status=8, type_code="COM"), customer=customer(name="Globex")
    )
    explanation = explain(RULES, closed, Trigger.created(), now=NOW)
    onsite = explanation.rules[0]
    assert onsite.verdict == "conditions false"
    shown = {(c.label, c.seen, c.holds) for c in onsite.conditions if c.seen is not None}
    assert shown == {
        ("category_code equals 'ONSITE'", "'ONSITE'", True),
        ("status not ['closed', 'canceled']", "closed", False),
        ("age over '1h'", "2h", True),
    }
    any_group = onsite.conditions[-1]
    assert (any_group.label, any_group.holds) == ("any of", False)
    assert [(c.label, c.seen, c.holds) for c in any_group.children] == [
        ("type_code equals 'ISSUE'", "'COM'", False),
        ("customer.name regex '^ACME'", "'Globex'", False),
    ]


def test_already_fired_and_own_write() -> None:
    onsite = view(ticket(category_code="ONSITE", type_code="ISSUE"))
    fired = {firing_key("onsite", SOURCE, 12, None)}
    explanation = explain(RULES, onsite, Trigger.updated(["status"], seq=4), now=NOW, fired=fired)
    assert verdicts(explanation)["onsite"] == "matched, but already fired for this ticket"
    own = explain(RULES, onsite, Trigger.updated(["status"], seq=5, own_write=True), now=NOW)
    assert verdicts(own)["onsite"] == "not evaluated: the change came from dolisync's own write"


def test_text_output() -> None:
    young = ticket(category_code="ONSITE", type_code="ISSUE", created_at=int(NOW - HOUR / 2))
    lines = format_explanation(explain(RULES, view(young), Trigger.created(), now=NOW))
    assert lines[0] == "ticket TS2612-0012 (id 12, source main, status not_read)"
    assert lines[1] == "trigger ticket.created, at 2026-12-04 16:00:00 UTC"
    assert "1. onsite: conditions false" in lines
    assert "   false age over '1h'  (seen: 30m)" in lines
    assert "   true  any of:" in lines
    assert "      true  type_code equals 'ISSUE'  (seen: 'ISSUE')" in lines
    assert "3. after-vip: fires" in lines
    assert "   -> post_message private=True, text='note from after-vip'" in lines


def test_json_shape() -> None:
    document = explain(RULES, view(), Trigger.schedule(ticket()), now=NOW).to_dict()
    assert document["ticket"] == {"source": SOURCE, "id": 12, "ref": "TS2612-0012"}
    assert document["trigger"] == "schedule"
    assert document["ruleset"] == RULES.hash
    ticks = document["rules"][-1]
    assert ticks["verdict"] == "fires"
    assert ticks["actions"][0]["params"]["text"] == "note from ticks"
    assert document["firings"][0]["rule"] == "ticks"
    assert document["rules"][0]["conditions"][0] == {
        "path": "rules[0].when.category_code",
        "condition": "category_code equals 'ONSITE'",
        "result": False,
        "seen": "(none)",
    }
