"""The CLI's one error handler: every failure becomes a short message and a documented exit code.

What this module knows: how each kind of failure is shown and which exit code it means
(``dolisync.errors.EXIT_CODES``). Every command runs inside ``GuardedGroup.invoke``:

* a ``DolisyncError`` (expected failures: config, network, key, store...) prints
  ``error: <message>`` and ``hint: <hint>`` on stderr, a config error one line per problem,
  and exits with the error class's code;
* Ctrl-C exits 130;
* anything else is a bug: one line ``internal error (a bug): ...`` and exit 70. The traceback
  is printed only with ``--debug`` (redacted, never with local variables: they hold the key).

Typer's own exits and usage errors (exit 2) pass through untouched.
"""

from __future__ import annotations

import errno
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

from dolisync.errors import EXIT_BUG, EXIT_INTERRUPTED, ConfigError, DolisyncError
from dolisync.logging import redact_text


def error_lines(error: DolisyncError, *, prefix: str = "") -> list[str]:
    """How an expected error is shown: ``error: …`` lines, then ``hint: …`` when there is one."""
    lines = [f"error: {prefix}{redact_text(error.message)}"]
    if isinstance(error, ConfigError) and len(error.problems) > 1:
        lines.extend(f"error:   {redact_text(str(problem))}" for problem in error.problems)
    if error.hint:
        lines.append(f"hint: {redact_text(error.hint)}")
    return lines


def echo_error(error: DolisyncError, *, prefix: str = "") -> None:
    for line in error_lines(error, prefix=prefix):
        typer.echo(line, err=True)


def bug_line(error: BaseException) -> str:
    return (
        f"internal error (a bug): {type(error).__name__}: {redact_text(str(error))}; "
        "rerun with --debug for the traceback"
    )


@contextmanager
def handled_errors(*, debug: bool) -> Iterator[None]:
    """Turn whatever escapes a command into a message and an exit code (see module doc)."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise  # Typer's own exits, --help, usage errors: already handled by Typer
    except DolisyncError as error:
        echo_error(error)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise  # `dolisync status | head`: Typer exits quietly on EPIPE
    except Exception as error:
        if isinstance(error, OSError) and error.errno == errno.EPIPE:
            raise
        if debug:
            text = "".join(traceback.format_exception(error))
            typer.echo(redact_text(text), err=True, nl=False)
        typer.echo(bug_line(error), err=True)
        raise typer.Exit(EXIT_BUG) from None


class GuardedGroup(TyperGroup):
    """The top-level command group: runs every (sub)command under ``handled_errors``."""

    def invoke(self, ctx: Any) -> Any:
        with handled_errors(debug=_debug_requested(ctx)):
            return super().invoke(ctx)


def _debug_requested(ctx: Any) -> bool:
    """``--debug`` as parsed for the group (read before the callback stores its state)."""
    params = getattr(ctx, "params", None) or {}
    return bool(params.get("debug", False))
