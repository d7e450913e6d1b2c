"""dolisync as a service: ``dolisync run`` and what it needs from its environment.

``Daemon(config).run()`` serves until SIGTERM (see ``daemon.py``); ``acquire_store_lock``
keeps a second copy off the same store (``lock.py``); ``Notifier`` speaks systemd's notify
protocol (``notify.py``); metrics and ``/healthz`` live in ``monitor.py`` (wiring),
``metrics.py``, ``health.py`` and ``endpoint.py``; signals in ``signals.py``, timers in
``schedule.py``, failure handling in ``policy.py``. The admin guide is docs/admin.md.
"""

from __future__ import annotations

from dolisync.daemon.lock import StoreLock, acquire_store_lock
from dolisync.daemon.notify import Notifier

__all__ = ["Notifier", "StoreLock", "acquire_store_lock"]
