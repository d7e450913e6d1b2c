"""Logging as an operator sees it: JSON lines or console text, bound context, no secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import structlog

from dolisync.logging import (
    bind_context,
    bound_context,
    clear_context,
    configure_logging,
    get_logger,
    register_secret,
)
from dolisync.secret import Secret

SECRET = "S3cr3t-K3y-for-logging-tests-0001"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    clear_context()
    structlog.reset_defaults()


@pytest.fixture
def output() -> io.StringIO:
    stream = io.StringIO()
    configure_logging("debug", "json", stream)
    return stream


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_timestamp_level_event_and_fields(output: io.StringIO) -> None:
    get_logger("dolisync.sync").info("page fetched", entity="tickets", count=3)
    (line,) = lines(output)
    assert line["event"] == "page fetched"
    assert line["level"] == "info"
    assert line["logger"] == "dolisync.sync"
    assert (line["entity"], line["count"]) == ("tickets", 3)
    stamp = datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() is not None
    assert stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_bound_context_appears_on_every_line_until_unbound(output: io.StringIO) -> None:
    log = get_logger("dolisync.service")
    with bound_context(run_id="run-7"):
        log.info("start")
        logging.getLogger("urllib3.connectionpool").info("connected")
    bind_context(job="poll")
    log.info("after")
    first, second, third = lines(output)
    assert first["run_id"] == second["run_id"] == "run-7"
    assert "run_id" not in third
    assert third["job"] == "poll"


def test_stdlib_loggers_share_the_format(output: io.StringIO) -> None:
    logging.getLogger("apscheduler.scheduler").warning("job %s missed by %d s", "sync", 3)
    (line,) = lines(output)
    assert line["event"] == "job sync missed by 3 s"
    assert line["level"] == "warning"
    assert line["logger"] == "apscheduler.scheduler"


def test_registered_secret_never_appears_anywhere(output: io.StringIO) -> None:
    register_secret(SECRET)
    log = get_logger("dolisync.dolibarr")
    log.info(f"calling with {SECRET}", detail={"nested": [f"x{SECRET}x"]}, note=SECRET)
    logging.getLogger("urllib3").debug("header %s", SECRET)
    try:
        raise RuntimeError(f"server echoed {SECRET}")
    except RuntimeError:
        log.exception("request failed")
    text = output.getvalue()
    assert SECRET not in text
    records = lines(output)
    assert records[0]["event"] == "calling with ***"
    assert records[0]["detail"] == {"nested": ["x***x"]}
    assert records[1]["event"] == "header ***"
    assert "RuntimeError: server echoed ***" in records[2]["exception"]
    assert "Traceback" in records[2]["exception"]


def test_secret_object_registers_its_value(output: io.StringIO) -> None:
    register_secret(Secret("an0ther-secret-value-for-tests"))
    get_logger().info("x", text="an0ther-secret-value-for-tests", obj=Secret("hidden-123456"))
    (line,) = lines(output)
    assert line["text"] == "***"
    assert "hidden-123456" not in output.getvalue()


def test_fields_named_like_secrets_are_redacted(output: io.StringIO) -> None:
    get_logger().info(
        "request",
        api_key="k1",
        password="p1",
        token=12345,
        headers={"DOLAPIKEY": "k2", "Authorization": "Bearer k3", "Accept": "json"},
    )
    (line,) = lines(output)
    assert line["api_key"] == line["password"] == line["token"] == "***"
    assert line["headers"] == {"DOLAPIKEY": "***", "Authorization": "***", "Accept": "json"}


def test_secret_query_parameters_and_url_passwords_are_redacted(output: io.StringIO) -> None:
    get_logger().info(
        "GET https://erp.example.com/api/index.php/tickets?DOLAPIKEY=abc123&limit=10",
        url="https://x/api/index.php/login?api_key=zzz",
        store="postgresql+psycopg://sync:pa55@db/mirror",
    )
    (line,) = lines(output)
    assert line["event"].endswith("tickets?DOLAPIKEY=***&limit=10")
    assert line["url"].endswith("login?api_key=***")
    assert line["store"] == "postgresql+psycopg://sync:***@db/mirror"


def test_short_strings_are_not_treated_as_secrets(output: io.StringIO) -> None:
    register_secret("ab")
    get_logger().info("about tabs")
    assert lines(output)[0]["event"] == "about tabs"


def test_level_filters_structlog_and_stdlib() -> None:
    stream = io.StringIO()
    configure_logging("warning", "json", stream)
    get_logger().info("hidden")
    logging.getLogger("urllib3").info("hidden too")
    get_logger().warning("shown")
    assert [line["event"] for line in lines(stream)] == ["shown"]


def test_configuring_again_replaces_the_previous_output() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("info", "json", first)
    configure_logging("info", "json", second)
    get_logger().info("once")
    assert first.getvalue() == ""
    assert len(lines(second)) == 1


def test_console_format_is_readable_and_redacted() -> None:
    register_secret(SECRET)
    stream = io.StringIO()
    configure_logging("info", "console", stream)
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        get_logger("dolisync.cli").exception("failed", ticket=42, api_key=SECRET)
    text = stream.getvalue()
    assert "failed" in text
    assert "ticket=42" in text
    assert "api_key=***" in text
    assert "ValueError: bad ***" in text
    assert SECRET not in text
    assert "\x1b[" not in text  # no colours when not on a terminal
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_auto_format_is_json_in_a_pipe_and_console_on_a_terminal() -> None:
    pipe, terminal = io.StringIO(), FakeTerminal()
    configure_logging("info", "auto", pipe)
    get_logger().info("to a pipe")
    configure_logging("info", "auto", terminal)
    get_logger().info("to a terminal")
    assert json.loads(pipe.getvalue())["event"] == "to a pipe"
    assert "to a terminal" in terminal.getvalue()
    with pytest.raises(json.JSONDecodeError):
        json.loads(terminal.getvalue())


@pytest.mark.parametrize(("level", "fmt"), [("verbose", "json"), ("info", "xml")])
def test_unknown_level_or_format_is_refused(level: str, fmt: str) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        configure_logging(level, fmt, io.StringIO())
