"""The marks dolisync leaves so a write can be found again: keys, markers and their forms.

What this module knows: the one rule that makes write-back exactly-once — every object
dolisync creates in Dolibarr carries its action's idempotency key, so "did this write
happen?" is always answered by looking in Dolibarr, never by trusting a local record:

* an intervention carries ``dolisync:<key>`` in ``ref_client`` (the only free field that
  Dolibarr 20.0.2/22.0.4 keep and can filter on; visible to users as "customer ref");
* a message carries ``[dolisync:<16 hex digits of the key>]`` at the end of its text (the
  API answer does not name the new message, so the text is the only place for a mark).

Firing keys (the rules' ``FiringKey`` tuples) become short hex texts for the store.
"""

from __future__ import annotations

import hashlib
from typing import Final

from dolisync.rules.firing import FiringKey

INTERVENTION_PREFIX: Final = "dolisync:"
MESSAGE_MARK_LENGTH: Final = 16  # hex digits: 64 bits, looked up per ticket only
DRY_PREFIX: Final = "dry:"
FIRING_PREFIX: Final = "dsf-"


def firing_text(key: FiringKey, *, dry_run: bool = False) -> str:
    """A firing key as stored (dry-run firings live in their own namespace)."""
    rule_name, source, ticket_id, version = key
    # \x1f cannot appear in a rule name, so distinct keys never join to the same text
    joined = "\x1f".join(("firing", rule_name, source, str(ticket_id), version or ""))
    text = FIRING_PREFIX + hashlib.sha256(joined.encode()).hexdigest()[:32]
    return DRY_PREFIX + text if dry_run else text


def item_key(idempotency_key: str, *, dry_run: bool = False) -> str:
    """An action's key as stored in the outbox."""
    return DRY_PREFIX + idempotency_key if dry_run else idempotency_key


def intervention_marker(key: str) -> str:
    """The ``ref_client`` of the intervention an action creates (``dolisync:dsr-…``)."""
    return INTERVENTION_PREFIX + key


def message_marker(key: str) -> str:
    """The mark at the end of a message an action posts, e.g. ``[dolisync:1a2b…]``."""
    digits = hashlib.sha256(key.encode()).hexdigest()[:MESSAGE_MARK_LENGTH]
    return f"[{INTERVENTION_PREFIX}{digits}]"


def marked_text(text: str, marker: str) -> str:
    """The message text as posted: the rule's text, a blank line, the marker."""
    return f"{text.rstrip()}\n\n{marker}"
