"""``dolisync rules check | list | explain | test | backtest``: look at rules before they act.

What this module knows: where rules come from (the config file, or ``--rules FILE`` for a
rules-only TOML file), where tickets come from (the store, or a JSON file for ``test``) and
how each answer is printed (text, or ``--json`` for scripts). Nothing here writes anywhere:
every command only reads and evaluates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dolisync.cli.state import CliState, get_state
from dolisync.errors import ConfigError, UserError

if TYPE_CHECKING:
    from dolisync.rules.engine import RuleSet
    from dolisync.rules.spec import RuleSpec
    from dolisync.rules.triggers import Trigger
    from dolisync.rules.view import TicketView

app = typer.Typer(
    name="rules",
    help="Check, list, explain, test and backtest the support rules.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

RulesFile = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Read the [[rules]] of this TOML file instead of the config file's.",
        dir_okay=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
TriggerName = Annotated[
    str,
    typer.Option(
        "--trigger",
        help="The trigger to evaluate: ticket.created, ticket.updated, ticket.changed.<field>, "
        "ticket.message (the latest message) or schedule.",
    ),
]
RULES_HINT = "docs/rules.md describes every rule setting, operator and action"


@app.command("check")
def check(ctx: typer.Context, rules_file: RulesFile = None) -> None:
    """Validate the rules: print `ok` with the ruleset hash, or every problem (exit 3)."""
    ruleset = _ruleset(get_state(ctx), rules_file)
    enabled = sum(spec.enabled for spec in ruleset.specs)
    typer.echo(
        f"ok: {_plural(len(ruleset.specs), 'rule')} ({enabled} enabled), ruleset {ruleset.hash}"
    )


@app.command("list")
def list_rules(ctx: typer.Context, rules_file: RulesFile = None, as_json: AsJson = False) -> None:
    """List the rules in evaluation order: triggers, stop, repeat, cap and actions."""
    ruleset = _ruleset(get_state(ctx), rules_file)
    rows = [_rule_summary(spec) for spec in ruleset.specs]
    if as_json:
        typer.echo(json.dumps({"ruleset": ruleset.hash, "rules": rows}, indent=2))
        return
    typer.echo(f"ruleset {ruleset.hash}: {_plural(len(rows), 'rule')}")
    for number, row in enumerate(rows, start=1):
        flags = [
            "enabled" if row["enabled"] else "DISABLED",
            *(["stop"] if row["stop"] else []),
            f"repeat {row['repeat']}",
            f"cap {row['max_actions_per_run']}",
        ]
        typer.echo(f"{number:>3}. {row['name']}  [{', '.join(flags)}]")
        if row["description"]:
            typer.echo(f"     {row['description']}")
        typer.echo(f"     on {', '.join(row['on'])} -> {', '.join(row['actions'])}")


@app.command("explain")
def explain_ticket(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="The ticket's ref (TS2412-0001), id or track id.")],
    trigger: TriggerName = "ticket.updated",
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Explain, for one ticket of the mirror, why each rule fires or not: every condition,
    the value seen and true/false. Reads the store only; changes nothing."""
    from dolisync.rules.triggers import Trigger
    from dolisync.rules.view import TicketView

    state = get_state(ctx)
    ruleset = _ruleset(state, rules_file)
    with state.service() as service:
        store, source = service.store, service.source
        found = store.find_ticket(source, ticket)
        if found is None:
            raise UserError(
                f"no ticket {ticket!r} in the mirror of {source}",
                hint="give a ref (TS2412-0001), an id or a track id; run `dolisync sync` first",
            )
        messages = store.messages_for(source, found.id)
        view = TicketView.build(
            found,
            customer=store.get_thirdparty(source, found.socid) if found.socid else None,
            assignee=(
                store.get_user(source, found.assigned_user_id) if found.assigned_user_id else None
            ),
            messages=messages,
        )
        message_id = view.message.id if view.message else None
        chosen = _trigger(lambda: Trigger.named(trigger, found, message_id=message_id))
        _print_explanation(ruleset, view, chosen, service.clock.now(), as_json=as_json)


@app.command("test")
def try_ticket(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A ticket as JSON (see docs/rules.md).", dir_okay=False)
    ],
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Evaluate the rules against a ticket given as JSON: no store and no Dolibarr needed.
    Prints what would fire and why."""
    import time

    from dolisync.rules.case import load_case

    ruleset = _ruleset(get_state(ctx), rules_file)
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserError(f"cannot read {file} as JSON: {error}") from None
    case = load_case(document, name=str(file))
    now = case.now if case.now is not None else time.time()
    _print_explanation(ruleset, case.view, case.trigger, now, as_json=as_json)


@app.command("backtest")
def backtest(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option("--since", help="How far back to report, e.g. 30d, 12h.")
    ] = "30d",
    tick: Annotated[
        str, typer.Option("--tick", help="Time between simulated schedule runs, e.g. 1h.")
    ] = "1h",
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Replay the mirror's change history and show what the rules would have done: every
    firing since then and a count per rule. Changes nothing."""
    from dolisync.durations import parse_duration
    from dolisync.rules.backtest import format_report, replay, timelines

    try:
        window, step = parse_duration(since), parse_duration(tick)
    except ValueError as error:
        raise UserError(f"--since / --tick: {error}") from None
    state = get_state(ctx)
    ruleset = _ruleset(state, rules_file)
    with state.service() as service:
        until = service.clock.now()
        history = timelines(service.store, service.source)
        report = replay(ruleset, history, since=until - window, until=until, tick=step)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    for line in format_report(report):
        typer.echo(line)


def _ruleset(state: CliState, rules_file: Path | None) -> RuleSet:
    """The compiled ruleset of ``--rules FILE``, or of the config file."""
    from dolisync.rules.engine import RuleSet
    from dolisync.rules.spec import parse_rules, parse_rules_text

    if rules_file is not None:
        try:
            text = rules_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read {rules_file}: {error}") from None
        specs, problems = parse_rules_text(text, file=str(rules_file))
        where = str(rules_file)
    else:
        config = state.config()
        where = str(config.path)
        text = config.path.read_text(encoding="utf-8-sig")
        specs, problems = parse_rules(list(config.rules_raw), file=where, source_text=text)
    if problems:
        raise ConfigError(problems, hint=RULES_HINT, file=where)
    return RuleSet(specs)


def _trigger(build: Callable[[], Trigger]) -> Trigger:
    try:
        return build()
    except ValueError as error:
        raise UserError(f"--trigger: {error}") from None


def _print_explanation(
    ruleset: RuleSet, view: TicketView, trigger: Trigger, now: float, *, as_json: bool
) -> None:
    from dolisync.rules.explain import explain, format_explanation

    explanation = explain(ruleset, view, trigger, now=now)
    if as_json:
        typer.echo(json.dumps(explanation.to_dict(), indent=2))
        return
    for line in format_explanation(explanation):
        typer.echo(line)


def _rule_summary(spec: RuleSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "enabled": spec.enabled,
        "on": list(spec.on),
        "stop": spec.stop,
        "repeat": spec.repeat,
        "max_actions_per_run": spec.max_actions_per_run,
        "actions": [action.kind for action in spec.then],
    }


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
