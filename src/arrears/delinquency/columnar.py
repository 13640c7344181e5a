"""Column-wise delinquency for many loans at once (NumPy). The scalar engine (`status.assess`) is the oracle;
a property test proves they agree on generated ledgers.

The replay is vectorised across loans and looped over the k-th payment of each loan, so the cost is
O(max payments per loan x instalments) array operations, not a Python loop per loan. Days are proleptic
ordinals (`date.toordinal()`). Amounts are int64 minor units; the penalty is ROUND_HALF_UP of
`rate x principal_days` computed in integers (`rate = num / den`), so principal-days x 2 x num must stay
below 2**63 (about 9e14 principal-days for the default rate: ample).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from arrears.delinquency.buckets import BucketScheme
from arrears.delinquency.config import DEFAULT_CONFIG, Component, EngineConfig
from arrears.delinquency.ledger import payment_days, sort_instalments
from arrears.delinquency.pauses import holds_for_loan
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment

I64 = npt.NDArray[np.int64]
NEVER = 10_000_000  # an ordinal beyond date.max: "open-ended" / "not paid off"


@dataclass(frozen=True, slots=True)
class ColumnarLedger:
    """Many loans as arrays. Loans are numbered 0..n_loans-1 (`loan_ids[k]`).

    - instalments sorted by (loan, due_date, seq): `inst_loan`, `inst_due`, `inst_principal`, `inst_interest`,
      `inst_fee`;
    - payments sorted by (loan, paid_at, id): `pay_loan`, `pay_day` (local day ordinal), `pay_amount`;
    - holds already resolved to loans (borrower-wide holds repeated per loan): `hold_loan`, `hold_start`,
      `hold_end` (exclusive; NEVER when open-ended).
    """

    loan_ids: tuple[str, ...]
    inst_loan: I64
    inst_due: I64
    inst_principal: I64
    inst_interest: I64
    inst_fee: I64
    pay_loan: I64
    pay_day: I64
    pay_amount: I64
    hold_loan: I64
    hold_start: I64
    hold_end: I64

    @property
    def n_loans(self) -> int:
        return len(self.loan_ids)


def _arr(values: Iterable[int]) -> I64:
    return np.fromiter(values, dtype=np.int64)


def columnar_from_domain(
    loans: Sequence[Loan],
    instalments: Iterable[Instalment],
    payments: Iterable[Payment],
    holds: Iterable[Hold],
    config: EngineConfig = DEFAULT_CONFIG,
) -> ColumnarLedger:
    """Build the arrays from domain records (the one Python loop, at the edge)."""
    by_loan_inst: dict[str, list[Instalment]] = {ln.id: [] for ln in loans}
    by_loan_pay: dict[str, list[Payment]] = {ln.id: [] for ln in loans}
    for i in instalments:
        by_loan_inst[i.loan_id].append(i)
    for p in payments:
        by_loan_pay[p.loan_id].append(p)
    holds_by_borrower: dict[str, list[Hold]] = {}
    for h in holds:
        holds_by_borrower.setdefault(h.borrower_id, []).append(h)
    inst_rows: list[tuple[int, int, int, int, int]] = []
    pay_rows: list[tuple[int, int, int]] = []
    hold_rows: list[tuple[int, int, int]] = []
    for k, loan in enumerate(loans):
        for i in sort_instalments(loan, by_loan_inst[loan.id]):
            inst_rows.append((k, i.due_date.toordinal(), i.principal_minor, i.interest_minor, i.fee_minor))
        for day, day_payments in payment_days(loan, by_loan_pay[loan.id], config):
            pay_rows.extend((k, day.toordinal(), p.amount_minor) for p in day_payments)
        for h in holds_for_loan(loan, holds_by_borrower.get(loan.borrower_id, ())):
            end = NEVER if h.end is None else h.end.toordinal()
            if end > h.start.toordinal():
                hold_rows.append((k, h.start.toordinal(), end))
    hold_rows.sort()

    def col(rows: Sequence[tuple[int, ...]], j: int) -> I64:
        return _arr(r[j] for r in rows)

    return ColumnarLedger(
        loan_ids=tuple(ln.id for ln in loans),
        inst_loan=col(inst_rows, 0),
        inst_due=col(inst_rows, 1),
        inst_principal=col(inst_rows, 2),
        inst_interest=col(inst_rows, 3),
        inst_fee=col(inst_rows, 4),
        pay_loan=col(pay_rows, 0),
        pay_day=col(pay_rows, 1),
        pay_amount=col(pay_rows, 2),
        hold_loan=col(hold_rows, 0),
        hold_start=col(hold_rows, 1),
        hold_end=col(hold_rows, 2),
    )


@dataclass(frozen=True, slots=True)
class ColumnarStatus:
    """Per loan (index = loan number): the same figures as `DelinquencyStatus`, minus the rate check."""

    loan_ids: tuple[str, ...]
    dpd: I64
    bucket: tuple[str, ...]
    overdue_principal_minor: I64
    overdue_interest_minor: I64
    overdue_fee_minor: I64
    penalty_minor: I64
    paused_days: I64
    unapplied_minor: I64


def _rank_within(groups: I64) -> I64:
    """0, 1, 2, ... within runs of equal values of a sorted array."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n, dtype=np.int64) - first


