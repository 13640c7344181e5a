"""Dated bucket history (Fineract style) and roll rates.

The history is computed per segment, not per day: between two days on which an instalment is paid off, the
oldest open instalment is fixed, so DPD only grows (or stands still while paused). The bucket can then change
only on the day DPD reaches one of the scheme's breakpoints, found directly from the pause calendar.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from arrears.delinquency.buckets import BucketScheme
from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.delinquency.ledger import LedgerRun, replay
from arrears.delinquency.status import dpd_on
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment

_ONE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BucketSpell:
    """The loan sat in `bucket` from `start` (inclusive) to `end` (exclusive); `end is None`: still there on the
    last day of the history."""

    bucket: str
    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class BucketHistory:
    loan_id: str
    first: date
    last: date
    scheme_version: str
    spells: tuple[BucketSpell, ...]

    def bucket_on(self, day: date) -> str | None:
        """The bucket at the end of `day`; None outside `[first, last]`."""
        if not self.first <= day <= self.last:
            return None
        for s in self.spells:
            if s.start <= day and (s.end is None or day < s.end):
                return s.bucket
        return None  # unreachable: spells cover [first, last]


def history_from_run(run: LedgerRun, *, first: date, last: date, scheme: BucketScheme) -> BucketHistory:
    if last > run.through or first > last:
        raise ValueError(
            f"loan {run.loan.id}: bad history range {first}..{last} (ledger through {run.through})"
        )
    # Days on which the oldest open instalment can change: the days instalments were paid off.
    cuts = sorted(
        {p.paid_off_on for p in run.positions if p.paid_off_on is not None and first < p.paid_off_on <= last}
    )
    starts = [first, *cuts]
    changes: list[tuple[date, str]] = []  # (day, bucket from that day), possibly repeating a bucket
    for i, seg_start in enumerate(starts):
        seg_end = starts[i + 1] - _ONE if i + 1 < len(starts) else last
        changes.append((seg_start, scheme.classify(dpd_on(run, seg_start).days)))
        oldest = run.oldest_open(seg_start)
        if oldest is None:
            continue
        counting_from = oldest.instalment.due_date + _ONE
        for k in scheme.breakpoints:
            day = run.pauses.day_reaching(counting_from, k)
            if day is None:
                break
            if day > seg_end:
                break
            if day > seg_start:
                changes.append((day, scheme.classify(k)))
    spells: list[BucketSpell] = []
    for day, bucket in changes:
        if spells and spells[-1].bucket == bucket:
            continue
        if spells:
            spells[-1] = BucketSpell(spells[-1].bucket, spells[-1].start, day)
        spells.append(BucketSpell(bucket, day, None))
    return BucketHistory(run.loan.id, first, last, scheme.version, tuple(spells))


def bucket_history(
    loan: Loan,
    instalments: Iterable[Instalment],
    payments: Iterable[Payment],
    holds: Iterable[Hold] = (),
    *,
    first: date,
    last: date,
    scheme: BucketScheme,
    config: EngineConfig = DEFAULT_CONFIG,
) -> BucketHistory:
    """The loan's bucket spells over `[first, last]`, each bucket taken at the end of the day."""
    run = replay(loan, instalments, payments, holds, through=last, config=config)
    return history_from_run(run, first=first, last=last, scheme=scheme)


@dataclass(frozen=True, slots=True)
class RollRateMatrix:
    """How many loans in bucket `row` at `start` were in bucket `col` at `end`."""

    start: date
    end: date
    buckets: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def count(self, frm: str, to: str) -> int:
        return self.counts[self.buckets.index(frm)][self.buckets.index(to)]

    def row_total(self, frm: str) -> int:
        return sum(self.counts[self.buckets.index(frm)])

    def share(self, frm: str, to: str) -> Fraction | None:
        """Exact share of loans in `frm` at `start` that are in `to` at `end`; None when `frm` was empty."""
        total = self.row_total(frm)
        return None if total == 0 else Fraction(self.count(frm, to), total)


def roll_rates(
    histories: Iterable[BucketHistory], *, start: date, end: date, buckets: Sequence[str]
) -> RollRateMatrix:
    """The transition matrix between two dates. Loans whose history covers only one of the dates are left out."""
    names = tuple(buckets)
    index = {b: i for i, b in enumerate(names)}
    grid = [[0] * len(names) for _ in names]
    for h in histories:
        a, b = h.bucket_on(start), h.bucket_on(end)
        if a is None or b is None:
            continue
        if a not in index or b not in index:
            raise ValueError(f"loan {h.loan_id}: bucket {a if a not in index else b!r} is not in {names}")
        grid[index[a]][index[b]] += 1
    return RollRateMatrix(start, end, names, tuple(tuple(r) for r in grid))


def monthly_roll_rates(
    histories: Sequence[BucketHistory], *, month_ends: Sequence[date], buckets: Sequence[str]
) -> tuple[RollRateMatrix, ...]:
    """Month-over-month matrices between consecutive snapshot dates (e.g. month ends)."""
    days = sorted(month_ends)
    return tuple(roll_rates(histories, start=a, end=b, buckets=buckets) for a, b in itertools.pairwise(days))
