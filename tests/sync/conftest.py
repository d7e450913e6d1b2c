"""A simulated Dolibarr on a controllable clock, a SQLite mirror, and the engine between them.

The simulator runs on a ``FrozenClock``: its ``tms`` values move only when a test says time
passes (``mirror.later()``), so "changed in the same second" and "nothing changed" are both
exact. ``Truth`` reads the simulator's own database: what the mirror must converge to.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from dolisync.clock import FrozenClock
from dolisync.dolibarr import DolibarrClient
from dolisync.records import ENTITIES, MESSAGE_CODES, Entity
from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.testing import TEST_DEFAULTS
from dolisync.store import Store
from dolisync.sync import SyncEngine, SyncProgress, SyncReport

SOURCE = "default"
START = 1_796_397_434.0  # 2026-12-04 15:17:14 UTC, the captures' day


@dataclass
class Mirror:
    """One simulator, one store, one engine; helpers to act on each side."""

    sim: Simulator
    store: Store
    client: DolibarrClient
    engine: SyncEngine
    clock: FrozenClock  # the simulator's clock

    def sync(
        self,
        entities: list[str] | None = None,
        *,
        full: bool = False,
        progress: SyncProgress | None = None,
    ) -> SyncReport:
        return self.engine.run(entities, full=full, progress=progress)

    def later(self, seconds: float = 5.0) -> None:
        """Time passes on the simulated Dolibarr."""
        self.clock.advance(seconds)

    def api_calls(self) -> list[tuple[str, str]]:
        """(method, path) of every API request the simulator answered since the last clear."""
        return [(entry["method"], entry["path"]) for entry in self.sim.control.requests()]

    def clear_calls(self) -> None:
        self.sim.control.clear_requests()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """A write made in Dolibarr by someone else (through its API, not through dolisync)."""
        response = requests.post(
            f"{self.sim.base_url}{path}",
            json=body,
            headers={"DOLAPIKEY": self.sim.api_key},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def changes(self) -> int:
        """The store's change-log position: equal before and after means nothing was written."""
        return self.store.last_change_seq()

    def truth(self) -> Truth:
        return Truth.read(self.sim)

    def mirrored(self) -> Truth:
        """The mirror's view (interventions looked up by the ids Dolibarr has)."""
        return Truth.from_store(self.store, intervention_ids=self.truth().interventions)


@dataclass(frozen=True)
class Truth:
    """The part of a Dolibarr's state the tests compare: ticket fields, message ids, links."""

    tickets: dict[int, tuple[int, int, str]]  # id -> (status, progress, subject)
    messages: set[int]
    interventions: dict[int, tuple[int, tuple[int, ...]]]  # id -> (lines, linked ticket ids)

    @classmethod
    def read(cls, sim: Simulator) -> Truth:
        db = sim.control.backend.db
        tickets = {
            int(row["rowid"]): (
                int(row["fk_statut"] or 0),
                int(row["progress"] or 0),
                row["subject"],
            )
            for row in db.all("SELECT rowid, fk_statut, progress, subject FROM llx_ticket")
        }
        codes = sorted(MESSAGE_CODES)
        marks = ",".join("?" * len(codes))
        messages = {
            int(row["id"])
            for row in db.all(
                f"SELECT id FROM llx_actioncomm WHERE elementtype = 'ticket' AND code IN ({marks})",
                codes,
            )
        }
        interventions: dict[int, tuple[int, tuple[int, ...]]] = {}
        for row in db.all("SELECT rowid FROM llx_fichinter"):
            rowid = int(row["rowid"])
            lines = db.scalar(
                "SELECT COUNT(*) FROM llx_fichinterdet WHERE fk_fichinter = ?", [rowid]
            )
            links = db.all(
                "SELECT fk_source FROM llx_element_element WHERE sourcetype = 'ticket' "
                "AND targettype = 'fichinter' AND fk_target = ?",
                [rowid],
            )
            interventions[rowid] = (int(lines), tuple(sorted(int(link[0]) for link in links)))
        return cls(tickets=tickets, messages=messages, interventions=interventions)

    @classmethod
    def from_store(cls, store: Store, *, intervention_ids: Iterable[int]) -> Truth:
        tickets = {t.id: (t.status, t.progress or 0, t.subject) for t in store.iter_tickets(SOURCE)}
        messages = {m.id for ticket_id in tickets for m in store.messages_for(SOURCE, ticket_id)}
        interventions: dict[int, tuple[int, tuple[int, ...]]] = {}
        for intervention_id in intervention_ids:
            intervention = store.get_intervention(SOURCE, intervention_id)
            if intervention is not None:
                interventions[intervention.id] = (
                    len(intervention.lines),
                    tuple(sorted(intervention.linked_ticket_ids or ())),
                )
        return cls(tickets=tickets, messages=messages, interventions=interventions)


@contextmanager
def open_mirror(
    directory: Path,
    *,
    page_size: int = 100,
    overlap: float = 600.0,
    entities: tuple[Entity, ...] = ENTITIES,
    **options: Any,
) -> Iterator[Mirror]:
    """A started simulator (``SimulatorOptions`` fields in ``options``), a new SQLite mirror
    in ``directory``, and an engine; all closed at the end."""
    clock = FrozenClock(START)
    sim = Simulator(SimulatorOptions(**{**TEST_DEFAULTS, **options}), clock=clock).start()
    try:
        with mirror_of(
            sim, clock, directory, page_size=page_size, overlap=overlap, entities=entities
        ) as mirror:
            yield mirror
    finally:
        sim.stop()


@contextmanager
def mirror_of(
    sim: Simulator,
    clock: FrozenClock,
    directory: Path,
    *,
    page_size: int = 100,
    overlap: float = 600.0,
    entities: tuple[Entity, ...] = ENTITIES,
) -> Iterator[Mirror]:
    """A new SQLite mirror of a running simulator, in ``directory``, and its engine."""
    store = Store.open(f"sqlite:///{directory / 'mirror.db'}")
    client = DolibarrClient.from_settings(
        sim.base_url,
        sim.api_key,
        source=SOURCE,
        page_size=page_size,
        timeout=(2.0, 5.0),
        clock=FrozenClock(),  # retry back-off waits take no real time
    )
    engine = SyncEngine(client, store, entities=entities, overlap=overlap, page_size=page_size)
    try:
        clock.advance(60)  # the seeded data is a minute old when dolisync first looks
        yield Mirror(sim=sim, store=store, client=client, engine=engine, clock=clock)
    finally:
        client.close()
        store.close()


@pytest.fixture
def make_mirror(tmp_path: Path) -> Iterator[Callable[..., Mirror]]:
    """``make_mirror(**simulator_options, page_size=.., overlap=.., entities=..)``."""
    with ExitStack() as stack:

        def factory(**options: Any) -> Mirror:
            directory = Path(tempfile.mkdtemp(dir=tmp_path))
            return stack.enter_context(open_mirror(directory, **options))

        yield factory


@pytest.fixture
def mirror(make_mirror: Callable[..., Mirror]) -> Mirror:
    return make_mirror()
