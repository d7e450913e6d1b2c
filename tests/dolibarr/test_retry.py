"""Reads are retried on outages only, with bounded waits on the injected clock; writes never."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest
import requests

from dolisync.errors import (
    AuthError,
    DolibarrError,
    DolibarrTimeout,
    RateLimited,
    ServerError,
    TransportError,
)
from tests.dolibarr.conftest import BASE, V22, capture, make_transport, replay

OK = {"success": {"dolibarr_version": "22.0.4"}}


def test_429_waits_as_long_as_retry_after_says(rsps, transport, clock):
    rsps.add("GET", BASE + "/status", status=429, headers={"Retry-After": "7"})
    rsps.add("GET", BASE + "/status", json=OK)

    assert transport.get("/status") == OK

    assert clock.sleeps == [7.0]
    assert transport.stats.retries == 1


def test_retry_after_as_http_date_is_read_against_the_clock(rsps, transport, clock):
    when = formatdate(clock.now() + 30, usegmt=True)
    rsps.add("GET", BASE + "/status", status=503, headers={"Retry-After": when})
    rsps.add("GET", BASE + "/status", json=OK)

    transport.get("/status")

    assert clock.sleeps == [30.0]


def test_retry_after_is_capped(rsps, transport, clock):
    rsps.add("GET", BASE + "/status", status=429, headers={"Retry-After": "86400"})
    rsps.add("GET", BASE + "/status", json=OK)

    transport.get("/status")

    assert clock.sleeps == [transport.retry_policy.retry_after_max]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_succeed(rsps, transport, clock, status):
    rsps.add("GET", BASE + "/tickets", status=status, body="<html>proxy</html>")
    rsps.add("GET", BASE + "/tickets", status=status, body="<html>proxy</html>")
    rsps.add("GET", BASE + "/tickets", json=[])

    assert transport.get("/tickets") == []

    assert len(rsps.calls) == 3
    assert len(clock.sleeps) == 2
    # jittered exponential backoff: within [half, full] of 0.5 s then 1 s
    assert 0.25 <= clock.sleeps[0] <= 0.5
    assert 0.5 <= clock.sleeps[1] <= 1.0


def test_backoff_is_capped(clock):
    transport = make_transport(clock, attempts=12)
    policy = transport.retry_policy
    rng = random.Random(1)
    waits = [policy.backoff(attempt, rng) for attempt in range(1, 12)]
    assert max(waits) <= policy.backoff_max
    assert waits[-1] >= policy.backoff_max / 2


def test_gives_up_after_max_attempts_with_the_last_error(rsps, clock):
    transport = make_transport(clock, attempts=3)
    rsps.add("GET", BASE + "/tickets", status=502, body="bad gateway")

    with pytest.raises(ServerError) as caught:
        transport.get("/tickets")

    assert len(rsps.calls) == 3
    assert len(clock.sleeps) == 2
    assert caught.value.status == 502
    assert "gave up after 3 attempts" in str(caught.value)
    assert transport.stats.snapshot()["errors"] == {"ServerError": 3}


def test_timeouts_are_retried_then_give_up_as_timeout(rsps, clock):
    transport = make_transport(clock, attempts=4)
    rsps.add("GET", BASE + "/tickets", body=requests.ReadTimeout("read timed out"))

    with pytest.raises(DolibarrTimeout) as caught:
        transport.get("/tickets")

    assert len(rsps.calls) == 4
    assert "gave up after 4 attempts" in str(caught.value)


def test_connection_error_then_success(rsps, transport):
    rsps.add("GET", BASE + "/status", body=requests.ConnectionError("Connection refused"))
    rsps.add("GET", BASE + "/status", json=OK)

    assert transport.get("/status") == OK
    assert transport.stats.requests == 2


def test_401_is_never_retried(rsps, transport, clock):
    replay(rsps, capture(V22, 3))

    with pytest.raises(AuthError):
        transport.get("/status")

    assert len(rsps.calls) == 1
    assert clock.sleeps == []


def test_dolibarrs_own_503_for_a_bad_list_query_is_not_retried(rsps, transport, clock):
    replay(rsps, capture(V22, 109))  # unknown sort field

    with pytest.raises(ServerError) as caught:
        transport.get("/tickets")

    assert len(rsps.calls) == 1
    assert clock.sleeps == []
    assert "not an outage" in (caught.value.hint or "")


@pytest.mark.parametrize("status", [500, 400, 404])
def test_other_errors_are_not_retried(rsps, transport, status):
    rsps.add("GET", BASE + "/tickets", status=status, json={"error": {"message": "x"}})

    with pytest.raises(DolibarrError):
        transport.get("/tickets")

    assert len(rsps.calls) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_writes_are_never_retried(rsps, transport, clock, method, status):
    rsps.add(method, BASE + "/tickets/1", status=status, body="", headers={"Retry-After": "1"})

    send = {
        "POST": lambda: transport.post("/tickets/1", {"x": 1}),
        "PUT": lambda: transport.put("/tickets/1", {"x": 1}),
        "DELETE": lambda: transport.delete("/tickets/1"),
    }[method]

    with pytest.raises((ServerError, RateLimited)):
        send()

    assert len(rsps.calls) == 1
    assert clock.sleeps == []


def test_a_write_timeout_raises_at_once(rsps, transport):
    rsps.add("POST", BASE + "/tickets", body=requests.ReadTimeout("read timed out"))

    with pytest.raises(TransportError):
        transport.post("/tickets", {"subject": "s"})

    assert len(rsps.calls) == 1
