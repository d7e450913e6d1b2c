"""Open-ended input: any rule document is validated without crashing; any ticket evaluates."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dolisync.records import TICKET_STATUS_NAMES, Message, ThirdParty, Ticket, User
from dolisync.rules import RuleSet, TicketView, Trigger, parse_rules
from dolisync.rules.conditions import GROUP_KEYS, OPERATORS
from dolisync.rules.fields import (
    CHANGEABLE_FIELDS,
    CONDITION_FIELDS,
    DEFERRED_TEMPLATE_FIELDS,
    TEMPLATE_FIELDS,
    template_values,
)
from dolisync.rules.intents import compile_actions
from dolisync.rules.spec import RULE_KEYS
from dolisync.rules.triggers import TRIGGER_NAMES

EXAMPLE = tomllib.loads(Path(__file__).with_name("onsite.toml").read_text())["rules"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["ONSITE", "closed", "4h", "(", "{ticket.ref}", "{{", "ticket.created"]),
    st.datetimes(timezones=st.just(dt.UTC)),
)
keys = st.one_of(
    st.sampled_from(
        [
            *RULE_KEYS,
            *CONDITION_FIELDS,
            *GROUP_KEYS,
            *{op for ops in OPERATORS.values() for op in ops},
            "customer",
            "assignee",
            "action",
            "text",
            "status",
            "lines",
            "duration",
        ]
    ),
    st.text(max_size=6),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


@given(documents)
def test_any_document_gives_specs_or_problems_with_paths(raw: Any) -> None:
    specs, problems = parse_rules(raw, file="f.toml", source_text="[[rules]]\nname = 1\n")
    assert not (specs and problems)
    for problem in problems:
        assert problem.path.startswith("rules")
        assert problem.message


@st.composite
def mutated_example(draw: st.DrawFn) -> Any:
    """The issue's rule with one value somewhere replaced: near-valid documents."""
    rule: dict[str, Any] = {**EXAMPLE[0], "when": dict(EXAMPLE[0]["when"])}
    where = draw(st.sampled_from(["rule", "when", "then"]))
    value = draw(documents)
    if where == "rule":
        rule[draw(keys)] = value
    elif where == "when":
        rule["when"][draw(keys)] = value
    else:
        actions = [dict(action) for action in rule["then"]]
        actions[draw(st.integers(0, len(actions) - 1))][draw(keys)] = value
        rule["then"] = actions
    return [rule]


@given(mutated_example())
def test_near_valid_documents_never_crash(raw: Any) -> None:
    specs, problems = parse_rules(raw)
    assert bool(specs) != bool(problems)
    assert all(problem.path.startswith("rules[0]") for problem in problems)


maybe_int = st.none() | st.integers(min_value=0, max_value=2**40)
maybe_time = st.none() | st.integers(min_value=0, max_value=4_000_000_000)
codes = (
    st.none()
    | st.sampled_from(["ONSITE", "REMOTE", "HIGH", "BLOCKING", "ISSUE", ""])
    | st.text(max_size=5)
)

tickets = st.builds(
    Ticket,
    source=st.just("main"),
    id=st.integers(min_value=1, max_value=10**9),
    ref=st.text(max_size=12),
    track_id=st.text(max_size=8),
    subject=st.text(max_size=40),
    message=st.text(max_size=60),
    status=st.sampled_from([*TICKET_STATUS_NAMES, 4, 42, -1]),
    type_code=codes,
    category_code=codes,
    severity_code=codes,
    socid=maybe_int,
    project_id=maybe_int,
    assigned_user_id=maybe_int,
    author_user_id=maybe_int,
    progress=st.none() | st.integers(-5, 200),
    origin_email=st.none() | st.text(max_size=10),
    created_at=maybe_time,
    read_at=maybe_time,
    closed_at=maybe_time,
    last_msg_at=maybe_time,
    modified_at=maybe_time,
)
views = st.builds(
    TicketView,
    ticket=tickets,
    customer=st.none()
    | st.builds(
        ThirdParty, source=st.just("main"), id=st.integers(1, 9), name=st.text(max_size=10)
    ),
    assignee=st.none()
    | st.builds(User, source=st.just("main"), id=st.integers(1, 9), login=st.text(max_size=8)),
    message=st.none()
    | st.builds(
        Message,
        source=st.just("main"),
        id=st.integers(1, 99),
        ticket_id=st.integers(1, 9),
        code=st.just("TICKET_MSG"),
        private=st.booleans(),
        text=st.text(max_size=40),
        author_user_id=maybe_int,
        created_at=maybe_time,
    ),
)
triggers = st.one_of(
    st.builds(Trigger.created, own_write=st.booleans()),
    st.builds(Trigger.updated, st.sets(st.sampled_from(CHANGEABLE_FIELDS)), seq=st.integers(1, 99)),
    st.builds(Trigger.message, st.integers(1, 99)),
    tickets.map(Trigger.schedule),
)