def _pause_grid(ledger: ColumnarLedger) -> tuple[I64, I64]:
    """Merged hold intervals as (n_loans, max_holds) start/end grids; empty slots are [0, 0)."""
    loan, start, end = ledger.hold_loan, ledger.hold_start, ledger.hold_end
    if len(loan) == 0:
        z = np.zeros((ledger.n_loans, 1), dtype=np.int64)
        return z, z.copy()
    # Sorted by (loan, start). Running max of end inside each loan (offset per loan keeps groups apart).
    offset = loan * (2 * NEVER)
    run_end = np.maximum.accumulate(end + offset) - offset
    new = np.r_[True, (loan[1:] != loan[:-1]) | (start[1:] > run_end[:-1])]
    idx = np.flatnonzero(new)
    m_loan, m_start = loan[idx], start[idx]
    m_end = np.maximum.reduceat(end, idx)
    rank = _rank_within(m_loan)
    width = int(rank.max()) + 1
    gs = np.zeros((ledger.n_loans, width), dtype=np.int64)
    ge = np.zeros((ledger.n_loans, width), dtype=np.int64)
    gs[m_loan, rank] = m_start
    ge[m_loan, rank] = m_end
    return gs, ge


def _paused(gs: I64, ge: I64, loan: I64, first: I64, last: I64) -> I64:
    """Paused days in [first, last] (inclusive) for each row."""
    lo = np.maximum(gs[loan], first[:, None])
    hi = np.minimum(ge[loan] - 1, last[:, None])
    return np.asarray(np.clip(hi - lo + 1, 0, None).sum(axis=1), dtype=np.int64)


def _counted(gs: I64, ge: I64, loan: I64, first: I64, last: I64) -> I64:
    span = np.clip(last - first + 1, 0, None)
    return np.where(span > 0, span - _paused(gs, ge, loan, first, last), 0)


