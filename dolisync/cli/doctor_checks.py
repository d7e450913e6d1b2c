"""The checks behind ``dolisync doctor``: each one small, cheap and honest about what it knows.

What this module knows: what can go wrong between dolisync and a Dolibarr (config, network,
key, rights per entity, clocks and time zones, the store) and how to test each with at most
one small request. It returns results; ``doctor_cmd`` prints them.

A missing read right is a 403 (a failure naming the right). A missing "Extend access to all
third parties" is silent: Dolibarr then lists only objects of the third parties the user is a
sales representative of, so the lists come back empty or partial (seen on 20.0.2 and 22.0.4:
``tests/fixtures/live-captures/``). ``GET /users/info`` tells whether the user has that right
(when it may read users); lists it narrows are then warnings, and so is an empty one when the
right cannot be checked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from dolisync.errors import (
    AuthError,
    ConfigError,
    DolibarrError,
    DolisyncError,
    FeatureMissing,
    NotFound,
    PermissionDenied,
    StoreError,
)
from dolisync.records import Entity

if TYPE_CHECKING:
    from dolisync.cli.state import CliState
    from dolisync.dolibarr import DolibarrClient, ServerInfo
    from dolisync.service import Service

Status = Literal["ok", "warn", "fail"]
MAX_SKEW: Final = 60.0  # seconds; beyond this, log times and "older than" rules disagree

# What the API user needs in Dolibarr for each entity: (module, right).
NEEDS: Final[dict[Entity, tuple[str, str]]] = {
    "tickets": ("Tickets", "Tickets > Read tickets"),
    "messages": ("Agenda", "Agenda > Read actions/tasks of others"),
    "interventions": ("Interventions", "Interventions > Read interventions"),
    "thirdparties": (
        "Third parties",
        "Third parties > Read third parties, plus 'extend access to all third parties'",
    ),
    "users": ("Users & Groups", "Users > Read other users"),
}
# Entities whose lists Dolibarr narrows to the user's own customers without that right.
NARROWED_TO_CUSTOMERS: Final[frozenset[Entity]] = frozenset(
    {"tickets", "messages", "interventions", "thirdparties"}
)
ALL_THIRDPARTIES: Final = "'Extend access to all third parties'"
ALL_THIRDPARTIES_HINT: Final = (
    "give the API user the rights 'Read third parties' + 'Extend access to all third "
    "parties': without them Dolibarr lists only the objects of third parties the user is a "
    "sales representative of"
)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    message: str
    hint: str | None = None
    error: DolisyncError | None = None


def run_checks(state: CliState) -> Iterator[Check]:
    """Every check in order; later checks are skipped when an earlier one makes them moot."""
    try:
        config = state.config()
    except ConfigError as error:
        for problem in error.problems:
            yield Check("config", "fail", str(problem), error.hint, error)
        return
    except DolisyncError as error:
        yield Check("config", "fail", error.message, error.hint, error)
        return
    yield Check("config", "ok", f"{config.path} is valid")
    for warning in config.warnings:
        yield Check("config", "warn", warning)
    with state.service(max_attempts=1) as service:
        yield from _dolibarr_checks(service)
        yield _store_check(service)
        from dolisync.outbox.doctor import writeback_checks  # write-back: rights, workflow

        yield from (Check(*found.fields()) for found in writeback_checks(config, service.client))


def _dolibarr_checks(service: Service) -> Iterator[Check]:
    client = service.client
    url = service.config.dolibarr.url
    try:
        info = client.status()
    except AuthError as error:
        yield Check("dolibarr", "ok", f"{url} answers")
        yield Check("api key", "fail", error.message, error.hint, error)
        return
    except DolibarrError as error:
        yield Check("dolibarr", "fail", f"{url}: {error.message}", error.hint, error)
        return
    locked = info.access_locked
    yield Check(
        "dolibarr",
        "warn" if locked else "ok",
        f"Dolibarr {info.dolibarr_version} at {url}" + (" (access is locked)" if locked else ""),
        "Dolibarr reports access_locked: an administrator has locked it" if locked else None,
    )
    key_source = service.config.dolibarr.key_source.describe()
    yield Check("api key", "ok", f"accepted (from {key_source})")
    entities = service.config.sync.entities
    scope = _thirdparty_scope(client) if NARROWED_TO_CUSTOMERS & set(entities) else None
    for entity in entities:
        yield _rights_check(client, entity, scope)
    yield _clock_check(info, now=service.clock.now())
    yield _timezone_check(client, info)


def _rights_check(client: DolibarrClient, entity: Entity, sees_all: bool | None) -> Check:
    """A one-row listing: proves the module is on and the user may read it; ``sees_all``
    (``_thirdparty_scope``) says whether the list may be narrowed to the user's customers."""
    from dolisync.dolibarr.resources import spec_for

    spec = spec_for(entity)
    try:
        rows = client.list_page(
            spec.path,
            sqlfilters=spec.base_filter.render() if spec.base_filter is not None else None,
            sortfield=spec.id_column,
            limit=1,
            properties=[spec.id_field],
        )
    except NotFound:
        rows = []  # Dolibarr before ~19 answers 404 for an empty list
    except DolibarrError as error:
        return _unreadable(entity, error)
    narrowed = entity in NARROWED_TO_CUSTOMERS and sees_all is not True
    if narrowed and sees_all is False:
        seen = "only the records of its own customers" if rows else "none"
        message = (
            f"readable, but the API user sees {seen} ({spec.path}): it lacks {ALL_THIRDPARTIES}"
        )
        return Check(entity, "warn", message, ALL_THIRDPARTIES_HINT)
    if narrowed and not rows:
        message = (
            f"readable, but the API user sees none ({spec.path}): Dolibarr has none yet, or "
            f"the user lacks {ALL_THIRDPARTIES}"
        )
        return Check(entity, "warn", message, ALL_THIRDPARTIES_HINT)
    found = "readable" if rows else "readable, but the API user sees none yet"
    return Check(entity, "ok", f"{found} ({spec.path})")


