"""Every way Dolibarr can fail maps to one error class, with its message and a hint."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from dolisync.dolibarr.transport import RetryPolicy, Transport
from dolisync.errors import (
    AuthError,
    BadRequest,
    DolibarrError,
    DolibarrTimeout,
    FeatureMissing,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)
from tests.dolibarr.conftest import API_KEY, BASE, V20, V22, capture, replay


@dataclass(frozen=True)
class ErrorCase:
    version: str
    number: int
    call: str
    error_class: type[DolibarrError]
    status: int
    dolibarr_text: str | None


ERROR_CASES = [
    ErrorCase(V22, 3, "/status", AuthError, 401, "Error user not valid"),
    ErrorCase(V20, 2, "/status", AuthError, 401, "No parameter 'HTTP_DOLAPIKEY'"),
    ErrorCase(V22, 130, "/tickets", BadRequest, 400, "Wrong balance of parenthesis"),
    ErrorCase(V22, 6, "/login", PermissionDenied, 403, None),
    ErrorCase(V22, 65, "/tickets/999999", NotFound, 404, "Ticket not found"),
    ErrorCase(V22, 7, "/doesnotexist", FeatureMissing, 501, "API not found"),
    ErrorCase(V22, 109, "/tickets", ServerError, 503, "Error when retrieve ticket list"),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: f"{c.status}-{c.number}")
def test_error_status_maps_to_its_class_with_dolibarrs_message(rsps, transport, case):
    replay(rsps, capture(case.version, case.number))

    with pytest.raises(case.error_class) as caught:
        transport.get(case.call)

    error = caught.value
    assert error.status == case.status
    assert error.method == "GET"
    assert error.path == case.call
    assert error.hint
    assert "\n" not in str(error)
    assert str(error).startswith(f"GET {case.call}: {case.status} ")
    if case.dolibarr_text:
        assert case.dolibarr_text in (error.dolibarr_message or "")
        assert case.dolibarr_text in str(error)


def test_401_message_reads_as_one_line_without_repeating_the_reason(rsps, transport):
    replay(rsps, capture(V22, 3))

    with pytest.raises(AuthError) as caught:
        transport.get("/status")

    assert str(caught.value) == (
        "GET /status: 401 Unauthorized: Error user not valid (not found with api key or bad "
        "status or bad validity dates) (conf->entity=1)"
    )
    assert caught.value.dolibarr_message is not None
    assert caught.value.dolibarr_message.startswith("Unauthorized: Error user not valid")
    assert "API key" in (caught.value.hint or "")


def test_500_with_empty_html_body_is_a_server_error(rsps, transport):
    replay(rsps, capture(V22, 188))

    with pytest.raises(ServerError) as caught:
        transport.delete("/tickets/9")

    assert str(caught.value) == "DELETE /tickets/9: 500 Internal Server Error"
    assert "re-read" in (caught.value.hint or "")


def test_webhook_failure_details_are_kept_in_the_message(rsps, transport):
    replay(rsps, capture(V22, 202))

    with pytest.raises(ServerError) as caught:
        transport.post("/tickets", {"subject": "s", "message": "m"})

    assert "Error creating ticket" in str(caught.value)
    assert "failed to get URL http://127.0.0.1:8099/fail-hook22" in str(caught.value)


def test_429_is_rate_limited_with_retry_after(rsps, transport):
    rsps.add("POST", BASE + "/tickets", status=429, headers={"Retry-After": "12"})

    with pytest.raises(RateLimited) as caught:
        transport.post("/tickets", {})

    assert caught.value.retry_after == 12.0


def test_other_4xx_is_a_bad_request(rsps, transport):
    rsps.add("PUT", BASE + "/tickets/1", status=409, json={"error": {"code": 409, "message": "x"}})

    with pytest.raises(BadRequest):
        transport.put("/tickets/1", {})


def test_redirect_is_not_followed(rsps, transport):
    rsps.add("GET", BASE + "/status", status=302, headers={"Location": "https://elsewhere/x"})

    with pytest.raises(InvalidResponse) as caught:
        transport.get("/status")

    assert "https://elsewhere/x" in (caught.value.hint or "")
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "body",
    ['[{"id": "1", "ref": "TS', "<html>Login</html>", '{"a": 1'],
)
def test_malformed_json_is_an_invalid_response(rsps, transport, body):
    rsps.add("GET", BASE + "/tickets", body=body, status=200, content_type="application/json")

    with pytest.raises(InvalidResponse) as caught:
        transport.get("/tickets")

    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert len(rsps.calls) == 1  # a broken answer is not retried


def test_304_and_empty_bodies_are_none(rsps, transport):
    replay(rsps, capture(V22, 161))
    rsps.add("POST", BASE + "/interventions/2/close", body="", status=200)

    assert transport.post("/interventions/2/validate") is None
    assert transport.post("/interventions/2/close") is None


@pytest.mark.parametrize(
    ("exception", "error_class", "text"),
    [
        (requests.ConnectionError("Connection refused"), TransportError, "connection refused"),
        (requests.exceptions.SSLError("bad cert"), TransportError, "TLS handshake failed"),
        (requests.ReadTimeout("read timed out"), DolibarrTimeout, "read timeout"),
        (requests.ConnectTimeout("connect timed out"), DolibarrTimeout, "connect timeout"),
    ],
)
def test_no_answer_maps_to_transport_errors_without_chaining(
    rsps, transport, exception, error_class, text
):
    rsps.add("POST", BASE + "/tickets", body=exception)

    with pytest.raises(error_class) as caught:
        transport.post("/tickets", {})

    assert text in str(caught.value)
    assert caught.value.status is None
    assert caught.value.hint
    # requests' exception holds the prepared request, and with it the key header
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_every_request_carries_key_accept_user_agent_and_timeout(rsps, clock):
    seen: dict[str, object] = {}

    class SpySession(requests.Session):
        def request(self, *args, **kwargs):
            seen.update(kwargs)
            return super().request(*args, **kwargs)

    transport = Transport(BASE, API_KEY, timeout=(3.0, 9.0), verify="/ca.pem", session=SpySession())
    rsps.add("GET", BASE + "/status", json={"success": {"dolibarr_version": "22.0.4"}})

    transport.get("/status")

    sent = rsps.calls[0].request.headers
    assert sent["DOLAPIKEY"] == API_KEY
    assert sent["Accept"] == "application/json"
    assert sent["User-Agent"].startswith("dolisync/")
    assert seen["timeout"] == (3.0, 9.0)
    assert seen["verify"] == "/ca.pem"


def test_stats_count_requests_errors_and_bytes(rsps, transport):
    rsps.add("GET", BASE + "/tickets", json=[{"id": "1"}])
    rsps.add("GET", BASE + "/tickets/2", status=404, json={"error": {"message": "Not Found"}})

    transport.get("/tickets")
    with pytest.raises(NotFound):
        transport.get("/tickets/2")

    snap = transport.stats.snapshot()
    assert snap["requests"] == 2
    assert snap["retries"] == 0
    assert snap["errors"] == {"NotFound": 1}
    assert snap["bytes_received"] > 0


def test_a_closed_port_is_a_transport_error_without_the_key(clock):
    # real requests, no mock: nothing listens on port 9 of the loopback
    transport = Transport(
        "http://127.0.0.1:9/api/index.php", API_KEY, retry=RetryPolicy(2), clock=clock
    )

    with pytest.raises(TransportError) as caught:
        transport.get("/status")

    assert "GET /status" in str(caught.value)
    assert API_KEY not in repr(caught.value)
    assert caught.value.__context__ is None
    assert len(clock.sleeps) == 1  # retried once: an outage may pass


def test_a_missing_ca_bundle_is_a_transport_error_and_not_retried(clock, tmp_path):
    transport = Transport(
        "https://127.0.0.1:9/api/index.php", API_KEY, verify=str(tmp_path / "none.pem"), clock=clock
    )

    with pytest.raises(TransportError) as caught:
        transport.get("/status")

    assert "dolibarr.ca_bundle" in (caught.value.hint or "")
    assert clock.sleeps == []
