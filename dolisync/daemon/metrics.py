"""Prometheus metrics: what the store holds (read at scrape time) and what the daemon did.

What this module knows: every metric's name, type, labels and source.

Read from the store when scraped (``StoreCollector``), so they match ``dolisync status``:
``dolisync_mirrored_objects{entity}``, ``dolisync_deleted_objects{entity}``,
``dolisync_last_sync_timestamp_seconds{entity}``, ``dolisync_sync_lag_seconds{entity}``,
``dolisync_entity_failing{entity}`` (its last sync failed), ``dolisync_outbox_items{state}``
(pending, sent, failed, dead... always with pending/failed/dead), ``dolisync_store_up``.

Counted by the daemon (``DaemonMetrics``): ``dolisync_cycles_total{outcome}``,
``dolisync_cycle_duration_seconds`` (histogram), ``dolisync_rule_fires_total``,
``dolisync_actions_total{outcome}``, ``dolisync_config_reloads_total{outcome}``,
``dolisync_ready``, ``dolisync_last_cycle_timestamp_seconds``, ``dolisync_build_info``, and
from the Dolibarr client: ``dolisync_dolibarr_requests_total``,
``dolisync_dolibarr_retries_total``, ``dolisync_dolibarr_request_errors_total{kind}`` (kind
is the error class: TransportError, ServerError, AuthError...). Those survive reloads (a
reload builds a new client; ``RequestTotals`` adds the old one's counts).

Each daemon has its own registry: nothing lands in prometheus_client's global one.
"""

from __future__ import annotations

import threading
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from dolisync import __version__
from dolisync.clock import Clock
from dolisync.cycle import CycleReport
from dolisync.dolibarr import RequestStats
from dolisync.errors import DolisyncError
from dolisync.logging import get_logger
from dolisync.records import ENTITIES
from dolisync.store import EntityStatus, SourceStatus, Store

log = get_logger(__name__)

CYCLE_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
ALWAYS_SHOWN_STATES = ("pending", "failed", "dead")
ACTION_OUTCOMES = ("enqueued", "sent", "verified", "failed", "dead", "capped")


@dataclass(slots=True)
class _Counts:
    requests: int = 0
    retries: int = 0
    errors: Tally[str] = field(default_factory=Tally)


