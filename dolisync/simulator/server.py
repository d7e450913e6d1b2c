"""The HTTP side: a threading HTTP/1.1 server that turns requests into handler calls.

Order of checks follows Dolibarr/Restler: unknown API module (501) -> body decoding (400) ->
route (404/400) -> authentication (401) -> the call. Paths under ``/_simulator/`` go to the
control API (loopback clients only, no key). Faults (``faults.py``) wrap every API call.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dolisync.simulator.answers import Answer, ApiError, RawError, api_not_found, json_answer
from dolisync.simulator.auth import authenticate
from dolisync.simulator.backend import Backend
from dolisync.simulator.faults import Action, Faults
from dolisync.simulator.request import Request, parse_body
from dolisync.simulator.router import Router

API_ROOT = "/api/index.php"
CONTROL_ROOT = "/_simulator"
SECRET_PARAMS = frozenset({"DOLAPIKEY", "api_key", "password"})

ControlHandler = Callable[[str, str, dict[str, str], dict[str, Any]], Answer]


class RequestLog:
    """Every API request answered: method, path (below the API root), query, status, and the
    server's own time and body size (``seconds``, ``bytes``; None when a fault cut the call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def add(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        status: int | None,
        *,
        seconds: float | None = None,
        size: int | None = None,
    ) -> None:
        # a key sent in the query string is never kept
        query = {k: "<redacted>" if k in SECRET_PARAMS else v for k, v in query.items()}
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "status": status,
            "seconds": seconds,
            "bytes": size,
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class ApiApplication:
    """Answers one API request (no sockets here: the handler class does the I/O)."""

    def __init__(self, backend: Backend, router: Router, faults: Faults, log: RequestLog) -> None:
        self.backend = backend
        self.router = router
        self.faults = faults
        self.log = log
        self.bugs: list[str] = []  # tracebacks of handler crashes (tests assert it stays empty)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
    ) -> Answer:
        segments = [part for part in path.split("/") if part]
        if not self.router.has_module(segments):
            return api_not_found()
        try:
            body = parse_body(raw, headers.get("content-type", ""))
            route, args = self.router.find(method, segments)
            request = Request(method, segments, query, headers, raw, body)
            if route.authenticated:
                request.user = authenticate(self.backend, headers, query)
            return route.handler(self.backend, request, args)
        except ApiError as error:
            debug = self.backend.templates.debug(error.debug_key, error.source_file)
            return json_answer(error.body(debug), error.status)
        except RawError as error:
            return error.answer
        except Exception as error:  # noqa: BLE001 - any crash is a simulator bug: 500, trace kept
            self.bugs.append(traceback.format_exc())
            text = f"simulator bug: {type(error).__name__}: {error}"
            return json_answer(ApiError(500, text).body({}), 500)


class SimulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle on, a small answer on a keep-alive
    # connection waits for the client's delayed ACK (~40 ms a request). Real servers set it.
    disable_nagle_algorithm = True
    server: SimulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log (the request log keeps what tests need)."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        raw = self.rfile.read(int(headers.get("content-length") or 0))
        if url.path.startswith(CONTROL_ROOT + "/") or url.path == CONTROL_ROOT:
            self._control(url.path[len(CONTROL_ROOT) :], query, raw)
        elif url.path.startswith(API_ROOT + "/"):
            self._api(url.path[len(API_ROOT) :], query, headers, raw)
        else:
            self._send(Answer(404, b"Not Found", "text/plain; charset=utf-8"))

    def _api(self, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes) -> None:
        app = self.server.app
        plan = app.faults.plan(self.command, path)
        if plan.latency:
            _sleep(plan.latency)
        if plan.before is not None and self._fault(plan.before, path, query):
            return
        started = time.perf_counter()
        answer = app.answer(self.command, path, query, headers, raw)
        seconds = time.perf_counter() - started
        if plan.after is not None and self._fault(plan.after, path, query, answer):
            return
        app.log.add(
            self.command, path, query, answer.status, seconds=seconds, size=len(answer.body)
        )
        self._send(answer)

    def _fault(
        self,
        action: Action,
        path: str,
        query: dict[str, str],
        answer: Answer | None = None,
    ) -> bool:
        """Carry out a fault; True when the normal answer must not be sent."""
        log = self.server.app.log
        if action.kind == "status":
            log.add(self.command, path, query, action.status)
            self._send(action.answer())
            return True
        if action.kind == "reset":
            log.add(self.command, path, query, None)
            self._reset()
            return True
        if action.kind == "hang":
            log.add(self.command, path, query, None)
            _sleep(action.seconds)
            self._reset()
            return True
        if action.kind in ("truncate", "malformed") and answer is not None:
            log.add(self.command, path, query, answer.status)
            self._send(action.mangle(answer))
            return True
        return False

    def _control(self, path: str, query: dict[str, str], raw: bytes) -> None:
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            self._send(Answer(403, b'{"error":"control API is loopback only"}'))
            return
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            self._send(json_answer({"error": "body is not JSON"}, 400))
            return
        self._send(self.server.control(self.command, path, query, body))

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        if answer.content_type:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _reset(self) -> None:
        """Drop the connection abruptly (RST), as a crashed proxy or server would."""
        with contextlib.suppress(OSError):  # linger 0: close() sends RST instead of FIN
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.close_connection = True
        self.connection.close()


def _sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], app: ApiApplication, control: ControlHandler
    ) -> None:
        super().__init__(address, SimulatorHandler)
        self.app = app
        self.control = control
