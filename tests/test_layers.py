"""The layering rule, checked mechanically: a module imports only from layers below its own.

Layers (lowest first) are listed in LAYERS; a package may import itself freely. The one
sideways import allowed is config -> rules (config validates ``[[rules]]`` with the rules
package's own parser, so the rule language is known in one place).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dolisync"

LAYERS: dict[str, int] = {
    "__init__": 0,
    "errors": 0,
    "clock": 0,
    "records": 0,
    "secret": 0,
    "durations": 0,
    "tomlpaths": 0,
    "logging": 1,
    "config": 2,
    "dolibarr": 2,
    "store": 2,
    "rules": 2,
    "simulator": 2,
    "sync": 3,
    "outbox": 3,
    "service": 4,
    "cycle": 5,
    "daemon": 6,
    "cli": 7,
    "demo": 7,
    "__main__": 8,
}
ALLOWED_SIDEWAYS = {("config", "rules")}


def _top(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "dolisync":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _modules()}
    assert tops - set(LAYERS) == set(), "add new top-level modules to LAYERS"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_downward(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    upward = []
    for line, module in _imports(path):
        target = _top(module)
        if target is None or target == own or (own, target) in ALLOWED_SIDEWAYS:
            continue
        if LAYERS[target] >= LAYERS[own]:
            upward.append(f"line {line}: {module} (layer {LAYERS[target]} >= {LAYERS[own]})")
    assert upward == [], f"{path.name} imports sideways or upward: {upward}"
