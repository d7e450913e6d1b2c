"""Small builders for rule tests: tickets, views and rulesets from TOML text."""

from __future__ import annotations

import tomllib
from typing import Any

from dolisync.records import Message, ThirdParty, Ticket, User
from dolisync.rules import RuleSet, TicketView, parse_rules
from dolisync.rules.spec import RuleSpec

SOURCE = "main"
NOW = 1_796_400_000.0  # 2026-12-04, as the captures
HOUR = 3600


def ticket(id: int = 12, **fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "source": SOURCE,
        "id": id,
        "ref": f"TS2612-{id:04d}",
        "track_id": f"track{id}",
        "subject": "Printer broken",
        "message": "It does not print.",
        "status": 0,
        "created_at": int(NOW - 2 * HOUR),
        "modified_at": int(NOW - 2 * HOUR),
    }
    values.update(fields)
    return Ticket(**values)


def customer(id: int = 3, **fields: Any) -> ThirdParty:
    return ThirdParty(**{"source": SOURCE, "id": id, "name": "ACME Corp", **fields})


def user(id: int = 5, **fields: Any) -> User:
    return User(**{"source": SOURCE, "id": id, "login": "tech1", **fields})


def message(id: int = 50, **fields: Any) -> Message:
    values: dict[str, Any] = {
        "source": SOURCE,
        "id": id,
        "ticket_id": 12,
        "code": "TICKET_MSG",
        "private": False,
        "text": "Any news?",
        "created_at": int(NOW - HOUR),
    }
    values.update(fields)
    return Message(**values)


def view(ticket_: Ticket | None = None, **related: Any) -> TicketView:
    return TicketView(ticket_ or ticket(), **related)


def specs(text: str) -> tuple[RuleSpec, ...]:
    """The specs of a TOML text that must be valid (the test fails with the problems if not)."""
    found, problems = parse_rules(tomllib.loads(text)["rules"], file="test.toml", source_text=text)
    assert problems == [], "\n".join(str(problem) for problem in problems)
    return found


def ruleset(text: str) -> RuleSet:
    return RuleSet(specs(text))


def problems_of(text: str) -> dict[str, str]:
    """Dotted path -> message of every problem in a TOML text."""
    found, problems = parse_rules(
        tomllib.loads(text).get("rules"), file="test.toml", source_text=text
    )
    assert found == ()
    return {problem.path: problem.message for problem in problems}


def rule(
    when: str = "", *, on: str = '["ticket.created"]', extra: str = "", name: str = "r"
) -> str:
    """One rule posting a private note, with ``when`` lines under [rules.when]."""
    return f"""
[[rules]]
name = "{name}"
on = {on}
{extra}
[rules.when]
{when}
[[rules.then]]
action = "post_message"
text = "note from {{rule.name}}"
"""


def fires(text: str, view_: TicketView, *, trigger: Any = None, now: float = NOW) -> list[str]:
    """The names of the rules that fire for ``view_`` (trigger: ticket.created by default)."""
    from dolisync.rules import Trigger, evaluate

    result = evaluate(ruleset(text), view_, trigger or Trigger.created(), now=now)
    return [firing.rule_name for firing in result.firings]
