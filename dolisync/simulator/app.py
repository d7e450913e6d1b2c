"""``Simulator``: a running fake Dolibarr (backend + HTTP server + faults + control API)."""

from __future__ import annotations

import dataclasses
import threading
from types import TracebackType
from typing import Any

from dolisync.clock import Clock
from dolisync.simulator import (
    access,
    agenda_api,
    directory_api,
    intervention_api,
    links_api,
    setup_api,
    ticket_api,
)
from dolisync.simulator.backend import Backend
from dolisync.simulator.control import Control, control_answer
from dolisync.simulator.faults import Faults
from dolisync.simulator.options import SimulatorOptions
from dolisync.simulator.router import Route, Router
from dolisync.simulator.seed import seed
from dolisync.simulator.server import ApiApplication, RequestLog, SimulatorHTTPServer

# API modules a Dolibarr 20/22 with our modules enabled has; others answer 501.
MODULES_20 = ("status", "login", "setup", "tickets", "interventions", "agendaevents",
              "thirdparties", "users", "projects")  # fmt: skip
MODULES_22 = (*MODULES_20, "objectlinks", "webhook")


def routes() -> list[Route]:
    return [
        *setup_api.ROUTES,
        *ticket_api.ROUTES,
        *intervention_api.ROUTES,
        *agenda_api.ROUTES,
        *directory_api.ROUTES,
        *links_api.ROUTES,
    ]


class Simulator:
    """A simulated Dolibarr on ``options.host:options.port`` (port 0: a free port).

    Use as a context manager, or ``start()``/``stop()``. ``base_url`` is the API root ending in
    ``/api/index.php``; ``control`` changes things behind the client's back.
    """

    def __init__(
        self,
        options: SimulatorOptions | None = None,
        *,
        clock: Clock | None = None,
        **overrides: Any,
    ) -> None:
        self.options = dataclasses.replace(options or SimulatorOptions(), **overrides)
        self._clock = clock
        self.faults = Faults(self.options.faults)
        self.log = RequestLog()
        self.backend = self._build_backend(self.options)
        modules = MODULES_20 if self.options.is_v20 else MODULES_22
        self._app = ApiApplication(
            self.backend, Router(routes(), self.options.version, modules), self.faults, self.log
        )
        self.control = Control(
            lambda: self._app.backend, self.faults, self.log, self._reset, self.options.faults
        )
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _build_backend(self, options: SimulatorOptions) -> Backend:
        backend = Backend(options, self._clock)
        if options.tickets:
            seed(backend, tickets=options.tickets, seed=options.seed)
        for user in options.extra_users:  # after seeding: seeded ids do not depend on them
            access.add_user(backend, user)
        return backend

    def _reset(self, *, tickets: int | None = None, seed: int | None = None) -> None:
        changes: dict[str, Any] = {}
        if tickets is not None:
            changes["tickets"] = tickets
        if seed is not None:
            changes["seed"] = seed
        self.options = dataclasses.replace(self.options, **changes)
        old = self._app.backend
        self.backend = self._app.backend = self._build_backend(self.options)
        old.close()

    # -- serving ----------------------------------------------------------------------------------
    def bind(self) -> SimulatorHTTPServer:
        if self._server is None:
            address = (self.options.host, self.options.port)
            self._server = SimulatorHTTPServer(address, self._app, self._control)
        return self._server

    def _control(self, method: str, path: str, _query: dict[str, str], body: dict[str, Any]) -> Any:
        return control_answer(self.control, method, path, body)

    def start(self) -> Simulator:
        """Serve in a background thread; returns at once."""
        server = self.bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits at most this long
            name="dolibarr-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (if serving) and free the database; in-flight requests may fail."""
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.backend.close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def bugs(self) -> list[str]:
        """Tracebacks of requests that crashed the simulator (a bug: should stay empty)."""
        return list(self._app.bugs)

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self.bind().server_address[1])

    @property
    def root_url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:8080`` (what a dolisync config's url holds)."""
        return f"http://{self.options.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:8080/api/index.php``."""
        return self.root_url + "/api/index.php"

    @property
    def api_key(self) -> str:
        return self.options.api_key
