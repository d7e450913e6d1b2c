"""``dolisync.durations``: what rules (and ``--since``) accept as a duration."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolisync.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (1.5, 1.5),
        ("90", 90.0),
        ("90s", 90.0),
        ("10m", 600.0),
        ("4h", 14_400.0),
        ("1d", 86_400.0),
        ("1h30m", 5_400.0),
        ("1d 2h 3m 4s", 93_784.0),
        ("1.5h", 5_400.0),
        (" 2h ", 7_200.0),
    ],
)
def test_accepted(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", "h", "4 hours", "30m1h", "1h1h", "-1h", "1w", "4h!", True, None, [1], float("nan"), -5],
)
def test_refused(text: object) -> None:
    with pytest.raises(ValueError, match=r"duration|not|must"):
        parse_duration(text)


def test_zero_only_when_allowed() -> None:
    with pytest.raises(ValueError, match="longer than 0"):
        parse_duration("0s")
    assert parse_duration("0s", allow_zero=True) == 0


def test_a_century_at_most() -> None:
    with pytest.raises(ValueError, match="100 years"):
        parse_duration("36501d")


@given(st.integers(min_value=0, max_value=100 * 365 * 86_400))
def test_format_reads_back(seconds: int) -> None:
    assert parse_duration(format_duration(seconds), allow_zero=True) == seconds


@given(st.text(max_size=12))
def test_any_text_is_a_duration_or_a_value_error(text: str) -> None:
    try:
        seconds = parse_duration(text, allow_zero=True)
    except ValueError:
        return
    assert seconds >= 0
