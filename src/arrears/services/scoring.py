"""Use cases: train the propensity-to-pay model on stored loans, and score them into `loan_scores`.

Storage is read once per run into columns (`ScoringLedger`: one SELECT per table, converted with PyArrow and
NumPy, no per-loan Python logic); the pure `arrears.scoring` package computes features, trains and predicts.
`apply_scores` replaces the scores of its `as_of` in one transaction: all loans are written or none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, delete, insert, select

from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.scoring import evaluate, features, model
from arrears.scoring.ledger import NEVER, ScoringLedger
from arrears.storage.tables import contact_attempts, holds, instalments, loan_scores, loans, payments
from arrears.storage.uow import UnitOfWork

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
BATCH = 10_000
I64 = npt.NDArray[np.int64]


def _make_uow(engine_or_uow: Engine | Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    if isinstance(engine_or_uow, Engine):
        engine = engine_or_uow
        return lambda: UnitOfWork(engine)
    return engine_or_uow


def _columns(conn: Connection, query: Any, n: int) -> list[list[Any]]:
    rows = conn.execute(query).all()
    if not rows:
        return [[] for _ in range(n)]
    return [list(c) for c in zip(*rows, strict=True)]


def _days(values: Sequence[date]) -> I64:
    arr = pa.array(values, type=pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
    return np.asarray(arr, dtype=np.int64) + EPOCH_ORDINAL


def _local_days(values: Sequence[datetime], zone: str) -> I64:
    """The calendar day in `zone` of each aware instant, as an ordinal."""
    ts = pa.array(values, type=pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us", tz=zone))
    local = pc.local_timestamp(ts).cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
    return np.asarray(local, dtype=np.int64) + EPOCH_ORDINAL


def _index(sorted_ids: npt.NDArray[np.str_], order: I64, query: Sequence[str | None]) -> I64:
    """Positions of `query` ids in the unsorted id array (-1 when absent)."""
    q = np.asarray([x if x is not None else "" for x in query], dtype=str)
    pos = np.clip(np.searchsorted(sorted_ids, q), 0, max(len(sorted_ids) - 1, 0))
    found = (sorted_ids[pos] == q) if len(sorted_ids) else np.zeros(len(q), dtype=bool)
    return np.where(found, order[pos] if len(order) else -1, -1).astype(np.int64)


def load_ledger(conn: Connection, config: EngineConfig = DEFAULT_CONFIG) -> ScoringLedger:
    """Every stored loan with its instalments, payments, contact attempts and holds, as columns."""
    lc = loans.c
    loan_id, borrower_id, lender_type, principal, apr, contract = _columns(
        conn, select(lc.loan_id, lc.borrower_id, lc.lender_type, lc.principal_minor, lc.apr_all_in_bp, lc.contract_date), 6
    )
    ids = np.asarray(loan_id, dtype=str)
    order = np.argsort(ids, kind="stable").astype(np.int64)
    sorted_ids = ids[order]
    b_ids, loan_borrower = np.unique(np.asarray(borrower_id, dtype=str), return_inverse=True)
    b_order = np.arange(len(b_ids), dtype=np.int64)

    ic = instalments.c
    i_loan, i_seq, i_due, i_p, i_i, i_f = _columns(
        conn, select(ic.loan_id, ic.seq, ic.due_date, ic.principal_minor, ic.interest_minor, ic.fee_minor), 6
    )
    il = _index(sorted_ids, order, i_loan)
    idue = _days(i_due)
    io = np.lexsort((np.asarray(i_seq, dtype=np.int64), idue, il))

    pcol = payments.c
    p_loan, p_at, p_amt = _columns(conn, select(pcol.loan_id, pcol.paid_at, pcol.amount_minor), 3)
    pl = _index(sorted_ids, order, p_loan)
    pday = _local_days(p_at, config.timezone)
    po = np.lexsort((pday, pl))

    ac = contact_attempts.c
    a_b, a_party, a_ch, a_dir, a_out, a_at = _columns(
        conn, select(ac.borrower_id, ac.party_id, ac.channel, ac.direction, ac.outcome, ac.at), 6
    )
    ab = _index(b_ids, b_order, a_b)
    keep = ab >= 0

    hc = holds.c
    h_b, h_loan, h_kind, h_start, h_end = _columns(conn, select(hc.borrower_id, hc.loan_id, hc.kind, hc.start, hc.end), 5)
    hold_loan, hold_kind, hold_start, hold_end = _resolve_holds(
        loan_borrower.astype(np.int64),
        _index(b_ids, b_order, h_b),
        _index(sorted_ids, order, h_loan),
        np.asarray(h_kind, dtype=str),
        _days(h_start),
        np.asarray([NEVER if e is None else e.toordinal() for e in h_end], dtype=np.int64),
    )
    return ScoringLedger(
        loan_ids=tuple(str(x) for x in ids),
        loan_borrower=loan_borrower.astype(np.int64),
        private_lender=np.asarray(lender_type, dtype=str) == "private",
        principal_minor=np.asarray(principal, dtype=np.int64),
        apr_bp=np.asarray(apr, dtype=np.int64),
        contract_day=_days(contract),
        inst_loan=il[io],
        inst_due=idue[io],
        inst_principal=np.asarray(i_p, dtype=np.int64)[io],
        inst_interest=np.asarray(i_i, dtype=np.int64)[io],
        inst_fee=np.asarray([0 if f is None else f for f in i_f], dtype=np.int64)[io],
        pay_loan=pl[po],
        pay_day=pday[po],
        pay_amount=np.asarray(p_amt, dtype=np.int64)[po],
        att_borrower=ab[keep],
        att_day=_local_days(a_at, config.timezone)[keep],
        att_channel=np.asarray(a_ch, dtype=str)[keep],
        att_outcome=np.asarray(a_out, dtype=str)[keep],
        att_inbound=(np.asarray(a_dir, dtype=str) == "in")[keep],
        att_to_borrower=(np.asarray(a_party, dtype=str) == np.asarray(a_b, dtype=str))[keep],
        hold_loan=hold_loan,
        hold_kind=hold_kind,
        hold_start=hold_start,
        hold_end=hold_end,
    )


def _resolve_holds(
    loan_borrower: I64, h_borrower: I64, h_loan: I64, kind: npt.NDArray[np.str_], start: I64, end: I64
) -> tuple[I64, npt.NDArray[np.str_], I64, I64]:
    """A hold on one loan stays on it; a borrower-wide hold (no loan) is repeated for each of their loans."""
    own = h_loan >= 0
    wide = ~own & (h_borrower >= 0)
    by_b = np.argsort(loan_borrower, kind="stable")
    first = np.searchsorted(loan_borrower[by_b], h_borrower[wide], side="left")
    last = np.searchsorted(loan_borrower[by_b], h_borrower[wide], side="right")
    counts = last - first
    rep = np.repeat(np.flatnonzero(wide), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    wide_loans = by_b[np.repeat(first, counts) + offsets]
    pick = np.concatenate([np.flatnonzero(own), rep]).astype(np.int64)
    hold_loan = np.concatenate([h_loan[own], wide_loans]).astype(np.int64)
    return hold_loan, kind[pick], start[pick], end[pick]


@dataclass(frozen=True, slots=True)
class TrainReport:
    as_of: date
    loans: int
    holdout: evaluate.HoldoutReport
    model_version: str
    model_path: Path
    truth: evaluate.TruthAgreement | None  # every loan, scored at as_of
    truth_in_arrears: evaluate.TruthAgreement | None  # loans past due at as_of


def _read_truth(path: Path) -> tuple[list[str], list[float], list[bool]]:
    try:
        t = pq.read_table(path, columns=["loan_id", "propensity", "pays_next_30d"])
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ValueError(f"{path}: 无法读取隐藏真值 / cannot read the hidden truth: {exc}") from exc
    return t["loan_id"].to_pylist(), t["propensity"].to_pylist(), t["pays_next_30d"].to_pylist()


def train_model(
    *,
    engine_or_uow: Engine | Callable[[], UnitOfWork],
    as_of: date,
    model_path: Path,
    horizon_days: int = evaluate.HORIZON_DAYS,
    truth_path: Path | None = None,
    config: EngineConfig = DEFAULT_CONFIG,
) -> TrainReport:
    """Time-split train and evaluate on data before `as_of`, save the model; compare with `truth_path` if given."""
    with _make_uow(engine_or_uow)() as uow:
        ledger = load_ledger(uow.connection, config)
    if ledger.n_loans == 0:
        raise ValueError("没有贷款可训练 / no loans are stored; import a portfolio first")
    a = as_of.toordinal()
    result = evaluate.train_time_split(ledger, a, horizon_days=horizon_days)
    model.save(result.model, model_path)
    truth = truth_in_arrears = None
    if truth_path is not None:
        x = features.compute_features(ledger, a)
        scores = model.predict(result.model, x)
        hidden = _read_truth(truth_path)
        truth = evaluate.truth_agreement(ledger.loan_ids, scores, *hidden)
        truth_in_arrears = evaluate.truth_agreement(ledger.loan_ids, scores, *hidden, only=x.column("dpd") > 0)
    return TrainReport(
        as_of=as_of,
        loans=ledger.n_loans,
        holdout=result.holdout,
        model_version=result.model.version,
        model_path=model_path,
        truth=truth,
        truth_in_arrears=truth_in_arrears,
    )


@dataclass(frozen=True, slots=True)
class ApplyReport:
    as_of: date
    loans: int
    model_version: str
    mean_score: float
    high_share: float  # share of loans scored >= 0.5


def apply_scores(
    *,
    engine_or_uow: Engine | Callable[[], UnitOfWork],
    as_of: date,
    model_path: Path,
    config: EngineConfig = DEFAULT_CONFIG,
) -> ApplyReport:
    """Score every stored loan as of the start of `as_of`; replace that day's rows in `loan_scores`."""
    fitted = model.load(model_path)
    with _make_uow(engine_or_uow)() as uow:
        conn = uow.connection
        ledger = load_ledger(conn, config)
        scores = model.predict(fitted, features.compute_features(ledger, as_of.toordinal()))
        conn.execute(delete(loan_scores).where(loan_scores.c.as_of == as_of))
        rows = [
            {"loan_id": lid, "as_of": as_of, "score": float(s), "model_version": fitted.version}
            for lid, s in zip(ledger.loan_ids, scores.tolist(), strict=True)
        ]
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(loan_scores), rows[i : i + BATCH])
        uow.commit()
    return ApplyReport(
        as_of=as_of,
        loans=len(rows),
        model_version=fitted.version,
        mean_score=float(scores.mean()) if len(scores) else 0.0,
        high_share=float((scores >= 0.5).mean()) if len(scores) else 0.0,
    )
