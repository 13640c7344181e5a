"""Time-split evaluation of the propensity model, and agreement with a synthetic portfolio's hidden truth.

With data up to the start of day A (the as-of) and horizon h (default 14 days):

- train: features at cutoff T1 = A - 2h, label = a payment on a day in [T1, T1 + h);
- test (holdout): features at T2 = A - h, label = a payment in [T2, A) — later than anything trained on;
- the model that is kept is then refitted at T2 (the latest fully labelled cutoff) and scores loans at A.

Why these choices: the synthetic contact history covers the 30 days before A, so with h = 14 both cutoffs
still see contact history; 14 days is also the planning horizon of a collections cycle. The AUC is reported
for all loans and for the loans in arrears at T2 (DPD > 0), where the score matters; the baseline ranks by
DPD alone (fewer days past due = more likely to pay), so the figure can be read against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from arrears.scoring.features import compute_features
from arrears.scoring.ledger import ScoringLedger, paid_in_window
from arrears.scoring.model import PropensityModel, fit, predict

HORIZON_DAYS = 14


def _auc(labels: npt.NDArray[np.bool_], scores: npt.NDArray[np.float64]) -> float | None:
    """ROC AUC, or None when the labels have one class only."""
    if len(np.unique(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


@dataclass(frozen=True, slots=True)
class HoldoutReport:
    horizon_days: int
    train_cutoff: int  # day ordinals
    test_cutoff: int
    n_train: int
    n_test: int
    train_positive_rate: float
    test_positive_rate: float
    auc: float | None
    n_test_in_arrears: int
    auc_in_arrears: float | None
    baseline_auc: float | None  # ranking by -DPD on the same holdout


@dataclass(frozen=True, slots=True)
class TrainingResult:
    model: PropensityModel  # refitted at the test cutoff
    holdout: HoldoutReport


def train_time_split(
    ledger: ScoringLedger, as_of: int, *, horizon_days: int = HORIZON_DAYS
) -> TrainingResult:
    """Train at A - 2h, evaluate at A - h, refit at A - h (see the module docstring)."""
    if horizon_days < 1:
        raise ValueError("horizon_days must be >= 1")
    t1, t2 = as_of - 2 * horizon_days, as_of - horizon_days
    x1 = compute_features(ledger, t1)
    y1 = paid_in_window(ledger, t1, t2)
    x2 = compute_features(ledger, t2)
    y2 = paid_in_window(ledger, t2, as_of)
    first = fit(x1, y1, horizon_days=horizon_days)
    scores = predict(first, x2)
    dpd = x2.column("dpd")
    arrears = dpd > 0
    holdout = HoldoutReport(
        horizon_days=horizon_days,
        train_cutoff=t1,
        test_cutoff=t2,
        n_train=len(y1),
        n_test=len(y2),
        train_positive_rate=float(y1.mean()) if len(y1) else 0.0,
        test_positive_rate=float(y2.mean()) if len(y2) else 0.0,
        auc=_auc(y2, scores),
        n_test_in_arrears=int(arrears.sum()),
        auc_in_arrears=_auc(y2[arrears], scores[arrears]),
        baseline_auc=_auc(y2, -dpd),
    )
    return TrainingResult(model=fit(x2, y2, horizon_days=horizon_days), holdout=holdout)


@dataclass(frozen=True, slots=True)
class TruthAgreement:
    """How scores at the as-of agree with a synthetic portfolio's hidden truth (`DIR/_truth/propensity.parquet`)."""

    loans: int  # loans present in both
    spearman_propensity: float  # rank correlation of score and hidden propensity
    auc_pays_next_30d: float | None  # AUC of the score against the hidden 30-day label drawn after A


def truth_agreement(
    loan_ids: tuple[str, ...],
    scores: npt.NDArray[np.float64],
    truth_loan_ids: npt.ArrayLike,
    propensity: npt.ArrayLike,
    pays_next_30d: npt.ArrayLike,
    *,
    only: npt.NDArray[np.bool_] | None = None,
) -> TruthAgreement:
    """Match scored loans to truth rows by loan id; `only` restricts to a subset of the scored loans."""
    ids = np.asarray(loan_ids, dtype=str)
    if only is not None:
        ids, scores = ids[only], scores[only]
    t_ids = np.asarray(truth_loan_ids, dtype=str)
    _, mine, theirs = np.intersect1d(ids, t_ids, assume_unique=True, return_indices=True)
    if len(mine) < 2:
        raise ValueError(f"only {len(mine)} scored loans appear in the truth file; is it the same portfolio?")
    s = scores[mine]
    p = np.asarray(propensity, dtype=np.float64)[theirs]
    y = np.asarray(pays_next_30d, dtype=bool)[theirs]
    rho = spearmanr(s, p).statistic if np.ptp(s) > 0 else float("nan")
    return TruthAgreement(loans=len(mine), spearman_propensity=float(rho), auc_pays_next_30d=_auc(y, s))
