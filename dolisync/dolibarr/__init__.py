"""Dolibarr REST client: transport, pagination, server time, parsing (the only HTTP layer)."""

from __future__ import annotations

from dolisync.dolibarr.client import DolibarrClient
from dolisync.dolibarr.pagination import (
    IdPosition,
    KeysetPosition,
    Page,
    Position,
    position_from_dict,
    position_to_dict,
)
from dolisync.dolibarr.timezone import ServerClock, ServerInfo
from dolisync.dolibarr.transport import RequestStats, RetryPolicy, Transport

__all__ = [
    "DolibarrClient",
    "IdPosition",
    "KeysetPosition",
    "Page",
    "Position",
    "RequestStats",
    "RetryPolicy",
    "ServerClock",
    "ServerInfo",
    "Transport",
    "position_from_dict",
    "position_to_dict",
]
