"""The event-driven engine agrees with a naive day-by-day replay written from the rules, on generated ledgers.

The naive replay walks every day: accrue penalty on the start-of-day unpaid principal of each past-due instalment
(unless a hold is active that day), then apply the day's payments oldest instalment first, penalty -> fee ->
interest -> principal. DPD on a day is the count of non-held days since the oldest open instalment's due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.delinquency import BucketScheme, assess, bucket_history, load_bucket_scheme, load_lpr_table
from arrears.domain import Hold, HoldKind, Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))
BASE = date(2026, 1, 1)
RATE = Decimal("0.0005")
SCHEME = load_bucket_scheme()
LPR = load_lpr_table()
SMALL_SCHEME = BucketScheme(
    "small", (*(SCHEME.buckets[:2]),), default="LATE"
)  # M0, M1 (1-30), LATE beyond: many changes in short ledgers


@dataclass(frozen=True)
class Ledger:
    loan: Loan
    instalments: tuple[Instalment, ...]
    payments: tuple[Payment, ...]
    holds: tuple[Hold, ...]


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    n = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    instalments = []
    due = BASE
    for seq, gap in enumerate(gaps, start=1):
        due += timedelta(days=gap)
        instalments.append(
            Instalment("L", seq, due, draw(st.integers(0, 50000)), draw(st.integers(0, 3000)), draw(st.integers(0, 500)))
        )
    principal = max(1, sum(i.principal_minor for i in instalments))
    loan = Loan("L", "B", "X", LenderType.PRIVATE, "none", "p", "CNY", principal, 1500, BASE - timedelta(days=30))
    payments = tuple(
        Payment(
            f"P{k}",
            "L",
            datetime.combine(BASE + timedelta(days=draw(st.integers(-5, 150))), datetime.min.time(), CST)
            + timedelta(hours=draw(st.integers(0, 23))),
            draw(st.integers(1, 60000)),
        )
        for k in range(draw(st.integers(0, 5)))
    )
    holds = []
    for k in range(draw(st.integers(0, 3))):
        start = BASE + timedelta(days=draw(st.integers(-5, 150)))
        length = draw(st.one_of(st.none(), st.integers(0, 40)))
        holds.append(
            Hold(
                f"H{k}",
                "B",
                HoldKind.DISPUTE,
                start,
                None if length is None else start + timedelta(days=length),
                "r",
                loan_id=draw(st.sampled_from([None, "L", "OTHER"])),
            )
        )
    return Ledger(loan, tuple(instalments), payments, tuple(holds))


def naive(ledger: Ledger, as_of: date) -> tuple[int, int, int, int, list[int]]:
    """Returns (dpd on as_of, overdue principal, overdue interest, unpaid penalty, DPD of every day)."""
    inst = sorted(ledger.instalments, key=lambda i: (i.due_date, i.seq))
    paid = [{"penalty": 0, "fee": 0, "interest": 0, "principal": 0} for _ in inst]
    pdays = [0] * len(inst)
    holds = [h for h in ledger.holds if h.loan_id in (None, "L")]
    by_day: dict[date, list[Payment]] = {}
    for p in sorted(ledger.payments, key=lambda p: (p.paid_at, p.id)):
        by_day.setdefault(p.paid_at.astimezone(CST).date(), []).append(p)

    def penalty(k: int) -> int:
        return int((RATE * pdays[k]).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def owed(k: int, part: str) -> int:
        i = inst[k]
        full = {"penalty": penalty(k), "fee": i.fee_minor, "interest": i.interest_minor, "principal": i.principal_minor}
        return full[part] - paid[k][part]

    def is_open(k: int) -> bool:
        return any(owed(k, part) > 0 for part in ("fee", "interest", "principal"))

    dpds: list[int] = []
    day = BASE - timedelta(days=10)
    while day <= as_of:
        paused = any(h.active_on(day) for h in holds)
        for k, i in enumerate(inst):
            if i.due_date < day and not paused:
                pdays[k] += i.principal_minor - paid[k]["principal"]
        for p in by_day.get(day, []):
            left = p.amount_minor
            for k in range(len(inst)):
                for part in ("penalty", "fee", "interest", "principal"):
                    take = min(left, owed(k, part))
                    paid[k][part] += take
                    left -= take
        oldest = next((k for k in range(len(inst)) if is_open(k)), None)
        dpd = 0
        if oldest is not None and inst[oldest].due_date < day:
            d = inst[oldest].due_date + timedelta(days=1)
            while d <= day:
                dpd += not any(h.active_on(d) for h in holds)
                d += timedelta(days=1)
        dpds.append(dpd)
        day += timedelta(days=1)
    overdue = [k for k, i in enumerate(inst) if i.due_date < as_of]
    return (
        dpds[-1],
        sum(owed(k, "principal") for k in overdue),
        sum(owed(k, "interest") for k in overdue),
        sum(owed(k, "penalty") for k in range(len(inst))),
        dpds,
    )


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.integers(0, 160))
def test_status_matches_a_naive_daily_replay(ledger: Ledger, offset: int) -> None:
    as_of = BASE + timedelta(days=offset)
    s = assess(ledger.loan, ledger.instalments, ledger.payments, ledger.holds, as_of=as_of, scheme=SCHEME, lpr=LPR)
    dpd, principal, interest, penalty, _ = naive(ledger, as_of)
    assert (s.dpd, s.overdue_principal_minor, s.overdue_interest_minor, s.penalty_minor) == (
        dpd,
        principal,
        interest,
        penalty,
    )


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.integers(0, 60), st.integers(0, 100))
def test_bucket_history_matches_daily_classification(ledger: Ledger, start: int, length: int) -> None:
    first = BASE + timedelta(days=start)
    last = first + timedelta(days=length)
    history = bucket_history(
        ledger.loan, ledger.instalments, ledger.payments, ledger.holds, first=first, last=last, scheme=SMALL_SCHEME
    )
    *_, dpds = naive(ledger, last)
    daily = dpds[-(length + 1) :]
    for n, dpd in enumerate(daily):
        assert history.bucket_on(first + timedelta(days=n)) == SMALL_SCHEME.classify(dpd)
    # spells are maximal: neighbours differ, and they tile [first, last]
    assert all(a.bucket != b.bucket and a.end == b.start for a, b in zip(history.spells, history.spells[1:], strict=False))
    assert history.spells[0].start == first and history.spells[-1].end is None