def assess_columnar(
    ledger: ColumnarLedger, *, as_of: date, scheme: BucketScheme, config: EngineConfig = DEFAULT_CONFIG
) -> ColumnarStatus:
    """DPD, bucket and overdue amounts of every loan at the end of `as_of`, by the rules of `ledger.replay`."""
    n_loans, n_inst = ledger.n_loans, len(ledger.inst_loan)
    today = as_of.toordinal()
    num, den = config.penalty_daily_rate.as_integer_ratio()
    gs, ge = _pause_grid(ledger)
    iloan, due = ledger.inst_loan, ledger.inst_due
    scheduled = {
        Component.PRINCIPAL: ledger.inst_principal,
        Component.INTEREST: ledger.inst_interest,
        Component.FEE: ledger.inst_fee,
    }
    paid = {c: np.zeros(n_inst, dtype=np.int64) for c in Component}
    pdays = np.zeros(n_inst, dtype=np.int64)
    total = ledger.inst_principal + ledger.inst_interest + ledger.inst_fee
    paid_off = np.where(total == 0, due, NEVER).astype(np.int64)
    # accrued_to per loan: penalty accrued for every day <= it; starts at the loan's first due date.
    accrued_to = np.full(n_loans, NEVER, dtype=np.int64)
    np.minimum.at(accrued_to, iloan, due)
    unapplied = np.zeros(n_loans, dtype=np.int64)
    loan_first_inst = np.searchsorted(iloan, np.arange(n_loans))

    def penalty_accrued() -> I64:
        return np.asarray((2 * num * pdays + den) // (2 * den), dtype=np.int64)

    def accrue(to_day: I64, mask: npt.NDArray[np.bool_]) -> None:
        """Accrue, for instalments of loans where `mask[loan]`, through `to_day[loan]`."""
        nonlocal accrued_to
        sel = np.flatnonzero(mask[iloan])
        if len(sel) == 0:
            return
        ln = iloan[sel]
        first = np.maximum(accrued_to[ln] + 1, due[sel] + 1)
        unpaid = ledger.inst_principal[sel] - paid[Component.PRINCIPAL][sel]
        pdays[sel] += unpaid * _counted(gs, ge, ln, first, to_day[ln])
        accrued_to = np.where(mask, np.maximum(accrued_to, to_day), accrued_to)

    keep = ledger.pay_day <= today
    p_loan, p_day, p_amt = ledger.pay_loan[keep], ledger.pay_day[keep], ledger.pay_amount[keep]
    p_rank = _rank_within(p_loan)
    rounds = int(p_rank.max()) + 1 if len(p_rank) else 0
    for r in range(rounds):
        this = p_rank == r
        mask = np.zeros(n_loans, dtype=bool)
        mask[p_loan[this]] = True
        day_of = np.zeros(n_loans, dtype=np.int64)
        day_of[p_loan[this]] = p_day[this]
        amount = np.zeros(n_loans, dtype=np.int64)
        amount[p_loan[this]] = p_amt[this]
        accrue(day_of, mask)
        # Owed per (instalment, component) in waterfall order, flattened row-major = allocation order.
        pen = penalty_accrued()
        owed_cols = []
        for c in config.waterfall:
            full = pen if c is Component.PENALTY else scheduled[c]
            owed_cols.append(np.where(mask[iloan], full - paid[c], 0))
        owed = np.stack(owed_cols, axis=1) if n_inst else np.zeros((0, 4), dtype=np.int64)
        flat = owed.reshape(-1)
        csum = np.cumsum(flat)
        before = csum - flat  # exclusive cumsum, global
        loan_base = np.zeros(n_loans, dtype=np.int64)
        has = loan_first_inst < n_inst
        loan_base[has] = before[loan_first_inst[has] * 4]
        flat_loan = np.repeat(iloan, 4)
        take = np.clip(amount[flat_loan] - (before - loan_base[flat_loan]), 0, flat).reshape(-1, 4)
        for j, c in enumerate(config.waterfall):
            paid[c] += take[:, j]
        taken = np.zeros(n_loans, dtype=np.int64)
        np.add.at(taken, iloan, take.sum(axis=1))
        unapplied += np.where(mask, amount - taken, 0)
        settled = (
            (paid[Component.PRINCIPAL] >= ledger.inst_principal)
            & (paid[Component.INTEREST] >= ledger.inst_interest)
            & (paid[Component.FEE] >= ledger.inst_fee)
        )
        newly = (paid_off == NEVER) & settled & mask[iloan]
        paid_off = np.where(newly, day_of[iloan], paid_off)
    accrue(np.full(n_loans, today, dtype=np.int64), np.ones(n_loans, dtype=bool))

    # DPD: oldest instalment still open at the end of today.
    open_ = paid_off > today
    cand = np.where(open_, np.arange(n_inst), n_inst)
    oldest = np.full(n_loans, n_inst, dtype=np.int64)
    np.minimum.at(oldest, iloan, cand)
    found = oldest < n_inst
    odue = np.where(found, due[np.minimum(oldest, max(n_inst - 1, 0))] if n_inst else 0, today)
    late = found & (odue < today)
    loans = np.arange(n_loans, dtype=np.int64)
    tday = np.full(n_loans, today, dtype=np.int64)
    paused = np.where(late, _paused(gs, ge, loans, odue + 1, tday), 0)
    dpd = np.where(late, today - odue - paused, 0)

    overdue = due < today

    def per_loan(values: I64) -> I64:
        out = np.zeros(n_loans, dtype=np.int64)
        np.add.at(out, iloan, values)
        return out

    return ColumnarStatus(
        loan_ids=ledger.loan_ids,
        dpd=dpd,
        bucket=classify_many(scheme, dpd),
        overdue_principal_minor=per_loan(np.where(overdue, ledger.inst_principal - paid[Component.PRINCIPAL], 0)),
        overdue_interest_minor=per_loan(np.where(overdue, ledger.inst_interest - paid[Component.INTEREST], 0)),
        overdue_fee_minor=per_loan(np.where(overdue, ledger.inst_fee - paid[Component.FEE], 0)),
        penalty_minor=per_loan(penalty_accrued() - paid[Component.PENALTY]),
        paused_days=paused,
        unapplied_minor=unapplied,
    )


def classify_many(scheme: BucketScheme, dpd: I64) -> tuple[str, ...]:
    """Vectorised `scheme.classify`: first matching bucket, else the default."""
    names = [*(b.name for b in scheme.buckets), scheme.default]
    code = np.full(len(dpd), len(scheme.buckets), dtype=np.int64)
    for k in range(len(scheme.buckets) - 1, -1, -1):  # reverse, so the first match is written last
        b = scheme.buckets[k]
        hit = dpd >= b.min_dpd
        if b.max_dpd is not None:
            hit &= dpd <= b.max_dpd
        code[hit] = k
    return tuple(names[int(c)] for c in code)
