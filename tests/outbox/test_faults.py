""" "Apply then fail" at every write endpoint: Dolibarr commits the write, then answers 500,
resets the connection or never answers. The outbox must look before writing again: exactly
one intervention, one message and one status change, each verified."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dolisync.config import Config
from dolisync.cycle import run_cycle
from dolisync.service import Service
from dolisync.simulator import Simulator
from dolisync.store.outbox import NewItem
from tests.outbox.conftest import FAST_RETRIES, ONSITE_RULES, WriteConfig, new_onsite_ticket
from tests.outbox.helpers import converge, tally

FAULTS = ("apply_then_500", "apply_then_reset", "apply_then_hang")
TIMEOUT = 0.4  # the client's; a hang lasts longer
HANG = 0.8


def next_intervention_id(simulator: Simulator) -> int:
    return int(simulator.backend.db.scalar("SELECT COALESCE(MAX(rowid), 0) FROM llx_fichinter")) + 1


def arm(simulator: Simulator, fault: str, method: str, path: str) -> None:
    simulator.faults.add(fault, 1.0, method=method, path=path, count=1, hang_seconds=HANG)


ENDPOINTS: dict[str, Callable[[Simulator, int], tuple[str, str]]] = {
    "create intervention": lambda sim, _ticket: ("POST", "/interventions"),
    "add line": lambda sim, _ticket: ("POST", f"/interventions/{next_intervention_id(sim)}/lines"),
    "post message": lambda sim, _ticket: ("POST", "/tickets/newmessage"),
    "set status": lambda sim, ticket: ("PUT", f"/tickets/{ticket}"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_write_applied_then_failed_is_found_not_repeated(
    simulator: Simulator,
    write_config: WriteConfig,
    services: Callable[[Config], Service],
    endpoint: str,
    fault: str,
) -> None:
    service = services(write_config(simulator, ONSITE_RULES, FAST_RETRIES, timeout=TIMEOUT))
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    method, path = ENDPOINTS[endpoint](simulator, ticket_id)
    arm(simulator, fault, method, path)

    reports = converge(service)

    assert sum(report.failed for report in reports) == 1, "the fault was injected once"
    items = service.store.outbox.items(ticket_id=ticket_id)
    assert sorted(item.state for item in items) == ["verified"] * 3
    found = tally(simulator, items)
    assert found.duplicates == 0
    assert found.missing == 0
    assert found.unlinked == []
    assert service.client.get_ticket(ticket_id).status == 3
    lines = simulator.backend.db.scalar(
        "SELECT COUNT(*) FROM llx_fichinterdet WHERE fk_fichinter = ?",
        (next(iter(found.interventions.values()))[0],),
    )
    assert lines == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_validate_applied_then_failed_is_not_repeated(
    simulator: Simulator,
    write_config: WriteConfig,
    services: Callable[[Config], Service],
    fault: str,
) -> None:
    service = services(write_config(simulator, FAST_RETRIES, timeout=TIMEOUT))
    run_cycle(service)
    ticket_id = new_onsite_ticket(simulator)
    run_cycle(service)  # mirror the ticket
    queue_validated_intervention(service, ticket_id)
    arm(simulator, fault, "POST", f"/interventions/{next_intervention_id(simulator)}/validate")

    reports = converge(service)

    assert sum(report.failed for report in reports) == 1
    (item,) = service.store.outbox.items(ticket_id=ticket_id)
    assert item.state == "verified"
    intervention = service.client.get_intervention(item.object_id or 0)
    assert intervention.status == 1
    assert intervention.ref.startswith("FI")
    assert tally(simulator, [item]).duplicates == 0


def queue_validated_intervention(service: Service, ticket_id: int) -> None:
    """An action the rules cannot express yet (validate = true), queued directly."""
    item = NewItem(
        key="dsr-test-validate",
        source=service.source,
        ticket_id=ticket_id,
        rule_name="test",
        firing_key="dsf-test",
        action_index=0,
        kind="create_intervention",
        params={
            "description": "validated on creation",
            "lines": [{"description": "work", "duration": 1800}],
            "validate": True,
        },
        evaluated_seq=service.store.last_change_seq(),
        ticket_version=None,
    )
    service.store.outbox.record_evaluation(
        service.source, "live", firings=[], items=[item], cursor=None, at=0.0
    )
