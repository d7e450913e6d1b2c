"""Reading loosely typed Dolibarr JSON fields, with errors that say where.

What this module knows: Dolibarr sends numbers as strings (``"172"``), empty dates as ``""``
or null, and several names for one value across versions (``status``/``fk_statut``,
``duration``/``duree``). ``FieldReader`` reads one object and raises ``InvalidResponse``
naming the entity, the object id and the field when a value has the wrong shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dolisync.errors import InvalidResponse

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_MISSING = object()
SHAPE_HINT = "Dolibarr sent a value dolisync cannot read: report it with the Dolibarr version"


class FieldReader:
    """Typed access to one raw object; ``entity`` names it in errors (e.g. ``"ticket"``).

    Every read is on the hot path of a first load (twenty fields per ticket, a hundred
    thousand tickets): the common shapes (an int, a digit string, a plain string) are
    answered before the general rules.
    """

    __slots__ = ("entity", "raw")

    def __init__(self, raw: Mapping[str, Any], entity: str) -> None:
        if type(raw) is not dict and not isinstance(raw, Mapping):
            raise InvalidResponse(
                f"{entity}: expected a JSON object, got {type(raw).__name__}", hint=SHAPE_HINT
            )
        self.raw = raw
        self.entity = entity

    @property
    def object_id(self) -> str:
        """The object's id as errors show it (``?`` when it has none)."""
        value = self.raw.get("id")
        return str(value) if isinstance(value, int | str) else "?"

    def fail(self, field: str, problem: str) -> InvalidResponse:
        return InvalidResponse(
            f"{self.entity} {self.object_id}: field {field!r} {problem}", hint=SHAPE_HINT
        )

    def _first(self, names: tuple[str, ...]) -> tuple[str, Any]:
        """The first present name and its value (absent: the first name, ``_MISSING``)."""
        for name in names:
            if name in self.raw:
                return name, self.raw[name]
        return names[0], _MISSING

    def _first_set(self, names: tuple[str, ...]) -> tuple[str, Any]:
        """Like ``_first`` but skips null/``""`` values when a later name has one."""
        raw = self.raw
        for name in names:
            value = raw.get(name)
            if value is not None and value != "":
                return name, value
        return self._first(names)

    def int_(self, *names: str) -> int:
        """A required whole number (int or digit string)."""
        name, value = self._first_set(names)
        number = self._to_int(name, value)
        if number is None:
            raise self.fail(name, "is missing" if value is _MISSING else f"is empty ({value!r})")
        return number

    def opt_int(self, *names: str) -> int | None:
        """A whole number, or None for absent/null/``""``."""
        name, value = self._first_set(names)
        return self._to_int(name, value)

    def opt_ref(self, *names: str) -> int | None:
        """A foreign key: None for absent/null/``""`` and for Dolibarr's "none" values <= 0."""
        number = self._to_int(*self._first_set(names))
        return number if number is not None and number > 0 else None

    # A date as Unix seconds, or None for absent/null/``""`` (one call less than a wrapper).
    epoch = opt_int

    def seconds(self, *names: str) -> int:
        """A duration in seconds (``"3600"``, ``3600`` or ``"3600.0"``); 0 when empty."""
        name, value = self._first_set(names)
        if value is _MISSING or value is None or value == "":
            return 0
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
            return round(float(value))
        number = self._to_int(name, value)
        return number or 0

    def text(self, *names: str) -> str:
        """A string; ``""`` for absent/null."""
        return self._as_text(*self._first_set(names)) or ""

    def opt_text(self, *names: str) -> str | None:
        """A string, or None for absent/null/``""``; numbers become their decimal text."""
        return self._as_text(*self._first_set(names))

    def _as_text(self, name: str, value: Any) -> str | None:
        if type(value) is str:
            return value or None
        if value is _MISSING or value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.fail(name, f"should be text, got {type(value).__name__}")

    def req_text(self, *names: str) -> str:
        """A string that must be present (it may be empty)."""
        name, value = self._first_set(names)
        if value is _MISSING:
            raise self.fail(name, "is missing")
        return self._as_text(name, value) or ""

    def as_int(self, label: str, value: Any) -> int:
        """``value`` (found under ``label``) as a required whole number."""
        number = self._to_int(label, value)
        if number is None:
            raise self.fail(label, f"is empty ({value!r})")
        return number

    def flag(self, *names: str, default: bool = False) -> bool:
        """A 0/1 flag (``"1"``, ``1``, ``true``)."""
        name, value = self._first_set(names)
        if value is _MISSING or value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        number = self._to_int(name, value)
        return bool(number)

    def _to_int(self, name: str, value: Any) -> int | None:
        kind = type(value)
        if kind is int:
            return value  # type: ignore[no-any-return]
        if kind is str and value.isdecimal():  # what the pattern below accepts, sooner
            return int(value)
        if value is _MISSING or value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self.fail(name, f"should be a number, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value)
        raise self.fail(name, f"should be a whole number, got {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
