"""Property: whatever happens in Dolibarr between syncs, and however the clock moves (same
second, inside or beyond the overlap window), the mirror converges to Dolibarr's state and
a further sync writes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import Mirror, open_mirror

SEEDED = 12

operations = st.lists(
    st.one_of(
        st.tuples(st.just("touch"), st.integers(1, SEEDED)),
        st.tuples(st.just("message"), st.integers(1, SEEDED)),
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


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, page_size=st.sampled_from([5, 100]))
def test_the_mirror_converges_and_then_stays_quiet(
    tmp_path: Path, steps: list[tuple[str, int]], page_size: int
) -> None:
    directory = Path(tempfile.mkdtemp(dir=tmp_path))
    entities = ("tickets", "messages")
    with open_mirror(directory, tickets=SEEDED, page_size=page_size, entities=entities) as mirror:
        for operation, argument in steps:
            apply(mirror, operation, argument)

        mirror.sync()
        assert mirror.mirrored() == mirror.truth()
        before = mirror.changes()
        mirror.later()
        again = mirror.sync()
        assert (again.created, again.updated, mirror.changes()) == (0, 0, before)
