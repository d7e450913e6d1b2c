"""Fault injection, as a plain ``requests`` client sees it."""

from __future__ import annotations

import time

import pytest
import requests

from dolisync.simulator import Simulator
from dolisync.simulator.faults import FaultSpecError, parse_spec
from dolisync.simulator.testing import SimulatorFactory


def call(
    sim: Simulator, method: str, path: str, timeout: float = 10, **kwargs: object
) -> requests.Response:
    headers = {"DOLAPIKEY": sim.api_key}
    return requests.request(method, sim.base_url + path, headers=headers, timeout=timeout, **kwargs)  # type: ignore[arg-type]


def test_error_answers_replace_the_call_and_run_out_after_count(simulator: Simulator) -> None:
    simulator.control.set_faults("error500=1,count=1")
    first = call(simulator, "GET", "/tickets/1")
    second = call(simulator, "GET", "/tickets/1")
    assert first.status_code == 500
    assert first.json()["error"]["code"] == 500
    assert second.status_code == 200


def test_429_carries_retry_after(simulator: Simulator) -> None:
    simulator.control.set_faults("error429=1,retry_after=2")
    answer = call(simulator, "GET", "/tickets")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"


@pytest.mark.parametrize("status", [502, 503])
def test_proxy_errors_are_html(simulator: Simulator, status: int) -> None:
    simulator.control.set_faults(f"error{status}=1")
    answer = call(simulator, "GET", "/tickets")
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")


def test_failed_call_does_not_run(simulator: Simulator) -> None:
    simulator.control.set_faults("error503=1,method=PUT")
    answer = call(simulator, "PUT", "/tickets/1", json={"progress": 77})
    assert answer.status_code == 503
    assert call(simulator, "GET", "/tickets/1").json()["progress"] != "77"


def test_scope_limits_faults_to_method_and_path(simulator: Simulator) -> None:
    simulator.control.set_faults("error500=1,method=GET,path=/interventions")
    assert call(simulator, "GET", "/tickets").status_code == 200
    assert call(simulator, "GET", "/interventions").status_code == 500


def test_latency_delays_answers(simulator: Simulator) -> None:
    simulator.control.set_faults("latency=300ms")
    started = time.monotonic()
    answer = call(simulator, "GET", "/status")
    # a lower bound only: the server sleeps at least this long, however loaded the machine
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200


def test_hang_outlasts_the_client_timeout(simulator: Simulator) -> None:
    simulator.control.set_faults("hang=1,hang_seconds=3,count=1")
    with pytest.raises(requests.Timeout):
        call(simulator, "GET", "/tickets", timeout=0.5)


def test_reset_drops_the_connection(simulator: Simulator) -> None:
    simulator.control.set_faults("reset=1,count=1")
    with pytest.raises(requests.ConnectionError):
        call(simulator, "GET", "/tickets")
    assert call(simulator, "GET", "/tickets").status_code == 200


@pytest.mark.parametrize("kind", ["truncate", "malformed"])
def test_broken_json_bodies(simulator: Simulator, kind: str) -> None:
    simulator.control.set_faults(f"{kind}=1")
    answer = call(simulator, "GET", "/tickets/1")
    assert answer.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Extra data|Unterminated|Invalid"):
        answer.json()


def test_apply_then_500_commits_the_write(simulator: Simulator) -> None:
    simulator.control.set_faults("apply_then_500=1,method=PUT")
    answer = call(simulator, "PUT", "/tickets/2", json={"progress": 55})
    assert answer.status_code == 500
    assert call(simulator, "GET", "/tickets/2").json()["progress"] == "55"


def test_apply_then_reset_commits_the_message(simulator: Simulator) -> None:
    ticket = call(simulator, "GET", "/tickets/3").json()
    simulator.control.set_faults("apply_then_reset=1,path=/tickets/newmessage")
    with pytest.raises(requests.ConnectionError):
        call(
            simulator,
            "POST",
            "/tickets/newmessage",
            json={"track_id": ticket["track_id"], "message": "hello"},
        )
    messages = call(simulator, "GET", "/tickets/3").json()["messages"]
    assert "hello" in [message["message"] for message in messages]


def test_apply_then_hang_creates_the_ticket(simulator: Simulator) -> None:
    simulator.control.set_faults("apply_then_hang=1,hang_seconds=3,method=POST,count=1")
    with pytest.raises(requests.Timeout):
        call(simulator, "POST", "/tickets", timeout=0.5, json={"subject": "late", "message": "x"})
    found = call(simulator, "GET", "/tickets", params={"sqlfilters": "(t.subject:=:'late')"}).json()
    assert len(found) == 1


def test_faults_are_deterministic_for_a_seed(simulator_factory: SimulatorFactory) -> None:
    def statuses() -> list[int]:
        sim = simulator_factory(tickets=1, faults="error500=0.5,seed=42")
        return [call(sim, "GET", "/status").status_code for _ in range(30)]

    first, second = statuses(), statuses()
    assert first == second
    assert 500 in first
    assert 200 in first


def test_faults_are_set_and_cleared_over_http(simulator: Simulator) -> None:
    control = simulator.root_url + "/_simulator/faults"
    assert requests.put(control, json={"spec": "error503=1"}, timeout=10).status_code == 200
    assert call(simulator, "GET", "/status").status_code == 503
    assert requests.delete(control, timeout=10).status_code == 200
    assert call(simulator, "GET", "/status").status_code == 200


def test_bad_spec_over_http_is_400(simulator: Simulator) -> None:
    answer = requests.put(
        simulator.root_url + "/_simulator/faults", json={"spec": "oops"}, timeout=10
    )
    assert answer.status_code == 400
    assert "not key=value" in answer.json()["error"]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("error500=1.5", "between 0 and 1"),
        ("latency=fast", "not a duration"),
        ("nope=1", "unknown key"),
        ("count=x", "not a number"),
    ],
)
def test_spec_errors_name_the_bad_part(spec: str, problem: str) -> None:
    with pytest.raises(FaultSpecError, match=problem):
        parse_spec(spec)
