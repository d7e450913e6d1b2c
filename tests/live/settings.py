"""Which real Dolibarr the live suite talks to, read from the environment.

What this module knows: the variables a tester sets, and the skip reasons when they are
missing. Every live test module carries ``pytestmark = LIVE`` so that ``make test`` (no
variables) collects the suite and reports it as skipped.

* ``DOLISYNC_LIVE_URL``, ``DOLISYNC_LIVE_API_KEY`` (required): the Dolibarr and an API key of
  a user allowed to create third parties, tickets and interventions (an administrator).
* ``DOLISYNC_LIVE_LIMITED_API_KEY`` (optional): a key whose user lacks some read rights
  dolisync needs (for the ``doctor`` test).
* ``DOLISYNC_LIVE_TZ_URL`` (optional): the same Dolibarr (same database) served by PHP with a
  timezone other than UTC (for the timezone test).
* ``DOLISYNC_LIVE_RECORD`` (optional): a folder; every exchange dolisync makes through the
  suite's proxy is saved there as JSON, for comparing with the simulator.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

URL_VAR = "DOLISYNC_LIVE_URL"
KEY_VAR = "DOLISYNC_LIVE_API_KEY"
LIMITED_KEY_VAR = "DOLISYNC_LIVE_LIMITED_API_KEY"
TZ_URL_VAR = "DOLISYNC_LIVE_TZ_URL"
RECORD_VAR = "DOLISYNC_LIVE_RECORD"


@dataclass(frozen=True, slots=True)
class LiveSettings:
    url: str
    api_key: str
    limited_api_key: str | None = None
    tz_url: str | None = None
    record_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LiveSettings | None:
        """The settings, or None when the two required variables are not both set."""
        url = env.get(URL_VAR, "").strip()
        key = env.get(KEY_VAR, "").strip()
        if not url or not key:
            return None
        record = env.get(RECORD_VAR, "").strip()
        return cls(
            url=url,
            api_key=key,
            limited_api_key=env.get(LIMITED_KEY_VAR, "").strip() or None,
            tz_url=env.get(TZ_URL_VAR, "").strip() or None,
            record_dir=Path(record) if record else None,
        )

    def __repr__(self) -> str:  # never show the keys, even in a pytest failure report
        return f"LiveSettings(url={self.url!r}, tz_url={self.tz_url!r})"


SETTINGS = LiveSettings.from_env(os.environ)
SKIP_REASON = f"live suite: set {URL_VAR} and {KEY_VAR} to run it against a real Dolibarr"
LIVE = [
    pytest.mark.live,
    pytest.mark.skipif(SETTINGS is None, reason=SKIP_REASON),
]
