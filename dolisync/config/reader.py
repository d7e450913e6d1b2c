"""Reading parsed TOML tables strictly while collecting every problem instead of stopping.

``Collector`` gathers problems (with the file and the line of each dotted path), warnings,
and where each value came from. ``Table`` hands out the keys of one TOML table through
check functions (which raise ``ValueError`` with a message saying what is allowed) and
reports unknown keys at once, with the closest known key as a suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from dolisync.errors import Problem
from dolisync.tomlpaths import LineIndex, join_path

T = TypeVar("T")

FROM_FILE: Final = "file"
FROM_DEFAULT: Final = "default"


class Collector:
    """Everything found wrong (or worth a warning) while reading one config file."""

    def __init__(self, *, file: str | None, lines: LineIndex | None = None) -> None:
        self.file = file
        self._lines = lines
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.sources: dict[str, str] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(
            Problem(path=path, message=message, file=self.file, line=self._line(path))
        )

    def add(self, problems: Iterable[Problem]) -> None:
        """Take problems found elsewhere (e.g. the rules parser), filling in file and line."""
        for found in problems:
            self.problems.append(
                Problem(
                    path=found.path,
                    message=found.message,
                    file=found.file or self.file,
                    line=found.line if found.line is not None else self._line(found.path),
                )
            )

    def problems_at(self, path: str) -> list[Problem]:
        return [found for found in self.problems if found.path == path]

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def _line(self, path: str) -> int | None:
        return self._lines.line_of(path) if self._lines is not None else None


class Table:
    """One TOML table: known keys are read through checks, unknown ones are problems."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        path: str,
        collector: Collector,
        allowed: Sequence[str],
    ) -> None:
        self.raw = raw
        self.path = path
        self.collector = collector
        self.allowed = tuple(allowed)
        for key in raw:
            if key not in self.allowed:
                collector.problem(self.path_of(key), unknown_key_message(key, self.allowed))

    def path_of(self, key: str) -> str:
        return join_path(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.raw

    def table(self, key: str, allowed: Sequence[str]) -> Table:
        """A sub-table; a missing or mistyped one reads as empty (the latter is a problem)."""
        value = self.raw.get(key, {})
        if not isinstance(value, Mapping):
            self.collector.problem(
                self.path_of(key), f"must be a table, not {describe_type(value)}"
            )
            value = {}
        return Table(value, self.path_of(key), self.collector, allowed)

    def get(self, key: str, check: Callable[[Any], T], default: T) -> T:
        """The checked value of ``key``, or ``default`` when it is absent or wrong."""
        checked = self.optional(key, check)
        return default if checked is None else checked

    def optional(self, key: str, check: Callable[[Any], T]) -> T | None:
        """The checked value of ``key``; None when absent or wrong (wrong is a problem)."""
        assert key in self.allowed, f"{key!r} is not declared for [{self.path}]"
        path = self.path_of(key)
        if key not in self.raw:
            self.collector.sources.setdefault(path, FROM_DEFAULT)
            return None
        self.collector.sources[path] = FROM_FILE
        try:
            return check(self.raw[key])
        except ValueError as error:
            self.collector.problem(path, str(error))
            return None


def unknown_key_message(key: str, allowed: Sequence[str]) -> str:
    """``unknown key (did you mean 'timeout'?)``, or the list of allowed keys."""
    guess = closest(key, allowed)
    if guess:
        return f"unknown key (did you mean {guess!r}?)"
    return f"unknown key; allowed keys: {', '.join(allowed)}"


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` is most likely a typo of, if any is close enough."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def describe_type(value: object) -> str:
    """How TOML would name the type of ``value``: 'a string', 'an array', ..."""
    # bool before int: True is an int to Python.
    names: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        ((list, tuple), "an array"),
        (Mapping, "a table"),
        (dt.datetime, "a date-time"),
        (dt.date, "a date"),
        (dt.time, "a time"),
    )
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return type(value).__name__
