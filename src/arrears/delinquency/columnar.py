"""Column-wise delinquency for many loans at once (NumPy). The scalar engine (`status.assess`) is the oracle;
a property test proves they agree on generated ledgers.

The replay is vectorised across loans and looped over the k-th payment of each loan (max payments per loan
rounds, not a Python loop per loan). Each round touches only a window of each paying loan's instalments
(`_Replay`), so the element work is about payments + instalments. `assess_columnar_at` gives the status at
several days from one replay. Days are proleptic
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
Bools = npt.NDArray[np.bool_]
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
    """Per loan (index = loan number): the same figures as `DelinquencyStatus`, minus the rate check.

    Buckets are codes into `bucket_names` (`bucket_codes`); `bucket` spells them out (one string per loan)."""

    loan_ids: tuple[str, ...]
    as_of: date
    dpd: I64
    bucket_codes: I64
    bucket_names: tuple[str, ...]
    overdue_principal_minor: I64
    overdue_interest_minor: I64
    overdue_fee_minor: I64
    penalty_minor: I64
    paused_days: I64
    unapplied_minor: I64

    @property
    def bucket(self) -> tuple[str, ...]:
        names = self.bucket_names
        return tuple(names[int(c)] for c in self.bucket_codes)


def _rank_within(groups: I64) -> I64:
    """0, 1, 2, ... within runs of equal values of a sorted array."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n, dtype=np.int64) - first


def _pause_grid(ledger: ColumnarLedger) -> tuple[I64, I64, Bools]:
    """Merged hold intervals as (n_loans, max_holds) start/end grids (empty slots are [0, 0)), and which loans
    have any hold at all."""
    loan, start, end = ledger.hold_loan, ledger.hold_start, ledger.hold_end
    held = np.zeros(ledger.n_loans, dtype=bool)
    if len(loan) == 0:
        z = np.zeros((ledger.n_loans, 1), dtype=np.int64)
        return z, z.copy(), held
    held[loan] = True
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
    return gs, ge, held


@dataclass(frozen=True, slots=True)
class _Pauses:
    """Merged holds per loan; `paused` / `counted` touch the grids only for rows of loans that have a hold."""

    gs: I64
    ge: I64
    held: Bools

    def paused(self, loan: I64, first: I64, last: I64) -> I64:
        """Paused days in [first, last] (inclusive) for each row."""
        out = np.zeros(len(loan), dtype=np.int64)
        rows = np.flatnonzero(self.held[loan])
        if len(rows):
            ln = loan[rows]
            lo = np.maximum(self.gs[ln], first[rows, None])
            hi = np.minimum(self.ge[ln] - 1, last[rows, None])
            out[rows] = np.clip(hi - lo + 1, 0, None).sum(axis=1)
        return out

    def counted(self, loan: I64, first: I64, last: I64) -> I64:
        """Days in [first, last] that are not paused (0 for an empty span)."""
        span = np.clip(last - first + 1, 0, None)
        return np.where(span > 0, span - self.paused(loan, first, last), 0)


def _segments(starts: I64, lengths: I64) -> tuple[I64, I64]:
    """Rows start[k] .. start[k] + lengths[k] - 1 for each k, concatenated, and per row its k."""
    total = int(lengths.sum())
    pos = np.repeat(np.arange(len(starts), dtype=np.int64), lengths)
    rows = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return rows, pos


DAY_BITS = 24  # instalment keys: loan << DAY_BITS | due day (ordinals stay below 2**24)


