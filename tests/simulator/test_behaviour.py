"""What a sync client relies on beyond the captures: options, modification times, control API."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from dolisync.clock import FrozenClock
from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory


def api(sim: Simulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"DOLAPIKEY": sim.api_key, **kwargs.pop("headers", {})}
    return requests.request(method, sim.base_url + path, headers=headers, timeout=10, **kwargs)


def control(sim: Simulator, method: str, path: str, body: Any = None) -> Any:
    answer = requests.request(method, f"{sim.root_url}/_simulator/{path}", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_empty_lists_can_answer_404_like_old_dolibarr(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=0, empty_list_404=True)
    tickets = api(sim, "GET", "/tickets")
    interventions = api(sim, "GET", "/interventions")
    assert tickets.status_code == 404
    assert tickets.json()["error"]["message"] == "Not Found: No ticket found"
    assert interventions.status_code == 404


def test_server_timezone_drives_epochs_and_filters(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=5, timezone="Europe/Paris")
    status = api(sim, "GET", "/status").json()["success"]
    ticket = api(sim, "GET", "/tickets/3").json()
    local = datetime.fromtimestamp(ticket["tms"], ZoneInfo(status["timestamp_php_tz"]))
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    found = api(
        sim, "GET", "/tickets", params={"sqlfilters": f"(t.rowid:=:3) and (t.tms:=:'{text}')"}
    )
    assert status["timestamp_php_tz"] == "Europe/Paris"
    assert [t["id"] for t in found.json()] == ["3"]


def test_bearer_token_is_a_22_feature(simulator_factory: SimulatorFactory) -> None:
    for version, expected in (("22.0.4", 200), ("20.0.2", 401)):
        sim = simulator_factory(version=version, tickets=0)
        bearer = {"Authorization": f"Bearer {sim.api_key}"}
        answer = requests.get(sim.base_url + "/status", headers=bearer, timeout=10)
        assert answer.status_code == expected, version


def test_key_in_the_query_string(simulator: Simulator) -> None:
    answer = requests.get(
        simulator.base_url + "/status", params={"api_key": simulator.api_key}, timeout=10
    )
    assert answer.status_code == 200


def test_wrong_key_costs_the_auth_delay(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=0, auth_delay=0.3)
    started = time.monotonic()
    answer = requests.get(sim.base_url + "/status", headers={"DOLAPIKEY": "wrong"}, timeout=10)
    assert answer.status_code == 401
    assert time.monotonic() - started >= 0.3  # lower bound: the server sleeps at least this


def test_put_moves_tms_and_a_message_does_not(simulator: Simulator) -> None:
    simulator.control.set_tms(4, "2025-01-01 00:00:00")
    before = api(simulator, "GET", "/tickets/4").json()
    api(
        simulator,
        "POST",
        "/tickets/newmessage",
        json={"track_id": before["track_id"], "message": "hi"},
    )
    after_message = api(simulator, "GET", "/tickets/4").json()
    api(simulator, "PUT", "/tickets/4", json={"progress": 12})
    after_put = api(simulator, "GET", "/tickets/4").json()
    assert after_message["tms"] == before["tms"]
    assert len(after_message["messages"]) == len(before["messages"]) + 1
    assert after_put["tms"] > before["tms"]
    modified = f"Ticket {before['ref']} modified"
    count_before = [m["message"] for m in after_message["messages"]].count(modified)
    assert [m["message"] for m in after_put["messages"]].count(modified) == count_before + 1


def test_status_key_depends_on_the_version(simulator_factory: SimulatorFactory) -> None:
    for version, key in (("22.0.4", "status"), ("20.0.2", "fk_statut")):
        sim = simulator_factory(version=version, tickets=1)
        api(sim, "PUT", "/tickets/1", json={"status": 9 if key == "fk_statut" else 8})
        api(sim, "PUT", "/tickets/1", json={key: 3})
        assert api(sim, "GET", "/tickets/1").json()["status"] == "3", version


def test_intervention_line_moves_datem(simulator: Simulator) -> None:
    created = api(
        simulator, "POST", "/interventions", json={"socid": 1, "fk_project": 0, "description": "x"}
    )
    intervention_id = created.json()
    simulator.control.set_tms(intervention_id, "2025-01-01 00:00:00", table="llx_fichinter")
    before = api(simulator, "GET", f"/interventions/{intervention_id}").json()
    line = {"description": "work", "date": 1796461200, "duration": 3600}
    line_id = api(simulator, "POST", f"/interventions/{intervention_id}/lines", json=line).json()
    after = api(simulator, "GET", f"/interventions/{intervention_id}").json()
    assert after["datem"] > before["datem"]
    assert [entry["id"] for entry in after["lines"]] == [str(line_id)]
    assert after["duration"] == "3600"


def test_control_touch_and_request_log(simulator: Simulator) -> None:
    simulator.control.clear_requests()
    for ticket_id in (5, 6):
        simulator.control.set_tms(ticket_id, "2025-01-01 00:00:00")
    touched = control(
        simulator, "POST", "touch", {"ids": [5, 6], "field": "severity_code", "value": "HIGH"}
    )
    assert touched == {"ids": [5, 6]}
    changed = api(
        simulator, "GET", "/tickets", params={"sqlfilters": "(t.tms:>:'2025-06-01 00:00:00')"}
    )
    ids = {t["id"] for t in changed.json()}
    assert {"5", "6"} <= ids
    assert api(simulator, "GET", "/tickets/5").json()["severity_code"] == "HIGH"
    log = control(simulator, "GET", "requests")
    entry = next(e for e in log if e["path"] == "/tickets/5")
    assert (entry["method"], entry["query"], entry["status"]) == ("GET", {}, 200)
    assert entry["bytes"] > 0


def test_control_message_delete_and_reset(simulator: Simulator) -> None:
    event = control(
        simulator, "POST", "tickets/7/messages", {"message": "from control", "private": True}
    )
    messages = api(simulator, "GET", "/tickets/7").json()["messages"]
    assert {"id": str(event["id"]), "private": 1} in [
        {"id": m["id"], "private": m["private"]} for m in messages
    ]
    control(simulator, "DELETE", "tickets/7")
    assert api(simulator, "GET", "/tickets/7").status_code == 404
    control(simulator, "POST", "reset", {"tickets": 3})
    assert [t["id"] for t in api(simulator, "GET", "/tickets").json()] == ["1", "2", "3"]


def test_api_delete_fails_and_keeps_the_ticket(simulator: Simulator) -> None:
    answer = api(simulator, "DELETE", "/tickets/8")
    assert answer.status_code == 500
    assert answer.content == b""
    assert api(simulator, "GET", "/tickets/8").status_code == 200


def test_keep_alive_session(simulator: Simulator) -> None:
    with requests.Session() as session:
        for _ in range(20):
            answer = session.get(
                simulator.base_url + "/tickets/1", headers={"DOLAPIKEY": simulator.api_key}
            )
            assert answer.status_code == 200
            assert answer.headers["Content-Length"] == str(len(answer.content))


def test_request_log_never_keeps_the_key(simulator: Simulator) -> None:
    requests.get(
        simulator.base_url + "/status", params={"DOLAPIKEY": simulator.api_key}, timeout=10
    )
    logged = [entry["query"] for entry in simulator.control.requests()]
    assert {"DOLAPIKEY": "<redacted>"} in logged
    assert simulator.api_key not in repr(simulator.options)


def test_frozen_clock_drives_dates(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=0, clock=FrozenClock(1_796_397_434.0))
    created = api(sim, "POST", "/tickets", json={"subject": "s", "message": "m"}).json()
    ticket = api(sim, "GET", f"/tickets/{created}").json()
    assert ticket["datec"] == ticket["tms"] == 1_796_397_434
    assert ticket["ref"] == "TS2612-0001"
