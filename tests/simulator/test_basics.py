"""The simulator answers like Dolibarr for the basics a sync client needs."""

from __future__ import annotations

import requests

from dolisync.simulator import Simulator


def get(sim: Simulator, path: str, **params: str | int) -> requests.Response:
    return requests.get(
        sim.base_url + path, headers={"DOLAPIKEY": sim.api_key}, params=params, timeout=10
    )


def test_status_reports_version(simulator: Simulator) -> None:
    answer = get(simulator, "/status")
    assert answer.status_code == 200
    assert answer.json()["success"]["dolibarr_version"] == "22.0.4"


def test_keyset_paging_visits_every_ticket_once(simulator: Simulator) -> None:
    seen: list[int] = []
    last = 0
    while True:
        page = get(
            simulator, "/tickets", sortfield="t.rowid", sortorder="ASC", limit=7,
            sqlfilters=f"(t.rowid:>:{last})", properties="id,tms",
        ).json()  # fmt: skip
        seen += [int(item["id"]) for item in page]
        if len(page) < 7:
            break
        last = int(page[-1]["id"])
    assert seen == list(range(1, 31))


def test_wrong_key_is_401(simulator: Simulator) -> None:
    answer = requests.get(
        simulator.base_url + "/tickets", headers={"DOLAPIKEY": "nope"}, timeout=10
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["message"].startswith("Unauthorized: Error user not valid")
