"""The rules guide's examples are valid, and the shipped config carries the on-site rule."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from dolisync.rules import parse_rules
from dolisync.rules.case import load_case

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "rules.md"
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)
JSON_BLOCKS = re.findall(r"```json\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=lambda block: block.split('"')[1])
def test_every_rule_in_the_guide_is_valid(block: str) -> None:
    specs, problems = parse_rules(tomllib.loads(block)["rules"], source_text=block)
    assert problems == []
    assert specs


def test_the_guide_has_the_five_recipes_and_more() -> None:
    names = {tomllib.loads(block)["rules"][0]["name"] for block in TOML_BLOCKS}
    assert {
        "onsite-intervention",
        "unread-escalation",
        "vip-customer",
        "route-billing",
        "reopen-on-reply",
    } <= names


def test_the_guide_s_json_ticket_loads() -> None:
    (block,) = JSON_BLOCKS
    case = load_case(json.loads(block))
    assert case.view.ticket.ref == "TS2412-0042"
    assert case.view.customer is not None


def test_the_example_config_ships_the_onsite_rule() -> None:
    text = (ROOT / "config.example.toml").read_text()
    specs, problems = parse_rules(tomllib.loads(text).get("rules"), source_text=text)
    assert problems == []
    assert [spec.name for spec in specs] == ["onsite-needs-intervention"]
