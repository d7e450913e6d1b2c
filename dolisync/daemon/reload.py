"""Loading a config for the daemon, at start and on SIGHUP: all of it checked, or refused.

What this module knows: that a config the daemon runs must pass the loader AND the rules
parser (whatever the loader checks of ``[[rules]]`` today), and which settings a reload
cannot change without a restart (they are tied to resources taken at start: the store and
its lock, the listening socket). A refused reload keeps the running config untouched.
"""

from __future__ import annotations

from pathlib import Path

from dolisync.config import Config, load_config
from dolisync.errors import ConfigError, Problem
from dolisync.rules import parse_rules

RESTART_HINT = "restart the service to apply it (systemctl restart dolisync)"


def load_checked(path: Path | None) -> Config:
    """``load_config`` plus the rules' own validation; one ConfigError listing every problem."""
    config = load_config(path)
    check_rules(config)
    return config


def check_rules(config: Config) -> None:
    _specs, problems = parse_rules(list(config.rules_raw), file=str(config.path))
    if problems:
        raise ConfigError(problems, hint="see the rules guide for the rule syntax")


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
