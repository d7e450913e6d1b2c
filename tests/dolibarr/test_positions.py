"""Cursor positions survive a round trip through the store's JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolisync.dolibarr.pagination import (
    IdPosition,
    KeysetPosition,
    position_from_dict,
    position_to_dict,
)

ids = st.integers(min_value=0, max_value=2**40)
positions = st.builds(IdPosition, ids) | st.builds(KeysetPosition, st.none() | ids, ids)


@given(positions)
def test_positions_round_trip_through_json(position):
    stored = json.loads(json.dumps(position_to_dict(position)))
    assert position_from_dict(stored) == position


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "id"},
        {"kind": "keyset", "last_id": 1, "modified_at": "x"},
        {"kind": "x", "last_id": 1},
    ],
)
def test_anything_else_is_refused(data):
    with pytest.raises(ValueError, match="position"):
        position_from_dict(data)
