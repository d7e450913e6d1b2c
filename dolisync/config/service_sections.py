"""The ``[daemon]`` and ``[metrics]`` sections: what only ``dolisync run`` reads.

What this module knows: their keys, defaults and checks, including the ``host:port`` form
of ``metrics.listen`` (IPv6 hosts in brackets) and that a metrics endpoint reachable from
other machines deserves a warning (it has no authentication).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from dolisync.config import checks
from dolisync.config.model import (
    DEFAULT_METRICS_LISTEN,
    DEFAULT_SCHEDULE_TICK,
    DEFAULT_STOP_TIMEOUT,
    MIN_DEFAULT_MAX_LAG,
    DaemonConfig,
    MetricsConfig,
)
from dolisync.config.reader import Table

DAEMON_KEYS: Final = ("stop_timeout", "schedule_tick")
METRICS_KEYS: Final = ("enabled", "listen", "max_lag")
LOOPBACK_NAMES: Final = ("localhost",)
LISTEN_EXAMPLE: Final = 'e.g. "127.0.0.1:9464" or "[::1]:9464"'


def read_daemon(table: Table) -> DaemonConfig:
    return DaemonConfig(
        stop_timeout=table.get("stop_timeout", checks.duration(), DEFAULT_STOP_TIMEOUT),
        schedule_tick=table.get("schedule_tick", checks.duration(), DEFAULT_SCHEDULE_TICK),
    )


def read_metrics(table: Table, *, sync_interval: float) -> MetricsConfig:
    """``max_lag`` defaults to three sync intervals, and never less than ten minutes."""
    enabled = table.get("enabled", checks.boolean, False)
    host, port = table.get("listen", listen_address, DEFAULT_METRICS_LISTEN)
    default_lag = max(3 * sync_interval, MIN_DEFAULT_MAX_LAG)
    max_lag = table.get("max_lag", checks.duration(), default_lag)
    if enabled and not is_loopback(host):
        table.collector.warn(
            f"metrics.listen {host!r} is reachable from other machines and has no "
            "authentication: bind 127.0.0.1 and scrape through a proxy, or firewall the port"
        )
    return MetricsConfig(enabled=enabled, host=host, port=port, max_lag=max_lag)


def listen_address(value: Any) -> tuple[str, int]:
    """``"127.0.0.1:9464"`` -> ``("127.0.0.1", 9464)``; ``"[::1]:9464"`` -> ``("::1", 9464)``."""
    text = checks.non_empty_string(value)
    host, separator, port_text = text.rpartition(":")
    if not separator or not host:
        raise ValueError(f"must be host:port, {LISTEN_EXAMPLE}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"an IPv6 address goes in brackets, {LISTEN_EXAMPLE}")
    if not host or any(char.isspace() for char in host):
        raise ValueError(f"has no usable host, {LISTEN_EXAMPLE}")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"the port must be a number from 1 to 65535, {LISTEN_EXAMPLE}")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: only "localhost" is known to stay on this machine
        return False
