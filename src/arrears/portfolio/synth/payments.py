"""Payments consistent with the schedule and the repayment state.

For each loan: one payment for each of its first `n_paid` instalments, mostly on or up to 3 days before the
due date; a fifth are 1-15 days late and then also pay the late-payment penalty (罚息) exactly as the
delinquency engine's default accrues it: round-half-up(instalment principal x days late x 0.05%). For loans in
arrears, with probability = propensity, one partial payment in the last 30 days, at most 90% of the oldest
unpaid instalment. Applying payments oldest instalment first (with or without penalties) therefore
reproduces the DPD. Payment days are Beijing dates (the engine's payment day); `paid_at` is rendered in the
borrower's first candidate zone.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.delinquency.config import DEFAULT_CONFIG
from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.arrowcols import ZoneClock
from arrears.portfolio.synth.behaviour import WINDOW_DAYS, Repayment
from arrears.portfolio.synth.loans import Loans
from arrears.portfolio.synth.people import People
from arrears.portfolio.synth.zones import PRIMARY_ZONE

CHANNELS = ("app", "bank_transfer", "alipay", "wechat_pay")
CHANNEL_P = (0.4, 0.25, 0.2, 0.15)
# 罚息 per day on the late instalment's principal, in millionths: the delinquency engine's default (0.05%)
PENALTY_PPM_PER_DAY = int(DEFAULT_CONFIG.penalty_daily_rate * 1_000_000)
BEIJING_OFFSET = 8 * 3600


def make_payments(
    rng: np.random.Generator,
    people: People,
    loans: Loans,
    rep: Repayment,
    prop: np.ndarray,
    as_of_day: int,
    clock: ZoneClock,
) -> tuple[pa.Table, np.ndarray]:
    """(payments table, per-loan flag: any payment in the last 30 days)."""
    li = np.repeat(np.arange(len(rep.n_paid)), rep.n_paid)
    k = np.arange(len(li)) - np.repeat(np.cumsum(rep.n_paid) - rep.n_paid, rep.n_paid)
    due = loans.due[li, k]
    late = rng.random(len(li)) < 0.2
    day = np.where(late, due + rng.integers(1, 16, size=len(li)), due - rng.integers(0, 4, size=len(li)))
    day = np.clip(day, loans.contract_day[li], as_of_day - 1)
    late_days = np.maximum(day - due, 0)
    penalty = (loans.principal_part[li, k] * late_days * PENALTY_PPM_PER_DAY + 500_000) // 1_000_000
    amount = loans.amount[li, k] + penalty
    suffix = k + 1

    partial = (rep.dpd > 0) & (rng.random(len(prop)) < prop)
    pl = np.flatnonzero(partial)
    oldest = loans.amount[pl, np.minimum(rep.n_paid[pl], loans.due.shape[1] - 1)]
    p_amount = np.maximum((oldest * rng.uniform(0.1, 0.9, size=len(pl))).astype(np.int64) // 100 * 100, 100)
    p_amount = np.minimum(p_amount, oldest - 1)
    p_day = as_of_day - 1 - (rng.random(len(pl)) * np.minimum(WINDOW_DAYS, rep.dpd[pl])).astype(np.int64)

    li = np.concatenate([li, pl])
    day = np.concatenate([day, p_day])
    amount = np.concatenate([amount, p_amount])
    suffix = np.concatenate([suffix, np.full(len(pl), 99)])  # 99: the in-window partial payment
    keep = amount > 0
    li, day, amount, suffix = li[keep], day[keep], amount[keep], suffix[keep]

    zone = PRIMARY_ZONE[people.zoneset[loans.owner[li]]]
    beijing_second = rng.integers(8 * 3600, 23 * 3600, size=len(li))
    utc = day * 86400 + beijing_second - BEIJING_OFFSET
    table = pa.table(
        {
            "payment_id": ac.concat(
                "P", pc.take(loans.loan_id, pa.array(li)), "-", pc.cast(pa.array(suffix), pa.string())
            ),
            "loan_id": pc.take(loans.loan_id, pa.array(li)),
            "paid_at": clock.render(utc, zone),
            "amount_minor": pa.array(amount.astype(np.int64)),
            "channel": ac.pick(CHANNELS, rng.choice(len(CHANNELS), size=len(li), p=CHANNEL_P)),
        }
    )
    recent = np.zeros(len(prop), dtype=bool)
    recent[li[day >= as_of_day - WINDOW_DAYS]] = True
    return table, recent
