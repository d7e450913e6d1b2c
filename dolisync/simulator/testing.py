"""pytest fixtures for tests that talk to a simulated Dolibarr over real HTTP.

Enabled for the whole suite by ``pytest_plugins = ["dolisync.simulator.testing"]`` in
``tests/conftest.py``::

    def test_sync(simulator):                      # 22.0.4, 30 seeded tickets, no auth delay
        client = Client(simulator.base_url, simulator.api_key)
        simulator.control.touch(3)

    def test_old_server(simulator_factory):
        sim = simulator_factory(version="20.0.2", empty_list_404=True, tickets=0)
        frozen = simulator_factory(clock=FrozenClock(), faults="error500=0.1,seed=3")
        limited = simulator_factory(users=["sync:its-key:tickets.read,users.read"])

``simulator.control`` (``dolisync.simulator.control.Control``) changes things behind the
client's back: ``touch``, ``add_message``, ``delete_ticket``, ``set_tms``, ``create_ticket``,
``set_faults``/``add_fault``/``clear_faults``, ``requests``/``clear_requests``, ``reset``,
``add_user``/``set_rights``/``add_representative`` (users other than the admin: their rights
and the customers they follow).

Every simulator binds 127.0.0.1 on a free port and is stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dolisync.clock import Clock
from dolisync.simulator.app import Simulator
from dolisync.simulator.options import SimulatorOptions

TEST_DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 0,
    "tickets": 30,
    "seed": 1,
    "auth_delay": 0.0,
}

SimulatorFactory = Callable[..., Simulator]


def start_simulator(*, clock: Clock | None = None, **options: Any) -> Simulator:
    """A started in-process simulator with the test defaults, overridden by ``options``
    (``SimulatorOptions`` fields); ``clock`` (e.g. ``FrozenClock``) drives its time."""
    return Simulator(SimulatorOptions(**{**TEST_DEFAULTS, **options}), clock=clock).start()


@pytest.fixture
def simulator_factory() -> Iterator[SimulatorFactory]:
    """Start simulators with any ``SimulatorOptions`` field; all are stopped at teardown."""
    started: list[Simulator] = []

    def factory(*, clock: Clock | None = None, **options: Any) -> Simulator:
        simulator = start_simulator(clock=clock, **options)
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


@pytest.fixture
def simulator(simulator_factory: SimulatorFactory) -> Simulator:
    """Dolibarr 22.0.4 with a small seeded data set (30 tickets), auth delay 0."""
    return simulator_factory()
