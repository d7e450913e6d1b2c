"""Object templates and error debug blocks taken from real captures (``data/templates.json``).

A template is one real answer of the given Dolibarr version: its key order and constant values.
Rendering fills the keys that vary from the database and keeps the rest as captured, so every
key, its position and its value type match the real server. ``tests/simulator/build_templates.py``
regenerates the data file from the captures.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

VERSIONS: Final[tuple[str, ...]] = ("22.0.4", "20.0.2")
DEFAULT_VERSION: Final[str] = "22.0.4"

_CALL_STAGES: Final[dict[str, list[str]]] = {
    "success": ["get", "route", "negotiate", "authenticate", "validate"],
    "failure": ["call", "message"],
}


@cache
def _load() -> dict[str, Any]:
    text = resources.files("dolisync.simulator").joinpath("data/templates.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class Templates:
    """The templates and error debug blocks of one Dolibarr version."""

    def __init__(self, version: str) -> None:
        if version not in VERSIONS:
            raise ValueError(f"unsupported Dolibarr version {version!r}: use one of {VERSIONS}")
        data = _load()
        self.version = version
        self._templates: dict[str, dict[str, Any]] = data[version]["templates"]
        self._errors: dict[str, Any] = data[version]["errors"]
        self._fallback_errors: dict[str, Any] = data[DEFAULT_VERSION]["errors"]

    def __getitem__(self, kind: str) -> dict[str, Any]:
        return self._templates[kind]

    def has(self, kind: str) -> bool:
        return kind in self._templates

    def debug(self, key: str, source_file: str = "api.class.php") -> dict[str, Any]:
        """The ``debug`` block of an error answer, as captured (or a plausible call-stage one)."""
        found = self._errors.get(key) or self._fallback_errors.get(key)
        if found is not None:
            return dict(found)
        return {"source": f"{source_file}:0 at call stage", "stages": _CALL_STAGES}


def render(
    template: Mapping[str, Any],
    values: Mapping[str, Any],
    properties: Collection[str] | None = None,
) -> dict[str, Any]:
    """The template's keys in order, each with ``values[key]`` when given, else the captured value.

    Captured constants are shared, never copied: answers are serialised right away, never mutated.
    ``properties`` keeps only those keys (Dolibarr's ``properties=`` parameter).
    """
    if properties is None:
        return {key: values.get(key, constant) for key, constant in template.items()}
    return {
        key: values.get(key, constant) for key, constant in template.items() if key in properties
    }
