"""A value that must never be shown: the Dolibarr API key (and anything like it).

``Secret`` hides its value from ``repr``, ``str``, f-strings, dataclass reprs and pickling;
only ``reveal()`` gives it back, so every place that really needs the value says so in code.
"""

from __future__ import annotations

import hmac
from typing import Final, NoReturn, final

MASK: Final = "********"
_MIN_LENGTH_FOR_PREFIX: Final = 16  # a shorter key would give away too much of itself
_PREFIX_LENGTH: Final = 2


@final
class Secret:
    """A string that masks itself everywhere except ``reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value: call this only where the value is sent (the HTTP header)."""
        return self._value

    def masked(self) -> str:
        """A hint that helps tell keys apart without disclosing them: ``ab…(32 chars)``."""
        length = len(self._value)
        prefix = self._value[:_PREFIX_LENGTH] if length >= _MIN_LENGTH_FOR_PREFIX else ""
        return f"{prefix}…({length} chars)"

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return format(MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __len__(self) -> int:
        return len(self._value)

    # dataclasses.asdict() deep-copies values: a Secret is immutable, so sharing it is safe.
    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        # Pickling would write the plain value to disk or a queue: refuse.
        raise TypeError("a Secret cannot be pickled")
