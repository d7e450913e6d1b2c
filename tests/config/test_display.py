"""config_to_display and Secret: everything shown, nothing secret."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import pytest

from dolisync.config import Secret, config_to_display
from tests.config.conftest import API_KEY, MINIMAL, Load


def test_display_shows_every_effective_value_with_defaults(load: Load) -> None:
    config = load(MINIMAL + '[store]\nurl = "postgresql://bob:pw-42@db/mirror"\n')
    shown = config_to_display(config)
    assert shown["dolibarr"] == {
        "url": "https://erp.example.com/dolibarr/api/index.php",
        "name": "default",
        "api_key": "Zq…(32 chars)",
        "api_key_source": "environment variable DOLISYNC_API_KEY",
        "timeout": "30s",
        "verify_tls": True,
        "ca_bundle": None,
        "page_size": 100,
    }
    assert shown["store"] == {"url": "postgresql+psycopg://bob:***@db/mirror"}
    assert shown["sync"]["interval"] == "1m"
    assert shown["sync"]["overlap"] == "10m"
    assert shown["logging"] == {"level": "info", "format": "auto"}
    assert shown["sources"]["dolibarr.url"] == "file"
    assert shown["sources"]["dolibarr.timeout"] == "default"
    assert shown["sources"]["dolibarr.api_key"] == "env"
    assert shown["rules"] == 0


def test_display_never_contains_the_key_or_the_store_password(load: Load) -> None:
    config = load(MINIMAL + '[store]\nurl = "postgresql://bob:pw-42@db/mirror"\n')
    rendered = json.dumps(config_to_display(config))
    assert API_KEY not in rendered
    assert API_KEY[:3] not in rendered
    assert "pw-42" not in rendered


def test_short_key_is_fully_masked() -> None:
    assert Secret("abc123").masked() == "…(6 chars)"


def test_secret_hides_itself_everywhere_but_reveal() -> None:
    secret = Secret(API_KEY)
    assert secret.reveal() == API_KEY
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret):  # noqa: UP031
        assert API_KEY not in shown
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    assert copy.deepcopy(secret) == secret
    assert Secret("a") != Secret("b")


def test_asdict_of_a_config_keeps_the_key_masked(load: Load) -> None:
    config = load(MINIMAL)
    as_dict = dataclasses.asdict(config)
    assert API_KEY not in repr(as_dict)
    assert as_dict["dolibarr"]["api_key"].reveal() == API_KEY


def test_config_is_frozen(load: Load) -> None:
    config = load(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.dolibarr.url = "http://elsewhere"  # type: ignore[misc]
