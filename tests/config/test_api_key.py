"""Where the API key comes from (file > env > credential > plain) and that it never leaks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dolisync.config import config_to_display, describe_key_source
from dolisync.errors import ConfigError
from tests.config.conftest import API_KEY, MINIMAL, Fail, Load

FILE_KEY = "keyFromTheKeyFile000000000000001"
ENV_KEY = "keyFromTheEnvironment00000000002"
CREDENTIAL_KEY = "keyFromSystemdCredential00000003"
PLAIN_KEY = "keyWrittenInTheConfigFile0000004"
EVERY_KEY = (FILE_KEY, ENV_KEY, CREDENTIAL_KEY, PLAIN_KEY, API_KEY)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "api-key"
    path.write_text(f"  {FILE_KEY}\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def credentials(tmp_path: Path) -> Path:
    folder = tmp_path / "credentials"
    folder.mkdir()
    (folder / "dolibarr-api-key").write_text(CREDENTIAL_KEY + "\n")
    return folder


def config_text(*, key_file: Path | None = None, plain: bool = False) -> str:
    lines = [MINIMAL.strip()]
    if key_file is not None:
        lines.append(f'api_key_file = "{key_file}"')
    if plain:
        lines.append(f'api_key = "{PLAIN_KEY}"')
    return "\n".join(lines) + "\n"


def test_key_file_wins_over_everything(load: Load, key_file: Path, credentials: Path) -> None:
    env = {"DOLISYNC_API_KEY": ENV_KEY, "CREDENTIALS_DIRECTORY": str(credentials)}
    config = load(config_text(key_file=key_file, plain=True), env=env)
    assert config.dolibarr.api_key.reveal() == FILE_KEY  # stripped of spaces and newline
    assert describe_key_source(config) == f"api_key_file {key_file}"
    assert any("api_key" in warning and "is ignored" in warning for warning in config.warnings)


def test_environment_wins_over_credential_and_plain(load: Load, credentials: Path) -> None:
    env = {"DOLISYNC_API_KEY": ENV_KEY, "CREDENTIALS_DIRECTORY": str(credentials)}
    config = load(config_text(plain=True), env=env)
    assert config.dolibarr.api_key.reveal() == ENV_KEY
    assert describe_key_source(config) == "environment variable DOLISYNC_API_KEY"


def test_credential_wins_over_plain(load: Load, credentials: Path) -> None:
    config = load(config_text(plain=True), env={"CREDENTIALS_DIRECTORY": str(credentials)})
    assert config.dolibarr.api_key.reveal() == CREDENTIAL_KEY
    assert describe_key_source(config).startswith("systemd credential ")


def test_plain_key_works_with_a_warning(load: Load) -> None:
    config = load(config_text(plain=True), env={})
    assert config.dolibarr.api_key.reveal() == PLAIN_KEY
    assert config.dolibarr.key_source.kind == "plain"
    assert any("plain text" in warning for warning in config.warnings)


def test_relative_key_file_starts_at_the_config_folder(load: Load, key_file: Path) -> None:
    config = load(config_text().replace("\n", '\napi_key_file = "api-key"\n', 1), env={})
    assert config.dolibarr.api_key.reveal() == FILE_KEY


def test_no_key_anywhere_lists_the_four_ways(fail: Fail) -> None:
    problem = fail(config_text(), env={})["dolibarr.api_key"]
    for way in ("api_key_file", "DOLISYNC_API_KEY", "LoadCredential=dolibarr-api-key", "api_key ="):
        assert way in problem.message


def test_empty_environment_variable_counts_as_unset(fail: Fail) -> None:
    assert "dolibarr.api_key" in fail(config_text(), env={"DOLISYNC_API_KEY": "  "})


def test_missing_key_file_is_an_error_even_if_env_has_a_key(fail: Fail, tmp_path: Path) -> None:
    problems = fail(config_text(key_file=tmp_path / "nope"), env={"DOLISYNC_API_KEY": ENV_KEY})
    assert "does not exist" in problems["dolibarr.api_key_file"].message
    assert problems["dolibarr.api_key_file"].line == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_key_file_is_an_error(fail: Fail, key_file: Path) -> None:
    key_file.chmod(0o000)
    problems = fail(config_text(key_file=key_file))
    assert "cannot read the key file" in problems["dolibarr.api_key_file"].message


def test_key_file_that_is_a_directory_is_an_error(fail: Fail, tmp_path: Path) -> None:
    problems = fail(config_text(key_file=tmp_path))
    assert "cannot read the key file" in problems["dolibarr.api_key_file"].message


def test_empty_key_file_is_an_error(fail: Fail, key_file: Path) -> None:
    key_file.write_text("\n")
    problems = fail(config_text(key_file=key_file))
    assert "is empty" in problems["dolibarr.api_key_file"].message


def test_key_file_readable_by_others_gets_a_warning(load: Load, key_file: Path) -> None:
    key_file.chmod(0o644)
    config = load(config_text(key_file=key_file))
    (warning,) = config.warnings
    assert "can be read by other users (mode 644)" in warning
    assert f"chmod 600 {key_file}" in warning


def test_private_key_file_gets_no_warning(load: Load, key_file: Path) -> None:
    assert load(config_text(key_file=key_file)).warnings == ()


def test_key_with_inner_space_is_refused_without_showing_it(fail: Fail) -> None:
    problems = fail(config_text(), env={"DOLISYNC_API_KEY": "half key"})
    assert "contains spaces" in problems["dolibarr.api_key"].message
    assert "half" not in str(problems["dolibarr.api_key"])


def test_plain_key_of_wrong_type_does_not_echo_it(fail: Fail) -> None:
    problems = fail(MINIMAL + "api_key = 123456789\n", env={})
    assert list(problems) == ["dolibarr.api_key"]
    assert problems["dolibarr.api_key"].message == "must be a string, not an integer"


def test_key_never_shows_in_repr_str_or_display(load: Load, key_file: Path) -> None:
    config = load(config_text(key_file=key_file, plain=True))
    shown = " ".join(
        (repr(config), str(config), f"{config.dolibarr}", str(config_to_display(config)))
    )
    for key in EVERY_KEY:
        assert key not in shown
    assert config_to_display(config)["dolibarr"]["api_key"] == "ke…(32 chars)"


def test_key_never_shows_in_a_config_error(load: Load) -> None:
    text = f'[dolibarr]\nurl = "gopher://x"\napi_key = "{PLAIN_KEY}"\ntimeout = "?"\n'
    with pytest.raises(ConfigError) as caught:
        load(text, env={})
    error = caught.value
    shown = " ".join([str(error), repr(error), error.hint or "", *map(str, error.problems)])
    assert len(error.problems) == 2
    assert PLAIN_KEY not in shown


def test_broken_environment_key_does_not_fall_back_to_plain_key(fail: Fail) -> None:
    problems = fail(config_text(plain=True), env={"DOLISYNC_API_KEY": "two words"})
    assert "environment variable DOLISYNC_API_KEY" in problems["dolibarr.api_key"].message
    assert "contains spaces" in problems["dolibarr.api_key"].message


def test_empty_credential_file_is_an_error(fail: Fail, credentials: Path) -> None:
    (credentials / "dolibarr-api-key").write_text("")
    problem = fail(config_text(), env={"CREDENTIALS_DIRECTORY": str(credentials)})[
        "dolibarr.api_key"
    ]
    assert problem.message.startswith("the API key from systemd credential ")
    assert problem.message.endswith("is empty")
