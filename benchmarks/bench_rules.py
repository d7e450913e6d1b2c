"""The rules benchmark: 100 rules over 100,000 tickets, in one process, no I/O.

What this module knows: a realistic, seeded ruleset (equalities on category or severity,
status exclusions, regexes on subjects, keywords in messages, ages, OR groups, a few
schedule-only rules) and ticket population, and how evaluation time is measured. Each size
(10k, 50k, 100k tickets) is evaluated ``REPEATS`` times in a fresh ``RuleRun`` (the
fires-once memory starts empty); the best time counts, as usual for CPU benchmarks on a
shared machine. Building the tickets is not timed (the store does that); building each
``TicketView`` and evaluating it is. Wall and CPU time are both recorded: on a busy shared
machine the wall time says more about the neighbours than about the rules. The goal: under
one second for 100k tickets, and linear growth (``cpu_per_ticket_us`` about equal across
sizes: ``linearity`` near 1).

``python -m benchmarks.bench_rules`` runs it alone and prints the summary.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import dolisync
from dolisync.records import Ticket
from dolisync.rules import RuleSet, TicketView, Trigger, parse_rules

RULES = 100
SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (10_000, 20_000)
REPEATS = 3
GOAL_SECONDS = 1.0
NOW = 1_796_400_000.0

CATEGORIES = (
    "ONSITE",
    "REMOTE",
    "BILLING",
    "NETWORK",
    "PRINTER",
    "ACCOUNT",
    "MAIL",
    "ERP",
    "WEB",
    "PHONE",
)
SEVERITIES = ("LOW", "NORMAL", "HIGH", "BLOCKING")
TYPES = ("ISSUE", "REQUEST", "COM", "PROJECT", "OTHER")
SUBJECTS = (
    "Printer jammed on floor 2",
    "Need an on-site visit for the server",
    "Invoice 2024-113 is wrong",
    "VPN drops every hour",
    "Password reset please",
    "Intervention sur site pour installation",
    "Mail bounces from customer",
    "ERP export fails with error 500",
)
WORDS = ("visit", "install", "urgent", "invoice", "refund", "password", "outage", "broken")
PATTERNS = ("(?i)on.?site|sur site", "(?i)invoice|refund", "error \\d+", "(?i)vpn|mail")


def rule_documents(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` rules as tomllib would give them: varied, like a real support team's."""
    return [_rule(number, rng) for number in range(count)]


def _rule(number: int, rng: random.Random) -> dict[str, Any]:
    """Like a support team's rules: most are about one category (and some severities), some
    about blocking tickets of a type, some only about words in the text (these cannot be
    indexed: they are evaluated for every ticket), a tenth only run on the schedule."""
    when: dict[str, Any] = {}
    kind = rng.random()
    if kind < 0.6:
        when["category_code"] = rng.choice(CATEGORIES)
        when["severity_code"] = rng.sample(SEVERITIES, rng.randint(1, 2))
    elif kind < 0.75:
        when["severity_code"] = "BLOCKING"
        when["type_code"] = rng.sample(TYPES, 2)
    elif kind < 0.9:
        when["subject"] = {"regex": rng.choice(PATTERNS)}
    if rng.random() < 0.8:
        when["status"] = {"not": ["closed", "canceled"]}
    if rng.random() < 0.3:
        when["subject"] = {"regex": rng.choice(PATTERNS)}
    if rng.random() < 0.3:
        when["message"] = {"contains": rng.sample(WORDS, 2)}
    if rng.random() < 0.3:
        when["age"] = {"over": rng.choice(["1h", "4h", "1d"])}
    if rng.random() < 0.2:
        when["any"] = [{"type_code": rng.choice(TYPES)}, {"customer": {"name": {"regex": "^ACME"}}}]
    on = rng.choice(
        [["ticket.updated"], ["ticket.created", "ticket.updated"], ["ticket.changed.status"]]
    )
    then = [{"action": "post_message", "text": f"Rule {{rule.name}} saw {{ticket.ref}} ({number})"}]
    if rng.random() < 0.5:
        then.append({"action": "set_status", "status": "in_progress"})
    return {
        "name": f"rule-{number:03d}",
        "on": ["schedule"] if kind >= 0.9 else on,
        "when": when,
        "then": then,
        "max_actions_per_run": 10_000,
    }


# A mirror's tickets are mostly finished ones: status code -> share of the population.
STATUS_SHARES: Final = {8: 0.65, 9: 0.05, 0: 0.05, 1: 0.05, 2: 0.05, 3: 0.08, 5: 0.05, 7: 0.02}


def tickets(count: int, rng: random.Random) -> list[Ticket]:
    codes, weights = list(STATUS_SHARES), list(STATUS_SHARES.values())
    return [
        Ticket(
            source="bench",
            id=number,
            ref=f"TS2612-{number:06d}",
            track_id=f"t{number}",
            subject=rng.choice(SUBJECTS),
            message=f"Hello, {rng.choice(WORDS)} needed. " * rng.randint(1, 4),
            status=rng.choices(codes, weights)[0],
            type_code=rng.choice(TYPES),
            category_code=rng.choice((*CATEGORIES, None)),
            severity_code=rng.choice(SEVERITIES),
            socid=rng.randint(1, 500),
            created_at=int(NOW - rng.uniform(0, 30 * 86_400)),
            modified_at=int(NOW - rng.uniform(0, 86_400)),
        )
        for number in range(count)
    ]


