"""``db_timezone``: a database in another zone than PHP, as on many real installations.

MariaDB fills ``tms`` with its own wall clock, PHP writes the other dates (``datec``) in its
zone, and the JSON reads every date in PHP's zone: ``tms`` comes out shifted from true time,
``datec`` does not, and a filter literal is compared with the stored text
(dolibarr-api.md §1.5, §4; live captures v20.0.2/101-104)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from dolisync.clock import FrozenClock
from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.testing import SimulatorFactory

NOW = 1_796_405_255  # 2026-12-04 17:27:35 UTC, when captures 101-104 were made


def get(sim: Simulator, path: str, **params: Any) -> Any:
    answer = requests.get(
        sim.base_url + path, params=params, headers={"DOLAPIKEY": sim.api_key}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def new_ticket(sim: Simulator) -> int:
    answer = requests.post(
        sim.base_url + "/tickets",
        json={"subject": "Clock check", "message": "Which zone?", "fk_soc": 1},
        headers={"DOLAPIKEY": sim.api_key},
        timeout=10,
    )
    answer.raise_for_status()
    return int(answer.json())


@pytest.mark.parametrize(
    ("php", "db", "shift"),
    [("America/New_York", "UTC", 5 * 3600), ("Europe/Paris", "UTC", -3600)],
)
def test_tms_is_the_database_clock_read_in_php_zone(
    simulator_factory: SimulatorFactory, php: str, db: str, shift: int
) -> None:
    sim = simulator_factory(tickets=3, timezone=php, db_timezone=db, clock=FrozenClock(NOW))
    ticket_id = new_ticket(sim)

    status = get(sim, "/status")["success"]
    ticket = get(sim, f"/tickets/{ticket_id}")
    php_text = datetime.fromtimestamp(ticket["tms"], ZoneInfo(php)).strftime("%Y-%m-%d %H:%M:%S")
    found = get(sim, "/tickets", sqlfilters=f"(t.rowid:=:{ticket_id}) and (t.tms:=:'{php_text}')")

    assert (status["timestamp_now_utc"], status["timestamp_php_tz"]) == (NOW, php)
    assert ticket["date_creation"] == NOW  # written by PHP, read by PHP: true time
    assert ticket["tms"] == NOW + shift  # written by the database in its zone
    assert php_text == datetime.fromtimestamp(NOW, ZoneInfo(db)).strftime("%Y-%m-%d %H:%M:%S")
    assert [row["id"] for row in found] == [str(ticket_id)]


def test_the_database_zone_defaults_to_php_zone(simulator_factory: SimulatorFactory) -> None:
    sim = simulator_factory(tickets=0, timezone="Europe/Paris", clock=FrozenClock(NOW))
    ticket = get(sim, f"/tickets/{new_ticket(sim)}")

    assert ticket["tms"] == ticket["date_creation"] == NOW


def test_an_unknown_database_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        SimulatorOptions(db_timezone="Mars/Olympus")
