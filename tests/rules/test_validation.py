"""Strict validation: every problem reported at once, each at its dotted path and line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dolisync.rules import parse_rules
from dolisync.rules.spec import parse_rules_text
from tests.rules.builders import problems_of, rule, specs

ISSUE_EXAMPLE = Path(__file__).with_name("onsite.toml")

MANY_PROBLEMS = """
[[rules]]
name = "ok-rule"
on = ["ticket.created"]
[[rules.then]]
action = "set_status"
status = "read"

[[rules]]
name = "ok-rule"
on = ["ticket.created", "ticket.deleted", "ticket.changed.colour"]
stop = "yes"
max_actions_per_run = 0
repeat = "always"
colour = "red"
[rules.when]
status = { not = ["closed", "archived"] }
subject = { regex = "(unclosed" }
categroy_code = "ONSITE"
age = { over = "4 hours" }
severity_code = { like = "HIGH" }
progress = "ten"
any = []
customer.nickname = "x"
[[rules.then]]
action = "post_message"
text = "Hello {ticket.__class__}"
loud = true
[[rules.then]]
action = "set_status"
status = "done"
[[rules.then]]
action = "explode"
"""


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    problems = problems_of(MANY_PROBLEMS)
    assert set(problems) == {
        "rules[1].name",
        "rules[1].on[1]",
        "rules[1].on[2]",
        "rules[1].stop",
        "rules[1].max_actions_per_run",
        "rules[1].repeat",
        "rules[1].colour",
        "rules[1].when.status.not[1]",
        "rules[1].when.subject.regex",
        "rules[1].when.categroy_code",
        "rules[1].when.age.over",
        "rules[1].when.severity_code.like",
        "rules[1].when.progress",
        "rules[1].when.any",
        "rules[1].when.customer.nickname",
        "rules[1].then[0].text",
        "rules[1].then[0].loud",
        "rules[1].then[1].status",
        "rules[1].then[2].action",
    }
    assert "duplicate rule name 'ok-rule' (also rules[0])" in problems["rules[1].name"]
    assert "unknown status 'archived'" in problems["rules[1].when.status.not[1]"]
    assert "not a valid regular expression" in problems["rules[1].when.subject.regex"]
    assert "did you mean 'category_code'?" in problems["rules[1].when.categroy_code"]
    assert "category_code" in problems["rules[1].when.categroy_code"]  # lists what is allowed
    assert "is not a duration" in problems["rules[1].when.age.over"]
    assert "cannot watch field 'colour'" in problems["rules[1].on[2]"]
    assert "unknown field {ticket.__class__}" in problems["rules[1].then[0].text"]


def test_problems_carry_file_and_line() -> None:
    raw = tomllib.loads(MANY_PROBLEMS)["rules"]
    found, problems = parse_rules(raw, file="dolisync.toml", source_text=MANY_PROBLEMS)
    assert found == ()
    lines = {problem.path: problem.line or 0 for problem in problems}
    text_lines = MANY_PROBLEMS.splitlines()
    assert text_lines[lines["rules[1].when.subject.regex"] - 1].startswith("subject =")
    assert text_lines[lines["rules[1].then[0].loud"] - 1] == "loud = true"
    assert text_lines[lines["rules[1].name"] - 1] == 'name = "ok-rule"'
    assert lines["rules[1].name"] > 8  # the second rule's name, not the first
    assert all(problem.file == "dolisync.toml" for problem in problems)
    assert str(problems[0]).startswith(f"dolisync.toml:{problems[0].line}: rules[1].")


def test_without_text_there_are_no_lines() -> None:
    _, problems = parse_rules([{"name": "x"}])
    assert problems
    assert {problem.line for problem in problems} == {None}


def test_the_issue_example_is_valid() -> None:
    (spec,) = specs(ISSUE_EXAMPLE.read_text())
    assert spec.name == "onsite-needs-intervention"
    assert [action.kind for action in spec.then] == [
        "create_intervention",
        "post_message",
        "set_status",
    ]
    assert (spec.enabled, spec.stop, spec.max_actions_per_run, spec.repeat) == (
        True,
        False,
        50,
        "once",
    )


def test_defaults() -> None:
    (spec,) = specs(rule())
    assert (spec.enabled, spec.stop, spec.max_actions_per_run, spec.repeat) == (
        True,
        False,
        50,
        "once",
    )
    assert spec.then[0].settings["private"] is True  # notes are internal unless said otherwise


@pytest.mark.parametrize(
    ("raw", "path", "says"),
    [
        ({"rules": 3}, "rules", "must be a list of [[rules]] tables"),
        ({"rules": [3]}, "rules[0]", "must be a table"),
        ({"rules": [{}]}, "rules[0].name", "is required"),
        ({"rules": [{"name": "a b"}]}, "rules[0].name", "letters, digits"),
        ({"rules": [{"name": "a"}]}, "rules[0].on", "is required"),
        (
            {"rules": [{"name": "a", "on": "ticket.created"}]},
            "rules[0].on",
            'like on = ["ticket.created"]',
        ),
        ({"rules": [{"name": "a", "on": []}]}, "rules[0].on", "non-empty list"),
        ({"rules": [{"name": "a", "then": []}]}, "rules[0].then", "at least one action"),
        ({"rules": [{"name": "a", "when": [1]}]}, "rules[0].when", "must be a table of conditions"),
        ({"rules": [{"name": "a", "on": ["schedule", "schedule"]}]}, "rules[0].on[1]", "twice"),
        ({"rules": [{"name": "a", "enabled": "no"}]}, "rules[0].enabled", "true or false"),
        ({"rules": [{"name": "a", "description": 5}]}, "rules[0].description", "a text"),
        (
            {"rules": [{"name": "a", "max_actions_per_run": True}]},
            "rules[0].max_actions_per_run",
            "whole number",
        ),
    ],
)
def test_shape_problems(raw: dict[str, object], path: str, says: str) -> None:
    _, problems = parse_rules(raw["rules"])
    messages = {problem.path: problem.message for problem in problems}
    assert path in messages
    assert says in messages[path]


@pytest.mark.parametrize(
    ("when", "path", "says"),
    [
        ("category_code = 3", "rules[0].when.category_code", "must be a text"),
        ('progress = "x"', "rules[0].when.progress", "whole number"),
        ("progress = [1, true]", "rules[0].when.progress[1]", "whole number"),
        ('assignee.active = "yes"', "rules[0].when.assignee.active", "true or false"),
        ('status = "closd"', "rules[0].when.status", "unknown status 'closd'"),
        ('status = { regex = "c" }', "rules[0].when.status.regex", "unknown operator"),
        ('age = "4h"', "rules[0].when.age", 'like { over = "4h" }'),
        ('age = { over = "-1h" }', "rules[0].when.age.over", "not a duration"),
        ("age = {}", "rules[0].when.age", "empty table"),
        ("subject = { contains = [] }", "rules[0].when.subject.contains", "non-empty"),
        ('subject = { contains = ["a", 1] }', "rules[0].when.subject.contains", "non-empty"),
        ('subject = { regex = "" }', "rules[0].when.subject.regex", "non-empty"),
        ("subject = { empty = 1 }", "rules[0].when.subject.empty", "true or false"),
        ('subject = { equals = ["a"] }', "rules[0].when.subject.equals", "one value"),
        ('subject = { one_of = "a" }', "rules[0].when.subject.one_of", "must be a list"),
        ("subject = []", "rules[0].when.subject", "empty list"),
        ('progress = { over = "5" }', "rules[0].when.progress.over", "must be a number"),
        ("any = [{}]", "rules[0].when.any[0]", "empty table"),
        ("any = [1]", "rules[0].when.any[0]", "table of conditions"),
        ("any = [{ nope = 1 }]", "rules[0].when.any[0].nope", "unknown field"),
        ('customer = "ACME"', "rules[0].when.customer", "unknown field 'customer'"),
        ("ticket.ref = 'x'", "rules[0].when.ticket", "unknown field 'ticket'"),
        ('raw = "x"', "rules[0].when.raw", "unknown field 'raw'"),
    ],
)
def test_condition_problems(when: str, path: str, says: str) -> None:
    problems = problems_of(rule(when))
    assert path in problems, problems
    assert says in problems[path]


@pytest.mark.parametrize(
    ("action", "path", "says"),
    [
        ("action = 'set_status'", "rules[0].then[0].status", "is required"),
        ("action = 'set_status'\nstatus = 3", "rules[0].then[0].status", "must be a status"),
        ("action = 'assign'\nuser = 0", "rules[0].then[0].user", "login"),
        ("action = 'assign'\nuser = ''", "rules[0].then[0].user", "login"),
        ("action = 'set_severity'\nseverity = ''", "rules[0].then[0].severity", "severity code"),
        ("action = 'set_category'\ncategory = 1", "rules[0].then[0].category", "category code"),
        ("action = 'set_type'\ntype = ['A']", "rules[0].then[0].type", "type code"),
        ("action = 'post_message'\ntext = 1", "rules[0].then[0].text", "must be a text"),
        (
            "action = 'post_message'\ntext = 'x'\nprivate = 'no'",
            "rules[0].then[0].private",
            "true or false",
        ),
        (
            "action = 'create_intervention'\nproject = 'mine'",
            "rules[0].then[0].project",
            '"ticket", "none"',
        ),
        ("action = 'create_intervention'\nlines = 'x'", "rules[0].then[0].lines", "must be a list"),
        (
            "action = 'create_intervention'\nlines = [1]",
            "rules[0].then[0].lines[0]",
            "must be a table",
        ),
        (
            "action = 'create_intervention'\nlines = [{ description = 'x' }]",
            "rules[0].then[0].lines[0].duration",
            "is required",
        ),
        (
            "action = 'create_intervention'\nlines = [{ description = 'x', duration = 'soon' }]",
            "rules[0].then[0].lines[0].duration",
            "not a duration",
        ),
        (
            "action = 'create_intervention'\n"
            "lines = [{ description = 'x', duration = '1h', who = 1 }]",
            "rules[0].then[0].lines[0].who",
            "not a line setting",
        ),
        (
            "action = 'create_intervention'\ndescription = '{intervention.ref}'",
            "rules[0].then[0].description",
            "after a create_intervention",
        ),
        ("action = 'pst_message'", "rules[0].then[0].action", "did you mean 'post_message'?"),
        ("text = 'x'", "rules[0].then[0].action", "must be one of"),
    ],
)
def test_action_problems(action: str, path: str, says: str) -> None:
    text = f"""
[[rules]]
name = "r"
on = ["ticket.created"]
[[rules.then]]
{action}
"""
    problems = problems_of(text)
    assert path in problems, problems
    assert says in problems[path]


def test_no_rules_at_all_is_fine() -> None:
    assert parse_rules(None) == ((), [])
    assert parse_rules([]) == ((), [])


def test_rules_text_reports_toml_errors_and_missing_rules() -> None:
    _, problems = parse_rules_text("[[rules]\n", file="r.toml")
    assert "invalid TOML" in problems[0].message
    _, problems = parse_rules_text("[other]\n", file="r.toml")
    assert problems[0].path == "rules"
    found, problems = parse_rules_text(ISSUE_EXAMPLE.read_text())
    assert (len(found), problems) == (1, [])


def test_a_cap_below_the_rule_s_action_count_is_refused() -> None:
    problems = problems_of(
        rule(extra="max_actions_per_run = 1").replace(
            'text = "note',
            'text = "one"\n[[rules.then]]\naction = "set_status"\nstatus = "read"\n#',
        )
    )
    assert "fewer than the rule's 2 actions" in problems["rules[0].max_actions_per_run"]
