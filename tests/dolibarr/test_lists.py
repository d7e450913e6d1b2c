"""List answers: both empty-list styles, the pagination envelope, and wrong shapes."""

from __future__ import annotations

import pytest

from dolisync.errors import InvalidResponse, NotFound
from tests.dolibarr.conftest import BASE, V20, V22, capture, replay


def test_pagination_data_envelope_is_unwrapped(rsps, client):
    recorded = capture(V22, 104)
    replay(rsps, recorded)

    rows = client.list_page("/tickets", limit=2, page=1, extra_params={"pagination_data": "true"})

    assert rows == recorded["response"]["body"]["data"]
    assert rsps.calls[0].request.params["pagination_data"] == "true"


def test_a_server_that_ignores_pagination_data_gives_the_plain_list(rsps, client):
    recorded = capture(V20, 104)
    replay(rsps, recorded)

    rows = client.list_page("/tickets", limit=2, page=1, extra_params={"pagination_data": "true"})

    assert rows == recorded["response"]["body"]


@pytest.mark.parametrize("version", [V22, V20])
def test_empty_list_is_200_and_empty(rsps, client, version):
    replay(rsps, capture(version, 120))

    assert client.list_page("/tickets", sqlfilters="(t.tms:>:'2027-12-04 15:17:14')") == []


@pytest.mark.parametrize("text", ["Not Found: No ticket found", "Not Found: No intervention found"])
def test_old_dolibarrs_404_for_an_empty_list_is_an_empty_list(rsps, client, text):
    rsps.add("GET", BASE + "/tickets", status=404, json={"error": {"code": 404, "message": text}})

    assert client.list_page("/tickets") == []


def test_a_404_for_an_unknown_route_still_raises(rsps, client):
    replay(rsps, capture(V22, 156), path="/tickets")  # Restler's "Not Found": no route

    with pytest.raises(NotFound):
        client.list_page("/tickets")


@pytest.mark.parametrize(
    "body",
    [{"id": "1"}, ["1", "2"], {"data": "x", "pagination": {}}, 3],
)
def test_anything_but_a_list_of_objects_is_an_invalid_response(rsps, client, body):
    rsps.add("GET", BASE + "/tickets", json=body)

    with pytest.raises(InvalidResponse, match="expected a list of objects"):
        client.list_page("/tickets")


def test_an_empty_body_is_not_an_empty_list(rsps, client):
    rsps.add("GET", BASE + "/tickets", body="", status=200)

    with pytest.raises(InvalidResponse):
        client.list_page("/tickets")


def test_list_parameters_are_sent_as_dolibarr_reads_them(rsps, client):
    rsps.add("GET", BASE + "/tickets", json=[])

    client.list_page(
        "/tickets",
        sqlfilters="(t.fk_statut:in:0,1,3)",
        sortfield="t.rowid",
        sortorder="DESC",
        limit=10,
        properties=["id", "ref"],
        page=2,
    )

    assert rsps.calls[0].request.params == {
        "sqlfilters": "(t.fk_statut:in:0,1,3)",
        "sortfield": "t.rowid",
        "sortorder": "DESC",
        "limit": "10",
        "properties": "id,ref",
        "page": "2",
    }


def test_fetch_by_ids_batches_an_in_filter(rsps, client):
    rsps.add("GET", BASE + "/tickets", json=[{"id": "1"}])

    client.fetch_by_ids("tickets", [*range(1, 151), 3])

    assert len(rsps.calls) == 2
    first = rsps.calls[0].request.params
    assert first["sqlfilters"] == "(t.rowid:in:" + ",".join(map(str, range(1, 101))) + ")"
    assert first["limit"] == "100"
    assert rsps.calls[1].request.params["sqlfilters"].startswith("(t.rowid:in:101,102,")


def test_fetch_by_ids_of_messages_keeps_the_ticket_filter(rsps, client):
    rsps.add("GET", BASE + "/agendaevents", json=[])

    client.fetch_by_ids("messages", [5, 4])

    assert rsps.calls[0].request.params["sqlfilters"] == (
        "(t.elementtype:=:'ticket') and (t.id:in:4,5)"
    )
