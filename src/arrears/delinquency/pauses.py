"""Holds pause the delinquency clock. A `PauseCalendar` is the merged set of paused days for one loan.

A day is paused when any hold for that loan, or a borrower-wide hold (`loan_id is None`) of the loan's borrower,
is active on it (`Hold.active_on`: `start` inclusive, `end` exclusive, `None` open-ended). Holds are immutable
records: a pause is a hold with a start, a resume is its end; nothing is edited in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.domain.hold import Hold
from arrears.domain.loan import Loan

_ONE = timedelta(days=1)


def holds_for_loan(loan: Loan, holds: Iterable[Hold]) -> tuple[Hold, ...]:
    """The holds that pause this loan: its own, and the borrower-wide ones of its borrower."""
    return tuple(
        h for h in holds if h.borrower_id == loan.borrower_id and (h.loan_id is None or h.loan_id == loan.id)
    )


@dataclass(frozen=True, slots=True)
class PauseCalendar:
    """Sorted, disjoint, non-adjacent half-open day ranges `[start, end)`; `end is None` means open-ended."""

    intervals: tuple[tuple[date, date | None], ...] = ()

    @classmethod
    def from_holds(cls, holds: Iterable[Hold]) -> PauseCalendar:
        spans = sorted((h.start, h.end or date.max) for h in holds if h.end is None or h.end > h.start)
        merged: list[tuple[date, date]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return cls(tuple((s, None if e == date.max else e) for s, e in merged))

    @classmethod
    def for_loan(cls, loan: Loan, holds: Iterable[Hold]) -> PauseCalendar:
        return cls.from_holds(holds_for_loan(loan, holds))

    def is_paused(self, day: date) -> bool:
        return any(s <= day and (e is None or day < e) for s, e in self.intervals)

    def paused_between(self, first: date, last: date) -> int:
        """Paused days in `[first, last]` (both inclusive); 0 when `last < first`."""
        if last < first:
            return 0
        total = 0
        for s, e in self.intervals:
            lo = max(s, first)
            hi = last if e is None else min(e - _ONE, last)
            if hi >= lo:
                total += (hi - lo).days + 1
        return total

    def counted_between(self, first: date, last: date) -> int:
        """Days in `[first, last]` that are NOT paused: the days the clock runs."""
        if last < first:
            return 0
        return (last - first).days + 1 - self.paused_between(first, last)

    def day_reaching(self, first: date, count: int) -> date | None:
        """The earliest day `d` with `counted_between(first, d) == count` (count >= 1), or None if an open-ended
        hold stops the clock for good before that."""
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        remaining = count
        cursor = first
        for s, e in self.intervals:
            if e is not None and e <= cursor:
                continue
            if s > cursor:
                gap = (s - cursor).days
                if gap >= remaining:
                    return cursor + timedelta(days=remaining - 1)
                remaining -= gap
            if e is None:
                return None
            cursor = e
        return cursor + timedelta(days=remaining - 1)