BROAD_SPECS, BROAD_PROBLEMS = parse_rules(
    [
        *EXAMPLE,
        {
            "name": "everything",
            "on": list(TRIGGER_NAMES),
            "repeat": "on_change",
            "when": {
                "any": [
                    {"idle": {"over": "1d"}, "status": ["waiting", "closed"]},
                    {
                        "customer": {"name": {"regex": "(?i)a"}},
                        "assignee": {"login": {"empty": False}},
                    },
                    {"message": {"contains": "a", "private": False}, "progress": {"under": 50}},
                ]
            },
            "then": [
                {"action": "post_message", "text": "{ticket.subject} {customer.name} {rule.name}"}
            ],
        },
        *(
            {  # rules repeating costly tests: the ruleset runs each once per ticket
                "name": f"keywords-{number}",
                "on": ["ticket.created", "ticket.updated", "schedule"],
                "when": {
                    "subject": {"regex": "(?i)[a-f]{2}"},
                    "message": {"contains": ["ab", "c"]},
                    "severity_code": [["HIGH", "ONSITE"], ["ISSUE"], ["HIGH"]][number],
                    **({"status": {"not": ["closed"]}} if number else {}),
                },
                "then": [{"action": "set_status", "status": "read"}],
            }
            for number in range(3)
        ),
    ]
)
BROAD_RULES = RuleSet(BROAD_SPECS)


def test_the_broad_ruleset_is_valid() -> None:
    assert BROAD_PROBLEMS == []
    assert len(BROAD_RULES.specs) == 5


@given(views, triggers, st.floats(min_value=0, max_value=5e9))
def test_any_ticket_evaluates_without_raising(
    view: TicketView, trigger: Trigger, now: float
) -> None:
    result = BROAD_RULES.start_run().evaluate(view, trigger, now=now)
    assert {firing.rule_name for firing in result.firings} <= set(result.matched)


@given(st.lists(st.tuples(views, triggers), min_size=1, max_size=4))
def test_the_engine_matches_exactly_what_a_naive_evaluation_matches(
    cases: list[tuple[TicketView, Trigger]],
) -> None:
    # index, shared tests and compiled shortcuts change the cost, never the answer; several
    # tickets in a row, so a shared test's memory of the previous ticket is exercised too
    from dolisync.rules.compiled import compile_node

    now = 2e9
    run = BROAD_RULES.start_run()
    for view, trigger in cases:
        if trigger.own_write:
            continue
        listening = [spec for spec in BROAD_RULES.specs if trigger.matching(spec.on)]
        naive = [spec.name for spec in listening if compile_node(spec.when)(view, now)]
        assert run.evaluate(view, trigger, now=now).matched == tuple(naive)


ALL_FIELDS_TEXT = " ".join(
    f"{{{name}}}" for name in TEMPLATE_FIELDS if name not in DEFERRED_TEMPLATE_FIELDS
)
TEMPLATED_SPECS, TEMPLATED_PROBLEMS = parse_rules(
    [
        {
            "name": "every-field",
            "description": "",
            "on": ["ticket.created"],
            "then": [
                {"action": "post_message", "text": ALL_FIELDS_TEXT, "private": False},
                {
                    "action": "create_intervention",
                    "lines": [{"description": "{ticket.ref}", "duration": 60}],
                },
                {"action": "post_message", "text": "{intervention.ref}: {ticket.subject}"},
                {"action": "set_severity", "severity": "HIGH"},
            ],
        }
    ]
)


@given(views)
def test_compiled_actions_equal_the_general_path(view: TicketView) -> None:
    assert TEMPLATED_PROBLEMS == []
    (spec,) = TEMPLATED_SPECS
    fast = compile_actions(spec.then, rule_name=spec.name, rule_description=spec.description)
    general = tuple(
        action.intend(
            view,
            template_values(view, action.template_fields, rule_name=spec.name, rule_description=""),
        )
        for action in spec.then
    )
    assert fast(view) == general