class RequestTotals:
    """The Dolibarr client's request counters over the daemon's life, across reloads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._base = _Counts()
        self._live: RequestStats | None = None

    def follow(self, stats: RequestStats) -> None:
        """Count ``stats`` (a new client's) from now on, keeping the previous client's counts."""
        with self._lock:
            if self._live is not None and self._live is not stats:
                self._base.requests += self._live.requests
                self._base.retries += self._live.retries
                self._base.errors.update(self._live.errors)
            self._live = stats

    def snapshot(self) -> _Counts:
        with self._lock:
            counts = _Counts(self._base.requests, self._base.retries, Tally(self._base.errors))
            if self._live is not None:
                counts.requests += self._live.requests
                counts.retries += self._live.retries
                counts.errors.update(dict(self._live.errors))
        return counts


class DaemonMetrics:
    """The registry ``/metrics`` serves, and the daemon's own counters in it."""

    def __init__(self) -> None:
        # "_created" series double every counter for a start time nobody graphs (process-wide)
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = RequestTotals()
        r = self.registry
        self.cycles = Counter("dolisync_cycles", "Cycles run, by outcome", ["outcome"], registry=r)
        self.cycle_seconds = Histogram(
            "dolisync_cycle_duration_seconds",
            "Duration of completed cycles",
            buckets=CYCLE_BUCKETS,
            registry=r,
        )
        self.rule_fires = Counter("dolisync_rule_fires", "Rule firings", registry=r)
        self.actions = Counter(
            "dolisync_actions", "Write-back actions, by outcome", ["outcome"], registry=r
        )
        self.reloads = Counter(
            "dolisync_config_reloads", "Configuration reloads (SIGHUP)", ["outcome"], registry=r
        )
        self.ready = Gauge("dolisync_ready", "1 once Dolibarr answered after start", registry=r)
        self.last_cycle = Gauge(
            "dolisync_last_cycle_timestamp_seconds", "When the last cycle ended", registry=r
        )
        Info("dolisync_build", "dolisync's version", registry=r).info({"version": __version__})
        for outcome in ("ok", "partial", "failed", "interrupted"):
            self.cycles.labels(outcome)
        for outcome in ACTION_OUTCOMES:
            self.actions.labels(outcome)
        for outcome in ("ok", "refused"):
            self.reloads.labels(outcome)
        self.registry.register(RequestCollector(self.requests))

    def cycle_done(self, report: CycleReport, *, at: float) -> None:
        self.cycles.labels("ok" if report.sync.ok else "partial").inc()
        self.cycle_seconds.observe(report.seconds)
        self.rule_fires.inc(report.fired)
        for outcome in ACTION_OUTCOMES:
            self.actions.labels(outcome).inc(getattr(report, outcome))
        self.last_cycle.set(at)

    def cycle_ended(self, outcome: str, *, at: float) -> None:
        """A cycle that did not complete: ``failed`` or ``interrupted``."""
        self.cycles.labels(outcome).inc()
        self.last_cycle.set(at)

    def watch_store(
        self, store: Store, *, source: str, entities: Callable[[], Sequence[str]], clock: Clock
    ) -> None:
        self.registry.register(StoreCollector(store, source=source, entities=entities, clock=clock))


class RequestCollector(Collector):
    def __init__(self, totals: RequestTotals) -> None:
        self._totals = totals

    def collect(self) -> Iterable[Metric]:
        counts = self._totals.snapshot()
        yield CounterMetricFamily(
            "dolisync_dolibarr_requests", "HTTP requests sent to Dolibarr", value=counts.requests
        )
        yield CounterMetricFamily(
            "dolisync_dolibarr_retries", "Requests retried after a failure", value=counts.retries
        )
        errors = CounterMetricFamily(
            "dolisync_dolibarr_request_errors", "Failed requests, by kind", labels=["kind"]
        )
        for kind, count in sorted(counts.errors.items()):
            errors.add_metric([kind], count)
        yield errors


class StoreCollector(Collector):
    """Reads the store at each scrape (its own ``Store``: scrapes run in another thread)."""

    def __init__(
        self, store: Store, *, source: str, entities: Callable[[], Sequence[str]], clock: Clock
    ) -> None:
        self._store = store
        self._source = source
        self._entities = entities
        self._clock = clock

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("dolisync_store_up", "1 when the store could be read")
        try:
            status = self._store.status(self._source).sources.get(self._source)
            outbox = self._store.outbox.counts(self._source)
        except DolisyncError as error:
            log.warning("metrics.store_unreadable", error=error.message)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from self._mirror(status or SourceStatus(source=self._source))
        yield _outbox(outbox)

    def _mirror(self, source: SourceStatus) -> Iterable[Metric]:
        now = self._clock.now()
        objects = GaugeMetricFamily(
            "dolisync_mirrored_objects", "Objects in the mirror (not deleted)", labels=["entity"]
        )
        deleted = GaugeMetricFamily(
            "dolisync_deleted_objects", "Objects Dolibarr no longer has", labels=["entity"]
        )
        last = GaugeMetricFamily(
            "dolisync_last_sync_timestamp_seconds", "Last successful sync", labels=["entity"]
        )
        lag = GaugeMetricFamily(
            "dolisync_sync_lag_seconds", "Now minus the last successful sync", labels=["entity"]
        )
        failing = GaugeMetricFamily(
            "dolisync_entity_failing", "1 when the entity's last sync failed", labels=["entity"]
        )
        configured = set(self._entities())
        for name in ENTITIES:
            entry = source.entities.get(name, EntityStatus())
            objects.add_metric([name], entry.rows)
            deleted.add_metric([name], entry.deleted)
            if name not in configured:
                continue
            failing.add_metric([name], 1 if _failing(entry) else 0)
            if entry.last_sync is not None:
                last.add_metric([name], entry.last_sync)
                lag.add_metric([name], max(now - entry.last_sync, 0.0))
        yield from (objects, deleted, last, lag, failing)


def _failing(entry: EntityStatus) -> bool:
    if entry.last_error_at is None:
        return False
    return entry.last_sync is None or entry.last_error_at >= entry.last_sync


def _outbox(counts: dict[str, int]) -> Metric:
    family = GaugeMetricFamily(
        "dolisync_outbox_items", "Write-back actions in the outbox, by state", labels=["state"]
    )
    for state in sorted({*ALWAYS_SHOWN_STATES, *counts}):
        family.add_metric([state], counts.get(state, 0))
    return family
