"""Seeded data: deterministic per seed, varied enough to exercise every rule and status."""

from __future__ import annotations

from typing import Any

import requests

from dolisync.clock import FrozenClock
from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.testing import SimulatorFactory

TEST = {"port": 0, "auth_delay": 0.0}


def everything(sim: Simulator, path: str, **params: str) -> Any:
    answer = requests.get(
        sim.base_url + path,
        headers={"DOLAPIKEY": sim.api_key},
        params={"limit": "0", **params},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def snapshot(seed: int) -> tuple[Any, Any, Any]:
    options = SimulatorOptions(tickets=300, seed=seed, **TEST)  # type: ignore[arg-type]
    with Simulator(options, clock=FrozenClock(1_796_397_434.0)) as sim:
        return (
            everything(sim, "/tickets"),
            everything(sim, "/agendaevents"),
            everything(sim, "/interventions"),
        )


def test_same_seed_same_data() -> None:
    assert snapshot(7) == snapshot(7)


def test_other_seed_other_data() -> None:
    assert snapshot(7)[0] != snapshot(8)[0]


def test_seeded_tickets_cover_every_status_type_category_and_severity(
    simulator_factory: SimulatorFactory,
) -> None:
    sim = simulator_factory(tickets=2000, seed=3)
    tickets = everything(
        sim, "/tickets", properties="id,status,type_code,category_code,severity_code"
    )
    assert len(tickets) == 2000
    assert {t["status"] for t in tickets} == {"0", "1", "2", "3", "5", "7", "8", "9"}
    assert {t["type_code"] for t in tickets} >= {"ISSUE", "HELP", "REQUEST", "COM", "PROBLEM"}
    assert {t["category_code"] for t in tickets} >= {"ONSITE", "REMOTE"}
    assert {t["severity_code"] for t in tickets} == {"LOW", "NORMAL", "HIGH", "BLOCKING"}


def test_seeded_tickets_have_messages_and_linked_interventions(
    simulator_factory: SimulatorFactory,
) -> None:
    sim = simulator_factory(tickets=2000, seed=3)
    codes = {e["code"] for e in everything(sim, "/agendaevents", properties="code")}
    assert {"AC_TICKET_CREATE", "AC_TICKET_MODIFY", "TICKET_MSG", "TICKET_MSG_PRIVATE"} <= codes
    interventions = everything(sim, "/interventions", properties="id,status")
    assert {i["status"] for i in interventions} >= {"0", "1", "3"}
    first = everything(sim, f"/interventions/{interventions[0]['id']}")
    ticket_id = next(iter(first["linkedObjectsIds"]["ticket"].values()))
    ticket = everything(sim, f"/tickets/{ticket_id}")
    assert ticket["category_code"] == "ONSITE"
    assert first["lines"]
    assert int(first["duration"]) == sum(int(line["duration"]) for line in first["lines"])


def test_ids_grow_with_time_like_on_a_real_server(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=500)
    tickets = everything(sim, "/tickets", properties="id,datec", sortfield="t.rowid")
    created = [t["datec"] for t in tickets]
    assert created == sorted(created)
    events = everything(sim, "/agendaevents", properties="id,datep", sortfield="t.id")
    assert [e["datep"] for e in events] == sorted(e["datep"] for e in events)


def test_zero_tickets_is_a_fresh_install(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=0)
    users = everything(sim, "/users")
    assert [(u["id"], u["login"]) for u in users] == [("1", "admin")]
    assert everything(sim, "/tickets") == []
    assert everything(sim, "/thirdparties") == []
    categories = everything(sim, "/setup/dictionary/ticket_categories")
    assert {c["code"] for c in categories} == {"ONSITE", "OTHER", "REMOTE"}


def test_a_new_ticket_continues_the_seeded_numbering(simulator: Simulator) -> None:
    headers = {"DOLAPIKEY": simulator.api_key}
    body = {"subject": "after seeding", "message": "x"}
    new_id = requests.post(
        simulator.base_url + "/tickets", json=body, headers=headers, timeout=10
    ).json()
    ticket = everything(simulator, f"/tickets/{new_id}")
    assert new_id == 31
    assert ticket["ref"].endswith("-0031")
    assert len(ticket["track_id"]) == 16
