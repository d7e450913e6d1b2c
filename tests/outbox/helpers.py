"""Helpers for write-back tests: run cycles until the outbox is quiet, count what Dolibarr has."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from dolisync.cycle import CycleReport, run_cycle
from dolisync.outbox import OPEN, intervention_marker, message_marker
from dolisync.service import Service
from dolisync.simulator import Simulator
from dolisync.store.outbox import OutboxItem


def converge(service: Service, *, cycles: int = 30, pause: float = 0.05) -> list[CycleReport]:
    """Run cycles until no action is open any more (failed ones wait for their retry time)."""
    reports = []
    for _ in range(cycles):
        reports.append(run_cycle(service))
        counts = service.store.outbox.counts(service.source)
        if not any(counts.get(state) for state in OPEN):
            return reports
        time.sleep(pause)
    raise AssertionError(f"the outbox did not settle: {service.store.outbox.counts()}")


@dataclass(frozen=True, slots=True)
class Tally:
    """What Dolibarr holds for a set of actions."""

    interventions: dict[str, list[int]]  # action key -> intervention ids with its marker
    messages: dict[str, list[int]]  # action key -> message (event) ids with its marker
    unlinked: list[int]  # interventions with a marker but no link to their ticket

    @property
    def duplicates(self) -> int:
        found = [*self.interventions.values(), *self.messages.values()]
        return sum(len(ids) - 1 for ids in found if len(ids) > 1)

    @property
    def missing(self) -> int:
        found = [*self.interventions.values(), *self.messages.values()]
        return sum(1 for ids in found if not ids)


def tally(simulator: Simulator, items: Iterable[OutboxItem]) -> Tally:
    db = simulator.backend.db
    interventions: dict[str, list[int]] = {}
    messages: dict[str, list[int]] = {}
    unlinked: list[int] = []
    for item in items:
        if item.kind == "create_intervention":
            rows = db.all(
                "SELECT rowid FROM llx_fichinter WHERE ref_client = ? ORDER BY rowid",
                (intervention_marker(item.key),),
            )
            ids = [int(row[0]) for row in rows]
            interventions[item.key] = ids
            for intervention_id in ids:
                link = db.one(
                    "SELECT 1 FROM llx_element_element WHERE sourcetype = 'ticket'"
                    " AND fk_source = ? AND targettype = 'fichinter' AND fk_target = ?",
                    (item.ticket_id, intervention_id),
                )
                if link is None:
                    unlinked.append(intervention_id)
        elif item.kind == "post_message":
            rows = db.all(
                "SELECT id FROM llx_actioncomm WHERE elementtype = 'ticket' AND fk_element = ?"
                " AND note LIKE ? ORDER BY id",
                (item.ticket_id, f"%{message_marker(item.key)}%"),
            )
            messages[item.key] = [int(row[0]) for row in rows]
    return Tally(interventions, messages, unlinked)


def wait_until(condition: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")
