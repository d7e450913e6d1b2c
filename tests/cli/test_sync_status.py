"""``dolisync sync`` and ``dolisync status``: what a user sees and the exit codes."""

from __future__ import annotations

import json
import re

from dolisync.errors import EXIT_UNREACHABLE, EXIT_USAGE
from dolisync.simulator import Simulator
from tests.cli.conftest import Cli

SUMMARY = re.compile(
    r"^synced ([\d,]+) objects? in [\d.,]+ s: (\d+) created, (\d+) updated, (\d+) deleted, "
    r"([\d,]+) unchanged; (\d+) requests?$",
    re.MULTILINE,
)


def summary(output: str) -> tuple[int, ...]:
    match = SUMMARY.search(output)
    assert match, output
    return tuple(int(group.replace(",", "")) for group in match.groups())


def test_sync_prints_a_one_line_summary_and_a_second_run_finds_nothing_new(cli: Cli) -> None:
    first = cli("sync")
    second = cli("sync")

    assert first.exit_code == 0, first.output
    seen, created, updated, deleted, _, requests = summary(first.stdout)
    assert (created, updated, deleted) == (seen, 0, 0)
    assert seen >= 30
    assert requests >= 6  # /status, one listing per entity, intervention detail reads
    assert second.exit_code == 0, second.output
    assert summary(second.stdout)[1:4] == (0, 0, 0)


def test_sync_entity_option_limits_the_run(cli: Cli) -> None:
    result = cli("sync", "--entity", "tickets")

    assert result.exit_code == 0, result.output
    assert summary(result.stdout)[1] == 30
    status = json.loads(cli("status", "--json").stdout)
    assert status["entities"]["tickets"]["rows"] == 30
    assert status["entities"]["users"]["last_sync"] is None


def test_sync_rejects_an_unknown_entity_and_names_the_valid_ones(cli: Cli) -> None:
    result = cli("sync", "--entity", "tickets,tikets")

    assert result.exit_code == EXIT_USAGE
    assert "unknown entity 'tikets'" in result.stderr
    assert "thirdparties" in result.stderr


def test_a_failing_entity_is_reported_the_others_synced_and_the_exit_code_is_its_class(
    simulator: Simulator, cli: Cli
) -> None:
    simulator.control.set_faults("error500=1,path=/users")

    result = cli("sync")

    assert result.exit_code == EXIT_UNREACHABLE  # ServerError: Dolibarr failed
    assert summary(result.stdout)[1] >= 30
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: users: ")
    status = json.loads(cli("status", "--json").stdout)
    assert status["entities"]["users"]["last_error"]
    assert status["entities"]["tickets"]["last_error"] is None


def test_status_json_has_the_documented_shape(cli: Cli) -> None:
    before = json.loads(cli("status", "--json").stdout)
    cli("sync")

    after = cli("status", "--json")

    assert before["dolibarr_version"] is None
    assert before["entities"]["tickets"]["rows"] == 0
    assert after.exit_code == 0
    document = json.loads(after.stdout)
    assert set(document) == {"dolibarr_version", "entities"}
    assert document["dolibarr_version"] == "22.0.4"
    assert set(document["entities"]) == {
        "tickets",
        "messages",
        "interventions",
        "thirdparties",
        "users",
    }
    tickets = document["entities"]["tickets"]
    assert {"rows", "cursor", "last_sync"} <= set(tickets)
    assert tickets["rows"] == 30
    assert tickets["cursor"]["last_id"] == 30
    assert isinstance(tickets["last_sync"], float)


def test_status_table_names_the_version_and_each_entity(cli: Cli) -> None:
    cli("sync")

    result = cli("status")

    assert result.exit_code == 0
    assert "Dolibarr 22.0.4" in result.stdout
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[2:]}
    assert rows["tickets"] == "30"
    assert set(rows) >= {"entity", "tickets", "messages", "interventions", "users"}
