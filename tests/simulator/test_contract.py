"""CONTRACT: every real capture, replayed in order against a fresh simulator of its version,
gets the same status, JSON shape (key order, value types) and error messages.

``webhook_*`` files are requests Dolibarr sent (outgoing), not answers: they are not cases
here (``test_only_webhooks_are_left_out`` keeps that honest). The few exchanges the simulator
does not reproduce are listed in EXCEPTIONS with the reason.
"""

from __future__ import annotations

import pytest

from tests.simulator import contract

VERSIONS = ("22.0.4", "20.0.2")

_ROLLED_BACK = (
    "a failing blocking webhook target made the real server fail and roll back; the simulator"
    " never calls webhook targets, so this exchange is not replayed"
)
EXCEPTIONS: dict[tuple[str, str], str] = {
    **dict.fromkeys(contract.ROLLED_BACK, _ROLLED_BACK),
    **{
        (version, "status_accept_xml"): "XML answers (Accept: application/xml) are not simulated"
        for version in VERSIONS
    },
}


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], contract.Outcome]:
    """Replay each version once, sequentially (later captures depend on earlier ones)."""
    return {
        (version, name): outcome
        for version in VERSIONS
        for name, outcome in contract.replay(version).items()
    }


def _cases() -> list[tuple[str, str]]:
    return [
        (version, capture["name"])
        for version in VERSIONS
        for capture in contract.captures(version)
        if not contract.is_outgoing(capture)
    ]


def test_only_webhooks_are_left_out() -> None:
    """Every capture is either a case or an outgoing webhook request (Dolibarr -> receiver)."""
    for version in VERSIONS:
        left_out = [c for c in contract.captures(version) if contract.is_outgoing(c)]
        assert left_out, version
        assert all(c["name"].startswith("webhook_") for c in left_out)
        assert all(c["request"]["method"] == "POST" for c in left_out)


@pytest.mark.parametrize(("version", "name"), _cases())
def test_capture_is_reproduced(
    outcomes: dict[tuple[str, str], contract.Outcome], version: str, name: str
) -> None:
    if (version, name) in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[version, name])
    assert outcomes[version, name].problems == []
