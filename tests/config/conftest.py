"""Fixtures for config tests: write a config file in a temporary folder and load it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from textwrap import dedent

import pytest

from dolisync.config import Config, load_config
from dolisync.errors import ConfigError, Problem

# A fake key, long enough for the masked display to show its first two characters.
API_KEY = "Zq7fakeDolibarrKey0123456789abcd"
MINIMAL = """
[dolibarr]
url = "https://erp.example.com/dolibarr"
"""

Load = Callable[..., Config]
Fail = Callable[..., dict[str, Problem]]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with the key in DOLISYNC_API_KEY and a private HOME."""
    return {"DOLISYNC_API_KEY": API_KEY, "HOME": str(tmp_path / "home")}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "dolisync.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write: Callable[[str], Path], env: dict[str, str], tmp_path: Path) -> Load:
    """Load ``text`` as the config file (``env`` replaces the test environment when given)."""

    def load(text: str, env: Mapping[str, str] = env) -> Config:
        return load_config(write(text), env=env, cwd=tmp_path)

    return load


@pytest.fixture
def fail(load: Load, env: dict[str, str]) -> Fail:
    """Load ``text``, expect a ConfigError, return its problems by dotted path."""

    def fail(text: str, env: Mapping[str, str] = env) -> dict[str, Problem]:
        with pytest.raises(ConfigError) as caught:
            load(text, env=env)
        return {problem.path: problem for problem in caught.value.problems}

    return fail
