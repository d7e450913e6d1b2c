"""[daemon] and [metrics]: defaults, the listen address, the health threshold, the example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dolisync.config import config_to_display
from dolisync.config.service_sections import DAEMON_KEYS, METRICS_KEYS
from tests.config.conftest import MINIMAL, Fail, Load

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def test_defaults_keep_metrics_off_and_on_loopback(load: Load) -> None:
    config = load(MINIMAL)
    assert config.daemon.stop_timeout == 20.0
    assert config.daemon.schedule_tick == 300.0
    assert not config.metrics.enabled
    assert (config.metrics.host, config.metrics.port) == ("127.0.0.1", 9464)
    assert config.metrics.max_lag == 600.0
    assert config.sources["metrics.listen"] == "default"


def test_max_lag_defaults_to_three_sync_intervals(load: Load) -> None:
    config = load(MINIMAL + '[sync]\ninterval = "15m"\n')
    assert config.metrics.max_lag == 45 * 60


def test_values_are_read(load: Load) -> None:
    config = load(
        MINIMAL
        + '[daemon]\nstop_timeout = "1m"\nschedule_tick = 30\n'
        + '[metrics]\nenabled = true\nlisten = "[::1]:9100"\nmax_lag = "2h"\n'
    )
    assert config.daemon.stop_timeout == 60.0
    assert config.daemon.schedule_tick == 30.0
    assert config.metrics.enabled
    assert (config.metrics.host, config.metrics.port) == ("::1", 9100)
    assert config.metrics.listen == "[::1]:9100"
    assert config.metrics.max_lag == 7200.0
    assert config.warnings == ()
    shown = config_to_display(config)
    assert shown["metrics"] == {"enabled": True, "listen": "[::1]:9100", "max_lag": "2h"}
    assert shown["daemon"] == {"stop_timeout": "1m", "schedule_tick": "30s"}


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("9464", "must be host:port"),
        (":9464", "must be host:port"),
        ("::1:9464", "IPv6 address goes in brackets"),
        ("127.0.0.1:http", "port must be a number from 1 to 65535"),
        ("127.0.0.1:70000", "port must be a number from 1 to 65535"),
        ("[]:9464", "no usable host"),
    ],
)
def test_bad_listen_addresses_say_what_form_is_expected(
    fail: Fail, listen: str, expected: str
) -> None:
    problems = fail(MINIMAL + f'[metrics]\nlisten = "{listen}"\n')
    problem = problems["metrics.listen"]
    assert expected in problem.message
    assert problem.line is not None


def test_unknown_keys_and_bad_types_are_problems(fail: Fail) -> None:
    typos = '[metrics]\nenable = true\nmax_lag = "soon"\n[daemon]\nstop_timout = 1\n'
    problems = fail(MINIMAL + typos)
    assert "did you mean 'enabled'" in problems["metrics.enable"].message
    assert "is not a duration" in problems["metrics.max_lag"].message
    assert "did you mean 'stop_timeout'" in problems["daemon.stop_timout"].message


def test_a_metrics_endpoint_open_to_the_network_is_warned_about(load: Load) -> None:
    config = load(MINIMAL + '[metrics]\nenabled = true\nlisten = "0.0.0.0:9464"\n')
    assert any("no authentication" in warning for warning in config.warnings)
    quiet = load(MINIMAL + '[metrics]\nenabled = true\nlisten = "localhost:9464"\n')
    assert quiet.warnings == ()


def test_the_example_documents_every_daemon_and_metrics_key() -> None:
    text = EXAMPLE.read_text()
    for section, keys in (("daemon", DAEMON_KEYS), ("metrics", METRICS_KEYS)):
        assert re.search(rf"^\[{section}\]$", text, flags=re.MULTILINE), section
        for key in keys:
            assert re.search(rf"^# {key} = ", text, flags=re.MULTILINE), key
