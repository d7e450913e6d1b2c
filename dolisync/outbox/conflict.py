"""The conflict check: never write an intent computed from a ticket that changed since.

What this module knows: how to tell "the ticket changed in Dolibarr since the rule was
evaluated, and not by us" and what to do then. Every write dolisync makes is re-read into the
mirror at once (tagged ``dolisync``), so the mirror always holds the last version we know:

* the fresh ticket differs from the mirror -> someone changed it in Dolibarr; the fresh
  version goes into the mirror (as an ordinary change: the rules will see it next cycle);
* or the change log holds a change of this ticket read from Dolibarr after the evaluation.

Either way the rule is evaluated again against the fresh ticket: if it no longer fires,
the action is obsolete (with the reason); if it does, the action's parameters are
recomputed from the fresh ticket (the key stays the same). Limits: Dolibarr's modification
time has 1-second resolution, so a change made within the same second as ours, with no
other trace, is not seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolisync.outbox.context import ActionContext, Attempt
from dolisync.outbox.outcomes import ObsoleteError
from dolisync.outbox.params import decode, encode, render
from dolisync.records import Ticket
from dolisync.rules.triggers import Trigger


def reconsider(ctx: ActionContext, attempt: Attempt, fresh: Ticket) -> Mapping[str, Any] | None:
    """None when the ticket is as the rule saw it (but for our own writes); else the action's
    parameters recomputed from ``fresh`` and rendered. Raises ``ObsoleteError`` when the rule
    would no longer do this."""
    item = attempt.item
    mirrored = ctx.store.get_ticket(ctx.source, fresh.id)
    moved = mirrored is None or mirrored.modified_at != fresh.modified_at
    if moved:
        ctx.mirror("tickets", [fresh], origin="sync")
    elif not ctx.store.outbox.changed_by_others(ctx.source, fresh.id, item.evaluated_seq):
        return None
    ctx.log.info(
        "outbox.conflict",
        item=item.id,
        ticket_id=fresh.id,
        rule=item.rule_name,
        detail="the ticket changed in Dolibarr since the rule was evaluated: evaluating again",
    )
    recomputed: Mapping[str, Any] = render(
        decode(encode(_fresh_params(ctx, attempt, fresh))), attempt.values
    )
    return recomputed


def _fresh_params(ctx: ActionContext, attempt: Attempt, fresh: Ticket) -> Mapping[str, Any]:
    item = attempt.item
    ruleset = ctx.ruleset
    spec = ruleset.by_name.get(item.rule_name) if ruleset is not None else None
    if ruleset is None or spec is None or not spec.enabled:
        raise ObsoleteError(f"rule {item.rule_name!r} is no longer configured (or disabled)")
    firing = ctx.store.outbox.firing(item.firing_key)
    trigger_name = firing.trigger if firing is not None else ""
    message_id = firing.message_id if firing is not None else None
    name = trigger_name if trigger_name in spec.on else spec.on[0]
    trigger = Trigger.named(name, fresh, message_id=message_id)
    run = ruleset.start_run(caps=False)
    evaluation = run.evaluate(ctx.view(fresh, message_id), trigger, now=ctx.now())
    for found in evaluation.firings:
        if found.rule_name != item.rule_name:
            continue
        for action in found.actions:
            if action.index == item.action_index and action.kind == item.kind:
                return action.params
        break
    raise ObsoleteError(
        f"ticket {fresh.ref or fresh.id} changed in Dolibarr and rule {item.rule_name!r} "
        "no longer matches it"
    )
