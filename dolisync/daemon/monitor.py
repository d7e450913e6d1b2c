"""What a monitoring system sees of a running daemon: the metrics endpoint and its verdict.

What this module knows: how the opt-in endpoint is wired to the daemon. It gets its own
``Store`` (scrapes come from the endpoint's threads, and a reload must not close the store
under a scrape), reads the daemon's current config on each request (a reload may change
the configured entities or ``max_lag``), and judges health from the store alone.
"""

from __future__ import annotations

from collections.abc import Callable

from dolisync.clock import Clock
from dolisync.config import Config
from dolisync.daemon.endpoint import Endpoint, prometheus_text
from dolisync.daemon.health import Health, judge
from dolisync.daemon.metrics import DaemonMetrics
from dolisync.store import SourceStatus, Store


class Monitor:
    """Start it once the daemon's store is usable; stop it at shutdown (both idempotent)."""

    def __init__(
        self, metrics: DaemonMetrics, *, config: Callable[[], Config], clock: Clock
    ) -> None:
        self._metrics = metrics
        self._config = config
        self._clock = clock
        self._store: Store | None = None
        self._endpoint: Endpoint | None = None

    def start(self) -> None:
        """Serve ``/metrics`` and ``/healthz`` when ``[metrics] enabled``; else nothing."""
        config = self._config()
        if not config.metrics.enabled or self._endpoint is not None:
            return
        self._store = Store.open(config.store.url)
        self._metrics.watch_store(
            self._store,
            source=config.dolibarr.name,
            entities=lambda: self._config().sync.entities,
            clock=self._clock,
        )
        self._endpoint = Endpoint(
            config.metrics, metrics=prometheus_text(self._metrics.registry), health=self.health
        )
        self._endpoint.start()

    def stop(self) -> None:
        endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            endpoint.stop()
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def health(self) -> Health:
        """The ``/healthz`` verdict (raises StoreError when the store cannot be read)."""
        assert self._store is not None, "the monitor is not started"
        config = self._config()
        name = config.dolibarr.name
        status = self._store.status(name).sources.get(name) or SourceStatus(source=name)
        return judge(
            status, config.sync.entities, now=self._clock.now(), max_lag=config.metrics.max_lag
        )
