"""The effective configuration as ``dolisync config show`` prints it: every value, no secret.

The API key appears only as ``ab…(32 chars)`` (or fully masked when short) and the store
URL's password as ``***``. Durations are shown the way the config file writes them.
"""

from __future__ import annotations

from typing import Any

from dolisync.config.model import Config
from dolisync.config.writeback_section import writeback_to_display
from dolisync.durations import format_duration


def describe_key_source(config: Config) -> str:
    """Where the API key came from, for ``doctor`` and ``config show``."""
    return config.dolibarr.key_source.describe()


def config_to_display(config: Config) -> dict[str, Any]:
    """Every effective value (defaults included), where it came from, and the warnings."""
    dolibarr = config.dolibarr
    return {
        "file": str(config.path),
        "dolibarr": {
            "url": dolibarr.url,
            "name": dolibarr.name,
            "api_key": dolibarr.api_key.masked(),
            "api_key_source": describe_key_source(config),
            "timeout": format_duration(dolibarr.timeout),
            "verify_tls": dolibarr.verify_tls,
            "ca_bundle": str(dolibarr.ca_bundle) if dolibarr.ca_bundle else None,
            "page_size": dolibarr.page_size,
        },
        "store": {"url": config.store.masked_url},
        "sync": {
            "interval": format_duration(config.sync.interval),
            "overlap": format_duration(config.sync.overlap),
            "entities": list(config.sync.entities),
        },
        "logging": {"level": config.logging.level, "format": config.logging.format},
        "daemon": {
            "stop_timeout": format_duration(config.daemon.stop_timeout),
            "schedule_tick": format_duration(config.daemon.schedule_tick),
        },
        "metrics": {
            "enabled": config.metrics.enabled,
            "listen": config.metrics.listen,
            "max_lag": format_duration(config.metrics.max_lag),
        },
        "writeback": writeback_to_display(config.writeback),
        "rules": len(config.rules_raw),
        "sources": dict(sorted(config.sources.items())),
        "warnings": list(config.warnings),
    }
