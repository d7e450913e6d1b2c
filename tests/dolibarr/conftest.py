"""Helpers for the Dolibarr client tests: replaying real captures through ``responses``."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from responses import matchers

from dolisync.clock import FrozenClock
from dolisync.dolibarr.client import DolibarrClient
from dolisync.dolibarr.transport import RetryPolicy, Transport
from tests.conftest import CAPTURES

BASE = "http://dolibarr.test/api/index.php"
API_KEY = "k3y-Zq8vW2mN5pR7tX9yB4cD6fG1hJ0L"
V22 = "v22.0.4"
V20 = "v20.0.2"
VERSIONS = (V22, V20)


class RecordingClock(FrozenClock):
    """A frozen clock that remembers every sleep it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


def capture(version: str, number: int) -> dict[str, Any]:
    """The capture file ``<number>_*.json`` of a version folder."""
    (path,) = (CAPTURES / version).glob(f"{number:03d}_*.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def capture_named(version: str, name: str) -> dict[str, Any]:
    """The capture called ``name`` in ``index.json`` (numbers differ between folders)."""
    (entry,) = [e for e in index(version) if e["name"] == name]
    data: dict[str, Any] = json.loads((CAPTURES / version / entry["file"]).read_text())
    return data


def index(version: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((CAPTURES / version / "index.json").read_text())
    return data


def capture_path(version: str, file: str) -> Path:
    return CAPTURES / version / file


def api_path(cap: dict[str, Any]) -> str:
    """The request path below the API root, e.g. ``/tickets``."""
    path: str = cap["request"]["path"]
    return path.removeprefix("/api/index.php")


def replay(
    rsps: responses.RequestsMock,
    cap: dict[str, Any],
    *,
    match_query: bool = False,
    path: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer the capture's request with its recorded response (``match_query``: only when
    our query parameters are exactly the recorded ones)."""
    response = cap["response"]
    content_type = response["headers"].get("Content-Type", "application/json")
    body = response["body"]
    text = json.dumps(body) if response["body_kind"] == "json" else (body or "")
    match = [matchers.query_param_matcher(cap["request"]["query"])] if match_query else []
    rsps.add(
        cap["request"]["method"],
        BASE + (path or api_path(cap)),
        body=text,
        status=response["status"],
        content_type=content_type.split(";")[0],
        headers=headers or {},
        match=match,
    )


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def clock() -> RecordingClock:
    return RecordingClock()


def make_transport(clock: RecordingClock, *, key: str = API_KEY, attempts: int = 5) -> Transport:
    return Transport(
        BASE,
        key,
        timeout=(1.0, 2.0),
        retry=RetryPolicy(max_attempts=attempts),
        clock=clock,
        rng=random.Random(7),
    )


@pytest.fixture
def transport(clock: RecordingClock) -> Transport:
    return make_transport(clock)


@pytest.fixture
def client(transport: Transport, clock: RecordingClock) -> DolibarrClient:
    return DolibarrClient(transport, source="main", clock=clock)
