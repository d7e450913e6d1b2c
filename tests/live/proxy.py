"""A loopback HTTP proxy in front of the real Dolibarr: records exchanges, can "crash" a call.

What this module knows: forwarding a request unchanged and its answer back; saving each
exchange in the captures' JSON format (key replaced by ``<api key>``) when a folder is given;
and *holding* one chosen call: the proxy forwards it (Dolibarr applies it), keeps the answer
and never delivers it, so the test can kill dolisync at exactly the moment between a write and
its record.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}
)
FORWARD_TIMEOUT = 120.0
HOLD_LIMIT = 300.0  # a held call is dropped after this even if nobody releases it
_NUMBERS = itertools.count(1)  # shared by every proxy of the session: one folder, no clashes


@dataclass
class Hold:
    method: str
    path: re.Pattern[str]
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    answer: tuple[int, str] | None = None  # what Dolibarr answered to the held call


class RecordingProxy:
    """``start()`` it, point dolisync at ``url``; ``stop()`` at the end."""

    def __init__(self, target: str, *, record_dir: Path | None = None) -> None:
        parts = urlsplit(target.rstrip("/"))
        self._target_root = f"{parts.scheme}://{parts.netloc}"
        self._target_path = parts.path
        self._record_dir = record_dir
        self._hold: Hold | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.calls: list[tuple[str, str, int]] = []  # (method, path, status) of every call

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}{self._target_path}"

    def start(self) -> RecordingProxy:
        if self._record_dir is not None:
            self._record_dir.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._hold is not None:
            self._hold.release.set()
        self._server.shutdown()
        self._server.server_close()

    def hold(self, method: str, path_pattern: str) -> Hold:
        """The next ``method`` call whose path matches is applied but never answered."""
        self._hold = Hold(method.upper(), re.compile(path_pattern))
        return self._hold

    # -- the handler ---------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: pytest shows what matters

            def do_GET(self) -> None:
                proxy._forward(self)

            def do_POST(self) -> None:
                proxy._forward(self)

            def do_PUT(self) -> None:
                proxy._forward(self)

            def do_DELETE(self) -> None:
                proxy._forward(self)

        return Handler

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {
            name: value
            for name, value in handler.headers.items()
            if name.lower() not in HOP_HEADERS and name.lower() != "host"
        }
        headers["Accept-Encoding"] = "identity"
        response = requests.request(
            handler.command,
            self._target_root + handler.path,
            headers=headers,
            data=body or None,
            timeout=FORWARD_TIMEOUT,
            allow_redirects=False,
        )
        path = urlsplit(handler.path).path
        self.calls.append((handler.command, path, response.status_code))
        self._record(handler, headers, body, response)
        hold = self._hold
        if hold is not None and hold.method == handler.command and hold.path.search(path):
            self._hold = None
            hold.answer = (response.status_code, response.text)
            hold.reached.set()
            hold.release.wait(HOLD_LIMIT)
            handler.close_connection = True
            return  # the answer is lost: the caller sees a dropped connection, if alive
        handler.send_response(response.status_code, response.reason)
        for name, value in response.headers.items():
            if name.lower() not in HOP_HEADERS:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(response.content)))
        handler.end_headers()
        handler.wfile.write(response.content)

    # -- recording -----------------------------------------------------------------------

    def _record(
        self,
        handler: BaseHTTPRequestHandler,
        headers: dict[str, str],
        body: bytes,
        response: requests.Response,
    ) -> None:
        if self._record_dir is None:
            return
        key = next((v for n, v in headers.items() if n.lower() == "dolapikey"), None)
        number = next(_NUMBERS)
        split = urlsplit(handler.path)
        api_path = split.path.split("/api/index.php", 1)[-1]
        slug = re.sub(r"[^a-z0-9]+", "_", f"{handler.command} {api_path}".lower()).strip("_")
        exchange = {
            "name": slug,
            "captured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "request": {
                "method": handler.command,
                "path": split.path,
                "query": {name: values[-1] for name, values in parse_qs(split.query).items()},
                "headers": {
                    n: ("<api key>" if n.lower() == "dolapikey" else v) for n, v in headers.items()
                },
                "body": _decoded(body.decode("utf-8", "replace")),
            },
            "response": {
                "status": response.status_code,
                "reason": response.reason,
                "headers": dict(response.headers),
                "body_kind": "json" if _is_json(response.text) else "text",
                "body": _decoded(response.text),
            },
        }
        text = json.dumps(exchange, indent=1, ensure_ascii=False)
        if key:
            text = text.replace(key, "<api key>")
        assert self._record_dir is not None
        (self._record_dir / f"{number:04d}_{slug[:60]}.json").write_text(text)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _decoded(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
