"""A stateful fake Dolibarr REST API over real HTTP, faithful to the real captures.

``Simulator`` runs it (in-process or via ``dolisync simulator``); ``SimulatorOptions`` says which
version and data; ``testing`` holds the pytest fixtures.
"""

from __future__ import annotations

from dolisync.simulator.app import Simulator
from dolisync.simulator.options import DEMO_API_KEY, SimulatorOptions

__all__ = ["DEMO_API_KEY", "Simulator", "SimulatorOptions"]
