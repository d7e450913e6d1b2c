"""Fault injection: latency, error answers, hangs, resets, broken JSON, and "apply then fail".

A spec string holds rules separated by ``;``; each rule is ``key=value`` pairs separated by ``,``::

    latency=50ms                   every call waits 50 ms (also ``20ms..200ms``, ``1.5s``)
    error500=0.1                   10 % of calls answer 500 without running (also error502,
                                   error503, error429; 429 carries ``Retry-After``)
    retry_after=2                  the Retry-After seconds of 429 answers (default 1)
    hang=0.05                      the call never answers: the server waits ``hang_seconds``
    hang_seconds=30                (default 30) then drops the connection
    reset=0.05                     the connection is reset before anything runs
    truncate=0.05                  the call runs; its JSON answer is cut in the middle
    malformed=0.05                 the call runs; its answer is not JSON at all
    apply_then_500=0.1             the call RUNS (a write is committed) then answers 500
    apply_then_reset=0.1           the call runs, then the connection is reset
    apply_then_hang=0.1            the call runs, then hangs like ``hang``
    method=PUT                     scope: only this method (else every method)
    path=/tickets                  scope: only paths starting with this (below /api/index.php)
    count=3                        scope: only the first 3 faults of this rule, then it is spent
    seed=7                         random draws are deterministic for a given seed (default 0)

Example: ``--faults "latency=20ms; error500=0.1,method=GET; apply_then_500=1,method=PUT,count=1"``.
Within a rule at most one fault kind fires per call (rates add up); rules are checked in order.
"""

from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from dolisync.simulator.answers import HTML_TYPE, JSON_TYPE, Answer, ApiError

STATUS_KINDS: Final[dict[str, int]] = {
    "error500": 500,
    "error502": 502,
    "error503": 503,
    "error429": 429,
}
BEFORE_KINDS: Final[frozenset[str]] = frozenset({*STATUS_KINDS, "hang", "reset"})
AFTER_KINDS: Final[frozenset[str]] = frozenset(
    {"truncate", "malformed", "apply_then_500", "apply_then_reset", "apply_then_hang"}
)
KINDS: Final[frozenset[str]] = BEFORE_KINDS | AFTER_KINDS
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


