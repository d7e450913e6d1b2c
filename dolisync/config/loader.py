"""Turning a TOML config file into a ``Config``, or one ``ConfigError`` listing every problem.

Reading is strict (unknown keys and wrong types are problems) but never stops at the first
problem: each section is read to the end with defaults standing in for bad values, so the
user fixes everything in one round.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, cast

from dolisync.config import checks
from dolisync.config.apikey import resolve_api_key
from dolisync.config.locate import locate_config
from dolisync.config.model import (
    DEFAULT_INTERVAL,
    DEFAULT_OVERLAP,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SOURCE_NAME,
    DEFAULT_TIMEOUT,
    LOG_FORMATS,
    LOG_LEVELS,
    MAX_PAGE_SIZE,
    Config,
    DolibarrConfig,
    LogFormat,
    LoggingConfig,
    LogLevel,
    StoreConfig,
    SyncConfig,
)
from dolisync.config.reader import Collector, Table, closest, describe_type
from dolisync.config.service_sections import DAEMON_KEYS, METRICS_KEYS, read_daemon, read_metrics
from dolisync.config.urls import check_store_url, default_store_url, normalise_dolibarr_url
from dolisync.config.writeback_section import WRITEBACK_KEYS, read_writeback
from dolisync.errors import ConfigError, Problem
from dolisync.records import ENTITIES, Entity
from dolisync.rules.spec import RuleSpec, parse_rules
from dolisync.tomlpaths import LineIndex

SECTIONS: Final = (
    "dolibarr",
    "store",
    "sync",
    "logging",
    "daemon",
    "metrics",
    "writeback",
    "rules",
)
DOLIBARR_KEYS: Final = (
    "url",
    "name",
    "api_key_file",
    "api_key",
    "timeout",
    "verify_tls",
    "ca_bundle",
    "page_size",
)
STORE_KEYS: Final = ("url",)
SYNC_KEYS: Final = ("interval", "overlap", "entities")
LOGGING_KEYS: Final = ("level", "format")

PROBLEMS_HINT: Final = "config.example.toml lists every key with its default and what it does"
_KEY_ORIGINS: Final = {
    "file": "api_key_file",
    "env": "env",
    "credential": "credential",
    "plain": "file",
}
_AT_END: Final = " (at end of document)"
_TOML_POSITION_RE: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Find, read and validate the config file (see ``locate_config`` for the lookup order)."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    file = locate_config(path, env=env, cwd=cwd)
    try:
        # utf-8-sig: editors on Windows start files with a byte-order mark tomllib rejects
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = "it is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror
        raise ConfigError(
            [Problem(path="", message=f"cannot read the config file: {reason}", file=str(file))]
        ) from None
    return config_from_text(text, path=file, env=env)


def config_from_text(text: str, *, path: Path, env: Mapping[str, str]) -> Config:
    """Validate ``text`` as the content of the config file ``path`` (relative paths start there)."""
    document = _parse_toml(text, str(path))
    collector = Collector(file=str(path), lines=LineIndex(text))
    config = _build(document, collector, path=path, env=env)
    if collector.problems or config is None:
        # In file order, so the user can walk down the file fixing them.
        in_order = sorted(
            collector.problems, key=lambda found: (found.line is None, found.line or 0)
        )
        raise ConfigError(in_order, hint=PROBLEMS_HINT, file=str(path))
    return config


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = None
        if position := _TOML_POSITION_RE.search(message):
            line = int(position["line"])
            message = f"{message[: position.start()]} (column {position['column']})"
        elif message.endswith(_AT_END):
            line = len(text.splitlines()) or 1
            message = message.removesuffix(_AT_END) + " (at the end of the file)"
        problem = Problem(path="", message=f"invalid TOML: {message}", file=file, line=line)
        raise ConfigError([problem], hint="fix the TOML syntax at that line") from None


def _build(
    document: Mapping[str, Any], collector: Collector, *, path: Path, env: Mapping[str, str]
) -> Config | None:
    top = Table(document, "", collector, SECTIONS)
    base_dir = path.parent
    dolibarr = _dolibarr(top.table("dolibarr", DOLIBARR_KEYS), env=env, path=path)
    store = _store(top.table("store", STORE_KEYS), env=env, base_dir=base_dir)
    sync = _sync(top.table("sync", SYNC_KEYS))
    logging = _logging(top.table("logging", LOGGING_KEYS))
    daemon = read_daemon(top.table("daemon", DAEMON_KEYS))
    metrics = read_metrics(top.table("metrics", METRICS_KEYS), sync_interval=sync.interval)
    writeback = read_writeback(top.table("writeback", WRITEBACK_KEYS))
    rules_raw, rules = check_rules(document.get("rules", []), collector)
    if dolibarr is None:
        return None
    return Config(
        path=path,
        dolibarr=dolibarr,
        store=store,
        sync=sync,
        logging=logging,
        daemon=daemon,
        metrics=metrics,
        writeback=writeback,
        rules_raw=rules_raw,
        rules=rules,
        warnings=tuple(collector.warnings),
        sources=dict(collector.sources),
    )


def _dolibarr(table: Table, *, env: Mapping[str, str], path: Path) -> DolibarrConfig | None:
    url = table.optional("url", lambda value: normalise_dolibarr_url(checks.string(value)))
    if not table.has("url"):
        table.collector.problem(
            table.path_of("url"),
            'is required: the address of your Dolibarr, e.g. url = "https://erp.example.com/dolibarr"',
        )
    name = table.get("name", checks.source_name, DEFAULT_SOURCE_NAME)
    timeout = table.get("timeout", checks.duration(), DEFAULT_TIMEOUT)
    page_size = table.get("page_size", checks.integer_between(1, MAX_PAGE_SIZE), DEFAULT_PAGE_SIZE)
    verify_tls, ca_bundle = _tls(table, base_dir=path.parent)
    key = resolve_api_key(table, env=env, base_dir=path.parent, config_file=str(path))
    if key is None or url is None:
        return None
    api_key, key_source = key
    table.collector.sources[table.path_of("api_key")] = _KEY_ORIGINS[key_source.kind]
    return DolibarrConfig(
        url=url,
        api_key=api_key,
        key_source=key_source,
        name=name,
        timeout=timeout,
        verify_tls=verify_tls,
        ca_bundle=ca_bundle,
        page_size=page_size,
    )


def _tls(table: Table, *, base_dir: Path) -> tuple[bool, Path | None]:
    verify_tls = table.get("verify_tls", checks.boolean, True)
    ca_bundle = table.optional("ca_bundle", checks.existing_path(base_dir))
    if ca_bundle is not None and table.raw.get("verify_tls") is False:
        table.collector.problem(
            table.path_of("ca_bundle"),
            "contradicts verify_tls = false (a CA bundle is for verifying); remove one of them",
        )
    return verify_tls, ca_bundle


def _store(table: Table, *, env: Mapping[str, str], base_dir: Path) -> StoreConfig:
    url = table.optional(
        "url", lambda value: check_store_url(checks.string(value), base_dir=base_dir)
    )
    if url is None:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
        url, origin = default_store_url(env, home)
        if not table.has("url"):
            table.collector.sources[table.path_of("url")] = f"default ({origin})"
    return StoreConfig(url=url)


def _sync(table: Table) -> SyncConfig:
    return SyncConfig(
        interval=table.get("interval", checks.duration(), DEFAULT_INTERVAL),
        overlap=table.get("overlap", checks.duration(allow_zero=True), DEFAULT_OVERLAP),
        entities=_entities(table),
    )


def _entities(table: Table) -> tuple[Entity, ...]:
    """Each entity name checked on its own, so the problem names its position in the list."""
    names = table.optional("entities", _array)
    if names is None:
        return ENTITIES
    path = table.path_of("entities")
    if not names:
        table.collector.problem(path, f"must name at least one of: {', '.join(ENTITIES)}")
    chosen: list[Entity] = []
    for index, name in enumerate(names):
        where = f"{path}[{index}]"
        if not isinstance(name, str):
            table.collector.problem(where, f"must be a string, not {describe_type(name)}")
        elif name not in ENTITIES:
            guess = closest(name, ENTITIES)
            maybe = f" (did you mean {guess!r}?)" if guess else ""
            table.collector.problem(
                where, f"unknown entity {name!r}{maybe}; must be one of: {', '.join(ENTITIES)}"
            )
        elif name in chosen:
            table.collector.problem(where, f"{name!r} is listed twice")
        else:
            chosen.append(name)
    return tuple(chosen)


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(
            f'must be a list such as ["tickets", "messages"], not {describe_type(value)}'
        )
    return value


def _logging(table: Table) -> LoggingConfig:
    level = table.get("level", checks.one_of(LOG_LEVELS), "info")
    fmt = table.get("format", checks.one_of(LOG_FORMATS), "auto")
    return LoggingConfig(level=cast(LogLevel, level), format=cast(LogFormat, fmt))


def check_rules(
    raw: object, collector: Collector
) -> tuple[tuple[Mapping[str, Any], ...], tuple[RuleSpec, ...]]:
    """The ``[[rules]]`` tables, raw and validated by the rules package's own parser.

    The rule language is known in one place (``dolisync.rules.spec``); its problems join the
    rest of the config's, so ``config check`` reports everything at once.
    """
    if not isinstance(raw, list):
        collector.problem("rules", f"must be a list of [[rules]] tables, not {describe_type(raw)}")
        return (), ()
    tables: list[Mapping[str, Any]] = []
    for index, item in enumerate(raw):
        if isinstance(item, Mapping):
            tables.append(item)
        else:
            collector.problem(f"rules[{index}]", f"must be a table, not {describe_type(item)}")
    if len(tables) != len(raw):
        return tuple(tables), ()
    specs, problems = parse_rules(raw, file=collector.file)
    collector.add(problems)
    return tuple(tables), specs
