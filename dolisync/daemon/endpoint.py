"""The opt-in HTTP endpoint: ``GET /metrics`` (Prometheus text) and ``GET /healthz``.

What this module knows: the two routes and their answers. ``/healthz`` answers 200 with a
small JSON document when every configured entity synced within ``[metrics] max_lag``, and
503 (same document, with the reason) when not, or when the store cannot be read. It runs in
its own thread and reads the store through its own ``Store``; it never touches Dolibarr.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dolisync.config import MetricsConfig
from dolisync.daemon.health import Health
from dolisync.errors import ConfigError, DolisyncError, Problem
from dolisync.logging import get_logger

log = get_logger(__name__)

JSON_TYPE = "application/json"


class Endpoint:
    """``/metrics`` and ``/healthz`` on ``host:port``, served by a background thread."""

    def __init__(
        self,
        settings: MetricsConfig,
        *,
        metrics: Callable[[], bytes],
        health: Callable[[], Health],
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._health = health
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the endpoint is not started"
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Bind and serve; a port in use is a config problem (``metrics.listen``)."""
        try:
            self._server = _Server((self._settings.host, self._settings.port), _Handler)
        except OSError as error:
            reason = error.strerror or str(error)
            raise ConfigError(
                [Problem(path="metrics.listen", message=f"cannot listen on it: {reason}")],
                hint="choose a free port, or stop what uses it",
            ) from None
        self._server.endpoint = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="dolisync-metrics", daemon=True
        )
        self._thread.start()
        log.info("metrics.listening", listen=self._settings.listen, port=self.port)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def answer(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of ``path``."""
        route = path.split("?", 1)[0]
        if route == "/metrics":
            return 200, CONTENT_TYPE_LATEST, self._metrics()
        if route == "/healthz":
            return self._healthz()
        return 404, "text/plain; charset=utf-8", b"not found: try /metrics or /healthz\n"

    def _healthz(self) -> tuple[int, str, bytes]:
        document: dict[str, Any]
        try:
            verdict = self._health()
        except DolisyncError as error:
            document = {"status": "unhealthy", "reason": f"store unreadable: {error.message}"}
            return 503, JSON_TYPE, _json(document)
        return (200 if verdict.ok else 503), JSON_TYPE, _json(verdict.to_dict())


def prometheus_text(registry: Any) -> Callable[[], bytes]:
    return lambda: generate_latest(registry)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: Endpoint

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "dolisync"
    sys_version = ""

    def do_GET(self) -> None:
        try:
            status, content_type, body = self.server.endpoint.answer(self.path)
        except Exception as error:  # noqa: BLE001 -- a scrape must never take the daemon down
            log.error("metrics.failed", error=f"{type(error).__name__}: {error}")
            status, content_type, body = 500, "text/plain", b"internal error\n"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every 15 s would flood the journal: not logged."""


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document) + "\n").encode()
