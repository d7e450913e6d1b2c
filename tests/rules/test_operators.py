"""Each condition operator, on the fields a lead would use it on."""

from __future__ import annotations

from typing import Any

import pytest

from dolisync.records import TICKET_STATUS_CODES
from dolisync.rules import TicketView
from tests.rules.builders import HOUR, NOW, customer, fires, message, rule, ticket, user, view

ONSITE = view(ticket(category_code="ONSITE", severity_code="HIGH", status=1, progress=40))


def holds(when: str, view_: TicketView, *, now: float = NOW) -> bool:
    return fires(rule(when), view_, now=now) == ["r"]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ('category_code = "ONSITE"', True),
        ('category_code = "REMOTE"', False),
        ('category_code = "onsite"', False),  # codes compare exactly
        ('category_code = { equals = "ONSITE" }', True),
        ("progress = 40", True),
        ("progress = 41", False),
    ],
)
def test_equals(when: str, expected: bool) -> None:
    assert holds(when, ONSITE) is expected


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ('severity_code = ["HIGH", "BLOCKING"]', True),
        ('severity_code = ["LOW", "NORMAL"]', False),
        ('severity_code = { one_of = ["BLOCKING", "HIGH"] }', True),
        ("progress = [10, 40]", True),
    ],
)
def test_one_of(when: str, expected: bool) -> None:
    assert holds(when, ONSITE) is expected


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ('severity_code = { not = "LOW" }', True),
        ('severity_code = { not = "HIGH" }', False),
        ('severity_code = { not = ["LOW", "HIGH"] }', False),
        ('type_code = { not = "ISSUE" }', True),  # no type at all is "not ISSUE"
    ],
)
def test_not(when: str, expected: bool) -> None:
    assert holds(when, ONSITE) is expected


@pytest.mark.parametrize(
    ("subject", "pattern", "expected"),
    [
        ("Need an ON-SITE visit", "(?i)on.?site|sur site", True),
        ("Intervention sur site demain", "(?i)on.?site|sur site", True),
        ("Need an ON-SITE visit", "on.?site", False),  # case-sensitive unless (?i)
        ("Printer broken", "(?i)on.?site", False),
        ("ACME printer", "^ACME", True),  # searched anywhere, anchors work
        ("Big ACME printer", "^ACME", False),
    ],
)
def test_regex(subject: str, pattern: str, expected: bool) -> None:
    assert holds(f"subject = {{ regex = '{pattern}' }}", view(ticket(subject=subject))) is expected


def test_regex_looks_only_at_the_start_of_a_huge_text() -> None:
    # a hostile 1 MB message cannot make a regex scan all of it
    needle_far_away = "x" * 2_000_000 + "VISIT"
    assert not holds("message = { regex = 'VISIT' }", view(ticket(message=needle_far_away)))
    assert holds("message = { regex = 'VISIT' }", view(ticket(message="VISIT" + "x" * 100)))


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Could you VISIT us?", '["visit", "install"]', True),
        ("Please install the new one", '["visit", "install"]', True),
        ("Nothing to do", '["visit", "install"]', False),
        ("Straße gesperrt", '"STRASSE"', True),  # case-insensitive, Unicode-aware
    ],
)
def test_contains(text: str, words: str, expected: bool) -> None:
    assert holds(f"message = {{ contains = {words} }}", view(ticket(message=text))) is expected


@pytest.mark.parametrize(
    ("when", "hours_old", "expected"),
    [
        ('age = { over = "4h" }', 5, True),
        ('age = { over = "4h" }', 3, False),
        ('age = { under = "4h" }', 3, True),
        ('age = { under = "4h" }', 5, False),
        ('age = { over = "1h", under = "4h" }', 2, True),
        ('age = { over = "1h", under = "4h" }', 5, False),
        ("age = { over = 14400 }", 5, True),  # plain seconds
    ],
)
def test_age(when: str, hours_old: int, expected: bool) -> None:
    created = int(NOW - hours_old * HOUR)
    assert holds(when, view(ticket(created_at=created, modified_at=created))) is expected


def test_idle_counts_from_the_latest_change_or_message() -> None:
    old = int(NOW - 10 * HOUR)
    quiet = ticket(created_at=old, modified_at=int(NOW - 5 * HOUR))
    assert holds('idle = { over = "4h" }', view(quiet))
    # Dolibarr does not touch tms for a new message: the message itself counts
    answered = view(quiet, message=message(created_at=int(NOW - HOUR)))
    assert not holds('idle = { over = "4h" }', answered)
    assert holds('idle = { under = "2h" }', answered)
    assert not holds(
        'idle = { over = "4h" }', view(ticket(created_at=old, last_msg_at=int(NOW - 60)))
    )


def test_age_without_a_creation_date_never_matches() -> None:
    undated = view(ticket(created_at=None, modified_at=None))
    assert not holds('age = { over = "1s" }', undated)
    assert not holds('age = { under = "100d" }', undated)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("progress = { over = 39 }", True),
        ("progress = { over = 40 }", False),
        ("progress = { under = 50 }", True),
    ],
)
def test_over_under_on_numbers(when: str, expected: bool) -> None:
    assert holds(when, ONSITE) is expected


