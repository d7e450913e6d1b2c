"""The rights a simulated API user can hold, and how extra users are described.

A small vocabulary of named rights, each standing for one Dolibarr permission (module, right
and sub-right, as ``/users/info?includepermissions=1`` shows them). The admin user holds every
right, also those outside this vocabulary (deleting, creating third parties, users, projects,
webhooks), which no other simulated user can get.

``interventions.validate`` is Dolibarr's "advanced" validate right: shown in the rights tree,
but the API's ``/interventions/{id}/validate`` checks only ``interventions.create``, as the
real one does (``api_interventions.class.php``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# name -> Dolibarr's permission path (module, right[, sub-right])
RIGHTS: Final[dict[str, tuple[str, ...]]] = {
    "tickets.read": ("ticket", "read"),
    "tickets.write": ("ticket", "write"),
    "interventions.read": ("ficheinter", "lire"),
    "interventions.create": ("ficheinter", "creer"),
    "interventions.validate": ("ficheinter", "ficheinter_advance", "validate"),
    "thirdparties.read": ("societe", "lire"),
    "thirdparties.all": ("societe", "client", "voir"),  # "Extend access to all third parties"
    "users.read": ("user", "user", "lire"),
    "agenda.read": ("agenda", "myactions", "read"),
    "agenda.read_all": ("agenda", "allactions", "read"),
}
# Rights only the admin has here (named so that handlers say what Dolibarr checks).
ADMIN_ONLY: Final[dict[str, tuple[str, ...]]] = {
    "tickets.delete": ("ticket", "delete"),
    "interventions.delete": ("ficheinter", "supprimer"),
    "thirdparties.write": ("societe", "creer"),
    "users.write": ("user", "user", "creer"),
    "projects.write": ("projet", "creer"),
    "agenda.delete": ("agenda", "myactions", "delete"),
    "webhook": ("webhook", "webhook_target", "write"),
}
EVERY_RIGHT: Final[frozenset[str]] = frozenset(RIGHTS) | frozenset(ADMIN_ONLY)


def check_rights(names: Iterable[str]) -> frozenset[str]:
    """The names as a set; ValueError naming the first unknown one and the known ones."""
    chosen = frozenset(names)
    unknown = sorted(chosen - RIGHTS.keys())
    if unknown:
        raise ValueError(f"unknown right {unknown[0]!r}: use some of {', '.join(RIGHTS)}")
    return chosen


@dataclass(frozen=True, slots=True)
class UserSpec:
    """A non-admin API user to create: login, key and rights (names of ``RIGHTS``)."""

    login: str
    api_key: str = field(repr=False)
    rights: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.login or ":" in self.login or self.login.split() != [self.login]:
            raise ValueError(f"user login {self.login!r}: no spaces or ':' please")
        if not self.api_key:
            raise ValueError(f"user {self.login}: the API key must not be empty")
        object.__setattr__(self, "rights", check_rights(self.rights))

    @classmethod
    def parse(cls, text: str) -> UserSpec:
        """``login:key:right1,right2``; ``login:key`` is a user without rights."""
        login, sep, rest = text.partition(":")
        key, _, rights = rest.partition(":")
        if not sep:
            raise ValueError(f"user {text!r}: write login:api_key:right1,right2")
        return cls(login, key, frozenset(part.strip() for part in rights.split(",") if part))

    @classmethod
    def of(cls, value: UserSpec | Mapping[str, Any] | str) -> UserSpec:
        """A spec from itself, a mapping with login/api_key/rights, or ``login:key:rights``."""
        if isinstance(value, UserSpec):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        unknown = sorted(set(value) - {"login", "api_key", "rights"})
        if unknown:
            raise ValueError(f"user: unknown field {unknown[0]!r} (login, api_key, rights)")
        return cls(
            str(value.get("login", "")),
            str(value.get("api_key", "")),
            frozenset(value.get("rights") or ()),
        )


def rights_tree(names: Iterable[str]) -> dict[str, Any]:
    """Dolibarr's ``rights`` object for these rights: ``{"ticket": {"read": 1}, ...}``."""
    every = {**RIGHTS, **ADMIN_ONLY}
    tree: dict[str, Any] = {}
    for name in sorted(names):
        *parents, leaf = every[name]
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = 1
    return tree


@dataclass(frozen=True, slots=True)
class ApiUser:
    """The user an API key belongs to: the admin holds every right, others their own."""

    id: int
    login: str
    admin: bool = False
    rights: frozenset[str] = frozenset()

    def can(self, right: str) -> bool:
        return self.admin or right in self.rights

    @property
    def sees_all_thirdparties(self) -> bool:
        """Dolibarr's "Extend access to all third parties" (``societe client voir``)."""
        return self.can("thirdparties.all")

    @property
    def granted(self) -> frozenset[str]:
        return EVERY_RIGHT if self.admin else self.rights


ANONYMOUS: Final = ApiUser(0, "")  # routes without a key (``/login``)
