"""``dolisync status``: what the local mirror holds, per entity, without asking Dolibarr.

What this module knows: which status fields a person wants in a table and the exact JSON
shape scripts rely on: ``{"dolibarr_version": ..., "entities": {"tickets": {"rows": N,
"cursor": ..., "last_sync": ...}, ...}}`` (entities carry more keys; those three are stable).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from dolisync.cli.output import count, cursor, local_time
from dolisync.cli.state import get_state
from dolisync.records import ENTITIES

_COLUMNS = ("entity", "rows", "deleted", "cursor", "last sync", "last error")


def status(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (for scripts and monitoring).")
    ] = False,
) -> None:
    """Show what the local mirror holds, per entity.

    Rows, deleted rows, cursor, last sync and last error per entity, and the Dolibarr
    version seen at the last sync. Reads the store only (no network).
    """
    state = get_state(ctx)
    config = state.config()
    from dolisync.store import EntityStatus, SourceStatus

    with state.service() as service:
        snapshot = service.store.status(service.source)
    source = snapshot.sources.get(service.source) or SourceStatus(source=service.source)
    names = [
        name
        for name in ENTITIES
        if name in config.sync.entities or source.entities.get(name, EntityStatus()).rows
    ]
    entities = {name: source.entities.get(name, EntityStatus()) for name in names}
    if as_json:
        document: dict[str, Any] = {
            "dolibarr_version": source.dolibarr_version,
            "entities": {name: entry.to_dict() for name, entry in entities.items()},
        }
        typer.echo(json.dumps(document, indent=2, sort_keys=False))
        return
    version = source.dolibarr_version or "not probed yet (run `dolisync sync`)"
    zone = f", PHP timezone {source.timezone}" if source.timezone else ""
    typer.echo(f"source {source.source}: Dolibarr {version}{zone}")
    if source.url:
        typer.echo(f"  {source.url} (probed {local_time(source.probed_at)})")
    rows = [
        (
            name,
            count(entry.rows),
            count(entry.deleted),
            cursor(entry.cursor),
            local_time(entry.last_sync),
            entry.last_error or "-",
        )
        for name, entry in entities.items()
    ]
    _table([_COLUMNS, *rows])


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(width) if index in (1, 2) else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        typer.echo("  ".join(cells).rstrip())
