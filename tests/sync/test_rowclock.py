"""The run's "now" in the rows' frame, for any pair of PHP and database zones: never after
the truth (or a change made in the run's own second could be lost), and exact as soon as one
listed row changed in the last minutes (or every poll would re-read recent rows)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from dolisync.clock import FrozenClock
from dolisync.sync.rowclock import RowClock

QUARTER = 900
zone_offsets = st.integers(-12 * 4, 14 * 4).map(lambda quarters: quarters * QUARTER)


@dataclass(frozen=True)
class Run:
    """``/status`` sent at ``sent`` (true time), PHP reads its clock ``latency`` later; the
    page of rows committed ``ages`` seconds before that arrives ``listed_after`` seconds
    after sending."""

    sent: float
    latency: float
    listed_after: float
    ages: list[float]

    def rows_clock(self, shift: int) -> tuple[RowClock, int]:
        """The run's ``RowClock`` once the page was observed, and the true "now" of the run's
        start in the rows' frame."""
        clock = FrozenClock(self.sent)
        asked_at = clock.monotonic()
        php_reads_at = self.sent + self.latency
        server_now = math.floor(php_reads_at)
        clock.advance(self.listed_after)
        committed = [php_reads_at - age for age in self.ages]
        epochs = [math.floor(at) + shift for at in committed if at <= clock.now()]
        row_clock = RowClock(server_now, clock=clock, asked_at=asked_at)
        row_clock.observe(epochs)
        return row_clock, server_now + shift


runs = st.builds(
    Run,
    sent=st.floats(1.7e9, 1.9e9),
    latency=st.floats(0, 0.5),
    listed_after=st.floats(0.5, 60),
    ages=st.lists(st.floats(-60, 3 * 86_400), min_size=1, max_size=20),
)


@given(php=zone_offsets, db=zone_offsets, run=runs)
def test_the_run_start_is_never_placed_after_the_truth(php: int, db: int, run: Run) -> None:
    row_clock, truth = run.rows_clock(shift=db - php)

    rows_now = row_clock.now()

    assert rows_now is not None
    assert rows_now <= truth


@given(php=zone_offsets, db=zone_offsets, fresh=st.floats(0, 600), run=runs)
def test_one_row_changed_in_the_last_ten_minutes_gives_the_exact_shift(
    php: int, db: int, fresh: float, run: Run
) -> None:
    with_fresh_row = replace(run, ages=[fresh, *run.ages])

    row_clock, truth = with_fresh_row.rows_clock(shift=db - php)

    assert (row_clock.shift, row_clock.now()) == (db - php, truth)


def test_a_database_clock_a_little_ahead_of_php_keeps_it_safe() -> None:
    clock = FrozenClock(1_796_405_255.2)
    row_clock = RowClock(1_796_405_255, clock=clock, asked_at=clock.monotonic())
    clock.advance(0.1)
    # PHP in New York over a UTC database whose clock runs 3 s ahead: a row changed as we
    # listed it carries the true time + 5 h + 3 s
    row_clock.observe([1_796_405_255 + 5 * 3600 + 3])

    assert row_clock.shift == 5 * 3600


def test_without_the_server_time_nothing_is_capped() -> None:
    """Production servers do not tell their time in ``/status``."""
    clock = FrozenClock()
    row_clock = RowClock(None, clock=clock, asked_at=clock.monotonic())
    row_clock.observe([1_796_405_255])

    assert (row_clock.shift, row_clock.now()) == (None, None)


def test_a_row_stamped_days_ahead_is_not_taken_for_a_zone() -> None:
    """A bad ``tms`` (imported data, a clock once wrong) must not switch the protection off."""
    clock = FrozenClock(1_796_405_255.0)
    row_clock = RowClock(1_796_405_255, clock=clock, asked_at=clock.monotonic())
    row_clock.observe([1_796_405_255 + 3 * 86_400, 1_796_405_255 - 60 - 3600])

    assert row_clock.shift == -3600
