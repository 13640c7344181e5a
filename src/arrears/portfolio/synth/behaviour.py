"""Repayment behaviour driven by a hidden willingness to pay, and the resulting days past due.

Per borrower a hidden `willingness` w ~ N(0, 1). Per loan a logit
    b = w + region tier effect + product effect - 0.25 ln(principal / ¥5,000) - 0.4 [APR > 24%]
sets the chance of paying each due instalment in full, q = sigmoid(2.6 + b). A borrower pays instalments in
order until the first miss and then stops (a roll into arrears), so the number paid is a truncated geometric
draw. DPD = as-of minus the due date of the oldest unpaid instalment whose due date has passed.

The propensity (written to `_truth/`) is then p = sigmoid(z) with
    z = -1.2 + w + tier + product + 1.0 x share of due instalments paid - 0.012 x min(DPD, 180)
        + 0.5 [a conversation in the last 30 days] + 0.5 [an inbound call] - 0.2 ln(principal / ¥5,000)
        - 0.3 [loan younger than 90 days] + N(0, 0.3).
Loans in arrears receive a partial payment in the last 30 days with probability p (smaller than the
oldest unpaid instalment, so it does not change DPD), and `pays_next_30d` ~ Bernoulli(p) is the hidden label.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arrears.portfolio.synth.lenders import PRODUCTS
from arrears.portfolio.synth.loans import MAX_TERM, Loans

TIER_EFFECT = np.array([-0.2, 0.4, 0.2, 0.0, -0.3])  # index = tier (0 = abroad)
PRODUCT_EFFECT = np.array([p.tier_effect for p in PRODUCTS])
WINDOW_DAYS = 30


def sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


@dataclass(frozen=True, slots=True)
class Repayment:
    n_due: np.ndarray  # instalments whose due date is before as-of
    n_paid: np.ndarray  # instalments paid in full
    dpd: np.ndarray
    oldest_unpaid_due: np.ndarray  # due day of the oldest unpaid instalment (past due or not); huge if none
    base_logit: np.ndarray


def repay(
    rng: np.random.Generator, loans: Loans, willingness: np.ndarray, tier: np.ndarray, as_of_day: int
) -> Repayment:
    w = willingness[loans.owner]
    b = (
        w
        + TIER_EFFECT[tier[loans.owner]]
        + PRODUCT_EFFECT[loans.product]
        - 0.25 * np.log(loans.principal / 500000.0)
        - 0.4 * (loans.apr_bp > 2400)
    )
    q = sigmoid(2.6 + b)
    n_due = (loans.due < as_of_day).sum(axis=1)
    streak = np.floor(np.log1p(-rng.random(len(q))) / np.log(q)).astype(np.int64)
    n_paid = np.minimum(streak, n_due)
    idx = np.minimum(n_paid, MAX_TERM - 1)
    oldest = np.where(n_paid < loans.term, loans.due[np.arange(len(q)), idx], np.iinfo(np.int64).max // 4)
    dpd = np.where(n_paid < n_due, as_of_day - oldest, 0)
    return Repayment(n_due=n_due, n_paid=n_paid, dpd=dpd, oldest_unpaid_due=oldest, base_logit=b)


def propensity(
    rng: np.random.Generator,
    loans: Loans,
    rep: Repayment,
    willingness: np.ndarray,
    tier: np.ndarray,
    conversation: np.ndarray,
    inbound: np.ndarray,
    as_of_day: int,
) -> np.ndarray:
    """Per loan; `conversation` and `inbound` are per borrower flags from the contact history."""
    o = loans.owner
    paid_share = np.where(rep.n_due > 0, rep.n_paid / np.maximum(rep.n_due, 1), 1.0)
    z = (
        -1.2
        + willingness[o]
        + TIER_EFFECT[tier[o]]
        + PRODUCT_EFFECT[loans.product]
        + 1.0 * paid_share
        - 0.012 * np.minimum(rep.dpd, 180)
        + 0.5 * conversation[o]
        + 0.5 * inbound[o]
        - 0.2 * np.log(loans.principal / 500000.0)
        - 0.3 * (as_of_day - loans.contract_day < 90)
        + rng.normal(0.0, 0.3, size=len(o))
    )
    return sigmoid(z)


BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6+")


def bucket_index(dpd: np.ndarray) -> np.ndarray:
    """M0 = 0 DPD (current or not yet due), M1 1-30, M2 31-60, ... M6+ 151+."""
    out: np.ndarray = np.minimum((dpd + 29) // 30, 6)
    return out
