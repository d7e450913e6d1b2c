"""The opt-in endpoint: /metrics parses as Prometheus text and matches the store; /healthz
turns 503 when Dolibarr stops answering and the mirror grows stale."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from dolisync.simulator import Simulator
from dolisync.store import Store
from tests.daemon.conftest import (
    DaemonProcess,
    NotifySocket,
    clean_env,
    eventually,
    write_config,
)

Start = Callable[..., DaemonProcess]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _scrape(port: int) -> Samples:
    status, text = _get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _start(
    tmp_path: Path, sim: Simulator, notify: NotifySocket, start: Start, *, interval: str
) -> tuple[Path, DaemonProcess, int]:
    port = _free_port()
    metrics = f'[metrics]\nenabled = true\nlisten = "127.0.0.1:{port}"\nmax_lag = "3s"\n'
    config = write_config(tmp_path / "dolisync.toml", sim, interval=interval, extra=metrics)
    daemon = start(config, clean_env(tmp_path, sim, NOTIFY_SOCKET=notify.name))
    notify.wait_for(lambda message: message.get("STATUS", "").startswith("cycle done"))
    return config, daemon, port


def test_metrics_match_the_store(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    # one cycle only (the next is an hour away): the store holds still while we compare
    config, _daemon, port = _start(tmp_path, simulator, notify, start_daemon, interval="1h")
    samples = _scrape(port)
    with Store.open(f"sqlite:///{config.parent / 'store.db'}") as store:
        source = store.status("default").sources["default"]
        outbox = store.outbox.counts("default")

    for name, entry in source.entities.items():
        label = (("entity", name),)
        assert samples[("dolisync_mirrored_objects", label)] == entry.rows
        assert samples[("dolisync_deleted_objects", label)] == entry.deleted
        assert samples[("dolisync_last_sync_timestamp_seconds", label)] == entry.last_sync
        assert samples[("dolisync_sync_lag_seconds", label)] >= 0
        assert samples[("dolisync_entity_failing", label)] == 0
    assert samples[("dolisync_mirrored_objects", (("entity", "tickets"),))] == 30
    for state in ("pending", "failed", "dead"):
        assert samples[("dolisync_outbox_items", (("state", state),))] == outbox.get(state, 0)
    assert samples[("dolisync_cycles_total", (("outcome", "ok"),))] == 1
    assert samples[("dolisync_cycle_duration_seconds_count", ())] == 1
    assert samples[("dolisync_ready", ())] == 1
    requests_sent = len(simulator.control.requests())
    assert samples[("dolisync_dolibarr_requests_total", ())] == requests_sent
    assert samples[("dolisync_store_up", ())] == 1
    assert _get(port, "/nothing")[0] == 404


def test_healthz_turns_503_when_dolibarr_stops_answering(
    tmp_path: Path, simulator: Simulator, notify: NotifySocket, start_daemon: Start
) -> None:
    _config, daemon, port = _start(tmp_path, simulator, notify, start_daemon, interval="1s")
    eventually(lambda: _get(port, "/healthz")[0] == 200, "healthy while Dolibarr answers")
    assert json.loads(_get(port, "/healthz")[1])["status"] == "ok"

    simulator.control.set_faults("reset=1")  # every connection dropped: no answer at all
    eventually(lambda: _get(port, "/healthz")[0] == 503, "unhealthy once the sync is stale")
    document = json.loads(_get(port, "/healthz")[1])
    assert document["status"] == "unhealthy"
    assert document["lag_seconds"] > document["max_lag_seconds"] == 3.0
    assert "last successful sync older than 3 s" in document["reason"]
    errors = _scrape(port)
    assert errors[("dolisync_dolibarr_request_errors_total", (("kind", "TransportError"),))] > 0
    assert daemon.process.poll() is None  # failing cycles never stop the daemon
