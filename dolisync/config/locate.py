"""Which config file to read: ``--config``, ``$DOLISYNC_CONFIG``, ``./dolisync.toml``, ``/etc``.

An explicit choice (the option or the variable) that names a missing file is an error, not
a reason to fall back silently to another file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from dolisync.errors import ConfigError, Problem

CONFIG_ENV: Final = "DOLISYNC_CONFIG"
LOCAL_CONFIG: Final = Path("dolisync.toml")
SYSTEM_CONFIG: Final = Path("/etc/dolisync/config.toml")

NOT_FOUND_HINT: Final = (
    f"dolisync looks for its config in: --config PATH, ${CONFIG_ENV}, ./{LOCAL_CONFIG}, "
    f"{SYSTEM_CONFIG}. Start from config.example.toml (shipped with dolisync): copy it to "
    f"one of these places and set [dolibarr] url."
)


def locate_config(
    path: Path | None,
    *,
    env: Mapping[str, str],
    cwd: Path,
    system_config: Path = SYSTEM_CONFIG,
) -> Path:
    """The config file to read, following the lookup order; ``ConfigError`` if none exists."""
    if path is not None:
        return _must_exist(_absolute(path, cwd), "--config")
    if env.get(CONFIG_ENV):
        return _must_exist(_absolute(Path(env[CONFIG_ENV]), cwd), f"${CONFIG_ENV}")
    for candidate in (cwd / LOCAL_CONFIG, system_config):
        if _is_file(candidate):
            return candidate
    raise ConfigError(
        [Problem(path="", message="no config file found")],
        hint=NOT_FOUND_HINT,
    )


def _absolute(path: Path, cwd: Path) -> Path:
    # "~someone" for an unknown user stays as written: it will not be found, and say so.
    with contextlib.suppress(RuntimeError):
        path = path.expanduser()
    return path if path.is_absolute() else cwd / path


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. /etc/dolisync is readable by root only: not ours to read
        return False


def _must_exist(path: Path, named_by: str) -> Path:
    if _is_file(path):
        return path
    try:
        reason = "is a directory, not a file" if path.is_dir() else "does not exist"
    except OSError as error:
        reason = f"cannot be read ({error.strerror})"
    raise ConfigError(
        [Problem(path="", message=f"the config file named by {named_by} {reason}", file=str(path))],
        hint=NOT_FOUND_HINT,
    )
