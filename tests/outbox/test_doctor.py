"""``doctor``'s write-back checks: rights the actions need, and Dolibarr's own workflow that
would create a second intervention. Dolibarr's answers for these endpoints come from its
source (not captured on a live server), so they are played with ``responses``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses

from dolisync.config import load_config
from dolisync.dolibarr import DolibarrClient
from dolisync.outbox.doctor import WritebackCheck, writeback_checks
from dolisync.simulator import Simulator
from tests.cli.conftest import Cli
from tests.outbox.conftest import ONSITE_RULES, config_text

BASE = "https://erp.example.com/api/index.php"
UNKNOWN = {
    "error": {"code": 400, "message": "Bad Request: Error Bad or unknown value for constantname"}
}
ADMIN = {"id": "1", "login": "admin", "admin": "1"}

pytestmark = pytest.mark.usefixtures("restore_logging")  # doctor configures logging


def checks(
    tmp_path: Path, answers: dict[str, Any], rules: str = ONSITE_RULES
) -> dict[str, WritebackCheck]:
    path = tmp_path / "dolisync.toml"
    path.write_text(
        f'[dolibarr]\nurl = "{BASE}"\n[store]\nurl = "sqlite:///{tmp_path}/s.db"\n{rules}'
    )
    config = load_config(path, env={"DOLISYNC_API_KEY": "k" * 32}, cwd=tmp_path)
    client = DolibarrClient.from_settings(BASE, "k" * 32, source="default", max_attempts=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for path_, answer in answers.items():
            status, body = answer if isinstance(answer, tuple) else (200, answer)
            mock.add(responses.GET, BASE + path_, json=body, status=status)
        return {found.name: found for found in writeback_checks(config, client)}


def test_an_admin_api_user_and_no_workflow_module_pass(tmp_path: Path) -> None:
    found = checks(
        tmp_path, {"/users/info": ADMIN, "/setup/conf/MAIN_MODULE_WORKFLOW": (400, UNKNOWN)}
    )
    assert found["write-back"].status == "ok"
    assert "create_intervention, post_message, set_status" in found["write-back"].message
    assert found["write rights"].status == "ok"
    assert found["Dolibarr workflow"].status == "ok"
    assert "module off" in found["Dolibarr workflow"].message


def test_dolibarr_s_own_ticket_to_intervention_workflow_is_a_warning(tmp_path: Path) -> None:
    found = checks(
        tmp_path,
        {
            "/users/info": ADMIN,
            "/setup/conf/MAIN_MODULE_WORKFLOW": "1",
            "/setup/conf/WORKFLOW_TICKET_CREATE_INTERVENTION": "1",
        },
    )
    workflow = found["Dolibarr workflow"]
    assert workflow.status == "warn"
    assert "two" in workflow.message
    assert workflow.hint is not None
    assert "WORKFLOW_TICKET_CREATE_INTERVENTION" in workflow.hint


def test_when_the_setup_cannot_be_read_doctor_says_so(tmp_path: Path) -> None:
    forbidden = (
        403,
        {"error": {"code": 403, "message": "Forbidden: Error API open to admin users only"}},
    )
    found = checks(
        tmp_path,
        {
            "/users/info": {"id": "5", "login": "sync", "admin": "0"},
            "/setup/conf/MAIN_MODULE_WORKFLOW": forbidden,
        },
    )
    assert found["Dolibarr workflow"].status == "warn"
    assert "cannot check" in found["Dolibarr workflow"].message
    assert found["write rights"].status == "warn"
    assert "Interventions > Create/modify interventions" in found["write rights"].message


def test_a_missing_right_is_a_failure_naming_it(tmp_path: Path) -> None:
    user = {
        "id": "5",
        "admin": "0",
        "rights": {"ticket": {"read": 1, "write": 1}, "ficheinter": {"lire": 1}},
    }
    found = checks(
        tmp_path, {"/users/info": user, "/setup/conf/MAIN_MODULE_WORKFLOW": (400, UNKNOWN)}
    )
    assert found["write rights"].status == "fail"
    assert found["write rights"].message == (
        "the API user lacks: Interventions > Create/modify interventions"
    )


def test_rules_without_actions_need_no_right(tmp_path: Path) -> None:
    found = checks(tmp_path, {}, rules="")
    assert list(found) == ["write-back"]
    assert "none (no enabled rule)" in found["write-back"].message


def test_doctor_shows_the_write_back_checks(simulator: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "dolisync.toml"
    path.write_text(config_text(simulator, f"sqlite:///{tmp_path}/s.db", ONSITE_RULES))

    result = Cli(path, simulator.api_key)("doctor")

    assert result.exit_code == 0, result.output
    assert "ok    write-back: enabled (actions: create_intervention" in result.output
    assert "write rights:" in result.output
    assert "Dolibarr workflow:" in result.output
