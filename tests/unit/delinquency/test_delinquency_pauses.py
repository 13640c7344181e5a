"""The pause calendar: which days a hold stops the clock, and the day a count of running days is reached."""

from __future__ import annotations

from datetime import date

from arrears.delinquency import PauseCalendar
from arrears.domain import Hold, HoldKind, LenderType, Loan


def _hold(hid: str, start: date, end: date | None, loan_id: str | None = None) -> Hold:
    return Hold(hid, "B1", HoldKind.COMPLAINT, start, end, "complaint", loan_id=loan_id)


def test_overlapping_and_touching_holds_merge_into_one_pause() -> None:
    cal = PauseCalendar.from_holds(
        [_hold("a", date(2026, 1, 5), date(2026, 1, 10)), _hold("b", date(2026, 1, 10), date(2026, 1, 12)),
         _hold("c", date(2026, 1, 7), date(2026, 1, 9)), _hold("d", date(2026, 2, 1), None)]
    )  # fmt: skip
    assert cal.intervals == ((date(2026, 1, 5), date(2026, 1, 12)), (date(2026, 2, 1), None))
    # Jan 1..31: paused 01-05..01-11 = 7 days; running 31 - 7 = 24
    assert (cal.paused_between(date(2026, 1, 1), date(2026, 1, 31)), cal.counted_between(date(2026, 1, 1), date(2026, 1, 31))) == (7, 24)
    # the open-ended hold pauses every day from 02-01 on
    assert cal.counted_between(date(2026, 2, 1), date(2026, 12, 31)) == 0


def test_day_reaching_skips_paused_days() -> None:
    cal = PauseCalendar.from_holds([_hold("a", date(2026, 1, 5), date(2026, 1, 10))])
    # counting from 01-01: 01-01..01-04 are days 1-4; 01-05..01-09 paused; 01-10 is day 5, 01-15 is day 10
    assert cal.day_reaching(date(2026, 1, 1), 4) == date(2026, 1, 4)
    assert cal.day_reaching(date(2026, 1, 1), 5) == date(2026, 1, 10)
    assert cal.day_reaching(date(2026, 1, 1), 10) == date(2026, 1, 15)
    # starting inside the pause: the first running day is 01-10
    assert cal.day_reaching(date(2026, 1, 7), 1) == date(2026, 1, 10)


def test_an_open_ended_hold_means_the_count_is_never_reached() -> None:
    cal = PauseCalendar.from_holds([_hold("a", date(2026, 1, 5), None)])
    assert cal.day_reaching(date(2026, 1, 1), 4) == date(2026, 1, 4)
    assert cal.day_reaching(date(2026, 1, 1), 5) is None


def test_only_the_loans_own_and_borrower_wide_holds_apply() -> None:
    loan = Loan("L1", "B1", "X", LenderType.LICENSED, "bank", "p", "CNY", 100, 1000, date(2026, 1, 1))
    cal = PauseCalendar.for_loan(
        loan,
        [_hold("own", date(2026, 1, 1), date(2026, 1, 2), loan_id="L1"),
         _hold("wide", date(2026, 1, 3), date(2026, 1, 4)),
         _hold("other", date(2026, 1, 5), date(2026, 1, 6), loan_id="L2")],
    )  # fmt: skip
    assert [cal.is_paused(date(2026, 1, d)) for d in range(1, 7)] == [True, False, True, False, False, False]
