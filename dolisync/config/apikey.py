"""Finding the Dolibarr API key, from the safest place that provides one.

Precedence: ``api_key_file`` (a file only dolisync can read), then ``$DOLISYNC_API_KEY``,
then the systemd credential ``$CREDENTIALS_DIRECTORY/dolibarr-api-key``
(``LoadCredential=dolibarr-api-key:/path``), then a plain ``api_key`` in the config file,
which works but earns a warning: config files get copied, pasted and committed.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from dolisync.config.checks import resolve_path, string
from dolisync.config.model import API_KEY_ENV, CREDENTIAL_NAME, KeySource
from dolisync.config.reader import Table
from dolisync.secret import Secret

MAX_KEY_FILE_BYTES: Final = 4096
WAYS_TO_GIVE_THE_KEY: Final = (
    'no API key found; give it in one of these ways: api_key_file = "/path/to/file" '
    f"(best), the environment variable {API_KEY_ENV}, the systemd credential "
    f"{CREDENTIAL_NAME} (LoadCredential={CREDENTIAL_NAME}:/path/to/file), "
    'or api_key = "..." in this file (not recommended)'
)


def resolve_api_key(
    table: Table, *, env: Mapping[str, str], base_dir: Path, config_file: str
) -> tuple[Secret, KeySource] | None:
    """The key and where it came from; None (with a problem recorded) when there is none."""
    key_file = table.optional("api_key_file", string)
    plain = table.optional("api_key", string)
    problems_before = len(table.collector.problems)
    found = _first_key(table, key_file, env=env, base_dir=base_dir)
    if found is None and len(table.collector.problems) > problems_before:
        return None  # a source was given but is broken (recorded): never fall back silently
    if found is None and table.has("api_key_file"):
        return None  # api_key_file has the wrong type (recorded)
    if found is None and plain is not None:
        found = _plain_key(table, plain, config_file)
    elif plain is not None and found is not None:
        table.collector.warn(
            f"dolibarr.api_key in {config_file} is ignored: the key comes from "
            f"{found[1].describe()}; delete api_key from the file"
        )
    if found is None and not table.collector.problems_at(table.path_of("api_key")):
        table.collector.problem(table.path_of("api_key"), WAYS_TO_GIVE_THE_KEY)
    return found


def _first_key(
    table: Table, key_file: str | None, *, env: Mapping[str, str], base_dir: Path
) -> tuple[Secret, KeySource] | None:
    if key_file is not None:
        try:
            path = resolve_path(key_file, base_dir)
        except ValueError as error:
            table.collector.problem(table.path_of("api_key_file"), str(error))
            return None
        return _from_file(table, "api_key_file", path, KeySource("file", str(path)))
    if env.get(API_KEY_ENV, "").strip():
        return _checked(table, "api_key", env[API_KEY_ENV], KeySource("env", API_KEY_ENV))
    credentials = env.get("CREDENTIALS_DIRECTORY", "")
    credential = Path(credentials) / CREDENTIAL_NAME if credentials else None
    if credential is not None and _present(credential):
        return _from_file(table, "api_key", credential, KeySource("credential", str(credential)))
    return None


def _present(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # there, but not ours to see: reading it will say why
        return True


def _plain_key(table: Table, plain: str, config_file: str) -> tuple[Secret, KeySource] | None:
    table.collector.warn(
        f"the API key is written in plain text in {config_file}; move it to api_key_file, "
        f"the environment variable {API_KEY_ENV} or a systemd credential"
    )
    return _checked(table, "api_key", plain, KeySource("plain", config_file))


def _from_file(
    table: Table, key: str, path: Path, source: KeySource
) -> tuple[Secret, KeySource] | None:
    where = table.path_of(key)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_KEY_FILE_BYTES + 1)
        mode = path.stat().st_mode
    except FileNotFoundError:
        table.collector.problem(where, f"the key file {str(path)!r} does not exist")
        return None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        table.collector.problem(where, f"cannot read the key file {str(path)!r}: {reason}")
        return None
    if len(content) > MAX_KEY_FILE_BYTES:
        table.collector.problem(where, f"{str(path)!r} is too large to hold an API key")
        return None
    if source.kind == "file" and mode & (stat.S_IRGRP | stat.S_IROTH):
        table.collector.warn(
            f"the key file {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        table.collector.problem(where, f"{str(path)!r} is not UTF-8 text")
        return None
    return _checked(table, key, text, source)


def _checked(
    table: Table, key: str, value: str, source: KeySource
) -> tuple[Secret, KeySource] | None:
    """Refuse keys that would break (or smuggle into) the HTTP header; never show the value."""
    text = value.strip()
    problem = None
    if not text:
        problem = f"the API key from {source.describe()} is empty"
    elif any(char.isspace() or not char.isprintable() for char in text):
        problem = (
            f"the API key from {source.describe()} contains spaces or control characters; "
            "an API key is a single word"
        )
    if problem is not None:
        table.collector.problem(table.path_of(key), problem)
        return None
    return Secret(text), source
