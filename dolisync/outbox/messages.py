"""``post_message``: one public or private message per action, exactly once.

What this module knows (dolibarr-api.md §1.8, §7.5, §8): ``POST /tickets/newmessage`` takes the
ticket's ``track_id`` and answers only the ticket id, so the message carries a marker at the
end of its text; before the first post and before every retry dolisync looks for that marker
among the ticket's agenda events. After the post it finds the message the same way, stores
it in the mirror (tagged as dolisync's own) and checks it is public or private as asked.
A post Dolibarr accepted but whose marker cannot be found is never posted again: the action
is dead, for a person to look at (posting again could duplicate it).
"""

from __future__ import annotations

from dolisync.outbox.conflict import reconsider
from dolisync.outbox.context import ActionContext, Attempt
from dolisync.outbox.keys import marked_text, message_marker
from dolisync.outbox.outcomes import GiveUpError, Outcome, RejectedError
from dolisync.records import Message


def post_message(ctx: ActionContext, attempt: Attempt) -> Outcome:
    item = attempt.item
    marker = message_marker(item.key)
    found = ctx.client.find_messages_by_marker(item.ticket_id, marker)
    private = bool(attempt.params.get("private", True))
    if not found:
        private = _post(ctx, attempt, marker)
        found = ctx.client.find_messages_by_marker(item.ticket_id, marker)
        if not found:
            raise GiveUpError(
                f"Dolibarr accepted the message but no message of ticket {item.ticket_id} "
                f"carries its marker {marker}: not posted again, to avoid a duplicate"
            )
    duplicates = attempt.note_duplicates(
        ctx,
        found,
        detail="several messages carry this action's marker: the first is kept, the "
        "others are left alone",
    )
    message = _read(ctx, found[0])
    result = {"message_id": found[0], "marker": marker, "duplicates": duplicates}
    if message is not None:
        ctx.mirror("messages", [message])
        result["private"] = message.private
        if message.private != private:
            raise GiveUpError(
                f"message {message.id} was posted {'private' if message.private else 'public'}"
                f", not {'private' if private else 'public'} as the rule asks",
                object_id=message.id,
                result=result,
            )
    return Outcome(found[0], result)


def _post(ctx: ActionContext, attempt: Attempt, marker: str) -> bool:
    """Post the message; whether it was asked private (after the conflict check)."""
    item = attempt.item
    attempt.require_settled(ctx)
    fresh = ctx.client.get_ticket(item.ticket_id)
    params = reconsider(ctx, attempt, fresh) or attempt.params
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RejectedError("post_message: the message text is empty")
    private = bool(params.get("private", True))
    message = marked_text(text, marker)
    body = {"track_id": fresh.track_id, "message": message, "private": private}
    attempt.write(
        "POST",
        "/tickets/newmessage",
        body,
        lambda: ctx.client.post_message(fresh.track_id, message, private=private),
    )
    return private


def _read(ctx: ActionContext, message_id: int) -> Message | None:
    for raw in ctx.client.fetch_by_ids("messages", [message_id]):
        record = ctx.client.parse("messages", raw)
        if isinstance(record, Message) and record.id == message_id:
            return record
    return None
