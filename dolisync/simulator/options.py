"""Everything that makes one simulated Dolibarr differ from another."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dolisync.simulator.rights import UserSpec
from dolisync.simulator.templates import DEFAULT_VERSION, VERSIONS

DEMO_API_KEY: Final[str] = "dolisync-demo-key-0123456789abcdef"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorOptions:
    """How to build a simulator.

    ``tickets=0`` is a fresh Dolibarr after its installer (admin user only); a positive number
    seeds customers, technicians, tickets, messages and interventions, deterministically per
    ``seed``. ``auth_delay`` is the pause before a 401 for a wrong key (Dolibarr: 1 s).
    ``empty_list_404`` gives the pre-19 behaviour of answering 404 for an empty list.
    ``faults`` is a fault spec string (see ``dolisync.simulator.faults``). ``users`` are API
    users besides the admin, each ``UserSpec``, ``{"login", "api_key", "rights"}`` or
    ``"login:key:right1,right2"`` (rights: ``dolisync.simulator.rights.RIGHTS``).
    ``timezone`` is PHP's ``date.timezone``; ``db_timezone`` the database's (default: the
    same). When they differ, ``tms`` columns hold the database's wall clock while JSON reads
    every date in PHP's zone, so ``tms`` epochs come out shifted, as on a real server.
    """

    host: str = "127.0.0.1"
    port: int = 8080
    api_key: str = field(default=DEMO_API_KEY, repr=False)
    version: str = DEFAULT_VERSION
    tickets: int = 0
    seed: int = 1
    timezone: str = "UTC"
    db_timezone: str | None = None
    auth_delay: float = 1.0
    empty_list_404: bool = False
    faults: str = ""
    admin_password: str = field(default="admin", repr=False)  # a fake server's fake password
    users: Sequence[UserSpec | Mapping[str, Any] | str] = ()  # a tuple of UserSpec once built

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(
                f"unsupported Dolibarr version {self.version!r}: use one of {VERSIONS}"
            )
        if self.tickets < 0:
            raise ValueError("tickets must be 0 or more")
        if self.auth_delay < 0:
            raise ValueError("auth_delay must be 0 or more")
        self._check_users()
        for zone in (self.timezone, self.db_timezone or self.timezone):
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {zone!r} (e.g. UTC, Europe/Paris)") from None

    def _check_users(self) -> None:
        users = tuple(UserSpec.of(user) for user in self.users)
        logins = ["admin", *(user.login for user in users)]
        keys = [self.api_key, *(user.api_key for user in users)]
        if len(set(logins)) != len(logins) or len(set(keys)) != len(keys):
            raise ValueError("each simulated user needs its own login and API key")
        object.__setattr__(self, "users", users)  # frozen: normalised once

    @property
    def extra_users(self) -> tuple[UserSpec, ...]:
        return tuple(UserSpec.of(user) for user in self.users)

    @property
    def is_v20(self) -> bool:
        return self.version.startswith("20.")
