"""``dolisync.durations`` (read by config, rules and ``--since``): forms, refusals, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dolisync.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (2.5, 2.5),
        ("90", 90.0),
        ("90s", 90.0),
        ("10m", 600.0),
        ("4h", 14_400.0),
        ("1d", 86_400.0),
        ("1h30m", 5_400.0),
        ("1d2h3m4s", 93_784.0),
        ("1.5h", 5_400.0),
        (" 1h 30m ", 5_400.0),
    ],
)
def test_accepted_forms(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "is not a duration"),
        ("soon", "is not a duration"),
        ("30m1h", "is not a duration"),  # units out of order
        ("1h1h", "is not a duration"),
        ("5 minutes", "is not a duration"),
        ("10M", "is not a duration"),
        (-1, "not negative"),
        (0, "longer than 0 seconds"),
        ("0s", "longer than 0 seconds"),
        (float("nan"), "must be a number of seconds"),
        (float("inf"), "at most 100 years"),
        ("9" * 400 + "d", "at most 100 years"),
        (True, "not true/false"),
        ([1], "must be a number of seconds"),
    ],
)
def test_refused_values_say_what_is_allowed(value: object, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        parse_duration(value)


def test_zero_is_allowed_when_asked_for() -> None:
    assert parse_duration("0s", allow_zero=True) == 0.0
    assert parse_duration(0, allow_zero=True) == 0.0


def test_format_duration_writes_the_shortest_form() -> None:
    assert [format_duration(s) for s in (0, 30, 60, 5400, 93_784, 2.5)] == [
        "0s",
        "30s",
        "1m",
        "1h30m",
        "1d2h3m4s",
        "2.5s",
    ]


@given(
    st.integers(0, 400),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from(["", " "]),
)
def test_hours_minutes_seconds_round_trip(hours: int, minutes: int, seconds: int, gap: str) -> None:
    text = (
        gap.join(
            part
            for amount, unit in ((hours, "h"), (minutes, "m"), (seconds, "s"))
            if amount
            for part in [f"{amount}{unit}"]
        )
        or "0s"
    )
    total = hours * 3600 + minutes * 60 + seconds
    assert parse_duration(text, allow_zero=True) == total
    assert parse_duration(f"{hours}h{minutes}m{seconds}s", allow_zero=True) == total
    assert parse_duration(format_duration(total), allow_zero=True) == total


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
