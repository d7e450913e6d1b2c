"""The line of a dotted path (``rules[2].when.status``) in the TOML text it came from.

tomllib keeps no positions, so this scans the text for table headers (``[[rules]]``,
``[rules.when]``, ``[[rules.then]]``) and ``key = value`` lines. A path with no line of its own
(a key inside an inline table, a list item) takes the line of its nearest ancestor.
"""

from __future__ import annotations

import re
from typing import Final

from dolisync.rules.problems import child

_KEY_PART: Final = r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+'
_DOTTED: Final = rf"(?:{_KEY_PART})(?:\s*\.\s*(?:{_KEY_PART}))*"
_ARRAY_HEADER: Final = re.compile(rf"\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?")
_TABLE_HEADER: Final = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?")
_KEY_LINE: Final = re.compile(rf"\s*({_DOTTED})\s*=")
_PART: Final = re.compile(_KEY_PART)
_LAST_INDEX: Final = re.compile(r"\[\d+\]$")


class LineFinder:
    """Maps dotted paths to 1-based line numbers of one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        self._arrays: dict[str, int] = {}
        table = ""
        in_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string:
                in_string = _toggles(line, in_string)
            elif match := _ARRAY_HEADER.fullmatch(line):
                table = self._new_element(_split(match.group(1)))
                self._lines.setdefault(table, number)
            elif match := _TABLE_HEADER.fullmatch(line):
                table = self._enter(_split(match.group(1)))
                self._lines.setdefault(table, number)
            elif match := _KEY_LINE.match(line):
                path = table
                for part in _split(match.group(1)):
                    path = child(path, part)
                self._lines.setdefault(path, number)
                in_string = _toggles(line[match.end() :], False)

    def line_of(self, path: str) -> int | None:
        while path:
            if path in self._lines:
                return self._lines[path]
            path = _parent(path)
        return None

    def _enter(self, parts: list[str]) -> str:
        path = ""
        for part in parts:
            path = child(path, part)
            if path in self._arrays:
                path = f"{path}[{self._arrays[path] - 1}]"
        return path

    def _new_element(self, parts: list[str]) -> str:
        array = child(self._enter(parts[:-1]), parts[-1])
        index = self._arrays.get(array, 0)
        self._arrays[array] = index + 1
        return f"{array}[{index}]"


def _split(dotted: str) -> list[str]:
    parts = []
    for match in _PART.finditer(dotted):
        text = match.group()
        parts.append(text[1:-1] if text[0] in "\"'" else text)
    return parts


def _toggles(text: str, inside: bool) -> bool:
    """Whether a multi-line string is still open after ``text``."""
    return inside != ((text.count('"""') + text.count("'''")) % 2 == 1)


def _parent(path: str) -> str:
    if _LAST_INDEX.search(path):
        return _LAST_INDEX.sub("", path)
    quoted = False
    cut = 0
    for position, char in enumerate(path):
        if char == '"' and path[position - 1 : position] != "\\":
            quoted = not quoted
        elif char == "." and not quoted:
            cut = position
    return path[:cut]
