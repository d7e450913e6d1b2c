"""The README tells the truth about the CLI: every command is documented and explains
itself in --help, and the exit-code table is the one the code uses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from dolisync.cli import app
from dolisync.errors import EXIT_CODES
from dolisync.rules import parse_rules

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def command_paths() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        if path:
            found.append(path)
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def command(path: tuple[str, ...]) -> object:
    current: object = typer.main.get_command(app)
    for name in path:
        assert isinstance(current, TyperGroup)
        current = current.commands[name]
    return current


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_is_in_the_readme_and_has_help(path: tuple[str, ...]) -> None:
    name = "dolisync " + " ".join(path)

    assert name in README.read_text(encoding="utf-8"), f"{name} is not documented in README.md"
    help_text = getattr(command(path), "help", None) or ""
    assert len(help_text.strip()) > 15, f"{name} has no help text"


def test_the_readme_exit_code_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.MULTILINE)

    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES


def test_the_readme_rule_is_valid_and_is_the_one_the_example_config_ships() -> None:
    readme = README.read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL)
    specs, problems = parse_rules(tomllib.loads(block)["rules"], source_text=block)
    assert problems == []
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    shipped = {rule["name"]: rule for rule in example["rules"]}
    (spec,) = specs
    assert shipped[spec.name]["when"] == tomllib.loads(block)["rules"][0]["when"]
