"""Replays the live suite's limited-user exchanges (``tests/fixtures/live-captures/``
017-022, recorded from real 20.0.2 and 22.0.4) against a simulator with the same user: only
*Tickets > Read*. Same status, same JSON shape, same error messages as the real servers."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from dolisync.simulator import Simulator
from dolisync.simulator.testing import SimulatorFactory
from tests.conftest import FIXTURES
from tests.simulator.contract import compare

LIVE_CAPTURES = FIXTURES / "live-captures"
VERSIONS = ("20.0.2", "22.0.4")
LIMITED_KEY = "limited-user-key-0123456789abcdef"


def exchange(version: str, number: int) -> dict[str, Any]:
    (path,) = (LIVE_CAPTURES / f"v{version}").glob(f"{number:03d}_*.json")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def limited_numbers(version: str) -> list[int]:
    index = json.loads((LIVE_CAPTURES / f"v{version}" / "index.json").read_text())
    return [int(entry["file"][:3]) for entry in index if entry["name"].startswith("limited_")]


def _as_admin(sim: Simulator, method: str, path: str, body: Any) -> Any:
    answer = requests.request(
        method, sim.base_url + path, json=body, headers={"DOLAPIKEY": sim.api_key}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _the_captured_ticket(sim: Simulator, version: str) -> int:
    """What the live suite did as admin before: a customer, a ticket, three updates."""
    socid = _as_admin(sim, "POST", "/thirdparties", exchange(version, 1)["request"]["body"])
    body = {**exchange(version, 5)["request"]["body"], "fk_soc": socid}
    ticket = int(_as_admin(sim, "POST", "/tickets", body))
    for number in (7, 8, 9):
        _as_admin(sim, "PUT", f"/tickets/{ticket}", exchange(version, number)["request"]["body"])
    return ticket


@pytest.mark.parametrize(
    ("version", "number"),
    [(version, number) for version in VERSIONS for number in limited_numbers(version)],
)
def test_a_user_with_only_ticket_read_gets_what_the_real_server_gave(
    simulator_factory: SimulatorFactory, version: str, number: int
) -> None:
    user = {"login": "limited", "api_key": LIMITED_KEY, "rights": ["tickets.read"]}
    sim = simulator_factory(version=version, tickets=0, users=[user])
    ticket = _the_captured_ticket(sim, version)
    captured = exchange(version, number)
    request = captured["request"]
    path = request["path"]
    if path.startswith("/api/index.php/tickets/"):  # the real server's ticket: ours
        path = f"/api/index.php/tickets/{ticket}"

    answer = requests.request(
        request["method"],
        sim.root_url + path,
        params=request["query"],
        headers={"DOLAPIKEY": LIMITED_KEY},
        timeout=10,
    )

    assert compare(captured, answer) == []
    assert sim.bugs == []


def test_the_limited_exchanges_are_all_replayed() -> None:
    """017-022 on both versions: four 403s, an empty list, a ticket read by id."""
    for version in VERSIONS:
        statuses = [exchange(version, n)["response"]["status"] for n in limited_numbers(version)]
        assert statuses == [403, 403, 403, 403, 200, 200]
