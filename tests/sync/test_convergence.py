"""Property: whatever happens in Dolibarr between syncs, and however the clock moves (same
second, inside or beyond the overlap window), the mirror converges to Dolibarr's state and
a further sync writes nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dolisync.clock import FrozenClock
from dolisync.records import Entity
from dolisync.simulator import Simulator, SimulatorOptions
from dolisync.simulator.testing import TEST_DEFAULTS
from tests.sync.conftest import START, Mirror, mirror_of

SEEDED = 8
TARGETS = st.integers(1, 3)  # few targets: the same ticket changes again soon and often

operations = st.lists(
    st.one_of(
        st.tuples(st.just("touch"), TARGETS),
        st.tuples(st.just("message"), TARGETS),
        st.tuples(st.just("create"), st.just(0)),
        st.tuples(st.just("later"), st.sampled_from([0, 1, 2, 700])),
        st.tuples(st.just("sync"), st.just(0)),
    ),
    max_size=25,
)


def apply(mirror: Mirror, operation: str, argument: int) -> None:
    control = mirror.sim.control
    if operation == "touch":
        control.touch(ids=[argument])
    elif operation == "message":
        control.add_message(argument, f"message at {mirror.clock.now()}")
    elif operation == "create":
        control.create_ticket(subject=f"created at {mirror.clock.now()}")
    elif operation == "later":
        mirror.later(argument)
    else:
        report = mirror.sync(["tickets", "messages"])
        assert report.ok, report.errors


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Simulator, FrozenClock]]:
    """One simulator for every example (reset before each): starting one costs ~0.5 s."""
    clock = FrozenClock(START)
    options = SimulatorOptions(**{**TEST_DEFAULTS, "tickets": SEEDED})
    sim = Simulator(options, clock=clock).start()
    yield sim, clock
    sim.stop()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, page_size=st.sampled_from([5, 100]))
def test_the_mirror_converges_and_then_stays_quiet(
    shared: tuple[Simulator, FrozenClock],
    tmp_path: Path,
    steps: list[tuple[str, int]],
    page_size: int,
) -> None:
    sim, clock = shared
    sim.control.reset(tickets=SEEDED)
    directory = Path(tempfile.mkdtemp(dir=tmp_path))
    entities: tuple[Entity, ...] = ("tickets", "messages")
    with mirror_of(sim, clock, directory, page_size=page_size, entities=entities) as mirror:
        for operation, argument in steps:
            apply(mirror, operation, argument)

        mirror.sync()
        assert mirror.mirrored() == mirror.truth()
        before = mirror.changes()
        mirror.later()
        again = mirror.sync()
        assert (again.created, again.updated, mirror.changes()) == (0, 0, before)
