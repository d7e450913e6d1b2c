"""Where a dotted path (`sync.entities[2]`, `rules[0].when.status`) sits in TOML text.

tomllib gives values but no positions. A cheap scan of the text is enough for the forms
people write: ``[table]`` and ``[[array.of.tables]]`` headers, ``key = value`` and
``dotted.key = value`` lines. A path with no line of its own (a list item, a key inside an
inline table) falls back to its nearest ancestor: ``sync.entities[2]`` -> ``sync.entities``.
"""

from __future__ import annotations

import json
import re
from typing import Final

_BARE_KEY: Final = r"[A-Za-z0-9_-]+"
_QUOTED_KEY: Final = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY_PART: Final = rf"(?:{_BARE_KEY}|{_QUOTED_KEY})"
_DOTTED_KEY: Final = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"

_TABLE_HEADER_RE: Final = re.compile(rf"\s*\[\s*(?P<key>{_DOTTED_KEY})\s*\]\s*(?:#.*)?")
_ARRAY_HEADER_RE: Final = re.compile(rf"\s*\[\[\s*(?P<key>{_DOTTED_KEY})\s*\]\]\s*(?:#.*)?")
_KEY_VALUE_RE: Final = re.compile(rf"\s*(?P<key>{_DOTTED_KEY})\s*=")
_KEY_PART_RE: Final = re.compile(_KEY_PART)
_INDEX_SUFFIX_RE: Final = re.compile(r"\[\d+\]$")


def format_key(key: str) -> str:
    """A key as it appears in a dotted path: bare when TOML allows, quoted otherwise."""
    if re.fullmatch(_BARE_KEY, key):
        return key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def join_path(parent: str, key: str) -> str:
    """``join_path("dolibarr", "url")`` -> ``"dolibarr.url"``; the top level has no parent."""
    return f"{parent}.{format_key(key)}" if parent else format_key(key)


class LineIndex:
    """Maps dotted paths (as ``join_path`` builds them) to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        self._array_lengths: dict[str, int] = {}
        self._scan(text)

    def line_of(self, path: str) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one; None if none has."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = _parent(path)
        return None

    def _scan(self, text: str) -> None:
        table = ""
        in_multiline_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline_string:
                in_multiline_string = _toggles_multiline(line, in_multiline_string)
                continue
            if match := _ARRAY_HEADER_RE.fullmatch(line):
                table = self._array_element(_split_key(match["key"]))
                self._lines.setdefault(table, number)
            elif match := _TABLE_HEADER_RE.fullmatch(line):
                table = self._resolve(_split_key(match["key"]))
                self._lines.setdefault(table, number)
            elif match := _KEY_VALUE_RE.match(line):
                path = table
                for part in _split_key(match["key"]):
                    path = join_path(path, part)
                self._lines.setdefault(path, number)
                in_multiline_string = _toggles_multiline(line[match.end() :], False)

    def _resolve(self, parts: list[str]) -> str:
        """The path of a table header, entering the last element of any array of tables."""
        path = ""
        for part in parts:
            path = join_path(path, part)
            if path in self._array_lengths:
                path = f"{path}[{self._array_lengths[path] - 1}]"
        return path

    def _array_element(self, parts: list[str]) -> str:
        """``[[a.b]]`` starts a new element of the array ``a.b``: its path is ``a.b[n]``."""
        array = join_path(self._resolve(parts[:-1]), parts[-1])
        index = self._array_lengths.get(array, 0)
        self._array_lengths[array] = index + 1
        return f"{array}[{index}]"


def _split_key(dotted: str) -> list[str]:
    parts = []
    for match in _KEY_PART_RE.finditer(dotted):
        parts.append(_unquote(match.group()))
    return parts


def _unquote(part: str) -> str:
    if part.startswith("'"):
        return part[1:-1]
    if part.startswith('"'):
        try:  # TOML basic strings escape like JSON for everything a key plausibly holds
            return str(json.loads(part))
        except ValueError:
            return part[1:-1]
    return part


def _toggles_multiline(text: str, inside: bool) -> bool:
    """Whether a multi-line string is open after ``text`` (an odd count of delimiters flips it)."""
    delimiters = text.count('"""') + text.count("'''")
    return inside != (delimiters % 2 == 1)


def _parent(path: str) -> str:
    """``a.b[2]`` -> ``a.b``; ``a.b`` -> ``a``; ``a`` -> ``""``. Dots inside quotes are kept."""
    if _INDEX_SUFFIX_RE.search(path):
        return _INDEX_SUFFIX_RE.sub("", path)
    in_quotes = False
    cut = 0
    for position, char in enumerate(path):
        if char == '"' and (position == 0 or path[position - 1] != "\\"):
            in_quotes = not in_quotes
        elif char == "." and not in_quotes:
            cut = position
    return path[:cut]
