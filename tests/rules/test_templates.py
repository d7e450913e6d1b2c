"""Templates substitute named fields and nothing else; hostile input is refused or stays text."""

from __future__ import annotations

import pytest

from dolisync.rules import Template, Trigger, evaluate
from dolisync.rules.fields import DEFERRED_TEMPLATE_FIELDS, TEMPLATE_FIELDS
from tests.rules.builders import NOW, customer, problems_of, ruleset, ticket, view

ALLOWED = frozenset(TEMPLATE_FIELDS)


def note_rule(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f"""
[[rules]]
name = "note"
on = ["ticket.created"]
[[rules.then]]
action = "post_message"
text = "{escaped}"
"""


def rendered(text: str, view_: object = None) -> object:
    rules = ruleset(note_rule(text))
    (firing,) = evaluate(rules, view_ or view(), Trigger.created(), now=NOW).firings  # type: ignore[arg-type]
    return firing.actions[0].params["text"]


def test_named_fields_are_substituted() -> None:
    acme = view(ticket(status=3, severity_code="HIGH", socid=3), customer=customer())
    text = (
        "{ticket.ref} [{ticket.status}/{ticket.severity_code}] for {customer.name} by {rule.name}"
    )
    assert rendered(text, acme) == "TS2612-0012 [in_progress/HIGH] for ACME Corp by note"


def test_missing_values_render_empty() -> None:
    assert rendered("<{customer.name}><{ticket.type_code}>") == "<><>"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{ticket.__class__}", "unknown field {ticket.__class__}"),
        ("{ticket.raw}", "unknown field {ticket.raw}"),
        ("{ticket.subject.__class__}", "a placeholder is a field name"),
        ("{0}", "a placeholder is a field name"),
        ("{}", "a placeholder is a field name"),
        ("{ticket}", "a placeholder is a field name"),
        ("{ticket.subject!r}", "conversions, formats, indexes and calls are not supported"),
        ("{ticket.subject:>999999999}", "conversions, formats, indexes and calls"),
        ("{ticket.subject:{ticket.ref}}", "conversions, formats"),
        ("{ticket[0]}", "conversions, formats, indexes"),
        ("{ticket.ref()}", "conversions, formats, indexes and calls"),
        ("{{ticket.ref}}", "literal braces are not supported"),
        ("{{", "literal braces are not supported"),
        ("a } b", "closes nothing"),
        ("open {ticket.ref", "a placeholder is a field name"),
        ("{assignee.login}", "unknown field {assignee.login}"),
        ("{os.environ}", "unknown field {os.environ}"),
        ("{intervention.ref}", "only in actions after a create_intervention"),
    ],
)
def test_hostile_templates_are_refused_at_validation(template: str, says: str) -> None:
    problems = problems_of(note_rule(template))
    assert list(problems) == ["rules[0].then[0].text"]
    assert says in problems["rules[0].then[0].text"]


def test_values_are_never_read_as_templates_or_code() -> None:
    hostile = "{ticket.__class__} {intervention.ref} {0!r} {{ }} %s ${HOME}"
    text = rendered("[{ticket.subject}]", view(ticket(subject=hostile)))
    assert text == f"[{hostile}]"


def test_values_substituted_at_evaluation_are_not_reopened_by_the_outbox() -> None:
    rules = ruleset(
        """
[[rules]]
name = "i"
on = ["ticket.created"]
[[rules.then]]
action = "create_intervention"
[[rules.then]]
action = "post_message"
text = "{ticket.subject} -> {intervention.ref}"
"""
    )
    sly = view(ticket(subject="{intervention.ref}"))
    (firing,) = evaluate(rules, sly, Trigger.created(), now=NOW).firings
    template = firing.actions[1].params["text"]
    assert isinstance(template, Template)
    assert template.render({"intervention.ref": "FI-1"}) == "{intervention.ref} -> FI-1"
    # the stored form keeps the subject as text, apart from the one real placeholder
    stored = template.to_data()
    assert stored == ["{intervention.ref} -> ", {"field": "intervention.ref"}]
    assert Template.from_data(stored) == template


def test_render_needs_every_value() -> None:
    template = Template.parse("{intervention.ref} for {ticket.ref}", ALLOWED)
    assert template.fields == {"intervention.ref", "ticket.ref"}
    with pytest.raises(KeyError, match=r"intervention\.ref"):
        template.render({"ticket.ref": "T1"})
    bound = template.bind({"ticket.ref": "T1"})
    assert bound.fields == {"intervention.ref"}
    assert bound.text() is None
    assert bound.bind({"intervention.ref": "FI-1"}).text() == "FI-1 for T1"


@pytest.mark.parametrize("data", ["text", [1], [{"field": 1}], [{"field": "a", "x": 1}], None])
def test_from_data_refuses_what_to_data_never_writes(data: object) -> None:
    with pytest.raises(ValueError, match="stored template"):
        Template.from_data(data)


def test_deferred_fields_are_the_intervention_ones() -> None:
    assert set(DEFERRED_TEMPLATE_FIELDS) == {"intervention.id", "intervention.ref"}


def test_a_template_is_bounded_in_length() -> None:
    with pytest.raises(ValueError, match="longer than"):
        Template.parse("x" * 20_001, ALLOWED)
