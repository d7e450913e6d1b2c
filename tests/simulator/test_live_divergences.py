"""Divergences the live suite found between the simulator and real 20.0.2 / 22.0.4, fixed.

Each test replays, on a fresh simulator, the scenario of ``tests/fixtures/live-captures/``
(recorded from the real servers through the live suite's proxy) and checks what the real
server showed: same status, same JSON shape, and the value that used to differ.
What the simulator still does not model would be listed in ``NOT_SIMULATED`` (empty now) and
skipped with that reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from tests.conftest import FIXTURES
from tests.simulator.contract import shape_problems

LIVE_CAPTURES = FIXTURES / "live-captures"
VERSIONS = ("20.0.2", "22.0.4")
NOT_SIMULATED: dict[str, str] = {}  # every live capture is now reproduced somewhere
REPLAYED_ELSEWHERE = ("limited_",)  # a user lacking rights: test_rights_contract.py
REPLAYED_BEYOND_022 = ("tz_",)  # 101-104 (20.0.2 only): test_php_in_another_zone_...


def capture(version: str, number: int) -> dict[str, Any]:
    (path,) = (LIVE_CAPTURES / f"v{version}").glob(f"{number:03d}_*.json")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def real(version: str, number: int) -> Any:
    return capture(version, number)["response"]["body"]


class Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["DOLAPIKEY"] = sim.api_key

    def __call__(
        self, method: str, path: str, body: Any = None, expect: int = 200, **params: Any
    ) -> Any:
        answer = self.session.request(
            method, self.sim.base_url + path, json=body, params=params or None, timeout=10
        )
        assert answer.status_code == expect, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None


@pytest.fixture(params=VERSIONS)
def api(request: pytest.FixtureRequest, simulator_factory: SimulatorFactory) -> Api:
    sim = simulator_factory(version=request.param, tickets=0)
    return Api(sim)


def _version(api: Api) -> str:
    return api.sim.options.version


def _same_shape(expected: Any, actual: Any) -> None:
    assert shape_problems(expected, actual, "$") == []


def _customer_and_ticket(api: Api) -> tuple[int, int]:
    version = _version(api)
    socid = api("POST", "/thirdparties", capture(version, 1)["request"]["body"])
    body = {**capture(version, 5)["request"]["body"], "fk_soc": socid}
    return int(socid), int(api("POST", "/tickets", body))


def test_timing_takes_the_last_code_set_on_update(api: Api) -> None:
    """Real: ``timing`` = severity, else category, else type (``Ticket::update``); the
    simulator used to copy the severity only, so a ticket without one kept ``null``."""
    version = _version(api)
    _, ticket = _customer_and_ticket(api)

    after_create = api("GET", f"/tickets/{ticket}")
    steps = [
        api("PUT", f"/tickets/{ticket}", capture(version, number)["request"]["body"])
        for number in (7, 8, 9)
    ]

    assert after_create["timing"] is real(version, 6)["timing"] is None
    assert [step["timing"] for step in steps] == [real(version, n)["timing"] for n in (7, 8, 9)]
    assert [step["timing"] for step in steps] == ["REMOTE", "REMOTE", "HIGH"]
    _same_shape(real(version, 9), steps[-1])


def test_automatic_agenda_events_end_when_they_start(api: Api) -> None:
    """Real: ``AC_*`` events have ``datef`` = ``datep`` (an epoch); messages keep ``""``."""
    version = _version(api)
    _, ticket = _customer_and_ticket(api)
    api("PUT", f"/tickets/{ticket}", capture(version, 7)["request"]["body"])
    api("POST", "/tickets/newmessage", {"track_id": _track_id(api, ticket), "message": "hi"})

    events = api(
        "GET",
        "/agendaevents",
        sqlfilters=f"(t.elementtype:=:'ticket') and (t.fk_element:=:{ticket})",
        sortfield="t.id",
    )

    automatic = [event for event in events if event["code"].startswith("AC_")]
    assert [event["code"] for event in automatic] == ["AC_TICKET_CREATE", "AC_TICKET_MODIFY"]
    assert all(event["datef"] == event["datep"] for event in automatic)
    assert [event["datef"] for event in events if event["code"] == "TICKET_MSG"] == [""]
    captured = real(version, 10)
    assert all(isinstance(event["datef"], int) for event in captured)
    _same_shape(captured[0], automatic[0])


def test_creating_a_third_party_logs_an_agenda_event(api: Api) -> None:
    version = _version(api)
    socid = api("POST", "/thirdparties", capture(version, 1)["request"]["body"])

    (newest,) = api("GET", "/agendaevents", sortfield="t.id", sortorder="DESC", limit=1)

    (captured,) = real(version, 2)
    assert (newest["code"], newest["elementtype"], newest["elementid"], newest["socid"]) == (
        captured["code"],
        None,
        None,
        str(socid),
    )
    assert (
        newest["label"] == f"Third party {capture(version, 1)['request']['body']['name']} created"
    )
    _same_shape(captured, newest)


def test_deleting_an_intervention_logs_an_agenda_event(api: Api) -> None:
    version = _version(api)
    socid, ticket = _customer_and_ticket(api)
    body = {**capture(version, 11)["request"]["body"], "socid": socid, "origin_id": ticket}
    intervention = api("POST", "/interventions", body)
    ref = api("GET", f"/interventions/{intervention}")["ref"]

    deleted = api("DELETE", f"/interventions/{intervention}")
    (newest,) = api("GET", "/agendaevents", sortfield="t.id", sortorder="DESC", limit=1)

    assert deleted == real(version, 12)
    (captured,) = real(version, 13)
    assert (newest["code"], newest["elementtype"], newest["elementid"]) == (
        "AC_FICHINTER_DELETE",
        "fichinter",
        str(intervention),
    )
    assert newest["label"] == f"Intervention {ref} deleted"
    _same_shape(captured, newest)


def test_agenda_events_can_be_deleted(api: Api) -> None:
    version = _version(api)
    socid, _ = _customer_and_ticket(api)
    events = api("GET", "/agendaevents", sqlfilters=f"(t.fk_soc:=:{socid})", sortfield="t.id")

    answer = api("DELETE", f"/agendaevents/{events[0]['id']}")
    missing = api("DELETE", "/agendaevents/999999", expect=404)

    assert answer == real(version, 15)
    assert missing["error"] == real(version, 16)["error"]
    left = api("GET", "/agendaevents", sqlfilters=f"(t.fk_soc:=:{socid})", sortfield="t.id")
    assert [event["id"] for event in left] == [event["id"] for event in events[1:]]
    api("GET", f"/agendaevents/{events[0]['id']}", expect=404)


def test_third_party_list_items_have_no_discounts(api: Api) -> None:
    version = _version(api)
    socid = api("POST", "/thirdparties", capture(version, 1)["request"]["body"])

    (listed,) = api("GET", "/thirdparties", sortfield="t.rowid", sortorder="DESC", limit=1)
    single = api("GET", f"/thirdparties/{socid}")

    assert list(listed) == list(real(version, 3)[0])
    assert list(single) == list(real(version, 4))
    assert "absolute_discount" in single
    assert "absolute_discount" not in listed


def test_php_in_another_zone_than_the_database_shifts_every_epoch(
    simulator_factory: SimulatorFactory,
) -> None:
    """Real (101-104, 20.0.2): the same database served by PHP in America/New_York instead of
    UTC (MariaDB in UTC): every epoch 5 h ahead, ``timestamp_now_utc`` still the true time."""
    api = Api(simulator_factory(version="20.0.2", tickets=0))
    _, ticket = _customer_and_ticket(api)
    api("PUT", f"/tickets/{ticket}", capture("20.0.2", 7)["request"]["body"])
    in_utc = api("GET", "/status")["success"], api("GET", f"/tickets/{ticket}")

    api.sim.control.set_php_timezone("America/New_York")  # the database keeps its zone
    in_new_york = api("GET", "/status")["success"], api("GET", f"/tickets/{ticket}")

    def shifts(utc: Any, new_york: Any) -> dict[str, int]:
        return {key: new_york[1][key] - utc[1][key] for key in ("tms", "datec", "date_creation")}

    real_utc = real("20.0.2", 101)["success"], real("20.0.2", 102)
    real_new_york = real("20.0.2", 103)["success"], real("20.0.2", 104)
    assert (
        shifts(in_utc, in_new_york)
        == shifts(real_utc, real_new_york)
        == dict.fromkeys(("tms", "datec", "date_creation"), 5 * 3600)
    )
    assert in_new_york[0]["timestamp_php_tz"] == real_new_york[0]["timestamp_php_tz"]
    assert in_new_york[0]["timestamp_now_utc"] - in_utc[0]["timestamp_now_utc"] in (0, 1)


@pytest.mark.parametrize("version", VERSIONS)
def test_what_the_simulator_does_not_model_is_said(version: str) -> None:
    """Every capture is either replayed above or named in ``NOT_SIMULATED``."""
    index = json.loads((LIVE_CAPTURES / f"v{version}" / "index.json").read_text())
    unexplained = [
        entry["name"]
        for entry in index
        if int(entry["file"][:3]) > 22
        and not entry["name"].startswith(
            (*NOT_SIMULATED, *REPLAYED_ELSEWHERE, *REPLAYED_BEYOND_022)
        )
    ]
    limited = [entry for entry in index if entry["name"].startswith("limited_")]
    assert unexplained == []
    assert [entry["status"] for entry in limited] == [403, 403, 403, 403, 200, 200]


def _track_id(api: Api, ticket: int) -> str:
    track_id: str = api("GET", f"/tickets/{ticket}")["track_id"]
    return track_id
