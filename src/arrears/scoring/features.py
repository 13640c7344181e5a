"""Propensity-to-pay features, defined as data and computed column-wise as of a cutoff day.

`compute_features(ledger, cutoff)` sees only what was known at the start of `cutoff` (payments and contacts
on earlier days, holds that began earlier): a payment on or after the cutoff cannot change a feature.
Missing values (no payment yet, no next due date) are NaN; the model handles them natively.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from arrears.delinquency.buckets import BucketScheme, load_bucket_scheme
from arrears.delinquency.columnar import ColumnarStatus, assess_columnar
from arrears.scoring.ledger import (
    ANSWERED,
    CALL_CHANNELS,
    CARE_HOLDS,
    DEAD,
    MESSAGE_CHANNELS,
    ScoringLedger,
    is_in,
)

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    description: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        "dpd", "days past due at the end of the day before the cutoff (delinquency engine, holds paused)"
    ),
    Feature("overdue_minor", "overdue principal + interest + fee + unpaid penalty, minor units"),
    Feature("balance_minor", "scheduled total minus everything paid, minor units (not below 0)"),
    Feature("principal_minor", "loan principal, minor units"),
    Feature("apr_bp", "all-in APR, basis points"),
    Feature("term", "number of instalments"),
    Feature("loan_age_days", "days from the contract date to the cutoff"),
    Feature("instalments_due", "instalments due before the cutoff"),
    Feature("instalments_paid", "instalments covered by payments, applied oldest first (penalties ignored)"),
    Feature("share_due_paid", "instalments_paid / instalments_due (NaN when none is due)"),
    Feature("days_to_next_due", "days from the cutoff to the next due date on or after it (NaN when none)"),
    Feature("days_since_last_payment", "days since the last payment (NaN when never paid)"),
    Feature("payments_30d", "payments in the 30 days before the cutoff"),
    Feature("payments_90d", "payments in the 90 days before the cutoff"),
    Feature("paid_30d_minor", "amount paid in the 30 days before the cutoff, minor units"),
    Feature("calls_7d", "outbound calls (human or AI voice) to the borrower's file in the last 7 days"),
    Feature("calls_30d", "outbound calls in the last 30 days"),
    Feature("answered_30d", "calls answered (with or without a conversation) in the last 30 days"),
    Feature("conversations_7d", "conversations in the last 7 days"),
    Feature("conversations_30d", "conversations in the last 30 days"),
    Feature("rpc_30d", "right-party contacts (conversation with the borrower) in the last 30 days"),
    Feature("days_since_conversation", "days since the last conversation (NaN when none)"),
    Feature("messages_30d", "SMS / IM / e-mail / letters sent in the last 30 days"),
    Feature("inbound_30d", "contacts the borrower started in the last 30 days"),
    Feature("third_party_30d", "attempts to reach someone other than the borrower in the last 30 days"),
    Feature("dead_number_30d", "attempts that found the number not in service in the last 30 days"),
    Feature("hold_active", "1 when any hold covers the cutoff day"),
    Feature("dispute_active", "1 when a dispute hold covers the cutoff day"),
    Feature("care_hold_active", "1 when a hardship / deceased / bankruptcy / breathing-space hold covers it"),
    Feature("private_lender", "1 for a private (unlicensed) lender"),
    Feature("borrower_loans", "loans the borrower holds in the portfolio"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


@dataclass(frozen=True, slots=True)
class FeatureMatrix:
    """One row per loan (`loan_ids`), one column per feature (`names`), float64 (column-major from
    `compute_features`: the layout `model.predict` reads fastest; any layout gives the same scores)."""

    loan_ids: tuple[str, ...]
    names: tuple[str, ...]
    values: F64
    cutoff: int  # day ordinal

    def column(self, name: str) -> F64:
        return self.values[:, self.names.index(name)]


def _per_loan(n: int, loan: npt.NDArray[np.int64], values: npt.ArrayLike) -> F64:
    """Sum of `values` per loan (exact: the sums are integers far below 2**53)."""
    if len(loan) == 0:
        return np.zeros(n, dtype=np.float64)
    return np.asarray(
        np.bincount(loan, weights=np.asarray(values, dtype=np.float64), minlength=n), dtype=np.float64
    )


def _last_day(n: int, loan: npt.NDArray[np.int64], day: npt.NDArray[np.int64]) -> F64:
    out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(out, loan, day)
    return np.where(out < 0, np.nan, out.astype(np.float64))


def _ledger_features(
    led: ScoringLedger, cutoff: int, scheme: BucketScheme, status: ColumnarStatus | None
) -> dict[str, F64]:
    n = led.n_loans
    if status is None:
        status = assess_columnar(led.columnar(), as_of=date.fromordinal(cutoff - 1), scheme=scheme)
    overdue = (
        status.overdue_principal_minor
        + status.overdue_interest_minor
        + status.overdue_fee_minor
        + np.maximum(status.penalty_minor, 0)
    )
    total = led.inst_principal + led.inst_interest + led.inst_fee
    scheduled = _per_loan(n, led.inst_loan, total)
    paid = _per_loan(n, led.pay_loan, led.pay_amount)
    # Cumulative scheduled amount within each loan; an instalment is paid when the loan's payments reach it.
    csum = np.cumsum(total)
    start = np.searchsorted(led.inst_loan, led.inst_loan, side="left")
    within = csum - (csum[start] - total[start])
    covered = within <= paid[led.inst_loan]
    due = led.inst_due < cutoff
    n_due = _per_loan(n, led.inst_loan, due)
    n_paid = _per_loan(n, led.inst_loan, covered)
    upcoming = np.where(led.inst_due >= cutoff, led.inst_due, np.iinfo(np.int64).max)
    next_due = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(next_due, led.inst_loan, upcoming)
    last_pay = _last_day(n, led.pay_loan, led.pay_day)
    in30 = led.pay_day >= cutoff - 30
    in90 = led.pay_day >= cutoff - 90
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_due > 0, np.minimum(n_paid, n_due) / n_due, np.nan)
    return {
        "dpd": status.dpd.astype(np.float64),
        "overdue_minor": overdue.astype(np.float64),
        "balance_minor": np.maximum(scheduled - paid, 0.0),
        "principal_minor": led.principal_minor.astype(np.float64),
        "apr_bp": led.apr_bp.astype(np.float64),
        "term": _per_loan(n, led.inst_loan, np.ones(len(led.inst_loan))),
        "loan_age_days": (cutoff - led.contract_day).astype(np.float64),
        "instalments_due": n_due,
        "instalments_paid": n_paid,
        "share_due_paid": share,
        "days_to_next_due": np.where(
            next_due == np.iinfo(np.int64).max, np.nan, (next_due - cutoff).astype(np.float64)
        ),
        "days_since_last_payment": cutoff - last_pay,
        "payments_30d": _per_loan(n, led.pay_loan, in30),
        "payments_90d": _per_loan(n, led.pay_loan, in90),
        "paid_30d_minor": _per_loan(n, led.pay_loan, np.where(in30, led.pay_amount, 0)),
    }


def _contact_features(led: ScoringLedger, cutoff: int) -> dict[str, F64]:
    """Contacts are counted per borrower and given to each of the borrower's loans."""
    nb = int(led.loan_borrower.max()) + 1 if led.n_loans else 0
    b, day = led.att_borrower, led.att_day
    call = is_in(led.att_channel, CALL_CHANNELS) & ~led.att_inbound
    message = is_in(led.att_channel, MESSAGE_CHANNELS) & ~led.att_inbound
    conv = is_in(led.att_outcome, ("conversation",))
    answered = is_in(led.att_outcome, ANSWERED)
    in7, in30 = day >= cutoff - 7, day >= cutoff - 30

    def count(mask: npt.NDArray[np.bool_]) -> F64:
        return _per_loan(nb, b, mask)[led.loan_borrower]

    last_conv = _last_day(nb, b[conv], day[conv])[led.loan_borrower]
    return {
        "calls_7d": count(call & in7),
        "calls_30d": count(call & in30),
        "answered_30d": count(call & answered & in30),
        "conversations_7d": count(conv & in7),
        "conversations_30d": count(conv & in30),
        "rpc_30d": count(conv & led.att_to_borrower & in30),
        "days_since_conversation": cutoff - last_conv,
        "messages_30d": count(message & in30),
        "inbound_30d": count(led.att_inbound & in30),
        "third_party_30d": count(~led.att_to_borrower & ~led.att_inbound & in30),
        "dead_number_30d": count(is_in(led.att_outcome, DEAD) & in30),
    }


