"""Write-back through a durable outbox: rules' intents sent to Dolibarr exactly once.

The flow of one cycle (``dolisync.cycle.run_cycle``)::

    driver = RuleDriver(store, ruleset, ...)   # driver.py: change log -> firings + items
    driver.evaluate_changes()                  # one transaction per batch (with the cursor)
    Dispatcher(ctx, settings).run()            # dispatch.py: look first, mark sent, write,
                                               # re-read, verify, mirror as our own write

Only ``dispatch`` (through the executors ``interventions``, ``messages``,
``ticket_updates``) calls Dolibarr's write endpoints. docs/writeback.md explains the
guarantees and their limits.
"""

from __future__ import annotations

from dolisync.outbox.context import ActionContext
from dolisync.outbox.dispatch import Dispatcher, DispatchReport
from dolisync.outbox.driver import EvaluationReport, RuleDriver, build_ruleset
from dolisync.outbox.keys import intervention_marker, message_marker
from dolisync.outbox.outcomes import FINAL, OPEN, STATES

__all__ = [
    "FINAL",
    "OPEN",
    "STATES",
    "ActionContext",
    "DispatchReport",
    "Dispatcher",
    "EvaluationReport",
    "RuleDriver",
    "build_ruleset",
    "intervention_marker",
    "message_marker",
]
