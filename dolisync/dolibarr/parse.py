"""Dolibarr JSON -> dolisync records, for both 20.0.2 and 22.0.4 shapes.

What this module knows: which JSON field holds what (ticket ``tms``, intervention ``datem``,
agenda-event ``elementid``/``note_private``, line ``duration``/``duree``), and how
``linkedObjectsIds`` looks (null on list items, ``[]`` without links, else
``{"ticket": {"<link id>": "<ticket id>"}}``). A value of the wrong shape raises
``InvalidResponse`` naming the entity, the object id and the field. Unknown keys are ignored;
``raw`` keeps everything. Rows fetched with a ``properties`` selection lack fields and do
not parse: they are for cursors, not for the mirror.

Foreign keys (third party, project, users) read ``0``/``""``/null as "none" (None).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolisync.dolibarr.coerce import FieldReader
from dolisync.records import (
    MESSAGE_CODES,
    PRIVATE_MESSAGE_CODES,
    Entity,
    Intervention,
    InterventionLine,
    Message,
    Record,
    ThirdParty,
    Ticket,
    User,
)

Raw = Mapping[str, Any]


def parse_ticket(raw: Raw, *, source: str) -> Ticket:
    r = FieldReader(raw, "ticket")
    return Ticket(
        source=source,
        id=r.int_("id"),
        raw=raw,
        ref=r.req_text("ref"),
        track_id=r.req_text("track_id"),
        subject=r.req_text("subject"),
        message=r.text("message"),
        status=r.int_("status", "fk_statut"),
        type_code=r.opt_text("type_code"),
        category_code=r.opt_text("category_code"),
        severity_code=r.opt_text("severity_code"),
        socid=r.opt_ref("socid", "fk_soc"),
        project_id=r.opt_ref("fk_project"),
        assigned_user_id=r.opt_ref("fk_user_assign"),
        author_user_id=r.opt_ref("fk_user_create"),
        progress=r.opt_int("progress"),
        origin_email=r.opt_text("origin_email"),
        created_at=r.epoch("datec", "date_creation"),
        read_at=r.epoch("date_read"),
        closed_at=r.epoch("date_close"),
        last_msg_at=r.epoch("date_last_msg_sent"),
        modified_at=r.epoch("tms", "date_modification"),
    )


def is_ticket_message(raw: Raw) -> bool:
    """Is this agenda event a ticket message (a TICKET_MSG* code on a ticket)?"""
    code = raw.get("code")
    element = raw.get("elementtype")
    return isinstance(code, str) and code in MESSAGE_CODES and element in (None, "ticket")


def parse_message(raw: Raw, *, source: str) -> Message | None:
    """An agenda event as a ticket message; None when it is not one (code not in
    MESSAGE_CODES, or attached to something other than a ticket)."""
    r = FieldReader(raw, "agenda event")
    event_id = r.int_("id")  # checked even for events we skip: a broken id is a broken answer
    if not is_ticket_message(raw):
        return None
    code = r.req_text("code")
    return Message(
        source=source,
        id=event_id,
        raw=raw,
        ticket_id=r.int_("elementid", "fk_element"),
        code=code,
        private=code in PRIVATE_MESSAGE_CODES,
        text=r.text("note_private", "note"),
        label=r.text("label"),
        author_user_id=r.opt_ref("authorid", "userownerid"),
        created_at=r.epoch("datec", "datep"),
    )


def parse_intervention(raw: Raw, *, source: str, detail: bool = False) -> Intervention:
    """``detail``: ``raw`` is a single GET, where links are always loaded (so a null
    ``linkedObjectsIds`` means "no link"); on list items it stays None ("not known")."""
    r = FieldReader(raw, "intervention")
    intervention_id = r.int_("id")
    return Intervention(
        source=source,
        id=intervention_id,
        raw=raw,
        ref=r.req_text("ref"),
        ref_client=r.opt_text("ref_client"),
        socid=r.opt_ref("socid", "fk_soc"),
        project_id=r.opt_ref("fk_project", "fk_projet"),
        status=r.int_("status", "statut", "fk_statut"),
        description=r.text("description"),
        duration=r.seconds("duration", "duree"),
        author_user_id=r.opt_ref("user_creation_id", "user_author_id", "fk_user_author"),
        created_at=r.epoch("datec", "date_creation"),
        validated_at=r.epoch("datev", "date_validation"),
        modified_at=r.epoch("datem", "tms", "date_modification"),
        lines=_lines(r, source, intervention_id),
        linked_ticket_ids=_linked_ticket_ids(r, detail=detail),
    )


def parse_intervention_line(raw: Raw, *, source: str, intervention_id: int) -> InterventionLine:
    r = FieldReader(raw, f"intervention {intervention_id} line")
    return InterventionLine(
        source=source,
        id=r.int_("id", "rowid"),
        raw=raw,
        intervention_id=r.opt_int("fk_fichinter") or intervention_id,
        description=r.text("desc", "description"),
        date=r.epoch("date", "datei"),
        duration=r.seconds("duration", "duree"),
        rank=r.opt_int("rang", "rank") or 0,
    )


def _lines(r: FieldReader, source: str, intervention_id: int) -> tuple[InterventionLine, ...]:
    lines = r.raw.get("lines")
    if lines is None:
        return ()
    if not isinstance(lines, list):
        raise r.fail("lines", f"should be a list, got {type(lines).__name__}")
    return tuple(
        parse_intervention_line(line, source=source, intervention_id=intervention_id)
        for line in lines
    )


def _linked_ticket_ids(r: FieldReader, *, detail: bool) -> tuple[int, ...] | None:
    links = r.raw.get("linkedObjectsIds")
    if links is None:
        return () if detail else None
    if isinstance(links, list):
        if links:  # PHP only writes a list for an empty array here
            raise r.fail("linkedObjectsIds", "should be a map of object types")
        return ()
    if not isinstance(links, Mapping):
        raise r.fail("linkedObjectsIds", f"should be a map, got {type(links).__name__}")
    tickets = links.get("ticket")
    if tickets is None:
        return ()
    if isinstance(tickets, Mapping):
        values = list(tickets.values())
    elif isinstance(tickets, list):
        values = tickets
    else:
        raise r.fail("linkedObjectsIds", "has a 'ticket' entry that is neither map nor list")
    return tuple(sorted({r.as_int("linkedObjectsIds.ticket", value) for value in values}))


def parse_thirdparty(raw: Raw, *, source: str) -> ThirdParty:
    r = FieldReader(raw, "third party")
    status = r.opt_int("status")
    return ThirdParty(
        source=source,
        id=r.int_("id"),
        raw=raw,
        name=r.req_text("name", "nom"),
        name_alias=r.opt_text("name_alias"),
        code_client=r.opt_text("code_client"),
        email=r.opt_text("email"),
        phone=r.opt_text("phone"),
        town=r.opt_text("town"),
        country_code=r.opt_text("country_code"),
        status=1 if status is None else status,
        client=r.opt_int("client") or 0,
        modified_at=r.epoch("date_modification", "tms", "datem"),
    )


def parse_user(raw: Raw, *, source: str) -> User:
    r = FieldReader(raw, "user")
    return User(
        source=source,
        id=r.int_("id"),
        raw=raw,
        login=r.req_text("login"),
        firstname=r.opt_text("firstname"),
        lastname=r.opt_text("lastname"),
        email=r.opt_text("email"),
        active=r.flag("status", "statut", default=True),
        admin=r.flag("admin"),
        modified_at=r.epoch("datem", "tms", "date_modification"),
    )


def parse_record(entity: Entity, raw: Raw, *, source: str) -> Record | None:
    """Dispatch on entity; None only for agenda events that are not ticket messages."""
    if entity == "tickets":
        return parse_ticket(raw, source=source)
    if entity == "messages":
        return parse_message(raw, source=source)
    if entity == "interventions":
        return parse_intervention(raw, source=source)
    if entity == "thirdparties":
        return parse_thirdparty(raw, source=source)
    if entity == "users":
        return parse_user(raw, source=source)
    raise ValueError(f"unknown entity {entity!r}")