def _thirdparty_scope(client: DolibarrClient) -> bool | None:
    """Whether the API user sees every third party's records: admin, or Dolibarr's right
    ``societe > client > voir`` in ``GET /users/info``'s rights tree; None when that cannot
    be told (the endpoint needs the right to read users; a tree without any right granted
    means the server did not load it)."""
    try:
        info = client.transport.get("/users/info", {"includepermissions": 1})
    except DolibarrError:
        return None
    if not isinstance(info, Mapping):
        return None
    if str(info.get("admin", "0")) == "1":
        return True
    rights = info.get("rights")
    if not isinstance(rights, Mapping) or not _grants_any(rights):
        return None
    node: Any = rights
    for key in ("societe", "client"):
        node = node.get(key) if isinstance(node, Mapping) else None
    return isinstance(node, Mapping) and _granted(node.get("voir"))


def _grants_any(tree: Mapping[str, Any]) -> bool:
    return any(
        _grants_any(value) if isinstance(value, Mapping) else _granted(value)
        for value in tree.values()
    )


def _granted(value: Any) -> bool:
    return str(value) in ("1", "true", "True")


def _unreadable(entity: Entity, error: DolibarrError) -> Check:
    module, right = NEEDS[entity]
    if isinstance(error, PermissionDenied):
        message = f"the API user lacks {right} ({error.message})"
        return Check(entity, "fail", message, f"give the API user the right {right}", error)
    if isinstance(error, AuthError):
        return Check(entity, "fail", error.message, f"give the API user the right {right}", error)
    if isinstance(error, FeatureMissing):
        return Check(entity, "fail", error.message, f"enable the {module} module", error)
    return Check(entity, "fail", error.message, error.hint, error)


def _clock_check(info: ServerInfo, *, now: float) -> Check:
    skew = info.clock_skew(now)
    if skew is None:
        return Check(
            "clock",
            "warn",
            "the server does not tell its time (production mode): skew unknown",
            "keep both machines on NTP; dolisync never builds date filters from its own clock",
        )
    text = f"server clock is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} ours"
    if abs(skew) > MAX_SKEW:
        return Check("clock", "warn", text, "run NTP on both machines")
    return Check("clock", "ok", text)


def _timezone_check(client: DolibarrClient, info: ServerInfo) -> Check:
    ours = datetime.now().astimezone().tzname() or time.tzname[0]
    if info.php_timezone:
        return Check(
            "timezone",
            "ok",
            f"server PHP timezone {info.php_timezone}, ours {ours}: date filters are written "
            "in the server's zone",
        )
    try:
        described = client.server_clock().describe()
    except DolibarrError as error:
        return Check("timezone", "warn", f"server zone unknown: {error.message}", error.hint)
    return Check(
        "timezone",
        "ok",
        f"server zone not told; using {described} (learned from a ticket), ours {ours}",
    )


def _store_check(service: Service) -> Check:
    try:
        status = service.store.status(service.source)
    except StoreError as error:
        return Check("store", "fail", error.message, error.hint, error)
    schema = status.migrations[-1] if status.migrations else "empty"
    return Check("store", "ok", f"{service.config.store.masked_url} opens; schema {schema}")
