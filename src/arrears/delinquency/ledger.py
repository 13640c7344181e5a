"""Replay a loan's ledger: allocate payments (the waterfall) and accrue penalty (罚息), day by event, not day by day.

Rules (also in README.md):
- A payment counts on the calendar day of `paid_at` in `EngineConfig.timezone`. Payments are applied in
  `(paid_at, id)` order, each to the oldest instalment (by `(due_date, seq)`) that still owes anything, and within
  it in `EngineConfig.waterfall` order (default penalty -> fee -> interest -> principal). A payment larger than
  everything owed leaves `unapplied_minor` (a credit).
- An instalment is past due on day `d` when `due_date < d`. Penalty accrues for each counted (not paused) day `d`
  past due on the principal of that instalment still unpaid at the START of `d` (after payments of day `d - 1`);
  then the payments of day `d` are applied. Paying on the due date costs no penalty; paying one day late costs
  one day. The exact penalty is `rate x principal-days`; the amount owed is that, ROUND_HALF_UP to 1 分.
- An instalment is "paid off" on the day its scheduled principal + interest + fee is fully paid. A penalty left
  unpaid (possible only with a waterfall that puts penalty after principal) does not keep it open for DPD.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby

from arrears.delinquency.config import DEFAULT_CONFIG, Component, EngineConfig, round_minor
from arrears.delinquency.pauses import PauseCalendar
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment

_ONE = timedelta(days=1)


class LedgerError(ValueError):
    """The ledger does not hang together (wrong loan id, duplicate instalment)."""


@dataclass(frozen=True, slots=True)
class InstalmentPosition:
    """One instalment after replaying the ledger through a day."""

    instalment: Instalment
    principal_paid_minor: int
    interest_paid_minor: int
    fee_paid_minor: int
    penalty_paid_minor: int
    penalty_accrued_minor: int  # ROUND_HALF_UP(rate x principal_days)
    principal_days: int  # sum over counted past-due days of the unpaid principal at the start of the day
    paid_off_on: date | None  # the day principal + interest + fee were fully paid

    @property
    def principal_due_minor(self) -> int:
        return self.instalment.principal_minor - self.principal_paid_minor

    @property
    def interest_due_minor(self) -> int:
        return self.instalment.interest_minor - self.interest_paid_minor

    @property
    def fee_due_minor(self) -> int:
        return self.instalment.fee_minor - self.fee_paid_minor

    @property
    def penalty_due_minor(self) -> int:
        return self.penalty_accrued_minor - self.penalty_paid_minor

    def is_open_on(self, day: date) -> bool:
        """Scheduled amounts not fully paid by the end of `day`."""
        return self.paid_off_on is None or self.paid_off_on > day


@dataclass(frozen=True, slots=True)
class LedgerRun:
    """The replayed ledger of one loan through `through` (inclusive)."""

    loan: Loan
    through: date
    positions: tuple[InstalmentPosition, ...]  # in (due_date, seq) order
    principal_steps: tuple[
        tuple[date, int], ...
    ]  # (day, principal outstanding at the end of that day), on change
    unapplied_minor: int
    pauses: PauseCalendar

    def oldest_open(self, day: date) -> InstalmentPosition | None:
        """The oldest instalment whose scheduled amounts are unpaid at the end of `day` (day <= through)."""
        for p in self.positions:
            if p.is_open_on(day):
                return p
        return None

    def principal_outstanding_at_end_of(self, day: date) -> int:
        balance = self.loan.principal_minor
        for d, b in self.principal_steps:
            if d > day:
                break
            balance = b
        return balance


class _Slot:
    """Mutable working state for one instalment during the replay (never leaves this module)."""

    __slots__ = ("inst", "paid", "paid_off_on", "principal_days")

    def __init__(self, inst: Instalment) -> None:
        self.inst = inst
        self.paid: dict[Component, int] = dict.fromkeys(Component, 0)
        self.principal_days = 0
        # An instalment that schedules nothing is settled from its due date on.
        self.paid_off_on: date | None = inst.due_date if inst.total_minor == 0 else None

    def scheduled(self, c: Component, rate: Decimal) -> int:
        if c is Component.PRINCIPAL:
            return self.inst.principal_minor
        if c is Component.INTEREST:
            return self.inst.interest_minor
        if c is Component.FEE:
            return self.inst.fee_minor
        return round_minor(rate * self.principal_days)

    def owed(self, c: Component, rate: Decimal) -> int:
        return self.scheduled(c, rate) - self.paid[c]

    def principal_unpaid(self) -> int:
        return self.inst.principal_minor - self.paid[Component.PRINCIPAL]

    def scheduled_settled(self) -> bool:
        return (
            self.paid[Component.PRINCIPAL] >= self.inst.principal_minor
            and self.paid[Component.INTEREST] >= self.inst.interest_minor
            and self.paid[Component.FEE] >= self.inst.fee_minor
        )


def sort_instalments(loan: Loan, instalments: Iterable[Instalment]) -> tuple[Instalment, ...]:
    out = sorted(instalments, key=lambda i: (i.due_date, i.seq))
    seen: set[int] = set()
    for i in out:
        if i.loan_id != loan.id:
            raise LedgerError(f"instalment seq {i.seq}: loan_id {i.loan_id!r} is not loan {loan.id!r}")
        if i.seq in seen:
            raise LedgerError(f"loan {loan.id}: instalment seq {i.seq} appears twice")
        if min(i.principal_minor, i.interest_minor, i.fee_minor) < 0:
            raise LedgerError(f"loan {loan.id}: instalment seq {i.seq} has a negative amount")
        seen.add(i.seq)
    return tuple(out)


def payment_days(
    loan: Loan, payments: Iterable[Payment], config: EngineConfig
) -> tuple[tuple[date, tuple[Payment, ...]], ...]:
    """Payments grouped by their day in `config.timezone`, days ascending, each day in (paid_at, id) order."""
    zone = config.zone
    for p in payments:
        if p.loan_id != loan.id:
            raise LedgerError(f"payment {p.id}: loan_id {p.loan_id!r} is not loan {loan.id!r}")
        if p.paid_at.tzinfo is None:
            raise LedgerError(f"payment {p.id}: paid_at must be timezone-aware")
    keyed = sorted(
        ((p.paid_at.astimezone(zone).date(), p) for p in payments), key=lambda dp: (dp[1].paid_at, dp[1].id)
    )
    keyed.sort(key=lambda dp: dp[0])  # stable: keeps (paid_at, id) order within a day
    return tuple((day, tuple(p for _, p in grp)) for day, grp in groupby(keyed, key=lambda dp: dp[0]))


def replay(
    loan: Loan,
    instalments: Iterable[Instalment],
    payments: Iterable[Payment],
    holds: Iterable[Hold] = (),
    *,
    through: date,
    config: EngineConfig = DEFAULT_CONFIG,
) -> LedgerRun:
    """Replay the ledger through the end of `through`: payments after it are ignored."""
    ordered = sort_instalments(loan, instalments)
    pauses = PauseCalendar.for_loan(loan, holds)
    slots = [_Slot(i) for i in ordered]
    rate = config.penalty_daily_rate
    # Penalty has been accrued for every day <= accrued_to. No accrual can fall on or before the first due date.
    accrued_to = ordered[0].due_date if ordered else through

    def accrue(to_day: date) -> None:
        for s in slots:
            unpaid = s.principal_unpaid()
            if unpaid > 0:
                first = max(accrued_to + _ONE, s.inst.due_date + _ONE)
                s.principal_days += unpaid * pauses.counted_between(first, to_day)

    principal_balance = loan.principal_minor
    steps: list[tuple[date, int]] = []
    unapplied = 0
    for day, day_payments in payment_days(loan, payments, config):
        if day > through:
            break
        if day > accrued_to:
            accrue(day)
            accrued_to = day
        before = principal_balance
        for payment in day_payments:
            left = payment.amount_minor
            for s in slots:
                if left == 0:
                    break
                for comp in config.waterfall:
                    take = min(left, s.owed(comp, rate))
                    if take > 0:
                        s.paid[comp] += take
                        left -= take
                        if comp is Component.PRINCIPAL:
                            principal_balance -= take
                if s.paid_off_on is None and s.scheduled_settled():
                    s.paid_off_on = day
            unapplied += left
        if principal_balance != before:
            steps.append((day, principal_balance))
    if through > accrued_to:
        accrue(through)

    positions = tuple(
        InstalmentPosition(
            instalment=s.inst,
            principal_paid_minor=s.paid[Component.PRINCIPAL],
            interest_paid_minor=s.paid[Component.INTEREST],
            fee_paid_minor=s.paid[Component.FEE],
            penalty_paid_minor=s.paid[Component.PENALTY],
            penalty_accrued_minor=round_minor(rate * s.principal_days),
            principal_days=s.principal_days,
            paid_off_on=s.paid_off_on,
        )
        for s in slots
    )
    return LedgerRun(
        loan=loan,
        through=through,
        positions=positions,
        principal_steps=tuple(steps),
        unapplied_minor=unapplied,
        pauses=pauses,
    )
