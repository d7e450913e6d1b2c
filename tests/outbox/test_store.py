"""The outbox's store: the 0002 migration, once-only queueing, what is due, the cursor."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from dolisync.store import Store
from dolisync.store.migrations import MIGRATIONS
from dolisync.store.outbox import FiringRecord, NewItem
from tests.store.builders import SOURCE, ticket


def item(key: str, *, index: int = 0, firing: str = "dsf-1", dry_run: bool = False) -> NewItem:
    return NewItem(
        key=key,
        source=SOURCE,
        ticket_id=1,
        rule_name="r",
        firing_key=firing,
        action_index=index,
        kind="set_status",
        params={"status": "in_progress"},
        evaluated_seq=1,
        ticket_version=None,
        dry_run=dry_run,
    )


def test_an_older_store_gains_the_outbox_and_its_changes_read_as_synced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with Store.open(url, migrations=MIGRATIONS[:1]):
        pass
    engine = create_engine(url)
    with engine.begin() as conn:  # a change logged by a dolisync without write-back
        conn.execute(
            text(
                "INSERT INTO change_log (source, entity, object_id, kind, changes, at)"
                " VALUES ('default', 'tickets', 7, 'created', '{}', 1.0)"
            )
        )
    engine.dispose()

    with Store.open(url) as store:
        (change,) = store.changes_since(0)
        assert (change.object_id, change.origin) == (7, "sync")
        assert store.outbox.counts() == {}
        assert store.outbox.cursor("default", "live") is None
        store.apply_page(
            SOURCE, "tickets", [ticket(1)], position=None, synced_at=2.0, origin="dolisync"
        )
        assert store.changes_since(change.seq)[0].origin == "dolisync"


def test_an_action_is_queued_once_and_the_cursor_moves_with_it(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        firing = FiringRecord(
            key="dsf-1", source=SOURCE, ticket_id=1, rule_name="r", ruleset_hash="h",
            trigger="ticket.created", trigger_version=None, actions=[], at=1.0,
        )  # fmt: skip
        first = store.outbox.record_evaluation(
            SOURCE, "live", firings=[firing], items=[item("k1"), item("k1")], cursor=5, at=1.0
        )
        second = store.outbox.record_evaluation(
            SOURCE,
            "live",
            firings=[firing],
            items=[item("k1"), item("k2", index=1)],
            cursor=9,
            at=2.0,
        )

        assert (first, second) == (["k1"], ["k2"])
        assert store.outbox.cursor(SOURCE, "live") == 9
        assert store.outbox.cursor(SOURCE, "dry") is None
        assert store.outbox.fired_keys(["dsf-1", "dsf-2"]) == {"dsf-1"}
        assert [i.key for i in store.outbox.of_firing("dsf-1")] == ["k1", "k2"]


def test_due_items_are_pending_interrupted_or_ready_to_retry_oldest_first(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        outbox = store.outbox
        keys = ["pending", "sent", "failed-ready", "failed-later", "verified", "planned"]
        outbox.record_evaluation(
            SOURCE, "live",
            items=[item(key, dry_run=key == "planned") for key in keys],
            firings=[], cursor=None, at=1.0,
        )  # fmt: skip
        ids = {i.key: i.id for i in outbox.items(limit=10)}
        assert outbox.mark_sent(
            ids["sent"], at=10.0, request={"method": "PUT"}, seen_state="pending", seen_attempts=0
        )
        outbox.update(ids["failed-ready"], at=10.0, state="failed", next_try_at=50.0)
        outbox.update(ids["failed-later"], at=10.0, state="failed", next_try_at=500.0)
        outbox.update(ids["verified"], at=10.0, state="verified")

        due = outbox.due(SOURCE, now=100.0)

        assert [i.key for i in due] == ["pending", "sent", "failed-ready"]
        sent = outbox.get(ids["sent"])
        assert sent is not None
        assert (sent.attempts, sent.sent_at, sent.request) == (1, 10.0, {"method": "PUT"})
        assert outbox.counts() == {
            "pending": 1,
            "sent": 1,
            "failed": 2,
            "verified": 1,
            "planned": 1,
        }


def test_an_item_moved_by_someone_else_is_neither_sent_nor_overwritten(tmp_path: Path) -> None:
    """`actions skip` racing the service: whoever moves the item first wins, once."""
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        outbox = store.outbox
        outbox.record_evaluation(SOURCE, "live", items=[item("a")], firings=[], cursor=None, at=1.0)
        (seen,) = outbox.items(limit=10)
        # a user skips it after the dispatcher read it as pending...
        assert outbox.update(seen.id, at=2.0, only_from=("pending",), state="skipped")
        # ...so the dispatcher's mark, based on what it read, must fail: nothing is sent
        assert not outbox.mark_sent(
            seen.id, at=3.0, request=None, seen_state=seen.state, seen_attempts=seen.attempts
        )
        assert not outbox.update(seen.id, at=4.0, only_from=("pending",), state="pending")
        final = outbox.get(seen.id)
        assert final is not None
        assert (final.state, final.attempts) == ("skipped", 0)
