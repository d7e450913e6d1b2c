"""The validated configuration: frozen values with their defaults, and nothing else.

A ``Config`` only exists once every check passed, so code that receives one never
re-validates. Secrets stay masked in every ``repr``: the API key is a ``Secret`` and the
store URL shows its password as ``***``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from dolisync.config.urls import mask_url_password
from dolisync.records import ENTITIES, Entity
from dolisync.rules.spec import RuleSpec
from dolisync.secret import Secret

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["auto", "json", "console"]
KeyKind = Literal["file", "env", "credential", "plain"]

LOG_LEVELS: Final[tuple[LogLevel, ...]] = ("debug", "info", "warning", "error")
LOG_FORMATS: Final[tuple[LogFormat, ...]] = ("auto", "json", "console")

DEFAULT_SOURCE_NAME: Final = "default"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
DEFAULT_INTERVAL: Final = 60.0
DEFAULT_OVERLAP: Final = 600.0
DEFAULT_STOP_TIMEOUT: Final = 20.0
DEFAULT_SCHEDULE_TICK: Final = 300.0
DEFAULT_METRICS_LISTEN: Final = ("127.0.0.1", 9464)
MIN_DEFAULT_MAX_LAG: Final = 600.0  # the default max_lag: 3 sync intervals, at least this

API_KEY_ENV: Final = "DOLISYNC_API_KEY"
CREDENTIAL_NAME: Final = "dolibarr-api-key"


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where the API key came from: ``kind`` and the file, variable or credential it names."""

    kind: KeyKind
    location: str

    def describe(self) -> str:
        descriptions: dict[KeyKind, str] = {
            "file": f"api_key_file {self.location}",
            "env": f"environment variable {self.location}",
            "credential": f"systemd credential {self.location}",
            "plain": f"api_key written in {self.location} (not recommended)",
        }
        return descriptions[self.kind]


@dataclass(frozen=True, slots=True)
class DolibarrConfig:
    url: str  # the API root, always ending in /api/index.php
    api_key: Secret
    key_source: KeySource
    name: str = DEFAULT_SOURCE_NAME
    timeout: float = DEFAULT_TIMEOUT
    verify_tls: bool = True
    ca_bundle: Path | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    @property
    def verify(self) -> bool | str:
        """What ``requests`` takes as ``verify``: the CA bundle's path, or whether to verify."""
        return str(self.ca_bundle) if self.ca_bundle is not None else self.verify_tls


@dataclass(frozen=True, slots=True, repr=False)
class StoreConfig:
    url: str  # a SQLAlchemy URL; may hold a password, so repr shows masked_url

    @property
    def masked_url(self) -> str:
        return mask_url_password(self.url)

    @property
    def password(self) -> str | None:
        password = urlsplit(self.url).password
        return unquote(password) if password else None

    def __repr__(self) -> str:
        return f"StoreConfig(url={self.masked_url!r})"


@dataclass(frozen=True, slots=True)
class SyncConfig:
    interval: float = DEFAULT_INTERVAL
    overlap: float = DEFAULT_OVERLAP
    entities: tuple[Entity, ...] = ENTITIES


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    level: LogLevel = "info"
    format: LogFormat = "auto"


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    """``dolisync run``: how long a stop may wait for the current step, the time-rules tick."""

    stop_timeout: float = DEFAULT_STOP_TIMEOUT
    schedule_tick: float = DEFAULT_SCHEDULE_TICK


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """The daemon's opt-in ``/metrics`` and ``/healthz`` endpoint."""

    enabled: bool = False
    host: str = DEFAULT_METRICS_LISTEN[0]
    port: int = DEFAULT_METRICS_LISTEN[1]
    max_lag: float = MIN_DEFAULT_MAX_LAG  # /healthz answers 503 when the last sync is older

    @property
    def listen(self) -> str:
        """``host:port`` as the config file writes it (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class WritebackConfig:
    """``[writeback]``: the outbox's safety valves (see docs/writeback.md)."""

    dry_run: bool = False  # evaluate and record what rules would do, write nothing
    writes: bool = True  # False: the kill switch; actions stay queued, nothing is sent
    max_writes_per_cycle: int = 50
    max_writes_per_ticket: int = 10  # per ticket within any 24 hours
    max_attempts: int = 10  # then the action is dead
    max_attempts_rejected: int = 2  # for answers that will never succeed (400, 404)
    retry_delay: float = 60.0  # first wait after a failure; doubles, jittered
    retry_delay_max: float = 3600.0
    act_on_existing: bool = False  # also evaluate what the first sync loaded


@dataclass(frozen=True, slots=True)
class Config:
    """Everything dolisync was configured with (``rules`` validated, ``rules_raw`` as written)."""

    path: Path
    dolibarr: DolibarrConfig
    store: StoreConfig
    sync: SyncConfig = SyncConfig()
    logging: LoggingConfig = LoggingConfig()
    daemon: DaemonConfig = DaemonConfig()
    metrics: MetricsConfig = MetricsConfig()
    writeback: WritebackConfig = WritebackConfig()
    rules_raw: tuple[Mapping[str, Any], ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    warnings: tuple[str, ...] = ()
    # dotted path -> "file", "default" or the environment setting it came from
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def secret_values(self) -> tuple[str, ...]:
        """Values the log redactor must hide (pass each to ``logging.register_secret``)."""
        password = self.store.password
        return (self.dolibarr.api_key.reveal(), *([password] if password else []))
