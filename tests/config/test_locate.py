"""Which file is read: --config, $DOLISYNC_CONFIG, ./dolisync.toml, /etc/dolisync/config.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolisync.config import load_config, locate_config
from dolisync.errors import ConfigError
from tests.config.conftest import MINIMAL


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One candidate file for each lookup step, all present."""
    paths = {
        "explicit": tmp_path / "explicit.toml",
        "env": tmp_path / "from-env.toml",
        "local": tmp_path / "work" / "dolisync.toml",
        "system": tmp_path / "etc" / "config.toml",
    }
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MINIMAL)
    return paths


def locate(files: dict[str, Path], *, explicit: bool, env: bool) -> Path:
    return locate_config(
        files["explicit"] if explicit else None,
        env={"DOLISYNC_CONFIG": str(files["env"])} if env else {},
        cwd=files["local"].parent,
        system_config=files["system"],
    )


def test_explicit_path_wins_over_everything(files: dict[str, Path]) -> None:
    assert locate(files, explicit=True, env=True) == files["explicit"]


def test_environment_variable_comes_second(files: dict[str, Path]) -> None:
    assert locate(files, explicit=False, env=True) == files["env"]


def test_file_in_current_directory_comes_third(files: dict[str, Path]) -> None:
    assert locate(files, explicit=False, env=False) == files["local"]


def test_system_file_comes_last(files: dict[str, Path]) -> None:
    files["local"].unlink()
    assert locate(files, explicit=False, env=False) == files["system"]


def test_relative_explicit_path_starts_at_cwd(files: dict[str, Path]) -> None:
    found = locate_config(Path("dolisync.toml"), env={}, cwd=files["local"].parent)
    assert found == files["local"]


def test_empty_environment_variable_is_ignored(files: dict[str, Path]) -> None:
    found = locate_config(None, env={"DOLISYNC_CONFIG": ""}, cwd=files["local"].parent)
    assert found == files["local"]


def test_no_file_anywhere_names_every_place_and_the_example(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        locate_config(None, env={}, cwd=tmp_path, system_config=tmp_path / "absent.toml")
    hint = caught.value.hint or ""
    for place in ("--config", "$DOLISYNC_CONFIG", "./dolisync.toml", "/etc/dolisync/config.toml"):
        assert place in hint
    assert "config.example.toml" in hint


@pytest.mark.parametrize("named_by", ["--config", "$DOLISYNC_CONFIG"])
def test_a_named_but_missing_file_is_an_error_not_a_fallback(
    files: dict[str, Path], named_by: str
) -> None:
    missing = files["local"].parent / "typo.toml"
    explicit = missing if named_by == "--config" else None
    env = {"DOLISYNC_CONFIG": str(missing)} if named_by == "$DOLISYNC_CONFIG" else {}
    with pytest.raises(ConfigError) as caught:
        locate_config(explicit, env=env, cwd=files["local"].parent)
    (problem,) = caught.value.problems
    assert problem.file == str(missing)
    assert named_by in problem.message
    assert "does not exist" in problem.message


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        locate_config(tmp_path, env={}, cwd=tmp_path)


def test_load_config_reads_the_file_found_in_cwd(files: dict[str, Path]) -> None:
    config = load_config(env={"DOLISYNC_API_KEY": "k" * 20}, cwd=files["local"].parent)
    assert config.path == files["local"]
    assert config.dolibarr.url == "https://erp.example.com/dolibarr/api/index.php"


def test_unreadable_bytes_are_reported_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "dolisync.toml"
    path.write_bytes(b'[dolibarr]\nurl = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path, env={}, cwd=tmp_path)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "dolisync.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    config = load_config(path, env={"DOLISYNC_API_KEY": "k" * 20}, cwd=tmp_path)
    assert config.dolibarr.url.endswith("/api/index.php")
