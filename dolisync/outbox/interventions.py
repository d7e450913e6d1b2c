"""``create_intervention``: one draft intervention per action, linked to its ticket, exactly once.

What this module knows (dolibarr-api.md §1.7, §9, §10):

1. look for the intervention whose ``ref_client`` is this action's marker — before the first
   create and before every retry: a 5xx, a reset or a timeout may hide a create that
   Dolibarr committed. Several found (a past bug, a person copying the ref): the lowest id is
   kept, the others are reported and left alone (never deleted);
2. only if none is found: ``POST /interventions`` with ``origin``/``origin_id`` (the ticket
   link can only be made there), after the conflict check;
3. lines (both ``duration`` and ``duree``): only the ones not there yet — the intervention
   is ours and new, so the lines it has are the first ones we added;
4. validate when asked (``validate = true``; a 304 means already validated);
5. re-read and verify: the marker, ``linkedObjectsIds`` naming the ticket, the lines.
   A missing link cannot be repaired through the API: the action is then dead, with the
   intervention's id, for a person to link by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dolisync.outbox.conflict import reconsider
from dolisync.outbox.context import ActionContext, Attempt
from dolisync.outbox.keys import intervention_marker
from dolisync.outbox.outcomes import GiveUpError, Outcome, RejectedError
from dolisync.records import Intervention


def create_intervention(ctx: ActionContext, attempt: Attempt) -> Outcome:
    item = attempt.item
    marker = intervention_marker(item.key)
    params = attempt.params
    found = ctx.client.find_interventions_by_ref_client(marker)
    duplicates = attempt.note_duplicates(
        ctx,
        found,
        detail="several interventions carry this action's marker: the lowest id is kept, "
        "the others are left alone",
    )
    if found:
        intervention_id = found[0]
    else:
        intervention_id, params = _create(ctx, attempt, marker)
    current = ctx.client.get_intervention(intervention_id)
    lines = list(params.get("lines") or ())
    _add_missing_lines(ctx, attempt, current, lines)
    if params.get("validate") and current.status == 0:
        path = f"/interventions/{intervention_id}/validate"
        attempt.write("POST", path, None, lambda: ctx.client.validate_intervention(intervention_id))
    final = ctx.client.get_intervention(intervention_id)
    ctx.mirror("interventions", [final])
    # Dolibarr may touch the ticket when it links it: that too is our own doing
    ctx.mirror("tickets", [ctx.client.get_ticket(item.ticket_id)])
    result = _result(final, marker, duplicates)
    problems = _problems(final, marker, item.ticket_id, lines)
    if problems:
        raise GiveUpError(
            f"intervention {final.ref} (id {final.id}) was created but "
            + "; ".join(problems)
            + ": fix it by hand in Dolibarr",
            object_id=final.id,
            result=result,
        )
    return Outcome(final.id, result)


def _create(ctx: ActionContext, attempt: Attempt, marker: str) -> tuple[int, Mapping[str, Any]]:
    item = attempt.item
    attempt.require_settled(ctx)
    fresh = ctx.client.get_ticket(item.ticket_id)
    params = reconsider(ctx, attempt, fresh) or attempt.params
    socid = params.get("socid") or fresh.socid
    if not socid:
        raise RejectedError(
            f"ticket {fresh.ref} has no customer (third party): Dolibarr needs one to create "
            "an intervention"
        )
    project_id = int(params.get("project_id") or 0)
    description = str(params.get("description") or "")
    body = {
        "socid": socid,
        "fk_project": project_id,
        "description": description,
        "ref_client": marker,
        "origin": "ticket",
        "origin_id": item.ticket_id,
    }
    new_id = attempt.write(
        "POST",
        "/interventions",
        body,
        lambda: ctx.client.create_intervention(
            int(socid),
            description,
            project_id=project_id,
            ref_client=marker,
            origin_ticket_id=item.ticket_id,
        ),
    )
    return new_id, params


def _add_missing_lines(
    ctx: ActionContext,
    attempt: Attempt,
    current: Intervention,
    lines: Sequence[Mapping[str, Any]],
) -> None:
    for line in lines[len(current.lines) :]:
        _add_line(ctx, attempt, current.id, line)


def _add_line(
    ctx: ActionContext, attempt: Attempt, intervention_id: int, line: Mapping[str, Any]
) -> None:
    description = str(line.get("description") or "")
    duration = int(line.get("duration") or 0)
    date = int(ctx.now())
    body = {"description": description, "date": date, "duration": duration, "duree": duration}
    attempt.write(
        "POST",
        f"/interventions/{intervention_id}/lines",
        body,
        lambda: ctx.client.add_intervention_line(intervention_id, description, date, duration),
    )


def _problems(
    final: Intervention, marker: str, ticket_id: int, lines: Sequence[Mapping[str, Any]]
) -> list[str]:
    problems = []
    if final.ref_client != marker:
        problems.append(f"its ref_client is {final.ref_client!r}, not {marker!r}")
    if ticket_id not in (final.linked_ticket_ids or ()):
        problems.append(f"Dolibarr did not link it to ticket {ticket_id}")
    wanted = [int(line.get("duration") or 0) for line in lines]
    got = [line.duration for line in final.lines[: len(wanted)]]
    if got != wanted:
        problems.append(f"its lines last {got} s, not {wanted} s")
    return problems


def _result(final: Intervention, marker: str, duplicates: Sequence[int]) -> dict[str, Any]:
    return {
        "intervention_id": final.id,
        "ref": final.ref,
        "ref_client": final.ref_client,
        "status": final.status,
        "linked_ticket_ids": list(final.linked_ticket_ids or ()),
        "lines": len(final.lines),
        "marker": marker,
        "duplicates": list(duplicates),
    }
