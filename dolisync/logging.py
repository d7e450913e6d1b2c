"""Structured logging: JSON lines for machines, readable lines for people, never a secret.

``configure_logging`` sets up structlog and routes the standard library's loggers
(urllib3, apscheduler, ...) through the same processors, so every line has one format:
``timestamp`` (ISO, UTC), ``level``, ``event``, ``logger`` and the bound fields (bind
``run_id`` and friends with ``bind_context``; they live in contextvars).

Redaction is the last step before rendering, after exceptions became text, so it also
covers tracebacks: registered secret values (``register_secret``) become ``***``
anywhere in any string, fields whose name looks secret (``api_key``, ``DOLAPIKEY``,
``password``, ``token``, ``authorization`` ...) are blanked, and so are such query
parameters and URL passwords. Tracebacks are plain text without local variables: pretty
renderers that show locals would print the key held by the HTTP layer.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Mapping
from typing import Any, Final, TextIO, cast

import structlog
from structlog.contextvars import bind_contextvars as bind_context
from structlog.contextvars import bound_contextvars as bound_context
from structlog.contextvars import clear_contextvars as clear_context
from structlog.typing import EventDict, Processor, WrappedLogger

from dolisync.secret import Secret

__all__ = [
    "REDACTED",
    "bind_context",
    "bound_context",
    "clear_context",
    "configure_logging",
    "get_logger",
    "redact_text",
    "redact_value",
    "register_secret",
]

REDACTED: Final = "***"
LEVELS: Final = ("debug", "info", "warning", "error")
FORMATS: Final = ("auto", "json", "console")

# Field names are compared lower-cased without "_" and "-": "api_key", "DOLAPIKEY", "Api-Key".
_SECRET_NAME_PARTS: Final = (
    "apikey",
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
)
_SECRET_QUERY_RE: Final = re.compile(
    r"(?i)([?&;](?:dolapikey|api[_-]?key|token|password|passwd|secret)=)[^&#\s\"']*"
)
_URL_PASSWORD_RE: Final = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+(@)")
# Shorter "secrets" would blank ordinary words out of every line.
_MIN_SECRET_LENGTH: Final = 4

_secrets: tuple[str, ...] = ()
_secrets_lock = threading.Lock()


def register_secret(value: str | Secret) -> None:
    """From now on, ``value`` is replaced by ``***`` wherever it appears in a log line."""
    global _secrets  # noqa: PLW0603 -- one process-wide list, replaced whole so readers need no lock
    text = value.reveal() if isinstance(value, Secret) else value
    if len(text) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if text not in _secrets:
            # Longest first: a secret that contains another is replaced whole.
            _secrets = tuple(sorted({*_secrets, text}, key=len, reverse=True))


def redact_text(text: str) -> str:
    """``text`` without registered secrets, secret query parameters or URL passwords."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _SECRET_QUERY_RE.sub(rf"\g<1>{REDACTED}", text)
    return _URL_PASSWORD_RE.sub(rf"\g<1>{REDACTED}\g<2>", text)


def redact_value(value: Any, key: str | None = None) -> Any:
    """``value`` with every secret removed, looking inside dicts, lists and tuples."""
    if key is not None and _looks_secret(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def _looks_secret(key: str) -> bool:
    name = key.lower().replace("_", "").replace("-", "")
    return any(part in name for part in _SECRET_NAME_PARTS)


def redact_secrets(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: ``redact_value`` applied to every field."""
    return {key: redact_value(value, key) for key, value in event_dict.items()}


def _redacting(renderer: Processor) -> Processor:
    """The renderer, then a last pass over its output: objects rendered via ``repr`` too."""

    def render(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> str:
        return redact_text(cast(str, renderer(logger, method_name, event_dict)))

    return render


_SHARED_PROCESSORS: Final[list[Processor]] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


class _DolisyncHandler(logging.StreamHandler[TextIO]):
    """Our handler on the root logger; the class marks it so a re-configure replaces it."""


def configure_logging(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to ``stream`` (stderr) as JSON lines or console text.

    ``fmt="auto"`` means console on a terminal, JSON otherwise (journald, files, pipes).
    Calling it again replaces the previous set-up.
    """
    if level not in LEVELS:
        raise ValueError(f"log level {level!r} must be one of: {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} must be one of: {', '.join(FORMATS)}")
    stream = sys.stderr if stream is None else stream
    is_tty = _is_tty(stream)
    console = fmt == "console" or (fmt == "auto" and is_tty)
    renderer: Processor = (
        structlog.dev.ConsoleRenderer(
            colors=is_tty, exception_formatter=structlog.dev.plain_traceback
        )
        if console
        else structlog.processors.JSONRenderer()
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,  # plain text, no locals: then redactable
            redact_secrets,
            _redacting(renderer),
        ],
    )
    _install_handler(formatter, stream, logging.getLevelNamesMapping()[level.upper()])
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: module-level loggers created before configure_logging must follow it.
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger named ``name`` (use ``__name__``)."""
    return structlog.stdlib.get_logger(name)


def _install_handler(formatter: logging.Formatter, stream: TextIO, level: int) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _DolisyncHandler):
            root.removeHandler(handler)
    handler = _DolisyncHandler(stream)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
