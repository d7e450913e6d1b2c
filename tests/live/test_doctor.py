"""``dolisync doctor`` against the real server: a key with the rights it needs, one without.

The key without rights comes from the tester (``DOLISYNC_LIVE_LIMITED_API_KEY``): Dolibarr's
API cannot grant or revoke rights, so the suite cannot make such a user itself.
"""

from __future__ import annotations

import secrets

import pytest

from dolisync.errors import EXIT_AUTH
from tests.live.conftest import MirrorFactory
from tests.live.settings import LIMITED_KEY_VAR, LIVE, LiveSettings
from tests.live.world import LiveWorld

pytestmark = LIVE


def _lines(output: str, status: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(status)]


def test_doctor_passes_with_a_key_that_has_the_rights(
    live: LiveSettings, world: LiveWorld, mirror_factory: MirrorFactory
) -> None:
    version = world.client.status().dolibarr_version
    mirror = mirror_factory()

    result = mirror.cli("doctor")

    assert result.exit_code == 0, result.output
    assert _lines(result.stdout, "FAIL") == []
    assert f"Dolibarr {version}" in result.stdout
    for entity in ("tickets", "messages", "interventions", "thirdparties", "users"):
        assert any(line.startswith(f"ok    {entity}:") for line in result.stdout.splitlines()), (
            f"no ok line for {entity}:\n{result.stdout}"
        )
    assert live.api_key not in result.output


def test_doctor_names_the_rights_a_limited_key_lacks(
    live: LiveSettings, mirror_factory: MirrorFactory
) -> None:
    if live.limited_api_key is None:
        pytest.skip(f"set {LIMITED_KEY_VAR} to the key of a user lacking read rights")
    mirror = mirror_factory(api_key=live.limited_api_key)

    result = mirror.cli("doctor")

    assert result.exit_code == EXIT_AUTH, result.output  # 403: the key's user lacks a right
    failures = _lines(result.stdout, "FAIL")
    assert failures, result.stdout
    assert "ok    api key:" in result.stdout  # the key itself is accepted
    assert "hint: give the API user the right" in result.stdout
    assert all("403" in line for line in failures), failures
    assert live.limited_api_key not in result.output


def test_doctor_reports_a_wrong_key(live: LiveSettings, mirror_factory: MirrorFactory) -> None:
    wrong = secrets.token_hex(20)
    mirror = mirror_factory(api_key=wrong)

    result = mirror.cli("doctor")

    assert result.exit_code == EXIT_AUTH, result.output
    assert any(line.startswith("FAIL  api key:") for line in result.stdout.splitlines())
    assert wrong not in result.output
