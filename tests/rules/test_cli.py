"""``dolisync rules ...`` as a user runs it: real config file, real store, exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dolisync.cli import app
from dolisync.errors import EXIT_CONFIG, EXIT_USAGE
from dolisync.store import Store
from tests.rules.history import RULES, fill

ONSITE = Path(__file__).with_name("onsite.toml")
TEST_CASE = {
    "ticket": {
        "ref": "TS2612-0042",
        "subject": "Machine down, on-site visit needed",
        "message": "Please come and install the new part",
        "status": "read",
        "category_code": "ONSITE",
        "severity_code": "BLOCKING",
        "type_code": "ISSUE",
        "created_at": "2026-12-04T08:00:00Z",
    },
    "now": "2026-12-04T14:00:00Z",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config with the history's rules and a store holding the history (see history.py)."""
    (tmp_path / "key").write_text("test-key-0123456789\n")
    (tmp_path / "key").chmod(0o600)
    database = tmp_path / "mirror.db"
    with Store.open(f"sqlite:///{database}") as store:
        fill(store, now=time.time())  # the CLI reads the real clock
    path = tmp_path / "dolisync.toml"
    path.write_text(
        f"""[dolibarr]
url = "http://127.0.0.1:9"
name = "main"
api_key_file = "key"
[store]
url = "sqlite:///{database}"
{RULES}"""
    )
    return path


def test_check_a_rules_file() -> None:
    code, out, _ = run("rules", "check", "--rules", str(ONSITE))
    assert code == 0
    assert out.startswith("ok: 1 rule (1 enabled), ruleset ")


def test_check_reports_every_problem_with_file_line_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        ONSITE.read_text().replace('"canceled"', '"cancelled"').replace("{rule.name}", "{rule.nom}")
    )
    code, _, err = run("rules", "check", "--rules", str(bad))
    assert code == EXIT_CONFIG
    assert f"{bad}:12: rules[0].when.status.not[1]: unknown status 'cancelled'" in err
    assert f"{bad}:28: rules[0].then[1].text: uses unknown field {{rule.nom}}" in err
    assert "hint: docs/rules.md" in err


def test_check_and_list_the_config_s_rules(config: Path) -> None:
    code, out, _ = run("--config", str(config), "rules", "check")
    assert (code, out.split(",")[0]) == (0, "ok: 6 rules (5 enabled)")
    code, out, _ = run("--config", str(config), "rules", "list")
    assert code == 0
    assert "  6. never  [DISABLED, repeat once, cap 50]" in out
    assert "     on ticket.changed.status -> post_message" in out
    code, out, _ = run("--config", str(config), "rules", "list", "--json")
    listed = json.loads(out)
    assert [rule["name"] for rule in listed["rules"]] == [
        "started",
        "onsite",
        "reply",
        "new",
        "stale",
        "never",
    ]
    assert listed["rules"][1] == {
        "name": "onsite",
        "description": "",
        "enabled": True,
        "on": ["ticket.created", "ticket.updated"],
        "stop": False,
        "repeat": "once",
        "max_actions_per_run": 50,
        "actions": ["create_intervention"],
    }


def test_test_a_json_ticket_without_config_or_store(tmp_path: Path) -> None:
    case = tmp_path / "ticket.json"
    case.write_text(json.dumps(TEST_CASE))
    code, out, _ = run("rules", "test", str(case), "--rules", str(ONSITE))
    assert code == 0
    assert "1. onsite-needs-intervention: fires" in out
    assert "   true  age over '4h'  (seen: 6h)" in out
    assert "   -> set_status status='in_progress'" in out
    code, out, _ = run("rules", "test", str(case), "--rules", str(ONSITE), "--json")
    document = json.loads(out)
    assert document["rules"][0]["verdict"] == "fires"
    assert [a["kind"] for a in document["firings"][0]["actions"]] == [
        "create_intervention",
        "post_message",
        "set_status",
    ]


def test_test_says_what_is_wrong_with_the_json(tmp_path: Path) -> None:
    case = tmp_path / "ticket.json"
    case.write_text(
        json.dumps({"ticket": {"status": "solved", "colour": "red"}, "trigger": "ticket.gone"})
    )
    code, _, err = run("rules", "test", str(case), "--rules", str(ONSITE))
    assert code == EXIT_USAGE
    assert "ticket.status: unknown status 'solved'" in err
    assert "ticket.colour: is not a field" in err
    assert "trigger: must be one of" in err
    case.write_text("{not json")
    code, _, err = run("rules", "test", str(case), "--rules", str(ONSITE))
    assert (code, err.startswith(f"error: cannot read {case} as JSON")) == (EXIT_USAGE, True)


def test_explain_a_ticket_of_the_mirror(config: Path) -> None:
    code, out, _ = run("--config", str(config), "rules", "explain", "TS2612-0002")
    assert code == 0
    assert out.startswith(
        "ticket TS2612-0002 (id 2, source main, status not_read)\ntrigger ticket.updated, at "
    )
    assert "2. onsite: fires" in out
    assert "   true  category_code equals 'ONSITE'  (seen: 'ONSITE')" in out
    assert "1. started: not listening to ticket.updated" in out
    code, out, _ = run(
        "--config", str(config), "rules", "explain", "1", "--trigger", "ticket.changed.status"
    )
    assert "1. started: conditions false" in out
    assert "   false status equals 'in_progress'  (seen: closed)" in out
    code, out, _ = run(
        "--config", str(config), "rules", "explain", "3", "--trigger", "ticket.message", "--json"
    )
    document = json.loads(out)
    reply = next(rule for rule in document["rules"] if rule["rule"] == "reply")
    assert reply["verdict"] == "fires"
    assert reply["conditions"][0]["seen"] == "true"


def test_explain_unknown_ticket_or_trigger(config: Path) -> None:
    code, _, err = run("--config", str(config), "rules", "explain", "TS9999-0001")
    assert (code, "no ticket 'TS9999-0001' in the mirror of main" in err) == (EXIT_USAGE, True)
    code, _, err = run(
        "--config", str(config), "rules", "explain", "1", "--trigger", "ticket.closed"
    )
    assert (code, "--trigger: unknown trigger 'ticket.closed'" in err) == (EXIT_USAGE, True)


def test_backtest(config: Path) -> None:
    code, out, _ = run("--config", str(config), "rules", "backtest", "--since", "30d", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["counts"] == {
        "started": 1,
        "onsite": 1,
        "reply": 1,
        "new": 1,
        "stale": 3,
        "never": 0,
    }
    code, out, _ = run("--config", str(config), "rules", "backtest", "--since", "50d")
    assert code == 0
    assert "  new      4" in out
    code, _, err = run("--config", str(config), "rules", "backtest", "--since", "a month")
    assert (code, err.startswith("error: --since / --tick:")) == (EXIT_USAGE, True)
