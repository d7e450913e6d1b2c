"""[store], [sync] and [logging]: database URLs and their defaults, entities, levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from dolisync.config import mask_url_password
from dolisync.records import ENTITIES
from tests.config.conftest import API_KEY, MINIMAL, Fail, Load


def test_store_defaults_to_systemd_state_directory(load: Load) -> None:
    env = {"DOLISYNC_API_KEY": API_KEY, "STATE_DIRECTORY": "/var/lib/dolisync:/var/lib/other"}
    config = load(MINIMAL, env=env)
    assert config.store.url == "sqlite:////var/lib/dolisync/dolisync.db"
    assert config.sources["store.url"] == "default (STATE_DIRECTORY)"


def test_store_defaults_to_xdg_state_home(load: Load) -> None:
    env = {"DOLISYNC_API_KEY": API_KEY, "XDG_STATE_HOME": "/home/ann/.state"}
    assert load(MINIMAL, env=env).store.url == "sqlite:////home/ann/.state/dolisync/dolisync.db"


def test_store_defaults_to_local_state_in_home(load: Load) -> None:
    env = {"DOLISYNC_API_KEY": API_KEY, "HOME": "/home/ann"}
    expected = "sqlite:////home/ann/.local/state/dolisync/dolisync.db"
    assert load(MINIMAL, env=env).store.url == expected


def test_relative_sqlite_path_starts_at_the_config_folder(load: Load, tmp_path: Path) -> None:
    config = load(MINIMAL + '[store]\nurl = "sqlite:///./data/mirror.db"\n')
    assert config.store.url == f"sqlite:///{tmp_path / 'data' / 'mirror.db'}"
    assert config.sources["store.url"] == "file"


def test_absolute_sqlite_path_is_kept(load: Load) -> None:
    config = load(MINIMAL + '[store]\nurl = "sqlite:////srv/mirror.db"\n')
    assert config.store.url == "sqlite:////srv/mirror.db"


def test_postgresql_url_gets_the_psycopg_driver_and_a_masked_password(load: Load) -> None:
    config = load(MINIMAL + '[store]\nurl = "postgresql://sync:pa55word@db.local:5432/mirror"\n')
    assert config.store.url == "postgresql+psycopg://sync:pa55word@db.local:5432/mirror"
    assert config.store.masked_url == "postgresql+psycopg://sync:***@db.local:5432/mirror"
    assert "pa55word" not in repr(config)
    assert "pa55word" in config.secret_values()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root:topsecret@db/mirror", "must start with one of: sqlite:///"),
        ("mirror.db", "postgresql+psycopg://, postgresql://"),
        ("sqlite:///", "names no database file"),
        ("postgresql:///mirror", "names no database server"),
    ],
)
def test_bad_store_urls_list_the_allowed_schemes(fail: Fail, url: str, expected: str) -> None:
    problem = fail(f'{MINIMAL}[store]\nurl = "{url}"\n')["store.url"]
    assert expected in problem.message
    assert problem.line == 4
    assert "topsecret" not in str(problem)


def test_mask_url_password_leaves_urls_without_password_alone() -> None:
    assert mask_url_password("sqlite:////srv/a.db") == "sqlite:////srv/a.db"
    assert mask_url_password("postgresql://bob@h/db") == "postgresql://bob@h/db"


def test_sync_defaults(load: Load) -> None:
    sync = load(MINIMAL).sync
    assert (sync.interval, sync.overlap, sync.entities) == (60.0, 600.0, ENTITIES)


def test_sync_values_are_read(load: Load) -> None:
    sync = load(
        MINIMAL + '[sync]\ninterval = "5m"\noverlap = 0\nentities = ["users", "tickets"]\n'
    ).sync
    assert (sync.interval, sync.overlap, sync.entities) == (300.0, 0.0, ("users", "tickets"))


def test_each_bad_entity_is_reported_at_its_position(fail: Fail) -> None:
    problems = fail(
        MINIMAL + '[sync]\nentities = ["tickets", "tikets", 3, "tickets", "invoices"]\n'
    )
    assert set(problems) == {
        "sync.entities[1]",
        "sync.entities[2]",
        "sync.entities[3]",
        "sync.entities[4]",
    }
    assert "did you mean 'tickets'?" in problems["sync.entities[1]"].message
    assert "must be a string, not an integer" in problems["sync.entities[2]"].message
    assert "'tickets' is listed twice" in problems["sync.entities[3]"].message
    assert (
        "must be one of: tickets, messages, interventions" in problems["sync.entities[4]"].message
    )
    assert all(problem.line == 4 for problem in problems.values())


@pytest.mark.parametrize(
    ("line", "path", "expected"),
    [
        ("entities = []", "sync.entities", "must name at least one of"),
        ('entities = "tickets"', "sync.entities", "must be a list"),
        ("interval = 0", "sync.interval", "longer than 0 seconds"),
        ('overlap = "-1m"', "sync.overlap", "is not a duration"),
        ("overlap = -60", "sync.overlap", "not negative"),
    ],
)
def test_bad_sync_values(fail: Fail, line: str, path: str, expected: str) -> None:
    problems = fail(f"{MINIMAL}[sync]\n{line}\n")
    assert list(problems) == [path]
    assert expected in problems[path].message


def test_logging_defaults_and_values(load: Load) -> None:
    assert load(MINIMAL).logging.level == "info"
    assert load(MINIMAL).logging.format == "auto"
    logging = load(MINIMAL + '[logging]\nlevel = "DEBUG"\nformat = "json"\n').logging
    assert (logging.level, logging.format) == ("debug", "json")


def test_bad_logging_values_list_the_allowed_ones(fail: Fail) -> None:
    problems = fail(MINIMAL + '[logging]\nlevel = "verbose"\nformat = "xml"\n')
    assert problems["logging.level"].message == (
        "'verbose' is not allowed; must be one of: debug, info, warning, error"
    )
    assert problems["logging.format"].message.endswith("must be one of: auto, json, console")
    assert (problems["logging.level"].line, problems["logging.format"].line) == (4, 5)


def test_unknown_home_directory_in_a_path_is_a_problem(fail: Fail) -> None:
    problem = fail(f'{MINIMAL}[store]\nurl = "sqlite:///~nobody-here-42/x.db"\n')["store.url"]
    assert problem.message == "cannot expand '~nobody-here-42': no such home directory"