@pytest.mark.parametrize(
    ("when", "fields", "expected"),
    [
        ("assigned_user_id = { empty = true }", {}, True),
        ("assigned_user_id = { empty = true }", {"assigned_user_id": 5}, False),
        ("assigned_user_id = { empty = false }", {"assigned_user_id": 5}, True),
        ("origin_email = { empty = true }", {"origin_email": ""}, True),
    ],
)
def test_empty(when: str, fields: dict[str, Any], expected: bool) -> None:
    assert holds(when, view(ticket(**fields))) is expected


@pytest.mark.parametrize("name", list(TICKET_STATUS_CODES))
def test_status_by_every_name(name: str) -> None:
    at_status = view(ticket(status=TICKET_STATUS_CODES[name]))
    assert holds(f'status = "{name}"', at_status)
    assert not holds(f'status = {{ not = ["{name}"] }}', at_status)


def test_status_not_closed_or_canceled() -> None:
    when = 'status = { not = ["closed", "canceled"] }'
    assert holds(when, view(ticket(status=3)))
    assert not holds(when, view(ticket(status=8)))
    assert not holds(when, view(ticket(status=9)))


def test_any_group_is_an_or() -> None:
    when = 'any = [{ type_code = "ISSUE" }, { customer.name = { regex = "^ACME" } }]'
    assert holds(when, view(ticket(type_code="ISSUE")))
    assert holds(when, view(ticket(type_code="COM"), customer=customer(name="ACME Corp")))
    assert not holds(when, view(ticket(type_code="COM"), customer=customer(name="Globex")))


def test_each_any_member_is_an_and() -> None:
    when = 'any = [{ type_code = "ISSUE", severity_code = "HIGH" }, { progress = 100 }]'
    assert holds(when, view(ticket(type_code="ISSUE", severity_code="HIGH")))
    assert not holds(when, view(ticket(type_code="ISSUE", severity_code="LOW")))


def test_nested_groups() -> None:
    # (VIP or BLOCKING) and (ONSITE or subject mentions a visit): two OR groups need "all"
    when = """all = [
  { any = [{ customer.code_client = "VIP-1" }, { severity_code = "BLOCKING" }] },
  { any = [{ category_code = "ONSITE" }, { subject = { contains = "visit" } }] },
]"""
    vip = customer(code_client="VIP-1")
    assert holds(when, view(ticket(category_code="ONSITE"), customer=vip))
    assert holds(when, view(ticket(severity_code="BLOCKING", subject="Visit please")))
    assert not holds(when, view(ticket(category_code="ONSITE")))
    assert not holds(when, view(ticket(severity_code="BLOCKING")))
    deeper = 'any = [{ any = [{ progress = 1 }, { any = [{ type_code = "ISSUE" }] }] }]'
    assert holds(deeper, view(ticket(type_code="ISSUE")))


def test_customer_fields_as_dotted_keys_or_a_table() -> None:
    acme = view(ticket(socid=3), customer=customer(town="Lyon", country_code="FR"))
    assert holds('customer.town = "Lyon"', acme)
    assert holds('customer = { town = "Lyon", country_code = ["FR", "BE"] }', acme)
    assert not holds('customer.town = "Paris"', acme)


def test_missing_customer_or_assignee_fails_positive_tests_only() -> None:
    alone = view(ticket())
    assert not holds('customer.name = { regex = "." }', alone)
    assert holds("customer.name = { empty = true }", alone)
    assert holds('customer.name = { not = "ACME Corp" }', alone)
    assert not holds('assignee.login = "tech1"', alone)


def test_assignee_fields() -> None:
    assigned = view(ticket(assigned_user_id=5), assignee=user(firstname="Ana", lastname="Ruiz"))
    assert holds('assignee.login = "tech1"', assigned)
    assert holds('assignee.fullname = "Ana Ruiz"', assigned)
    assert holds("assignee.active = true", assigned)
    assert not holds("assignee.active = false", assigned)


def test_message_fields() -> None:
    from_customer = view(ticket(), message=message(text="Still broken", author_user_id=None))
    from_staff = view(ticket(), message=message(text="On my way", author_user_id=5))
    note = view(ticket(), message=message(text="internal", private=True, author_user_id=5))
    assert holds("message.from_customer = true", from_customer)
    assert not holds("message.from_customer = true", from_staff)
    assert not holds("message.from_customer = true", note)
    assert holds("message.private = true", note)
    assert holds("message = { private = true, author_user_id = 5 }", note)
    assert holds('message = { contains = "broken" }', from_customer)
    assert holds('message = { contains = "broken", private = false }', from_customer)
    assert not holds('message = { contains = "broken", private = true }', from_customer)


def test_message_is_the_opening_text_when_there_is_no_other() -> None:
    assert holds('message = { contains = "not print" }', view(ticket()))
    assert holds("message.from_customer = true", view(ticket(author_user_id=None)))
    assert not holds("message.from_customer = true", view(ticket(author_user_id=1)))


def test_empty_when_always_holds() -> None:
    assert holds("", view(ticket()))
