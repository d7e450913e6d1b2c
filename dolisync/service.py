"""The composition root: from a ``Config``, the Dolibarr client, the store and the engine.

What this module knows: how the configured values map onto each component's constructor,
and that the API key must be registered with the log redactor before anything can log it.
Components are built on first use, so ``dolisync status`` opens the store without touching
the network and ``doctor`` can test the client without a usable store.
"""

from __future__ import annotations

from types import TracebackType

from dolisync.clock import Clock, SystemClock
from dolisync.config import Config
from dolisync.dolibarr import DolibarrClient, RetryPolicy
from dolisync.logging import register_secret
from dolisync.store import Store
from dolisync.sync import SyncEngine, SyncProgress, SyncReport


class Service:
    """The running parts for one configured Dolibarr. Close it, or use it in a ``with``."""

    def __init__(
        self, config: Config, *, clock: Clock | None = None, max_attempts: int | None = None
    ) -> None:
        """``max_attempts`` overrides the client's retry count for reads (``doctor`` uses 1:
        a diagnosis reports what it sees at once instead of backing off for seconds)."""
        self.config = config
        self.clock = clock or SystemClock()
        self._max_attempts = max_attempts
        for secret in config.secret_values():
            register_secret(secret)
        self._client: DolibarrClient | None = None
        self._store: Store | None = None
        self._engine: SyncEngine | None = None

    @property
    def source(self) -> str:
        """The name records of this Dolibarr carry in the store."""
        return self.config.dolibarr.name

    @property
    def client(self) -> DolibarrClient:
        if self._client is None:
            settings = self.config.dolibarr
            self._client = DolibarrClient.from_settings(
                settings.url,
                settings.api_key.reveal(),
                source=settings.name,
                timeout=settings.timeout,
                verify=settings.verify,
                page_size=settings.page_size,
                clock=self.clock,
                max_attempts=self._max_attempts or RetryPolicy().max_attempts,
            )
        return self._client

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.config.store.url)
        return self._store

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            self._engine = SyncEngine(
                self.client,
                self.store,
                entities=self.config.sync.entities,
                overlap=self.config.sync.overlap,
                page_size=self.config.dolibarr.page_size,
                clock=self.clock,
                instance_url=self.config.dolibarr.url,
            )
        return self._engine

    def sync(
        self,
        entities: list[str] | None = None,
        *,
        full: bool = False,
        progress: SyncProgress | None = None,
    ) -> SyncReport:
        """One sync run (see ``SyncEngine.run``)."""
        return self.engine.run(entities, full=full, progress=progress)

    def close(self) -> None:
        """Close what was opened (the store last: the client may still be mid-request)."""
        client, store = self._client, self._store
        self._client = self._store = self._engine = None
        try:
            if client is not None:
                client.close()
        finally:
            if store is not None:
                store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
