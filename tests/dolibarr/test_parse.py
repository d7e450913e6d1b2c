"""Real answers of both Dolibarr versions become records; wrong shapes say what is wrong."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolisync.dolibarr.parse import (
    parse_intervention,
    parse_message,
    parse_record,
    parse_thirdparty,
    parse_ticket,
    parse_user,
)
from dolisync.errors import InvalidResponse
from dolisync.records import Entity, Intervention, Message, ThirdParty, Ticket, User
from tests.dolibarr.conftest import (
    V20,
    V22,
    VERSIONS,
    capture,
    capture_named,
    capture_path,
    index,
)

ROUTES: dict[Entity, str] = {
    "tickets": r"/tickets(/\d+)?",
    "interventions": r"/interventions(/\d+)?",
    "messages": r"/agendaevents(/\d+)?",
    "users": r"/users(/\d+)?",
    "thirdparties": r"/thirdparties(/\d+)?",
}


def full_object_captures() -> list[Any]:
    """Every successful list/get capture of the mirrored entities, both versions, whose
    rows are whole objects (a ``properties`` selection leaves fields out on purpose: such
    rows feed cursors, not the mirror)."""
    found = []
    for version in VERSIONS:
        for entry in index(version):
            path = entry["path"].removeprefix("/api/index.php")
            if entry["method"] != "GET" or entry["status"] != 200:
                continue
            cap = json.loads(capture_path(version, entry["file"]).read_text())
            if "properties" in cap["request"]["query"]:
                continue
            for entity, route in ROUTES.items():
                if re.fullmatch(route, path):
                    name = f"{version}/{entry['file']}"
                    found.append(pytest.param(version, cap, entity, id=name))
    return found


def rows_of(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and "pagination" in body:
        body = body["data"]
    return body if isinstance(body, list) else [body]


CAPTURES_TO_PARSE = full_object_captures()


def test_the_capture_selection_covers_both_versions_and_every_entity():
    chosen = {(p.values[0], p.values[2]) for p in CAPTURES_TO_PARSE}
    assert chosen == {(v, e) for v in VERSIONS for e in ROUTES}


@pytest.mark.parametrize(("version", "cap", "entity"), CAPTURES_TO_PARSE)
def test_every_capture_of_both_versions_parses(version, cap, entity):
    rows = rows_of(cap["response"]["body"])
    records = [(row, parse_record(entity, row, source="main")) for row in rows]
    parsed = [(row, record) for row, record in records if record is not None]
    if entity != "messages":  # only agenda events that are not ticket messages give None
        assert len(parsed) == len(rows)
    for row, record in parsed:
        assert record.id == int(row["id"])
        assert record.source == "main"
        assert record.raw is row


@pytest.mark.parametrize("version", VERSIONS)
def test_ticket_fields(version):
    raw = capture(version, 62)["response"]["body"]

    ticket = parse_ticket(raw, source="main")

    assert isinstance(ticket, Ticket)
    assert (ticket.id, ticket.ref, ticket.status, ticket.status_name) == (
        1,
        "TS2612-0001",
        0,
        "not_read",
    )
    assert ticket.subject == "Oven does not heat any more"
    assert (ticket.type_code, ticket.category_code, ticket.severity_code) == (
        "ISSUE",
        "ONSITE",
        "HIGH",
    )
    assert ticket.socid == 1
    assert ticket.project_id is None
    assert ticket.assigned_user_id is None
    assert ticket.author_user_id == 1
    assert ticket.progress == 0
    assert ticket.created_at == raw["datec"]
    assert ticket.modified_at == raw["tms"]
    assert (ticket.read_at, ticket.closed_at, ticket.last_msg_at) == (None, None, None)


@pytest.mark.parametrize("version", VERSIONS)
def test_closed_ticket_has_its_close_date(version):
    answer = capture_named(version, "probe_ticket_put_close_with_date_close")
    ticket = parse_ticket(answer["response"]["body"], source="main")
    assert ticket.status == 8
    assert ticket.closed_at == answer["request"]["body"]["date_close"]


def test_an_unknown_ticket_status_is_kept():
    raw = dict(capture(V22, 62)["response"]["body"], status="42", fk_statut="42")
    ticket = parse_ticket(raw, source="main")
    assert ticket.status == 42
    assert ticket.status_name == "unknown_42"


@pytest.mark.parametrize("version", VERSIONS)
def test_intervention_with_a_ticket_link(version):
    intervention = parse_intervention(
        capture(version, 148)["response"]["body"], source="main", detail=True
    )
    assert isinstance(intervention, Intervention)
    assert intervention.ref == "(PROV2)"
    assert intervention.linked_ticket_ids == (1,)
    assert intervention.project_id == 1
    assert intervention.status == 0
    assert intervention.modified_at is not None


@pytest.mark.parametrize(("version", "number", "total"), [(V22, 246, 2400), (V20, 239, 4200)])
def test_intervention_lines_and_duration(version, number, total):
    intervention = parse_intervention(capture(version, number)["response"]["body"], source="m")
    assert intervention.duration == total
    assert sum(line.duration for line in intervention.lines) == total
    assert all(line.intervention_id == intervention.id for line in intervention.lines)
    assert all(line.date for line in intervention.lines)
    assert intervention.linked_ticket_ids == ()  # "linkedObjectsIds": []
    assert intervention.project_id is None  # fk_project "0"


def test_line_duration_in_the_old_duree_field():
    raw = dict(capture(V22, 148)["response"]["body"])
    raw["lines"] = [{"id": "7", "desc": "old", "datei": 1796570430, "duree": "5400", "rang": "2"}]
    (line,) = parse_intervention(raw, source="m").lines
    assert (line.id, line.duration, line.date, line.rank, line.description) == (
        7,
        5400,
        1796570430,
        2,
        "old",
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_intervention_list_items_have_unknown_links(version):
    for raw in capture_named(version, "interventions_list")["response"]["body"]:
        assert parse_intervention(raw, source="m").linked_ticket_ids is None


def test_a_single_get_with_null_links_means_no_link():
    raw = dict(capture(V22, 148)["response"]["body"], linkedObjectsIds=None)
    assert parse_intervention(raw, source="m", detail=True).linked_ticket_ids == ()


def test_links_as_a_list_of_ticket_ids():
    raw = dict(capture(V22, 148)["response"]["body"], linkedObjectsIds={"ticket": ["3", 5]})
    assert parse_intervention(raw, source="m").linked_ticket_ids == (3, 5)


@pytest.mark.parametrize("version", VERSIONS)
def test_agenda_events_become_messages_or_none(version):
    number = 266 if version == V22 else 262
    public, private = capture(version, number)["response"]["body"]

    first = parse_message(public, source="m")
    second = parse_message(private, source="m")

    assert isinstance(first, Message)
    assert isinstance(second, Message)
    assert (first.ticket_id, first.code, first.private) == (172, "TICKET_MSG", False)
    assert first.text.startswith("[dolisync:msg:172-1]")
    assert (second.code, second.private) == ("TICKET_MSG_PRIVATE", True)
    assert first.author_user_id == 1
    assert first.created_at == public["datec"]


def test_automatic_agenda_events_are_not_messages():
    raw = dict(capture(V22, 266)["response"]["body"][0], code="AC_TICKET_MODIFY")
    assert parse_message(raw, source="m") is None
    other = dict(capture(V22, 266)["response"]["body"][0], elementtype="fichinter")
    assert parse_message(other, source="m") is None


@pytest.mark.parametrize("version", VERSIONS)
def test_user_and_thirdparty(version):
    user = parse_user(capture(version, 22)["response"]["body"], source="m")
    company = parse_thirdparty(capture(version, 26)["response"]["body"], source="m")

    assert isinstance(user, User)
    assert user.login
    assert user.active is True
    assert user.admin is False
    assert user.modified_at is not None
    assert isinstance(company, ThirdParty)
    assert company.name == "Boulangerie Dupont"
    assert (company.client, company.status, company.country_code) == (1, 1, "FR")
    assert company.name_alias is None  # ""
    assert company.modified_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "abc", r"ticket abc: field 'id' should be a whole number"),
        ("datec", "yesterday", r"ticket 1: field 'datec' should be a whole number"),
        ("status", None, r"ticket 1: field 'status' is empty"),
        ("subject", {"x": 1}, r"ticket 1: field 'subject' should be text"),
        ("fk_soc", True, r"ticket 1: field 'socid' should be a number"),
    ],
)
def test_a_wrong_shape_names_entity_id_and_field(field, value, message):
    raw = dict(capture(V22, 62)["response"]["body"])
    raw[field] = value
    if field == "status":
        raw["fk_statut"] = None
    if field == "fk_soc":
        raw["socid"] = True

    with pytest.raises(InvalidResponse, match=message):
        parse_ticket(raw, source="m")


def test_partial_rows_are_not_records():
    (row,) = capture(V22, 322)["response"]["body"]  # properties=id,ref,track_id
    with pytest.raises(InvalidResponse, match="field 'subject' is missing"):
        parse_ticket(row, source="m")


def test_bad_intervention_lines_and_links():
    raw = dict(capture(V22, 148)["response"]["body"])
    with pytest.raises(InvalidResponse, match="intervention 2: field 'lines'"):
        parse_intervention(dict(raw, lines="none"), source="m")
    with pytest.raises(InvalidResponse, match=r"intervention 2: field 'linkedObjectsIds\.ticket'"):
        parse_intervention(dict(raw, linkedObjectsIds={"ticket": {"1": "x"}}), source="m")
    with pytest.raises(InvalidResponse, match="intervention 2 line"):
        parse_intervention(dict(raw, lines=[{"id": "?"}]), source="m")


def test_a_non_object_is_an_invalid_response():
    with pytest.raises(InvalidResponse, match="expected a JSON object"):
        parse_ticket(["not", "a", "ticket"], source="m")  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
ANY_FIELD_CASES = [
    ("tickets", 62),
    ("interventions", 148),
    ("users", 22),
    ("thirdparties", 26),
    ("messages", 239),
]


def parse_error(entity: Entity, raw: dict[str, Any]) -> InvalidResponse | None:
    try:
        parse_record(entity, raw, source="m")
    except InvalidResponse as error:
        return error
    return None


@pytest.mark.parametrize(("entity", "number"), ANY_FIELD_CASES)
@given(data=st.data())
def test_any_value_in_any_field_parses_or_is_an_invalid_response(entity, number, data):
    raw = copy.deepcopy(capture(V22, number)["response"]["body"])
    field = data.draw(st.sampled_from(sorted(raw)))
    raw[field] = data.draw(json_values)

    error = parse_error(entity, raw)  # anything but InvalidResponse escapes and fails

    assert error is None or "\n" not in str(error)
