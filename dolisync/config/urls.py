"""The two URLs in the config: Dolibarr's API root and the store's database URL.

Users paste Dolibarr addresses in many shapes (``https://erp.example.com/dolibarr``,
``.../api/index.php``, ``.../api/index.php/``); dolisync needs exactly one: the API root
ending in ``/api/index.php``. Store URLs are SQLAlchemy URLs; a relative SQLite path is
resolved against the config file's directory, because a daemon's working directory is
``/`` and would otherwise decide where the mirror lands.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import SplitResult, urlsplit, urlunsplit

from dolisync.config.checks import resolve_path

API_SUFFIX: Final = "/api/index.php"
DOLIBARR_SCHEMES: Final = ("http", "https")

SQLITE_PREFIX: Final = "sqlite:///"
POSTGRES_SCHEMES: Final = ("postgresql+psycopg", "postgresql")
STORE_PREFIXES: Final = (SQLITE_PREFIX, "postgresql+psycopg://", "postgresql://")
SQLITE_MEMORY: Final = "sqlite:///:memory:"
DEFAULT_DB_NAME: Final = "dolisync.db"


def normalise_dolibarr_url(value: str) -> str:
    """The API root for a Dolibarr address; ``ValueError`` saying what is wrong otherwise.

    ``https://ERP.example.com/dolibarr/`` -> ``https://erp.example.com/dolibarr/api/index.php``.
    Idempotent: normalising a normalised URL changes nothing.
    """
    stripped = value.strip()
    if any(char.isspace() or not char.isprintable() for char in stripped):
        raise ValueError("must not contain spaces or control characters")
    parts = _split(stripped)
    scheme = parts.scheme.lower()
    if scheme not in DOLIBARR_SCHEMES:
        raise ValueError(
            "must start with http:// or https://, e.g. https://erp.example.com/dolibarr"
        )
    if not parts.hostname:
        raise ValueError("has no host name, e.g. https://erp.example.com/dolibarr")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not contain a user name or password; dolisync authenticates with the API key"
        )
    if parts.query or parts.fragment or value.rstrip().endswith(("?", "#")):
        raise ValueError("must not contain a query string (?...) or a fragment (#...)")
    _check_port(parts)
    return urlunsplit((scheme, parts.netloc.lower(), _api_path(parts.path), "", ""))


def _api_path(path: str) -> str:
    path = path.rstrip("/")
    if API_SUFFIX + "/" in path + "/" and not path.endswith(API_SUFFIX):
        raise ValueError(
            "looks like the address of one API call; give the Dolibarr address or its "
            f"API root ending in {API_SUFFIX}"
        )
    if path.endswith(API_SUFFIX):
        return path
    if path.endswith("/api"):
        return path + "/index.php"
    return path + API_SUFFIX


def check_store_url(value: str, *, base_dir: Path) -> str:
    """A store URL dolisync can open: SQLite (relative path made absolute) or PostgreSQL.

    ``postgresql://`` becomes ``postgresql+psycopg://``: SQLAlchemy would otherwise pick the
    psycopg2 driver, which dolisync does not use.
    """
    url = value.strip()
    if url == SQLITE_MEMORY:
        return url
    if url.startswith(SQLITE_PREFIX):
        return _sqlite_url(url[len(SQLITE_PREFIX) :], base_dir)
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower() in POSTGRES_SCHEMES:
        return _postgres_url(rest)
    shown = mask_url_password(url)
    raise ValueError(
        f"unsupported database URL {shown!r}: must start with one of: {', '.join(STORE_PREFIXES)}"
    )


def _sqlite_url(path_text: str, base_dir: Path) -> str:
    path_text, _, query = path_text.partition("?")
    if not path_text:
        raise ValueError(f"names no database file, e.g. {SQLITE_PREFIX}/var/lib/dolisync/mirror.db")
    path = resolve_path(path_text, base_dir)
    return SQLITE_PREFIX + str(path.resolve()) + (f"?{query}" if query else "")


def _postgres_url(rest: str) -> str:
    parts = _split(f"postgresql+psycopg://{rest}")
    if not parts.hostname and "host=" not in parts.query:
        raise ValueError("names no database server, e.g. postgresql+psycopg://user@host/dolisync")
    _check_port(parts)
    return parts.geturl()


def default_store_url(env: Mapping[str, str], home: Path) -> tuple[str, str]:
    """The SQLite URL used when ``[store] url`` is not set, and which setting chose its folder.

    systemd's ``StateDirectory=`` wins (it may list several folders: the first is ours),
    then ``$XDG_STATE_HOME/dolisync``, then ``~/.local/state/dolisync``.
    """
    state_directory = env.get("STATE_DIRECTORY", "").split(":")[0]
    if state_directory:
        folder, origin = Path(state_directory), "STATE_DIRECTORY"
    elif env.get("XDG_STATE_HOME"):
        folder, origin = Path(env["XDG_STATE_HOME"]) / "dolisync", "XDG_STATE_HOME"
    else:
        folder, origin = home / ".local" / "state" / "dolisync", "HOME"
    return SQLITE_PREFIX + str(folder / DEFAULT_DB_NAME), origin


def mask_url_password(url: str) -> str:
    """``postgresql+psycopg://bob:s3cret@db/x`` -> ``postgresql+psycopg://bob:***@db/x``."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    authority, slash, tail = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{slash}{tail}"


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as error:  # e.g. an unbalanced "[" in an IPv6 host
        raise ValueError(f"is not a valid URL ({error})") from None


def _check_port(parts: SplitResult) -> None:
    try:
        parts.port  # noqa: B018 -- reading it is what validates it
    except ValueError:
        raise ValueError("has an invalid port number") from None
