"""One dolisync per store on PostgreSQL too: the instance lock is a session advisory lock."""

from __future__ import annotations

import pytest

from dolisync.daemon.lock import acquire_store_lock
from dolisync.errors import StoreLocked


def test_a_second_holder_of_a_postgresql_store_is_refused_until_the_first_releases(
    postgres_url: str,
) -> None:
    first = acquire_store_lock(postgres_url, command="run")
    with pytest.raises(StoreLocked) as refused:
        acquire_store_lock(postgres_url, command="sync")
    assert "in use by another dolisync" in refused.value.message
    assert "password" not in refused.value.message.lower()
    first.release()

    second = acquire_store_lock(postgres_url, command="sync")  # free again
    second.release()