def triggers(population: Sequence[Ticket], rng: random.Random) -> list[Trigger]:
    """Mostly updates (a fifth of them status changes), some creations: a day of changes."""
    chosen = []
    for position, _ in enumerate(population):
        roll = rng.random()
        if roll < 0.2:
            chosen.append(Trigger.created())
        elif roll < 0.4:
            chosen.append(Trigger.updated(("status", "modified_at"), seq=position))
        else:
            chosen.append(Trigger.updated(("subject", "modified_at"), seq=position))
    return chosen


def evaluate_all(
    ruleset: RuleSet, population: Sequence[Ticket], events: Sequence[Trigger]
) -> tuple[float, float, int]:
    """Wall and CPU seconds to evaluate every ticket once, and the number of firings."""
    run = ruleset.start_run()
    firings = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for ticket, trigger in zip(population, events, strict=True):
        firings += len(run.evaluate(TicketView(ticket), trigger, now=NOW).firings)
    return time.perf_counter() - started, time.process_time() - cpu_started, firings


def run(
    *,
    quick: bool = False,
    seed: int = 1,
    sizes: Sequence[int] | None = None,
    repeats: int = REPEATS,
) -> dict[str, Any]:
    """The result document: per size the best time, per-ticket cost, firings; the verdict.

    ``sizes``/``repeats`` exist for the smoke test; ``make bench`` uses the defaults.
    """
    load_at_start = [round(load, 2) for load in os.getloadavg()]
    rng = random.Random(seed)
    specs, problems = parse_rules(rule_documents(RULES, rng))
    if problems:
        raise RuntimeError(f"the generated rules are invalid: {problems[0]}")
    compile_started = time.perf_counter()
    ruleset = RuleSet(specs)
    compile_seconds = time.perf_counter() - compile_started
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    population = tickets(max(sizes), rng)
    events = triggers(population, rng)
    measured: dict[str, Any] = {}
    for size in sizes:
        runs = [evaluate_all(ruleset, population[:size], events[:size]) for _ in range(repeats)]
        wall = min(seconds for seconds, _, _ in runs)
        cpu = min(seconds for _, seconds, _ in runs)
        firings = runs[0][2]
        measured[str(size)] = {
            "tickets": size,
            "seconds": round(wall, 4),
            # CPU time of this process: what the work costs, whatever else the machine runs
            "cpu_seconds": round(cpu, 4),
            "all_seconds": [round(seconds, 4) for seconds, _, _ in runs],
            "per_ticket_us": round(wall / size * 1e6, 3),
            "cpu_per_ticket_us": round(cpu / size * 1e6, 3),
            "firings": firings,
            "firings_per_ticket": round(firings / size, 3),
        }
    largest = measured[str(max(sizes))]
    at_goal_size = largest["tickets"] == max(SIZES)
    per_ticket = [entry["cpu_per_ticket_us"] for entry in measured.values()]
    return {
        "benchmark": "rules",
        "rules": RULES,
        "enabled_rules": sum(spec.enabled for spec in specs),
        "ruleset": ruleset.hash,
        "population": {
            "status_shares": {str(code): share for code, share in STATUS_SHARES.items()},
            "triggers": "20% created, 20% status changes, 60% other updates",
        },
        "compile_seconds": round(compile_seconds, 4),
        "sizes": measured,
        "goal": {
            "seconds": GOAL_SECONDS,
            "tickets": max(SIZES),
            "measured_tickets": largest["tickets"],
            "met": largest["seconds"] < GOAL_SECONDS if at_goal_size else None,
            "met_cpu": largest["cpu_seconds"] < GOAL_SECONDS if at_goal_size else None,
        },
        # linear growth: the CPU cost of one ticket stays the same as the population grows
        # (CPU, not wall time: other processes on a shared machine move the wall time)
        "linearity": round(max(per_ticket) / max(min(per_ticket), 1e-9), 3),
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average": load_at_start,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "dolisync_version": dolisync.__version__,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    compiled = result["compile_seconds"]
    lines = [f"{result['rules']} rules (ruleset {result['ruleset']}), compiled in {compiled} s"]
    for entry in result["sizes"].values():
        lines.append(
            f"  {entry['tickets']:>7,} tickets: {entry['seconds']:.3f} s "
            f"(CPU {entry['cpu_seconds']:.3f} s, {entry['cpu_per_ticket_us']:.2f} us per ticket; "
            f"{entry['firings']:,} firings)"
        )
    goal = result["goal"]
    if goal["met"] is None:
        verdict = "not measured at this size"
    else:
        wall = "met" if goal["met"] else "NOT met"
        verdict = f"wall time {wall}, CPU time {'met' if goal['met_cpu'] else 'NOT met'}"
    lines.append(f"goal: {goal['tickets']:,} tickets under {goal['seconds']} s: {verdict}")
    lines.append(f"linearity (largest / smallest CPU cost per ticket): {result['linearity']}")
    lines.append(f"load average at the start: {result['machine']['load_average']}")
    return lines


if __name__ == "__main__":
    print("\n".join(summary_lines(run(quick="--quick" in sys.argv[1:]))))
