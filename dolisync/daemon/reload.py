"""What a reload (SIGHUP) may change: everything but what the daemon took at start.

What this module knows: which settings a reload cannot change without a restart (they are
tied to resources taken at start: the store and its lock, the source name the store's rows
carry, the listening socket). The new file itself is validated by ``load_config``, rules
included; a refused reload keeps the running config untouched.
"""

from __future__ import annotations

from dolisync.config import Config
from dolisync.errors import ConfigError, Problem

RESTART_HINT = "restart the service to apply it (systemctl restart dolisync)"


def reload_refusal(old: Config, new: Config) -> ConfigError | None:
    """Why ``new`` cannot replace ``old`` in a running daemon, or None when it can."""
    problems: list[Problem] = []
    if new.store.url != old.store.url:
        problems.append(Problem(path="store.url", message=f"changed; {RESTART_HINT}"))
    if new.dolibarr.name != old.dolibarr.name:
        problems.append(Problem(path="dolibarr.name", message=f"changed; {RESTART_HINT}"))
    if problems:
        return ConfigError(problems, hint="the running configuration is kept", file=str(new.path))
    return None


def restart_only_changes(old: Config, new: Config) -> list[str]:
    """Settings that changed but take effect only at the next start (logged as warnings)."""
    return ["metrics"] if new.metrics != old.metrics else []
