"""Asking Dolibarr for the next page while the page in hand is written.

What this module knows: a listing walk alternates between waiting (Dolibarr computes and
sends the next page) and working (parse, compare, write and commit the page in hand). The
two need different machines, or at least different cores, so ``prefetched`` overlaps them:
a worker thread pulls the page iterator exactly ONE page ahead of the caller, never more
(memory stays two pages, whatever the listing's size).

Nothing about commits changes: pages are still committed one by one, in order, each with
its cursor, by the caller's thread. A failure of the worker (an HTTP error, a bad answer)
is raised where the caller asks for that page, after every earlier page was committed,
exactly as without the worker; a crash loses at most the page in flight, which the next
run reads again. Only walks that send no other request while they list may use this: the
worker owns the HTTP session until the walk ends.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


@contextmanager
def prefetched(source: Iterator[T]) -> Iterator[Iterator[T]]:
    """``source``'s items, each fetched while the caller works on the one before.

    On a normal exit or an error, the worker is waited for: it stops after the fetch it may
    have in flight (bounded by the transport's timeouts), ``source`` is closed, and the
    session is free again for whatever the caller does next. On an interrupt (Ctrl-C, the
    daemon's stop timeout) nobody waits: the process is leaving, and the worker is a daemon
    thread.
    """
    ahead = _OneAhead(source)
    try:
        yield ahead.items()
    except Exception:
        ahead.close(wait=True)
        raise
    except BaseException:
        ahead.close(wait=False)
        raise
    ahead.close(wait=True)


class _Done:
    """The end of the source: exhausted (``error`` None) or failed."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class _OneAhead(Generic[T]):
    def __init__(self, source: Iterator[T]) -> None:
        self._source = source
        self._results: queue.SimpleQueue[T | _Done] = queue.SimpleQueue()
        self._may_fetch = threading.Semaphore(1)  # released once per item handed over
        self._stopping = threading.Event()
        # the caller's context (structlog's bound variables) goes along into the worker
        context = contextvars.copy_context()
        self._worker = threading.Thread(
            target=context.run, args=(self._run,), name="dolisync-prefetch", daemon=True
        )
        self._worker.start()

    def _run(self) -> None:
        outcome = _Done(RuntimeError("the page fetcher stopped unexpectedly"))
        try:
            while True:
                self._may_fetch.acquire()
                if self._stopping.is_set():
                    return
                try:
                    item = next(self._source)
                except StopIteration:
                    outcome = _Done(None)
                    return
                except Exception as error:  # noqa: BLE001 (raised again in the caller's thread)
                    outcome = _Done(error)
                    return
                self._results.put(item)
        finally:
            self._results.put(outcome)  # the caller never waits for an item that cannot come
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def items(self) -> Iterator[T]:
        while True:
            item = self._results.get()
            if isinstance(item, _Done):
                if item.error is not None:
                    raise item.error
                return
            self._may_fetch.release()  # the next fetch runs while the caller works on this
            yield item

    def close(self, *, wait: bool) -> None:
        self._stopping.set()
        self._may_fetch.release()  # wake a worker waiting for its turn
        if wait:
            self._worker.join()
