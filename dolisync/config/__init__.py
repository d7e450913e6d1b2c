"""dolisync's configuration: find the TOML file, validate it strictly, freeze it.

``load_config()`` returns a ``Config`` or raises one ``ConfigError`` listing every problem
(file, dotted path, line). ``config_to_display()`` is what ``config show`` prints.
"""

from __future__ import annotations

from dolisync.config.display import config_to_display, describe_key_source
from dolisync.config.loader import config_from_text, load_config
from dolisync.config.locate import CONFIG_ENV, LOCAL_CONFIG, SYSTEM_CONFIG, locate_config
from dolisync.config.model import (
    API_KEY_ENV,
    CREDENTIAL_NAME,
    Config,
    DaemonConfig,
    DolibarrConfig,
    KeySource,
    LoggingConfig,
    MetricsConfig,
    StoreConfig,
    SyncConfig,
    WritebackConfig,
)
from dolisync.config.urls import mask_url_password, normalise_dolibarr_url
from dolisync.durations import format_duration, parse_duration
from dolisync.secret import Secret

__all__ = [
    "API_KEY_ENV",
    "CONFIG_ENV",
    "CREDENTIAL_NAME",
    "LOCAL_CONFIG",
    "SYSTEM_CONFIG",
    "Config",
    "DaemonConfig",
    "DolibarrConfig",
    "KeySource",
    "LoggingConfig",
    "MetricsConfig",
    "Secret",
    "StoreConfig",
    "SyncConfig",
    "WritebackConfig",
    "config_from_text",
    "config_to_display",
    "describe_key_source",
    "format_duration",
    "load_config",
    "locate_config",
    "mask_url_password",
    "normalise_dolibarr_url",
    "parse_duration",
]
