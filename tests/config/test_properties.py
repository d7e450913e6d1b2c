"""Open-ended input: any document gives a Config or a ConfigError, never a crash."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from dolisync.config import Config, config_from_text, normalise_dolibarr_url
from dolisync.config.loader import DOLIBARR_KEYS, LOGGING_KEYS, SECTIONS, STORE_KEYS, SYNC_KEYS
from dolisync.errors import ConfigError, Problem
from dolisync.records import ENTITIES
from tests.config import toml_writer

KNOWN_KEYS = (*SECTIONS, *DOLIBARR_KEYS, *STORE_KEYS, *SYNC_KEYS, *LOGGING_KEYS)
PLAUSIBLE_TEXT = (
    "https://erp.example.com/dolibarr",
    "http://127.0.0.1:8080/api/index.php/",
    "https://u:p@erp.example.com",
    "sqlite:///mirror.db",
    "sqlite:///",
    "postgresql://u:p@db/x",
    "90s",
    "1h30m",
    "-5m",
    "debug",
    "json",
    "main",
    *ENTITIES,
)

any_text = st.text(st.characters(codec="utf-8"), max_size=12)
# Beginnings that lead validation deep: paths, home directories, URL schemes.
PREFIXES = (
    "~",
    "~nobody-here/",
    "/",
    "./",
    "sqlite:///",
    "sqlite:///~x/",
    "postgresql://",
    "https://",
)
text = st.one_of(any_text, st.builds(str.__add__, st.sampled_from(PREFIXES), any_text))
keys = st.one_of(st.sampled_from(KNOWN_KEYS), text)
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.sampled_from(PLAUSIBLE_TEXT),
    text,
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
sections = st.dictionaries(keys, values, max_size=6)
documents = st.dictionaries(keys, sections | values, max_size=6)


def section(allowed: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(allowed) | keys, values, max_size=len(allowed) + 1)


# Documents close to valid: the known sections and keys, with any values.
near_valid_documents = st.fixed_dictionaries(
    {"dolibarr": section(DOLIBARR_KEYS).map(lambda found: {"url": "https://e.example", **found})},
    optional={
        "store": section(STORE_KEYS),
        "sync": section(SYNC_KEYS),
        "logging": section(LOGGING_KEYS),
        "rules": values,
    },
)
environments = st.sampled_from([{}, {"DOLISYNC_API_KEY": "k" * 20}, {"DOLISYNC_API_KEY": "a b"}])


@given(documents | near_valid_documents, environments)
def test_any_document_gives_a_config_or_located_problems(
    document: dict[str, Any], env: dict[str, str]
) -> None:
    source = toml_writer.dumps(document)
    assert tomllib.loads(source) is not None  # the writer itself is sound
    problems: tuple[Problem, ...] = ()
    try:
        config = config_from_text(source, path=Path("/nonexistent/dolisync.toml"), env=env)
    except ConfigError as error:  # any other exception fails the test
        problems = error.problems
    else:
        event("valid document")
        assert isinstance(config, Config)
        assert config.dolibarr.url.endswith("/api/index.php")
        return
    assert problems
    for problem in problems:
        assert problem.path, problem
        assert problem.file == "/nonexistent/dolisync.toml"
        assert "k" * 20 not in str(problem)


hosts = st.from_regex(
    r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?(\.[a-z]{2,5}){0,2}", fullmatch=True
)
paths = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True), max_size=3)
urls = st.builds(
    lambda scheme, host, port, segments, tail: (
        f"{scheme}://{host}{port}/{'/'.join(segments)}{tail}"
    ),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    hosts,
    st.sampled_from(["", ":8080", ":443"]),
    paths,
    st.sampled_from(["", "/", "/api", "/api/", "/api/index.php", "/api/index.php/", "//"]),
)


@given(st.one_of(urls, text))
def test_url_normalisation_is_idempotent(url: str) -> None:
    try:
        once = normalise_dolibarr_url(url)
    except ValueError:
        return
    assert normalise_dolibarr_url(once) == once
    assert once.endswith("/api/index.php")
    assert once.startswith(("http://", "https://"))
