"""Who an API key belongs to, and what Dolibarr then lets that user do and see.

What this module knows (Dolibarr 20/22: each API class's rights checks and
``checkUserAccessToObject`` in ``security.lib.php``; the live captures ``v*/017``–``022`` show
the texts and the visibility):

* a missing right is a 403 whose text differs per endpoint (``require``); a record the user may
  not see is a 403 "Access not allowed for login <login>" (``not_allowed``);
* a user without "thirdparties.all" (Dolibarr's "Extend access to all third parties") lists
  only tickets, interventions, agenda events and third parties of the third parties it is a
  sales representative of (``llx_societe_commerciaux``): none at all until someone links it
  (``limit_to_followed``). Dolibarr skips that filter when the client names third parties
  (``socid`` on tickets, ``thirdparty_ids`` on interventions), and so does the simulator;
* single records: a ticket is always readable (Dolibarr exempts tickets: captured 022); an
  intervention or third party is readable only if the user follows its third party
  (``follows``); an event also when it has no third party (``may_see_event``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dolisync.simulator.answers import ApiError
from dolisync.simulator.rights import ApiUser, UserSpec, check_rights

if TYPE_CHECKING:
    from dolisync.simulator.backend import Backend
    from dolisync.simulator.database import Row
    from dolisync.simulator.request import Request


# -- accounts ---------------------------------------------------------------------------------
def user_for_key(backend: Backend, key: str) -> ApiUser | None:
    """The active user owning ``key``; the admin's rights are not read (it has them all)."""
    row = backend.db.one(
        "SELECT rowid, login, admin FROM llx_user WHERE api_key = ? AND statut = 1", (key,)
    )
    if row is None:
        return None
    if row["admin"]:
        return ApiUser(int(row["rowid"]), row["login"], admin=True)
    names = backend.db.all("SELECT name FROM llx_user_rights WHERE fk_user = ?", (row["rowid"],))
    return ApiUser(int(row["rowid"]), row["login"], rights=frozenset(n[0] for n in names))


def add_user(backend: Backend, spec: UserSpec) -> int:
    """Create a non-admin user with its key and rights; returns its id."""
    taken = backend.db.one(
        "SELECT login FROM llx_user WHERE login = ? OR api_key = ?", (spec.login, spec.api_key)
    )
    if taken is not None:
        raise ValueError(f"user {spec.login}: that login or API key is already used")
    now = backend.now_db()
    with backend.db.write() as conn:
        cursor = conn.execute(
            "INSERT INTO llx_user (login, api_key, lastname, firstname, email, job, admin,"
            " datec, tms) VALUES (?, ?, ?, '', '', '', 0, ?, ?)",
            (spec.login, spec.api_key, spec.login, now, backend.tms_now()),
        )
        user_id = int(cursor.lastrowid or 0)
        _grant(conn, user_id, spec.rights)
    return user_id


def set_rights(backend: Backend, user_id: int, names: Iterable[str]) -> None:
    """Replace a non-admin user's rights (effective from its next request)."""
    chosen = check_rights(names)
    row = backend.db.one("SELECT admin FROM llx_user WHERE rowid = ?", (user_id,))
    if row is None:
        raise KeyError(f"no user {user_id}")
    if row["admin"]:
        raise ValueError(f"user {user_id} is the admin: it has every right")
    with backend.db.write() as conn:
        conn.execute("DELETE FROM llx_user_rights WHERE fk_user = ?", (user_id,))
        _grant(conn, user_id, chosen)


def _grant(conn: Any, user_id: int, names: Iterable[str]) -> None:
    conn.executemany(
        "INSERT INTO llx_user_rights (fk_user, name) VALUES (?, ?)",
        [(user_id, name) for name in sorted(names)],
    )


def add_representative(backend: Backend, thirdparty_id: int, user_id: int) -> None:
    """Make the user a sales representative of the third party (Dolibarr: "add_commercial")."""
    if backend.db.one("SELECT 1 FROM llx_societe WHERE rowid = ?", (thirdparty_id,)) is None:
        raise KeyError(f"no third party {thirdparty_id}")
    if backend.db.one("SELECT 1 FROM llx_user WHERE rowid = ?", (user_id,)) is None:
        raise KeyError(f"no user {user_id}")
    if not _is_representative(backend, thirdparty_id, user_id):
        with backend.db.write() as conn:
            conn.execute(
                "INSERT INTO llx_societe_commerciaux (fk_soc, fk_user) VALUES (?, ?)",
                (thirdparty_id, user_id),
            )


def _is_representative(backend: Backend, thirdparty_id: Any, user_id: int) -> bool:
    return (
        backend.db.one(
            "SELECT 1 FROM llx_societe_commerciaux WHERE fk_soc = ? AND fk_user = ?",
            (thirdparty_id, user_id),
        )
        is not None
    )


# -- checks -----------------------------------------------------------------------------------
def require(request: Request, right: str, source: str, text: str = "") -> None:
    """403 (with Dolibarr's ``text`` of this endpoint, often none) unless the user has it."""
    if not request.user.can(right):
        raise ApiError(403, text, source_file=source)


def not_allowed(user: ApiUser, source: str, suffix: str = "") -> ApiError:
    """Dolibarr's 403 for a record the user may not see (``_checkAccessToResource``)."""
    return ApiError(403, f"Access not allowed for login {user.login}{suffix}", source_file=source)


def limit_to_followed(user: ApiUser, column: str, where: list[str], bound: list[Any]) -> None:
    """Add Dolibarr's sales-representative filter on ``column`` (a third-party id) to a list
    query, unless the user sees all third parties (the admin's fast path: nothing added)."""
    if user.sees_all_thirdparties:
        return
    where.append(
        "EXISTS (SELECT 1 FROM llx_societe_commerciaux AS sc"
        f" WHERE sc.fk_soc = {column} AND sc.fk_user = ?)"
    )
    bound.append(user.id)


def follows(backend: Backend, user: ApiUser, thirdparty_id: Any) -> bool:
    """Whether the user may see records of this third party (never when it is None)."""
    if user.sees_all_thirdparties:
        return True
    return thirdparty_id is not None and _is_representative(backend, thirdparty_id, user.id)


def may_see_event(backend: Backend, user: ApiUser, event: Row) -> bool:
    """Dolibarr's check for events: a user restricted to its customers (it reads third
    parties, but not all) sees events without a third party and those of its customers."""
    if not user.can("thirdparties.read") or event["fk_soc"] is None:
        return True
    return follows(backend, user, event["fk_soc"])