def _hold_features(led: ScoringLedger, cutoff: int) -> dict[str, F64]:
    n = led.n_loans
    active = (led.hold_start <= cutoff) & (led.hold_end > cutoff)

    def flag(mask: npt.NDArray[np.bool_]) -> F64:
        return np.minimum(_per_loan(n, led.hold_loan, mask), 1.0)

    borrower_loans = np.bincount(led.loan_borrower)[led.loan_borrower] if n else np.zeros(0)
    return {
        "hold_active": flag(active),
        "dispute_active": flag(active & is_in(led.hold_kind, ("dispute",))),
        "care_hold_active": flag(active & is_in(led.hold_kind, CARE_HOLDS)),
        "private_lender": led.private_lender.astype(np.float64),
        "borrower_loans": np.asarray(borrower_loans, dtype=np.float64),
    }


def compute_features(
    ledger: ScoringLedger,
    cutoff: int,
    *,
    scheme: BucketScheme | None = None,
    status: ColumnarStatus | None = None,
) -> FeatureMatrix:
    """Every loan's features as of the start of day `cutoff` (an ordinal), from data before it only.

    `status`: the delinquency of `ledger` at the end of the day before the cutoff, when the caller has it
    already (`assess_columnar_at` gives it from the same replay as another day's); computed here otherwise."""
    if status is not None and (status.as_of.toordinal() != cutoff - 1 or len(status.dpd) != ledger.n_loans):
        raise ValueError(
            f"the status given is for {status.as_of} and {len(status.dpd)} loans; the features need "
            f"{date.fromordinal(cutoff - 1)} and {ledger.n_loans} loans"
        )
    led = ledger.before(cutoff)
    cols = {
        **_ledger_features(led, cutoff, scheme or load_bucket_scheme(), status),
        **_contact_features(led, cutoff),
        **_hold_features(led, cutoff),
    }
    if set(cols) != set(FEATURE_NAMES):  # pragma: no cover - a definition without a computation
        raise RuntimeError(f"features defined but not computed: {sorted(set(FEATURE_NAMES) ^ set(cols))}")
    # column-major: one feature's values side by side, the layout `model.predict` reads fastest
    values = np.empty((led.n_loans, len(FEATURES)), dtype=np.float64, order="F")
    for j, name in enumerate(FEATURE_NAMES):
        values[:, j] = cols[name]
    return FeatureMatrix(loan_ids=ledger.loan_ids, names=FEATURE_NAMES, values=values, cutoff=cutoff)
