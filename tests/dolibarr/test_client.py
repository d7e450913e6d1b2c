"""The client's lookups and writes, replayed against real answers of both versions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from responses import matchers

from dolisync.dolibarr.client import DolibarrClient
from dolisync.errors import NotFound, ServerError
from tests.dolibarr.conftest import BASE, V20, V22, VERSIONS, capture, capture_named, replay


def body_of(call: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(call.request.body)
    return data


@pytest.mark.parametrize("version", VERSIONS)
def test_get_ticket(rsps, client, version):
    replay(rsps, capture(version, 62))

    ticket = client.get_ticket(1)

    assert ticket.ref == "TS2612-0001"
    assert ticket.source == "main"


def test_unknown_ticket_is_not_found(rsps, client):
    replay(rsps, capture(V22, 65))

    with pytest.raises(NotFound, match="Ticket not found"):
        client.get_ticket(999999)


def test_a_fake_ticket_with_id_0_is_not_found(rsps, client):
    # 20.0.2 answers /tickets/ref/... with this specimen; treat any id 0 as "not found"
    replay(rsps, capture(V20, 63), path="/tickets/5")

    with pytest.raises(NotFound, match="id 0"):
        client.get_ticket(5)


@pytest.mark.parametrize("version", VERSIONS)
def test_find_ticket_by_track_id_filters_the_list_then_reads_it(rsps, client, version):
    found = capture_named(version, "tickets_find_by_track_id_filter")
    track_id = found["response"]["body"][0]["track_id"]
    replay(rsps, found)
    replay(rsps, capture_named(version, "probe_ticket_get_before_message"))

    ticket = client.find_ticket(track_id=track_id)

    assert ticket is not None
    assert (ticket.id, ticket.track_id) == (172, track_id)
    assert rsps.calls[0].request.params["sqlfilters"] == found["request"]["query"]["sqlfilters"]
    assert not any("/tickets/track_id/" in c.request.url for c in rsps.calls)


def test_find_ticket_by_ref_compares_exactly(rsps, client):
    rows = [{"id": "1", "ref": "ts2612-0001", "track_id": "a"}, {"id": "0", "ref": "TS2612-0001"}]
    rsps.add("GET", BASE + "/tickets", json=rows)

    assert client.find_ticket(ref="TS2612-0001") is None
    assert rsps.calls[0].request.params["sqlfilters"] == "(t.ref:=:'TS2612-0001')"


def test_find_ticket_needs_exactly_one_key(client):
    with pytest.raises(ValueError, match="exactly one"):
        client.find_ticket()


@pytest.mark.parametrize("version", VERSIONS)
def test_find_interventions_by_marker_lowest_first(rsps, client, version):
    recorded = capture_named(version, "interventions_find_by_ref_client_duplicates")
    replay(rsps, recorded)

    ids = client.find_interventions_by_ref_client("dolisync:ticket:172")

    assert ids == sorted(int(row["id"]) for row in recorded["response"]["body"])
    assert len(ids) == 2
    assert rsps.calls[0].request.params["sqlfilters"] == "(t.ref_client:=:'dolisync:ticket:172')"


@pytest.mark.parametrize("version", VERSIONS)
def test_find_message_by_marker_sends_the_captured_filter(rsps, client, version):
    recorded = capture_named(version, "agendaevents_find_message_by_marker")
    replay(rsps, recorded)

    ids = client.find_messages_by_marker(172, "dolisync:msg:172-1")

    assert ids == [int(recorded["response"]["body"][0]["id"])]
    assert rsps.calls[0].request.params["sqlfilters"] == recorded["request"]["query"]["sqlfilters"]


@pytest.mark.parametrize("version", VERSIONS)
def test_get_intervention_shows_links(rsps, client, version):
    replay(rsps, capture_named(version, "probe_intervention_get_marker"))

    intervention = client.get_intervention(18)

    assert intervention.ref_client == "dolisync:ticket:172"
    assert intervention.linked_ticket_ids == (172,)


@pytest.mark.parametrize("version", VERSIONS)
def test_get_user_and_thirdparty(rsps, client, version):
    replay(rsps, capture(version, 22))
    replay(rsps, capture(version, 26))

    assert client.get_user(2).id == 2
    assert client.get_thirdparty(1).name == "Boulangerie Dupont"


def test_ticket_dictionaries(rsps, client):
    replay(rsps, capture(V22, 10))
    replay(rsps, capture(V22, 11))
    replay(rsps, capture(V22, 12))

    assert "ISSUE" in {row["code"] for row in client.ticket_types()}
    assert {row["code"] for row in client.ticket_categories()} >= {"ONSITE", "REMOTE"}
    assert client.ticket_severities()


# -- writes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_closing_a_ticket_sends_both_status_names_and_a_close_date(rsps, client, clock, version):
    answer = capture_named(version, "probe_ticket_put_close_with_date_close")
    replay(rsps, answer)

    echoed = client.update_ticket(172, {"status": 8})

    sent = body_of(rsps.calls[0])
    assert sent["status"] == sent["fk_statut"] == 8
    assert sent["progress"] == 100
    assert sent["date_close"] == int(clock.now())
    assert sent["caller"] == "dolisync"
    assert echoed["id"] == "172"


def test_a_status_given_as_fk_statut_is_sent_under_both_names(rsps, client):
    rsps.add("PUT", BASE + "/tickets/5", json={"id": "5"})

    client.update_ticket(5, {"fk_statut": 3, "fk_user_assign": 2})

    sent = body_of(rsps.calls[0])
    assert (sent["status"], sent["fk_statut"], sent["fk_user_assign"]) == (3, 3, 2)
    assert "date_close" not in sent


def test_create_ticket(rsps, client):
    replay(rsps, capture(V22, 35))

    new_id = client.create_ticket(
        subject="Oven", message="Broken", socid=1, category_code="ONSITE", severity_code="HIGH"
    )

    assert new_id == 1
    sent = body_of(rsps.calls[0])
    assert sent["fk_soc"] == 1
    assert "type_code" not in sent


@pytest.mark.parametrize("version", VERSIONS)
def test_post_message_answers_the_ticket_id(rsps, client, version):
    replay(rsps, capture(version, 94))

    assert client.post_message("69lsdtbc9nvdjzct", "Internal note", private=True) == 1
    assert body_of(rsps.calls[0])["private"] == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_create_intervention_linked_to_its_ticket(rsps, client, version):
    recorded = capture_named(version, "probe_intervention_create_with_marker")
    replay(rsps, recorded)

    new_id = client.create_intervention(
        1, "On-site visit", ref_client="dolisync:ticket:172", origin_ticket_id=172
    )

    assert new_id == recorded["response"]["body"]
    sent = body_of(rsps.calls[0])
    assert (sent["origin"], sent["origin_id"], sent["fk_project"]) == ("ticket", 172, 0)
    assert sent["ref_client"] == "dolisync:ticket:172"


@pytest.mark.parametrize(("version", "expected"), [(V22, 8), (V20, None)])
def test_add_line_sends_both_duration_keys(rsps, client, version, expected):
    replay(rsps, capture(version, 1))
    replay(rsps, capture_named(version, "probe_intervention_add_line"))

    line_id = client.add_intervention_line(18, "On-site repair", 1796461200, 3600)

    assert line_id == expected
    sent = body_of(rsps.calls[-1])
    assert sent["duration"] == sent["duree"] == 3600
    assert sent["date"] == 1796461200


def test_validate_twice_is_a_no_op(rsps, client):
    replay(rsps, capture(V22, 160))
    replay(rsps, capture(V22, 161))

    assert client.validate_intervention(2) is not None
    assert client.validate_intervention(2) is None


def test_close_intervention_answers_the_object(rsps, client):
    replay(rsps, capture_named(V22, "probe_intervention_close"))

    closed = client.close_intervention(18)
    assert closed is not None
    assert closed["id"] == "18"


def test_a_failed_write_raises_at_once(rsps, client, clock):
    rsps.add("POST", BASE + "/interventions", status=502, body="Bad Gateway")

    with pytest.raises(ServerError):
        client.create_intervention(1, "x")

    assert len(rsps.calls) == 1
    assert clock.sleeps == []


def test_from_settings_builds_a_working_client(rsps):
    client = DolibarrClient.from_settings(
        BASE + "/", "the-key-0123456789", source="shop", timeout=(2.0, 4.0), max_attempts=2
    )
    rsps.add(
        "GET",
        BASE + "/status",
        json={"success": {"dolibarr_version": "22.0.4"}},
        match=[matchers.header_matcher({"DOLAPIKEY": "the-key-0123456789"})],
    )

    assert client.status().version == (22, 0, 4)
    assert client.source == "shop"
    assert client.stats.requests == 1
