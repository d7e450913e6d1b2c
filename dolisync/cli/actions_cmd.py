"""``dolisync actions list | show | retry | skip``: the write-back outbox, for people.

What this module knows: how queued actions are printed (a table, or ``--json``) and what a
person may do to one (``dolisync.outbox.manage`` decides which moves a state allows). Reads
and edits the store only: nothing here talks to Dolibarr (the next cycle does).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dolisync.cli.output import local_time
from dolisync.cli.state import get_state
from dolisync.errors import UserError

if TYPE_CHECKING:
    from dolisync.store.outbox import OutboxItem

app = typer.Typer(
    name="actions",
    help="List, show, retry or skip the actions rules queued for Dolibarr (the outbox).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

ActionId = Annotated[int, typer.Argument(metavar="ID", help="The action's number (see list).")]
_COLUMNS = ("id", "state", "kind", "ticket", "rule", "tries", "when", "last error")
ERROR_WIDTH = 60


@app.command("list")
def list_actions(
    ctx: typer.Context,
    state_name: Annotated[
        str | None,
        typer.Option(
            "--state",
            metavar="STATE",
            help="Only this state: pending, sent, verified, failed, dead, obsolete, skipped, "
            "planned.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """List queued actions, newest first, with their state and last error."""
    from dolisync.outbox import STATES
    from dolisync.outbox.manage import item_to_dict

    if state_name is not None and state_name not in STATES:
        raise UserError(
            f"--state: unknown state {state_name!r}", hint=f"use one of: {', '.join(STATES)}"
        )
    with get_state(ctx).service() as service:
        states = [state_name] if state_name else None
        items = service.store.outbox.items(states=states, source=service.source, limit=limit)
        counts = service.store.outbox.counts(service.source)
    if as_json:
        document = {"counts": counts, "actions": [item_to_dict(item) for item in items]}
        typer.echo(json.dumps(document, indent=2))
        return
    summary = ", ".join(f"{counts[name]} {name}" for name in STATES if counts.get(name))
    typer.echo(f"actions: {summary or 'none'}")
    if items:
        _table([_COLUMNS, *(_row(item) for item in items)])


@app.command("show")
def show(
    ctx: typer.Context,
    item_id: ActionId,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show one action: its rule and trigger, the request sent, Dolibarr's answer, the check."""
    from dolisync.outbox.manage import find, item_to_dict

    with get_state(ctx).service() as service:
        item = find(service.store, item_id)
        firing = service.store.outbox.firing(item.firing_key)
        ticket = service.store.get_ticket(item.source, item.ticket_id, include_deleted=True)
    document = item_to_dict(item)
    document["trigger"] = firing.trigger if firing else None
    document["ruleset"] = firing.ruleset_hash if firing else None
    document["ticket_ref"] = ticket.ref if ticket else None
    if as_json:
        typer.echo(json.dumps(document, indent=2))
        return
    for line in _describe(document):
        typer.echo(line)


@app.command("retry")
def retry(ctx: typer.Context, item_id: ActionId) -> None:
    """Queue a failed, dead, obsolete or skipped action again (sent at the next cycle)."""
    from dolisync.outbox.manage import retry as retry_item

    with get_state(ctx).service() as service:
        item = retry_item(service.store, item_id, at=service.clock.now())
    typer.echo(f"action #{item.id} ({item.kind}, ticket {item.ticket_id}) is pending again")


@app.command("skip")
def skip(ctx: typer.Context, item_id: ActionId) -> None:
    """Never send a pending, failed or dead action."""
    from dolisync.outbox.manage import skip as skip_item

    with get_state(ctx).service() as service:
        item = skip_item(service.store, item_id, at=service.clock.now())
    typer.echo(f"action #{item.id} ({item.kind}, ticket {item.ticket_id}) is skipped")


def _row(item: OutboxItem) -> tuple[str, ...]:
    when = item.done_at if item.done_at is not None else item.next_try_at
    error = (item.last_error or "-").replace("\n", " ")
    if len(error) > ERROR_WIDTH:
        error = error[: ERROR_WIDTH - 1] + "…"
    return (
        str(item.id),
        item.state,
        item.kind,
        str(item.ticket_id),
        item.rule_name,
        str(item.attempts),
        local_time(when) if when is not None else "-",
        error,
    )


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())


def _describe(document: dict[str, Any]) -> list[str]:
    ticket = document["ticket_ref"] or "not in the mirror"
    lines = [
        f"action #{document['id']}: {document['kind']} ({document['state']})",
        f"  rule        {document['rule']} (ruleset {document['ruleset'] or '?'})",
        f"  trigger     {document['trigger'] or '?'}",
        f"  ticket      {document['ticket_id']} ({ticket})",
        f"  key         {document['key']}",
    ]
    if document["marker"]:
        lines.append(f"  marker      {document['marker']}")
    lines += [
        f"  attempts    {document['attempts']}",
        f"  queued      {local_time(document['created_at'])}",
        f"  sent        {local_time(document['sent_at'])}",
        f"  finished    {local_time(document['done_at'])}",
    ]
    if document["next_try_at"] is not None:
        lines.append(f"  next try    {local_time(document['next_try_at'])}")
    if document["last_error"]:
        lines.append(f"  last error  {document['last_error']}")
    if document["object_id"] is not None:
        lines.append(f"  object id   {document['object_id']}")
    for title, name in (
        ("parameters", "params"),
        ("request", "request"),
        ("answer", "answer"),
        ("verification", "result"),
    ):
        if document[name] not in (None, {}, []):
            lines.append(f"  {title}:")
            text = json.dumps(document[name], indent=2, ensure_ascii=False)
            lines += [f"    {line}" for line in text.splitlines()]
    return lines