class _Replay:
    """The waterfall state of every instalment, advanced payment round by payment round.

    Round r applies the r-th payment (of a phase) of every loan that has one. The waterfall fills instalments
    strictly in order, and an instalment whose principal is paid accrues nothing more, so each loan has a
    pointer: every instalment before it is settled for good (nothing owed, nothing accruing), none after it
    has received anything. A payment therefore touches only a window of its loan's instalments: from the
    pointer to the last one past due on its day, or further while its amount could still reach them (judged
    without penalties, an upper bound). Loans without payments are never touched before the final status."""

    def __init__(self, ledger: ColumnarLedger, config: EngineConfig) -> None:
        n_loans, n_inst = ledger.n_loans, len(ledger.inst_loan)
        self.ledger, self.config = ledger, config
        self.n_loans, self.n_inst = n_loans, n_inst
        self.num, self.den = config.penalty_daily_rate.as_integer_ratio()
        self.pauses = _Pauses(*_pause_grid(ledger))
        self.scheduled = {
            Component.PRINCIPAL: ledger.inst_principal,
            Component.INTEREST: ledger.inst_interest,
            Component.FEE: ledger.inst_fee,
        }
        self.paid = {c: np.zeros(n_inst, dtype=np.int64) for c in Component}
        self.pdays = np.zeros(n_inst, dtype=np.int64)
        self.total = ledger.inst_principal + ledger.inst_interest + ledger.inst_fee
        self.paid_off = np.where(self.total == 0, ledger.inst_due, NEVER).astype(np.int64)
        self.starts = np.searchsorted(ledger.inst_loan, np.arange(n_loans)).astype(np.int64)
        self.counts = np.diff(np.r_[self.starts, n_inst]).astype(np.int64)
        self.ends = self.starts + self.counts
        self.has_inst = self.counts > 0
        self.pointer = self.starts.copy()
        # Windows need a running total that never falls (no negative scheduled amounts); else whole loans.
        self.ctot = np.cumsum(self.total) if bool(np.all(self.total >= 0)) else None
        self.key = (ledger.inst_loan << DAY_BITS) | ledger.inst_due
        # accrued_to per loan: penalty accrued for every day <= it; starts at the loan's first due date.
        self.accrued_to = np.full(n_loans, NEVER, dtype=np.int64)
        if n_inst:
            self.accrued_to[self.has_inst] = ledger.inst_due[self.starts[self.has_inst]]
        self.unapplied = np.zeros(n_loans, dtype=np.int64)

    def penalty(self, pdays: I64) -> I64:
        return np.asarray((2 * self.num * pdays + self.den) // (2 * self.den), dtype=np.int64)

    def per_loan(self, values: I64) -> I64:
        """Sum per loan of a per-instalment column."""
        out = np.zeros(self.n_loans, dtype=np.int64)
        if self.n_inst:
            out[self.has_inst] = np.add.reduceat(values, self.starts[self.has_inst])
        return out

    def accrue(self, rows: I64, row_loan: I64, row_to: I64) -> None:
        """Accrue penalty days on instalment `rows` through `row_to` (the caller moves `accrued_to` on)."""
        if len(rows):
            due = self.ledger.inst_due[rows]
            first = np.maximum(self.accrued_to[row_loan] + 1, due + 1)
            unpaid = self.ledger.inst_principal[rows] - self.paid[Component.PRINCIPAL][rows]
            self.pdays[rows] += unpaid * self.pauses.counted(row_loan, first, row_to)

    def window(self, loans: I64, day: I64, amount: I64) -> tuple[I64, I64]:
        """Per loan: (first, end) instalment rows a payment of `amount` on `day` can touch."""
        first, end = self.pointer[loans], self.ends[loans]
        if self.ctot is None or self.n_inst == 0:
            return first, end
        # Past due on `day`: instalments before the first one due on or after it.
        past_due = np.searchsorted(self.key, (loans << DAY_BITS) | day, side="left")
        # Reached by the amount (penalties ignored, so at least as far as the waterfall gets).
        at = np.minimum(first, self.n_inst - 1)  # a loan with nothing left (first == end) gets end below
        paid_here = (
            self.paid[Component.PRINCIPAL][at]
            + self.paid[Component.INTEREST][at]
            + self.paid[Component.FEE][at]
        )
        done_before = self.ctot[at] - self.total[at] + paid_here
        reached = np.searchsorted(self.ctot, done_before + amount, side="left") + 1
        return first, np.maximum(first, np.minimum(end, np.maximum(past_due, reached)))

    def apply(self, loans: I64, day: I64, amount: I64) -> None:
        """One payment for each of `loans` (distinct, ascending): accrue through its day, then the waterfall."""
        first, end = self.window(loans, day, amount)
        lengths = end - first
        rows, pos = _segments(first, lengths)
        row_loan, row_day = loans[pos], day[pos]
        self.accrue(rows, row_loan, row_day)
        self.accrued_to[loans] = np.maximum(self.accrued_to[loans], day)
        taken = np.zeros(len(loans), dtype=np.int64)
        if len(rows):
            # Owed per (instalment, component) in waterfall order, flattened row-major = allocation order.
            pen = self.penalty(self.pdays[rows])
            owed = np.empty((len(rows), len(self.config.waterfall)), dtype=np.int64)
            for j, c in enumerate(self.config.waterfall):
                full = pen if c is Component.PENALTY else self.scheduled[c][rows]
                owed[:, j] = full - self.paid[c][rows]
            width = owed.shape[1]
            flat = owed.reshape(-1)
            before = np.cumsum(flat) - flat  # exclusive cumsum over the selected rows
            has = lengths > 0
            seg = (np.cumsum(lengths) - lengths)[has]  # each non-empty window's first position in `rows`
            base = np.zeros(len(loans), dtype=np.int64)
            base[has] = before[seg * width]
            flat_pos = np.repeat(pos, width)
            take = np.clip(amount[flat_pos] - (before - base[flat_pos]), 0, flat).reshape(-1, width)
            for j, comp in enumerate(self.config.waterfall):
                self.paid[comp][rows] += take[:, j]
            taken[has] = np.add.reduceat(take.sum(axis=1), seg)
            settled = (
                (self.paid[Component.PRINCIPAL][rows] >= self.ledger.inst_principal[rows])
                & (self.paid[Component.INTEREST][rows] >= self.ledger.inst_interest[rows])
                & (self.paid[Component.FEE][rows] >= self.ledger.inst_fee[rows])
            )
            newly = (self.paid_off[rows] == NEVER) & settled
            self.paid_off[rows[newly]] = row_day[newly]
            # The pointer moves to the first instalment of the window still owing anything, else past it.
            owing = np.where((owed - take).sum(axis=1) > 0, rows, NEVER)
            nxt = end.copy()
            nxt[has] = np.minimum(end[has], np.minimum.reduceat(owing, seg))
            self.pointer[loans] = nxt
        self.unapplied[loans] += amount - taken

    def run(self, p_loan: I64, p_day: I64, p_amt: I64) -> None:
        """Apply payments sorted by (loan, day), round by round."""
        rank = _rank_within(p_loan)
        order = np.argsort(rank, kind="stable")  # rounds in order; loans ascending within a round
        bounds = np.searchsorted(rank[order], np.arange(int(rank.max()) + 2 if len(rank) else 0))
        for r in range(len(bounds) - 1):
            sel = order[bounds[r] : bounds[r + 1]]
            self.apply(p_loan[sel], p_day[sel], p_amt[sel])

    def status(self, today: int, scheme: BucketScheme) -> ColumnarStatus:
        """The figures at the end of `today` (every payment through it applied, penalty accrued through it)."""
        # Only instalments past due with principal unpaid accrue anything.
        rows = np.flatnonzero(
            (self.ledger.inst_due < today) & (self.ledger.inst_principal > self.paid[Component.PRINCIPAL])
        )
        self.accrue(rows, self.ledger.inst_loan[rows], np.full(len(rows), today, dtype=np.int64))
        self.accrued_to = np.maximum(self.accrued_to, today)
        led, n_loans, n_inst = self.ledger, self.n_loans, self.n_inst
        due = led.inst_due
        # DPD: oldest instalment still open at the end of today.
        cand = np.where(self.paid_off > today, np.arange(n_inst), n_inst)
        oldest = np.full(n_loans, n_inst, dtype=np.int64)
        if n_inst:
            oldest[self.has_inst] = np.minimum.reduceat(cand, self.starts[self.has_inst])
        found = oldest < n_inst
        odue = np.full(n_loans, today, dtype=np.int64)
        odue[found] = due[oldest[found]]
        late = found & (odue < today)
        paused = np.zeros(n_loans, dtype=np.int64)
        lr = np.flatnonzero(late)
        paused[lr] = self.pauses.paused(lr, odue[lr] + 1, np.full(len(lr), today, dtype=np.int64))
        dpd = np.where(late, today - odue - paused, 0)
        overdue = due < today
        paid = self.paid
        return ColumnarStatus(
            loan_ids=led.loan_ids,
            as_of=date.fromordinal(today),
            dpd=dpd,
            bucket_codes=bucket_codes(scheme, dpd),
            bucket_names=bucket_names(scheme),
            overdue_principal_minor=self.per_loan(
                np.where(overdue, led.inst_principal - paid[Component.PRINCIPAL], 0)
            ),
            overdue_interest_minor=self.per_loan(
                np.where(overdue, led.inst_interest - paid[Component.INTEREST], 0)
            ),
            overdue_fee_minor=self.per_loan(np.where(overdue, led.inst_fee - paid[Component.FEE], 0)),
            penalty_minor=self.per_loan(self.penalty(self.pdays) - paid[Component.PENALTY]),
            paused_days=paused,
            unapplied_minor=self.unapplied.copy(),
        )


def assess_columnar(
    ledger: ColumnarLedger, *, as_of: date, scheme: BucketScheme, config: EngineConfig = DEFAULT_CONFIG
) -> ColumnarStatus:
    """DPD, bucket and overdue amounts of every loan at the end of `as_of`, by the rules of `ledger.replay`."""
    return assess_columnar_at(ledger, (as_of,), scheme=scheme, config=config)[0]


def assess_columnar_at(
    ledger: ColumnarLedger,
    days: Sequence[date],
    *,
    scheme: BucketScheme,
    config: EngineConfig = DEFAULT_CONFIG,
) -> tuple[ColumnarStatus, ...]:
    """`assess_columnar` at the end of each of `days` (ascending) from ONE replay: payments up to the first day
    are applied, the status taken, then the payments up to the next day, and so on. Penalty accrual is additive
    over days, so each status equals `assess_columnar` on its own."""
    ordinals = [d.toordinal() for d in days]
    if ordinals != sorted(ordinals):
        raise ValueError(f"days must be ascending: {[d.isoformat() for d in days]}")
    replay = _Replay(ledger, config)
    out: list[ColumnarStatus] = []
    done = None  # payments on days <= done are applied
    for today in ordinals:
        phase = ledger.pay_day <= today
        if done is not None:
            phase &= ledger.pay_day > done
        replay.run(ledger.pay_loan[phase], ledger.pay_day[phase], ledger.pay_amount[phase])
        out.append(replay.status(today, scheme))
        done = today
    return tuple(out)


def bucket_names(scheme: BucketScheme) -> tuple[str, ...]:
    """The names `bucket_codes` index: the scheme's buckets in order, then its default."""
    return (*(b.name for b in scheme.buckets), scheme.default)


def bucket_codes(scheme: BucketScheme, dpd: I64) -> I64:
    """Vectorised `scheme.classify` as codes into `bucket_names(scheme)`: first matching bucket, else the
    default."""
    code = np.full(len(dpd), len(scheme.buckets), dtype=np.int64)
    for k in range(len(scheme.buckets) - 1, -1, -1):  # reverse, so the first match is written last
        b = scheme.buckets[k]
        hit = dpd >= b.min_dpd
        if b.max_dpd is not None:
            hit &= dpd <= b.max_dpd
        code[hit] = k
    return code


def classify_many(scheme: BucketScheme, dpd: I64) -> tuple[str, ...]:
    """Vectorised `scheme.classify`: first matching bucket, else the default."""
    names = bucket_names(scheme)
    return tuple(names[int(c)] for c in bucket_codes(scheme, dpd))
