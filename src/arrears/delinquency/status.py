"""Days past due and the per-loan summary as of a date.

DPD as of day `D` (after the payments of `D`): take the oldest instalment whose scheduled principal + interest +
fee is not fully paid by the end of `D`. If its `due_date < D`, DPD is the number of days in
`[due_date + 1, D]` on which no hold is active; otherwise DPD is 0. An instalment due today is DPD 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.delinquency.buckets import BucketScheme
from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.delinquency.ledger import LedgerRun, replay
from arrears.delinquency.lpr import LprTable
from arrears.delinquency.ratecheck import RateCheck, check_rate
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment

_ONE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Dpd:
    days: int  # counted days past due (paused days excluded)
    counted_from: date | None  # the due date of the oldest open instalment, when it is past due
    paused_days: int  # days in [counted_from + 1, as_of] on which a hold was active


def dpd_on(run: LedgerRun, day: date) -> Dpd:
    """DPD at the end of `day`, for any `day <= run.through`."""
    if day > run.through:
        raise ValueError(f"loan {run.loan.id}: ledger replayed through {run.through}, asked about {day}")
    oldest = run.oldest_open(day)
    if oldest is None or oldest.instalment.due_date >= day:
        return Dpd(0, None, 0)
    due = oldest.instalment.due_date
    paused = run.pauses.paused_between(due + _ONE, day)
    return Dpd((day - due).days - paused, due, paused)


@dataclass(frozen=True, slots=True)
class DelinquencyStatus:
    loan_id: str
    as_of: date
    dpd: int
    bucket: str
    counted_from: date | None  # due date DPD counts from (None when nothing is past due)
    overdue_principal_minor: int  # unpaid principal of instalments due before as_of
    overdue_interest_minor: int
    overdue_fee_minor: int
    penalty_minor: int  # penalty accrued and unpaid, all instalments
    paused_days: int
    rate_check: RateCheck
    unapplied_minor: int  # payments beyond everything owed (a credit)
    bucket_scheme_version: str

    @property
    def overdue_total_minor(self) -> int:
        return (
            self.overdue_principal_minor
            + self.overdue_interest_minor
            + self.overdue_fee_minor
            + self.penalty_minor
        )


def status_from_run(
    run: LedgerRun, *, scheme: BucketScheme, lpr: LprTable, config: EngineConfig = DEFAULT_CONFIG
) -> DelinquencyStatus:
    as_of = run.through
    d = dpd_on(run, as_of)
    overdue = [p for p in run.positions if p.instalment.due_date < as_of]
    return DelinquencyStatus(
        loan_id=run.loan.id,
        as_of=as_of,
        dpd=d.days,
        bucket=scheme.classify(d.days),
        counted_from=d.counted_from,
        overdue_principal_minor=sum(p.principal_due_minor for p in overdue),
        overdue_interest_minor=sum(p.interest_due_minor for p in overdue),
        overdue_fee_minor=sum(p.fee_due_minor for p in overdue),
        penalty_minor=sum(p.penalty_due_minor for p in run.positions),
        paused_days=d.paused_days,
        rate_check=check_rate(run, as_of=as_of, lpr=lpr, config=config),
        unapplied_minor=run.unapplied_minor,
        bucket_scheme_version=scheme.version,
    )


def assess(
    loan: Loan,
    instalments: Iterable[Instalment],
    payments: Iterable[Payment],
    holds: Iterable[Hold] = (),
    *,
    as_of: date,
    scheme: BucketScheme,
    lpr: LprTable,
    config: EngineConfig = DEFAULT_CONFIG,
) -> DelinquencyStatus:
    """The delinquency status of one loan at the end of `as_of`."""
    run = replay(loan, instalments, payments, holds, through=as_of, config=config)
    return status_from_run(run, scheme=scheme, lpr=lpr, config=config)
