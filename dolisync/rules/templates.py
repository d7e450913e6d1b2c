"""Text templates in rule actions: ``"On-site work for {ticket.ref}: {ticket.subject}"``.

The grammar is deliberately tiny: literal text, and ``{namespace.field}`` placeholders whose
name must be in an allowed list. There are no escapes, conversions (``!r``), format specs
(``:>10``), indexes or attribute walks, and ``str.format`` is never used, so a template can
only ever copy named values. Values are substituted as literal text: a ticket subject that
contains ``{intervention.ref}`` stays that text and is never read as a placeholder.

A template whose fields are not all known yet (``{intervention.ref}`` before the outbox
created the intervention) is ``bind``-ed: known fields become literal text, the rest remain.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

MAX_TEMPLATE_LENGTH: Final = 20_000

_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_]\w*)\.([A-Za-z_]\w*)\}", re.ASCII)


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A placeholder inside a template: the dotted field name it stands for."""

    name: str


Part = str | FieldRef


@dataclass(frozen=True, slots=True)
class Template:
    """Literal text and placeholders, in order. Build with ``Template.parse``."""

    parts: tuple[Part, ...]
    # The dotted names of every placeholder (derived from ``parts``, kept for speed).
    fields: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = frozenset(part.name for part in self.parts if isinstance(part, FieldRef))
        object.__setattr__(self, "fields", names)

    @classmethod
    def parse(cls, text: str, allowed: Collection[str]) -> Template:
        """The template in ``text``; ``ValueError`` naming the first bad placeholder."""
        if len(text) > MAX_TEMPLATE_LENGTH:
            raise ValueError(f"is longer than {MAX_TEMPLATE_LENGTH} characters")
        parts: list[Part] = []
        position = 0
        while position < len(text):
            brace = _next_brace(text, position)
            if brace > position:
                parts.append(text[position:brace])
            if brace == len(text):
                break
            name, position = _placeholder_at(text, brace, allowed)
            parts.append(FieldRef(name))
        return cls(tuple(parts))

    def render(self, values: Mapping[str, str]) -> str:
        """The text with every placeholder replaced; ``KeyError`` names a missing value."""
        try:
            return "".join(
                [values[part.name] if isinstance(part, FieldRef) else part for part in self.parts]
            )
        except KeyError as missing:
            raise KeyError(f"no value for {{{missing.args[0]}}}") from None

    def bind(self, values: Mapping[str, str]) -> Template:
        """Replace the placeholders ``values`` knows; keep the others for a later ``render``."""
        parts: list[Part] = []
        for part in self.parts:
            piece = values.get(part.name) if isinstance(part, FieldRef) else part
            if piece is None:
                parts.append(part)
            elif parts and isinstance(parts[-1], str):
                parts[-1] += piece
            elif piece:
                parts.append(piece)
        return Template(tuple(parts))

    def text(self) -> str | None:
        """The text when no placeholder is left, else None."""
        if self.fields:
            return None
        return "".join(part for part in self.parts if isinstance(part, str))

    def to_data(self) -> list[str | dict[str, str]]:
        """A JSON-ready form that keeps literal text apart from placeholders."""
        return [{"field": part.name} if isinstance(part, FieldRef) else part for part in self.parts]

    @classmethod
    def from_data(cls, data: object) -> Template:
        """The template ``to_data`` wrote; ``ValueError`` if ``data`` is not such a list."""
        if not isinstance(data, list):
            raise ValueError("a stored template is a list")
        parts: list[Part] = []
        for item in data:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("field"), str) and len(item) == 1:
                parts.append(FieldRef(item["field"]))
            else:
                raise ValueError("a stored template holds texts and {'field': name} items")
        return cls(tuple(parts))

    def __str__(self) -> str:
        return "".join(
            f"{{{part.name}}}" if isinstance(part, FieldRef) else part for part in self.parts
        )


def _next_brace(text: str, start: int) -> int:
    positions = [found for found in (text.find("{", start), text.find("}", start)) if found >= 0]
    return min(positions, default=len(text))


def _placeholder_at(text: str, start: int, allowed: Collection[str]) -> tuple[str, int]:
    """The field named by the placeholder starting at ``start`` and the position after it."""
    if text[start] == "}":
        raise ValueError(f"has a '}}' that closes nothing at character {start + 1}")
    match = _PLACEHOLDER.match(text, start)
    if match is None:
        raise ValueError(_bad_placeholder(text, start))
    name = f"{match.group(1)}.{match.group(2)}"
    if name not in allowed:
        raise ValueError(f"uses unknown field {{{name}}}; allowed here: {_listing(allowed)}")
    return name, match.end()


def _bad_placeholder(text: str, start: int) -> str:
    end = text.find("}", start)
    shown = text[start : end + 1] if 0 <= end - start < 60 else text[start : start + 20] + "..."
    if text.startswith("{{", start):
        why = "literal braces are not supported"
    elif end >= 0 and any(mark in shown for mark in "!:[("):
        why = "conversions, formats, indexes and calls are not supported"
    else:
        why = "a placeholder is a field name like {ticket.ref}"
    return f"has {shown!r} at character {start + 1}: {why}"


def _listing(names: Collection[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(names))
