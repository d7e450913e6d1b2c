"""Maps ``(method, path)`` to a handler, with Restler's routing answers.

An unknown API module is 501 text/html (Dolibarr could not include its file); a known module
without a matching route is 404 "Not Found" at the route stage, as is an unsupported method
(PATCH); a non-numeric value where an integer id is expected is 400 at the route stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dolisync.simulator.answers import Answer, ApiError

if TYPE_CHECKING:
    from dolisync.simulator.backend import Backend
    from dolisync.simulator.request import Request

Handler = Callable[["Backend", "Request", list[str]], Answer]


@dataclass(frozen=True, slots=True)
class Route:
    """``pattern`` like ``tickets/{id}``: ``{id}`` must be an integer, ``{name}`` any segment."""

    method: str
    pattern: str
    handler: Handler
    authenticated: bool = True
    versions: tuple[str, ...] = ()  # empty: every version

    @property
    def parts(self) -> list[str]:
        return self.pattern.split("/")


class BadIdError(Exception):
    """A route matched except for a non-integer id: Restler answers 400."""


class Router:
    def __init__(self, routes: Iterable[Route], version: str, modules: Iterable[str]) -> None:
        self.routes = [r for r in routes if not r.versions or version in r.versions]
        self.modules = frozenset(modules)

    def has_module(self, segments: list[str]) -> bool:
        return bool(segments) and segments[0] in self.modules

    def find(self, method: str, segments: list[str]) -> tuple[Route, list[str]]:
        """The route and its arguments; raises ``ApiError`` (404/400) when there is none."""
        bad_id = False
        for route in self.routes:
            if route.method != method:
                continue
            try:
                args = _match(route.parts, segments)
            except BadIdError:
                bad_id = True
                continue
            if args is not None:
                return route, args
        if bad_id:
            raise ApiError(400, "invalid value specified for `id`", debug_key="bad_id")
        raise ApiError(404, debug_key="no_route")


def _match(parts: list[str], segments: list[str]) -> list[str] | None:
    if len(parts) != len(segments):
        return None
    args: list[str] = []
    integer_mismatch = False
    for part, segment in zip(parts, segments, strict=True):
        if part.startswith("{"):
            if part == "{id}" and not segment.lstrip("-").isdigit():
                integer_mismatch = True
            args.append(segment)
        elif part != segment:
            return None
    if integer_mismatch:
        raise BadIdError
    return args
