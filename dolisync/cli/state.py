"""What the global options decided, shared by every command through Typer's context.

What this module knows: the ``--config``, ``--debug`` and ``--log-format`` choices, loading
the config once, and that logging follows the config unless an option overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from dolisync.logging import configure_logging

if TYPE_CHECKING:
    from dolisync.config import Config
    from dolisync.service import Service


@dataclass(slots=True)
class CliState:
    config_path: Path | None = None
    debug: bool = False
    log_format: str | None = None  # None: the config's [logging] format
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """The validated config (raises ConfigError listing every problem)."""
        if self._config is None:
            from dolisync.config import load_config
            from dolisync.logging import register_secret

            self._config = load_config(self.config_path)
            for secret in self._config.secret_values():  # before anything can log or fail
                register_secret(secret)
            self.setup_logging()
        return self._config

    def setup_logging(self, *, quiet_info: bool = False) -> None:
        """Logging as configured; ``--debug`` wins. ``quiet_info``: a progress bar shows what
        info lines would say, so only warnings and errors are logged (not with --debug)."""
        level = self._config.logging.level if self._config is not None else "info"
        fmt = self.log_format or (self._config.logging.format if self._config else "auto")
        if self.debug:
            level = "debug"
        elif quiet_info and level in ("debug", "info"):
            level = "warning"
        configure_logging(level, fmt)

    def service(self, *, max_attempts: int | None = None) -> Service:
        from dolisync.service import Service

        return Service(self.config(), max_attempts=max_attempts)


def get_state(ctx: typer.Context | Any) -> CliState:
    """The state the top-level callback stored (a default one when a test calls a command
    without going through the group)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    state: CliState = root.obj
    return state
