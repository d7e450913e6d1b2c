"""``dolisync doctor``'s write-back checks: the mode, the write rights, Dolibarr's own workflow.

What this module knows (from Dolibarr's source; not verified on a live server):

* which right each action needs: ``POST/PUT /tickets…`` and ``/tickets/newmessage`` need
  "Tickets > Create/modify tickets" (``ticket write``); ``POST /interventions`` (and lines,
  validate) "Interventions > Create/modify interventions" (``ficheinter creer``). Nothing can
  test a right without writing, so the check reads ``GET /users/info``: an admin has every
  right; a ``rights`` tree is checked; anything else is reported as "cannot check";
* Dolibarr's Workflow module can create an intervention for every new ticket (constant
  ``WORKFLOW_TICKET_CREATE_INTERVENTION``, used only when the module is on:
  ``MAIN_MODULE_WORKFLOW``). With a ``create_intervention`` rule that would mean two
  interventions. ``GET /setup/conf/<NAME>`` reads a constant: admin users only (else 403),
  and an unset constant answers 400 (404 before ~v20) "Bad or unknown value for
  constantname", which means "off".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from dolisync.config import Config
from dolisync.dolibarr import DolibarrClient
from dolisync.errors import (
    BadRequest,
    ConfigError,
    DolibarrError,
    DolisyncError,
    NotFound,
    PermissionDenied,
)
from dolisync.outbox.driver import build_ruleset

Status = Literal["ok", "warn", "fail"]

TICKET_WRITE: Final = ("ticket", "write", "Tickets > Create/modify tickets")
INTERVENTION_WRITE: Final = (
    "ficheinter",
    "creer",
    "Interventions > Create/modify interventions",
)
NEEDS: Final[dict[str, tuple[str, str, str]]] = {
    "create_intervention": INTERVENTION_WRITE,
    "post_message": TICKET_WRITE,
    "set_status": TICKET_WRITE,
    "assign": TICKET_WRITE,
    "set_severity": TICKET_WRITE,
    "set_category": TICKET_WRITE,
    "set_type": TICKET_WRITE,
}
WORKFLOW_MODULE: Final = "MAIN_MODULE_WORKFLOW"
WORKFLOW_CONSTANT: Final = "WORKFLOW_TICKET_CREATE_INTERVENTION"
UNKNOWN_CONSTANT: Final = "unknown value for constantname"


@dataclass(frozen=True, slots=True)
class WritebackCheck:
    """One line of ``doctor``: what ``dolisync.cli.doctor_checks.Check`` prints."""

    name: str
    status: Status
    message: str
    hint: str | None = None
    error: DolisyncError | None = None

    def fields(self) -> tuple[str, Status, str, str | None, DolisyncError | None]:
        """In the order of ``Check(name, status, message, hint, error)``."""
        return (self.name, self.status, self.message, self.hint, self.error)


def writeback_checks(config: Config, client: DolibarrClient) -> Iterator[WritebackCheck]:
    """Every write-back check, each with at most two small requests."""
    settings = config.writeback
    try:
        ruleset = build_ruleset(config)
    except ConfigError as error:
        yield WritebackCheck("write-back", "fail", error.message, error.hint, error)
        return
    kinds = sorted({action.kind for spec in ruleset.specs if spec.enabled for action in spec.then})
    yield _mode(settings.dry_run, settings.writes, kinds)
    if not kinds:
        return
    yield _rights(client, kinds)
    if "create_intervention" in kinds:
        yield _workflow(client)


def _mode(dry_run: bool, writes: bool, kinds: list[str]) -> WritebackCheck:
    actions = ", ".join(kinds) if kinds else "none (no enabled rule)"
    if dry_run:
        return WritebackCheck(
            "write-back",
            "warn",
            f"dry run: rules are evaluated and recorded, nothing is written (actions: {actions})",
            "set [writeback] dry_run = false to write",
        )
    if not writes:
        return WritebackCheck(
            "write-back",
            "warn",
            f"writes = false: actions are queued but not sent (actions: {actions})",
            "set [writeback] writes = true to send them",
        )
    return WritebackCheck("write-back", "ok", f"enabled (actions: {actions})")


def _rights(client: DolibarrClient, kinds: list[str]) -> WritebackCheck:
    needed = {NEEDS[kind] for kind in kinds if kind in NEEDS}
    names = ", ".join(sorted(label for _, _, label in needed))
    hint = f"give the API user the rights: {names}"
    try:
        info = client.transport.get("/users/info", {"includepermissions": 1})
    except DolibarrError as error:
        return WritebackCheck(
            "write rights",
            "warn",
            f"cannot check the write rights ({error.message}); the actions need: {names}",
            hint,
        )
    if not isinstance(info, Mapping):
        return WritebackCheck(
            "write rights", "warn", f"cannot check; the actions need: {names}", hint
        )
    if str(info.get("admin", "0")) == "1":
        return WritebackCheck(
            "write rights", "ok", f"the API user is an administrator (needs: {names})"
        )
    rights = info.get("rights")
    if not isinstance(rights, Mapping):
        return WritebackCheck(
            "write rights",
            "warn",
            f"cannot check: Dolibarr does not show the API user's rights; needs: {names}",
            hint,
        )
    missing = sorted(label for module, right, label in needed if not _has(rights, module, right))
    if missing:
        return WritebackCheck(
            "write rights", "fail", f"the API user lacks: {', '.join(missing)}", hint
        )
    return WritebackCheck("write rights", "ok", f"the API user has: {names}")


def _has(rights: Mapping[str, Any], module: str, right: str) -> bool:
    granted = rights.get(module)
    return isinstance(granted, Mapping) and str(granted.get(right, "0")) in ("1", "true", "True")


def _workflow(client: DolibarrClient) -> WritebackCheck:
    name = "Dolibarr workflow"
    try:
        module_on = _constant(client, WORKFLOW_MODULE)
        constant_on = module_on and _constant(client, WORKFLOW_CONSTANT)
    except PermissionDenied:
        return WritebackCheck(
            name,
            "warn",
            "cannot check whether Dolibarr itself creates an intervention for every new "
            "ticket: reading its setup needs an admin API user",
            f"in Dolibarr, Home > Setup > Modules > Workflow: keep {WORKFLOW_CONSTANT} off "
            "(a create_intervention rule and that option would make two interventions)",
        )
    except DolibarrError as error:
        return WritebackCheck(
            name,
            "warn",
            f"cannot check Dolibarr's workflow setup ({error.message})",
            f"in Dolibarr, Home > Setup > Modules > Workflow: keep {WORKFLOW_CONSTANT} off",
        )
    if constant_on:
        return WritebackCheck(
            name,
            "warn",
            "Dolibarr's Workflow option creates an intervention for every new ticket: with a "
            "create_intervention rule, tickets would get two",
            f"turn {WORKFLOW_CONSTANT} off (Home > Setup > Modules > Workflow) or drop the rule",
        )
    state = "module off" if not module_on else f"{WORKFLOW_CONSTANT} off"
    return WritebackCheck(name, "ok", f"Dolibarr does not create interventions itself ({state})")


def _constant(client: DolibarrClient, constant: str) -> bool:
    """Whether a Dolibarr constant is set to something true; unset reads as False."""
    try:
        value = client.transport.get(f"/setup/conf/{constant}")
    except (BadRequest, NotFound) as error:
        text = f"{error.message} {error.dolibarr_message or ''}".lower()
        if UNKNOWN_CONSTANT in text:
            return False
        raise
    return str(value).strip() not in ("", "0", "None", "False", "false")
