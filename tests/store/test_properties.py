"""Property: any sequence of ticket pages is classified exactly as a simple model says, and
re-applying the final state changes nothing and reads back as that state."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dolisync.records import Ticket
from dolisync.store import Store

# no lone surrogates, no NUL: the store keeps those as U+FFFD (see test_text.py)
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)
RAW_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=4))
_sources = itertools.count()


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    id = draw(st.integers(1, 8))
    raw = {"id": str(id), **draw(st.dictionaries(st.sampled_from(["a", "é", "x y"]), RAW_VALUES))}
    return Ticket(
        source="placeholder",
        id=id,
        ref=f"TS-{id}",
        track_id=f"t{id}",
        subject=draw(st.sampled_from(["down", "slow"]) | TEXT),
        status=draw(st.sampled_from([0, 1, 3, 8])),
        severity_code=draw(st.none() | st.sampled_from(["LOW", "HIGH"])),
        socid=draw(st.none() | st.integers(1, 3)),
        assigned_user_id=draw(st.none() | st.integers(1, 2)),
        modified_at=draw(st.none() | st.integers(0, 2**40)),
        raw=raw,
    )


def expected_changes(model: dict[int, Ticket], page: list[Ticket]) -> list[tuple[Any, ...]]:
    expected: list[tuple[Any, ...]] = []
    for record in {record.id: record for record in page}.values():  # last copy wins
        old = model.get(record.id)
        if old is None:
            expected.append((record.id, "created", {}))
            continue
        changed = {
            field.name: (getattr(old, field.name), getattr(record, field.name))
            for field in dataclasses.fields(Ticket)
            if field.name != "raw" and getattr(old, field.name) != getattr(record, field.name)
        }
        if changed:
            expected.append((record.id, "updated", changed))
    return expected


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages=st.lists(st.lists(tickets(), max_size=6), max_size=6))
def test_pages_then_final_state_replayed(store: Store, pages: list[list[Ticket]]) -> None:
    source = f"property-{next(_sources)}"  # one store for all examples, one source each
    model: dict[int, Ticket] = {}
    for number, drawn in enumerate(pages):
        page = [dataclasses.replace(record, source=source) for record in drawn]
        position = (number, None)
        result = store.apply_page(source, "tickets", page, position=position, synced_at=number)
        got = [(c.object_id, c.kind, dict(c.changes)) for c in result.changes]
        assert got == expected_changes(model, page)
        model.update((record.id, record) for record in page)

    final = sorted(model.values(), key=lambda record: record.id)
    again = store.apply_page(source, "tickets", final, position=None, synced_at=99.0)

    assert (again.created, again.updated, again.changes) == (0, 0, [])
    assert again.unchanged == len(final)
    stored = list(store.iter_tickets(source, batch=3))
    assert stored == final
    assert [record.raw for record in stored] == [record.raw for record in final]
    assert store.get_position(source, "tickets") == (
        (len(pages) - 1, None) if pages else (None, None)
    )