class FaultSpecError(ValueError):
    """The fault spec string is wrong; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Action:
    """What to do instead of (or after) the normal answer."""

    kind: str  # status | reset | hang | truncate | malformed
    status: int = 0
    seconds: float = 0.0
    retry_after: float = 1.0

    def answer(self) -> Answer:
        if self.status in (502, 503):  # what a reverse proxy in front of PHP sends
            text = f"<html><body><h1>{self.status} Simulated proxy error</h1></body></html>"
            return Answer(self.status, text.encode(), HTML_TYPE)
        error = ApiError(self.status, "Simulated fault")
        debug = {
            "source": "simulator at call stage",
            "stages": {"success": [], "failure": ["call"]},
        }
        answer = Answer(self.status, json.dumps(error.body(debug)).encode(), JSON_TYPE)
        if self.status == 429:
            answer.headers["Retry-After"] = f"{self.retry_after:g}"
        return answer

    def mangle(self, answer: Answer) -> Answer:
        if self.kind == "truncate":
            body = answer.body[: max(len(answer.body) // 2, 1)] if answer.body else b"{"
        else:
            body = (
                b"<br />\n<b>Warning</b>: simulated PHP notice in api.class.php<br />\n"
                + answer.body
            )
        return Answer(answer.status, body, answer.content_type or JSON_TYPE, dict(answer.headers))


@dataclass(frozen=True, slots=True)
class Plan:
    """The faults chosen for one call."""

    latency: float = 0.0
    before: Action | None = None  # replaces the call (it does not run)
    after: Action | None = None  # the call runs, then this replaces or mangles its answer


NO_FAULT: Final[Plan] = Plan()


@dataclass(slots=True)
class FaultRule:
    """One rule: fault rates, optional latency, and its scope."""

    rates: dict[str, float] = field(default_factory=dict)
    latency: tuple[float, float] = (0.0, 0.0)
    method: str | None = None
    path: str | None = None
    count: int | None = None
    retry_after: float = 1.0
    hang_seconds: float = 30.0

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or path.startswith(self.path)

    def action(self, kind: str) -> Action:
        if kind in STATUS_KINDS:
            return Action("status", status=STATUS_KINDS[kind], retry_after=self.retry_after)
        if kind in ("hang", "apply_then_hang"):
            return Action("hang", seconds=self.hang_seconds)
        if kind in ("reset", "apply_then_reset"):
            return Action("reset")
        if kind == "apply_then_500":
            return Action("status", status=500)
        return Action(kind)


class Faults:
    """The active fault rules; thread-safe, deterministic for a seed when calls are sequential."""

    def __init__(self, spec: str = "") -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._random = random.Random(0)
        self.set(spec)

    def set(self, spec: str) -> None:
        """Replace every rule with those of ``spec`` ("" clears them)."""
        rules, seed = parse_spec(spec)
        with self._lock:
            self._rules = rules
            self._random = random.Random(seed)

    def add(
        self,
        kind: str,
        rate: float = 1.0,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int | None = None,
        retry_after: float = 1.0,
        hang_seconds: float = 30.0,
    ) -> None:
        """Add one rule: ``kind`` (see the module doc, or ``latency`` with ``rate`` = seconds)."""
        rule = FaultRule(
            method=method.upper() if method else None,
            path=path,
            count=count,
            retry_after=retry_after,
            hang_seconds=hang_seconds,
        )
        if kind == "latency":
            rule.latency = (rate, rate)
        elif kind in KINDS:
            rule.rates[kind] = rate
        else:
            raise FaultSpecError(
                f"unknown fault kind {kind!r}: use latency or one of {sorted(KINDS)}"
            )
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        self.set("")

    @property
    def active(self) -> bool:
        return bool(self._rules)

    def plan(self, method: str, path: str) -> Plan:
        if not self._rules:
            return NO_FAULT
        latency = 0.0
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                low, high = rule.latency
                if high:
                    latency += self._random.uniform(low, high) if high > low else low
                kind = self._draw(rule)
                if kind is None:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                action = rule.action(kind)
                if kind in BEFORE_KINDS:
                    return Plan(latency, before=action)
                return Plan(latency, after=action)
        return Plan(latency) if latency else NO_FAULT

    def _draw(self, rule: FaultRule) -> str | None:
        if not rule.rates:
            return None
        point = self._random.random()
        for kind, rate in rule.rates.items():
            if point < rate:
                return kind
            point -= rate
        return None


def parse_spec(spec: str) -> tuple[list[FaultRule], int]:
    """Rules and seed of a spec string; raises ``FaultSpecError`` naming the bad part."""
    rules: list[FaultRule] = []
    seed = 0
    for text in filter(None, (part.strip() for part in spec.split(";"))):
        rule = FaultRule()
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep or not value:
                raise FaultSpecError(f"fault spec: {item!r} is not key=value")
            if key == "seed":
                seed = _number(key, value, int)
            else:
                _apply(rule, key, value)
        rules.append(rule)
    return rules, seed


def _apply(rule: FaultRule, key: str, value: str) -> None:
    if key in KINDS:
        rate = _number(key, value, float)
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"fault spec: {key}={value} must be a rate between 0 and 1")
        rule.rates[key] = rate
    elif key == "latency":
        low, _, high = value.partition("..")
        rule.latency = (duration(low), duration(high or low))
    elif key == "method":
        rule.method = value.upper()
    elif key == "path":
        rule.path = value if value.startswith("/") else "/" + value
    elif key == "count":
        rule.count = _number(key, value, int)
    elif key == "retry_after":
        rule.retry_after = duration(value)
    elif key == "hang_seconds":
        rule.hang_seconds = duration(value)
    else:
        raise FaultSpecError(f"fault spec: unknown key {key!r} (see dolisync simulator --help)")


def duration(text: str) -> float:
    """Seconds from ``50ms``, ``1.5s`` or ``2`` (seconds)."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise FaultSpecError(f"fault spec: {text!r} is not a duration like 50ms or 2s")
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def _number(key: str, value: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise FaultSpecError(f"fault spec: {key}={value} is not a number") from None
