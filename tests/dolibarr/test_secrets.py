"""The API key never shows: not in errors (str, repr, fields, chained causes) nor in logs."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import requests
import responses
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from dolisync.dolibarr.client import DolibarrClient
from dolisync.dolibarr.transport import Transport
from dolisync.errors import DolibarrError
from tests.dolibarr.conftest import BASE, RecordingClock, make_transport

# Real keys are long random strings (Dolibarr makes 32 letters and digits); shorter or
# dotted ones could collide with our own wording ("dolibarr.request") and fail for nothing.
keys = st.text(alphabet=string.ascii_letters + string.digits, min_size=24, max_size=64)
statuses = st.sampled_from([301, 400, 401, 403, 404, 429, 500, 501, 502, 503, 504, 200])


def _body(kind: str, key: str, extra: str) -> tuple[str, str]:
    """(content type, body) of an error answer that echoes the key in some way."""
    if kind == "envelope":
        envelope = {"error": {"code": 400, "message": f"Bad: {extra} {key}", "0": key}}
        return "application/json", json.dumps(envelope)
    if kind == "html":
        return "text/html", f"<html><body>{extra} DOLAPIKEY={key}</body></html>"
    if kind == "truncated":
        return "application/json", f'{{"id": "{key}'
    return "application/json", json.dumps({"debug": {"headers": {"DOLAPIKEY": key}}, "m": extra})


def _everything_shown(error: BaseException) -> str:
    parts = [str(error), repr(error)]
    if isinstance(error, DolibarrError):
        parts += [str(error.hint), str(error.dolibarr_message), str(error.path), str(error.args)]
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(_everything_shown(linked))
    return "\n".join(parts)


def _error_of(transport: Transport, method: str) -> DolibarrError | None:
    try:
        if method == "GET":
            transport.get("/tickets", {"limit": 1})
        else:
            transport.post("/tickets", {"subject": "x"})
    except DolibarrError as error:
        return error
    return None


def _logged(entries: list[Any]) -> str:
    return json.dumps(entries, default=repr)


@given(
    key=keys,
    status=statuses,
    kind=st.sampled_from(["envelope", "html", "truncated", "debug"]),
    extra=st.text(max_size=40),
    method=st.sampled_from(["GET", "POST"]),
)
def test_key_never_appears_in_errors_or_logs(key, status, kind, extra, method):
    transport = make_transport(RecordingClock(), key=key, attempts=2)
    content_type, body = _body(kind, key, extra)
    headers = {"Location": f"http://x/{key}"} if status == 301 else {}
    with responses.RequestsMock() as rsps, capture_logs() as logs:
        rsps.add(
            method,
            BASE + "/tickets",
            body=body,
            status=status,
            content_type=content_type,
            headers=headers,
        )
        error = _error_of(transport, method)
    if error is None:  # only a 200 with a well-formed body succeeds
        assert status == 200
        assert kind in ("envelope", "debug")
    else:
        assert key not in _everything_shown(error)
    assert key not in _logged(logs)
    assert key not in repr(transport)


@given(key=keys)
def test_key_never_appears_when_the_connection_fails(key):
    transport = make_transport(RecordingClock(), key=key, attempts=2)
    # a library error may quote whatever it likes, the key included
    failure = requests.ConnectionError(f"refused while sending DOLAPIKEY: {key}")
    with responses.RequestsMock() as rsps, capture_logs() as logs:
        rsps.add("GET", BASE + "/status", body=failure)
        with pytest.raises(DolibarrError) as caught:
            transport.get("/status")
    assert key not in _everything_shown(caught.value)
    assert key not in _logged(logs)


def test_client_repr_hides_the_key():
    client = DolibarrClient.from_settings(BASE, "s3cr3t-key-value", source="main")
    assert "s3cr3t-key-value" not in repr(client)
    assert "s3cr3t-key-value" not in repr(client.transport)
