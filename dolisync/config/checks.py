"""Checks for single config values: each returns the clean value or raises ``ValueError``.

Messages say what is allowed, and never repeat a value that could be a secret: type errors
name the type received, not the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from dolisync.config.reader import describe_type
from dolisync.durations import parse_duration

SOURCE_NAME_RE: Final = re.compile(r"[a-z0-9_-]{1,32}")


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {describe_type(value)}")
    return value


def non_empty_string(value: Any) -> str:
    text = string(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {describe_type(value)}")
    return value


def integer_between(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                f"must be a whole number from {low} to {high}, not {describe_type(value)}"
            )
        if not low <= value <= high:
            raise ValueError(f"must be from {low} to {high}, not {value}")
        return value

    return check


def one_of(choices: Sequence[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = string(value).strip().lower()
        if text not in choices:
            raise ValueError(f"{value!r} is not allowed; must be one of: {', '.join(choices)}")
        return text

    return check


def duration(*, allow_zero: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        return parse_duration(value, allow_zero=allow_zero)

    return check


def source_name(value: Any) -> str:
    text = string(value)
    if not SOURCE_NAME_RE.fullmatch(text):
        raise ValueError(
            f"{text!r} is not allowed; use 1 to 32 of: lower-case letters, digits, '_' and '-'"
        )
    return text


def existing_path(base_dir: Path) -> Callable[[Any], Path]:
    """A path to something that exists; relative paths start at the config file's folder."""

    def check(value: Any) -> Path:
        path = resolve_path(non_empty_string(value), base_dir)
        try:
            path.stat()
        except FileNotFoundError:
            raise ValueError(f"{str(path)!r} does not exist") from None
        except OSError as error:
            raise ValueError(f"cannot use {str(path)!r}: {error.strerror}") from None
        return path

    return check


def resolve_path(text: str, base_dir: Path) -> Path:
    """``text`` as a path: ``~`` expanded, relative paths joined to ``base_dir``."""
    if "\0" in text:
        raise ValueError("must not contain a NUL character")
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # "~someone" for an unknown user, or no home directory at all
        raise ValueError(
            f"cannot expand {text.split('/', 1)[0]!r}: no such home directory"
        ) from None
    return path if path.is_absolute() else base_dir / path
