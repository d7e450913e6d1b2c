"""Fixtures of the live suite: the real Dolibarr, the run's own data, dolisync mirrors of it.

The suite is skipped unless ``DOLISYNC_LIVE_URL`` and ``DOLISYNC_LIVE_API_KEY`` are set
(``settings.py``). One run id names everything the session creates; clean-up happens once,
at the end of the session, and what Dolibarr would not let go is printed in the summary.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dolisync.config.urls import normalise_dolibarr_url
from dolisync.dolibarr import DolibarrClient, ServerInfo
from tests.live.mirror import LiveMirror
from tests.live.proxy import RecordingProxy
from tests.live.settings import SETTINGS, SKIP_REASON, LiveSettings
from tests.live.world import LiveWorld

_LEFTOVERS: list[str] = []
MirrorFactory = Callable[..., LiveMirror]


@pytest.fixture(scope="session")
def live() -> LiveSettings:
    if SETTINGS is None:
        pytest.skip(SKIP_REASON)
    return SETTINGS


@pytest.fixture(scope="session")
def run_id() -> str:
    """Short, unique, and safe in a subject, a name and an sqlfilters literal."""
    return time.strftime("lv%y%m%d%H%M%S") + secrets.token_hex(2)


@pytest.fixture(scope="session")
def admin(live: LiveSettings, recorder: RecordingProxy | None) -> Iterator[DolibarrClient]:
    """A dolisync client on the tester's key, for setting up and checking the run's data."""
    client = DolibarrClient.from_settings(
        normalise_dolibarr_url(recorder.url if recorder is not None else live.url),
        live.api_key,
        source="live-admin",
        max_attempts=2,
    )
    with client:
        yield client


@pytest.fixture(scope="session")
def server(admin: DolibarrClient) -> ServerInfo:
    return admin.status()


@pytest.fixture(scope="session")
def world(admin: DolibarrClient, run_id: str) -> Iterator[LiveWorld]:
    created = LiveWorld(admin, run_id)
    yield created
    created.clean_up()
    _LEFTOVERS.extend(created.leftovers)


@pytest.fixture(scope="session")
def recorder(live: LiveSettings) -> Iterator[RecordingProxy | None]:
    """A loopback proxy in front of Dolibarr that saves every exchange, when asked to."""
    if live.record_dir is None:
        yield None
        return
    proxy = RecordingProxy(live.url, record_dir=live.record_dir).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def mirror_factory(
    live: LiveSettings, recorder: RecordingProxy | None, tmp_path: Path
) -> MirrorFactory:
    """``mirror_factory(name, url=None, api_key=None, **options)``: a fresh dolisync set-up
    (own folder, own empty store) on the live Dolibarr, through the recorder if any."""

    def factory(
        name: str = "mirror", *, url: str | None = None, api_key: str | None = None, **options: Any
    ) -> LiveMirror:
        target = url or (recorder.url if recorder is not None else live.url)
        return LiveMirror(tmp_path / name, target, api_key or live.api_key, **options)

    return factory


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _LEFTOVERS:
        terminalreporter.section("live suite: left in Dolibarr")
        for line in _LEFTOVERS:
            terminalreporter.write_line(line)
