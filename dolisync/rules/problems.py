"""Collecting every problem of a rule document, each at its dotted path (``rules[2].when.status``).

Paths are spelt like the TOML they point at, so the config loader can find their line:
bare keys as written, other keys quoted, list items as ``[index]``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


def child(path: str, key: object) -> str:
    """``child("rules[0]", "when")`` -> ``rules[0].when``; odd keys are quoted."""
    text = key if isinstance(key, str) else repr(key)
    if not _BARE_KEY.fullmatch(text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{path}.{text}" if path else text


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``""``."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def type_name(value: object) -> str:
    """How a TOML user would call the type of ``value``."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


@dataclass(slots=True)
class Problems:
    """Problems found so far, as (dotted path, message) pairs in the order found."""

    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def __len__(self) -> int:
        return len(self.found)
