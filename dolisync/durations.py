"""Durations as people write them: ``90``, ``"90s"``, ``"10m"``, ``"4h"``, ``"1d"``, ``"1h30m"``.

A leaf module (L0) so every layer can read durations the same way: the rules (``age = { over =
"4h" }``, ``duration = "1h"``) and the CLI (``--since 30d``) must not import the config package.
``parse_duration`` turns one value into seconds or raises ``ValueError`` saying what is allowed.
"""

from __future__ import annotations

import math
import re
from typing import Final

UNITS: Final[dict[str, int]] = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
LONGEST: Final = 100 * 365 * 86_400  # a century: anything longer is a typo
ALLOWED: Final = 'a number of seconds or a text like "90s", "10m", "4h", "1d", "1h30m"'

_PART: Final = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")


def parse_duration(value: object, *, allow_zero: bool = False) -> float:
    """Seconds in ``value``; ``ValueError`` when it is not a duration.

    Units come in decreasing order, each at most once ("1h30m", not "30m1h").
    Negative, NaN, infinite and over-a-century values are refused; so is zero unless
    ``allow_zero``.
    """
    if isinstance(value, bool):  # True is an int to Python, never a duration to a person
        raise ValueError(f"must be {ALLOWED}, not true/false")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _seconds_in(value)
    else:
        raise ValueError(f"must be {ALLOWED}")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"must be {ALLOWED}, not negative")
    if seconds == 0 and not allow_zero:
        raise ValueError("must be longer than 0 seconds")
    if seconds > LONGEST:
        raise ValueError("must be at most 100 years")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest text ``parse_duration`` reads back: 5400 -> ``"1h30m"``, 0 -> ``"0s"``."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    left = int(seconds)
    parts = []
    for unit, size in UNITS.items():
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _seconds_in(text: str) -> float:
    compact = text.strip()
    if _NUMBER.fullmatch(compact):
        return float(compact)
    total = 0.0
    position = 0
    units_left = list(UNITS)
    for match in _PART.finditer(compact):
        unit = match.group(2)
        if compact[position : match.start()].strip() or unit not in units_left:
            break
        del units_left[: units_left.index(unit) + 1]  # later parts need smaller units
        total += float(match.group(1)) * UNITS[unit]
        position = match.end()
    else:
        if position and not compact[position:].strip():
            return total
    raise ValueError(f"{text!r} is not a duration: use {ALLOWED}")
