"""Delinquency (and, with a model, scores) of a Parquet portfolio, computed column-wise in chunks of borrowers.

Each chunk's loans, instalments, payments, contact attempts and holds are read from the `raw_*` views into
NumPy (`scoring.ScoringLedger`), the delinquency engine's columnar path (`assess_columnar`) gives DPD, bucket
and overdue amounts, and `scoring.model.predict` the propensity. Memory is bounded by one chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from arrears.delinquency.buckets import BucketScheme
from arrears.delinquency.columnar import NEVER, assess_columnar
from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.planner.inputs import EPOCH_ORDINAL
from arrears.scoring import features, model
from arrears.scoring.ledger import ScoringLedger

CHUNK_BORROWERS = 500_000
Progress = Callable[[int, int], None]

DELINQUENCY_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("borrower_id", pa.string()),
        ("product", pa.string()),
        ("dpd", pa.int32()),
        ("bucket", pa.string()),
        ("overdue_minor", pa.int64()),
        ("non_demandable_minor", pa.int64()),
        ("rate_flags", pa.string()),
        ("due_day", pa.int32()),
    ]
)
SCORES_SCHEMA = pa.schema([("loan_id", pa.string()), ("score", pa.float64())])


def _np(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, np.ndarray]:
    t = con.sql(sql).to_arrow_table()
    return {n: t.column(n).to_numpy(zero_copy_only=False) for n in t.column_names}


def _chunk_ledger(
    con: duckdb.DuckDBPyConnection, lo: str, hi: str | None, tz: str
) -> tuple[ScoringLedger, np.ndarray]:
    rng = f"borrower_id >= '{lo}'" + (f" AND borrower_id < '{hi}'" if hi is not None else "")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE chunk_loans AS
SELECT ROW_NUMBER() OVER (ORDER BY loan_id) - 1 AS loan_no, loan_id, borrower_id, lender_type, principal_minor,
       apr_all_in_bp, CAST(contract_date AS DATE) AS contract_date, product
FROM raw_loans WHERE {rng}""")
    con.execute("""CREATE OR REPLACE TEMP TABLE chunk_borrowers AS
SELECT borrower_id, ROW_NUMBER() OVER (ORDER BY borrower_id) - 1 AS b_no FROM (SELECT DISTINCT borrower_id FROM chunk_loans)""")
    ep = EPOCH_ORDINAL
    loans = _np(
        con,
        f"""SELECT l.loan_id, b.b_no, l.lender_type = 'private' AS private, l.principal_minor,
  l.apr_all_in_bp, DATE_DIFF('day', DATE '1970-01-01', l.contract_date) + {ep} AS contract_day, l.product
FROM chunk_loans l JOIN chunk_borrowers b USING (borrower_id) ORDER BY l.loan_no""",
    )
    inst = _np(
        con,
        f"""SELECT l.loan_no, DATE_DIFF('day', DATE '1970-01-01', CAST(i.due_date AS DATE)) + {ep} AS due,
  i.principal_minor, i.interest_minor, COALESCE(i.fee_minor, 0) AS fee
FROM raw_instalments i JOIN chunk_loans l USING (loan_id) ORDER BY l.loan_no, due, i.seq""",
    )
    local = f"CAST(timezone('{tz}', CAST({{}} AS TIMESTAMPTZ)) AS DATE)"
    pays = _np(
        con,
        f"""SELECT l.loan_no, DATE_DIFF('day', DATE '1970-01-01', {local.format("p.paid_at")}) + {ep} AS day,
  p.amount_minor FROM raw_payments p JOIN chunk_loans l USING (loan_id) ORDER BY l.loan_no, day""",
    )
    atts = _np(
        con,
        f"""SELECT b.b_no, DATE_DIFF('day', DATE '1970-01-01', {local.format('a."at"')}) + {ep} AS day,
  a.channel, a.outcome, a.direction = 'in' AS inbound, a.party_id = a.borrower_id AS to_borrower
FROM raw_contact_attempts a JOIN chunk_borrowers b USING (borrower_id)""",
    )
    holds = _np(
        con,
        f"""SELECT l.loan_no, h.kind,
  DATE_DIFF('day', DATE '1970-01-01', CAST(h."start" AS DATE)) + {ep} AS start,
  COALESCE(DATE_DIFF('day', DATE '1970-01-01', CAST(h."end" AS DATE)) + {ep}, {NEVER}) AS end_
FROM raw_holds h JOIN chunk_loans l ON l.borrower_id = h.borrower_id AND (h.loan_id IS NULL OR h.loan_id = l.loan_id)
ORDER BY l.loan_no, start""",
    )
    i64 = np.int64
    ledger = ScoringLedger(
        loan_ids=tuple(loans["loan_id"].tolist()),
        loan_borrower=loans["b_no"].astype(i64),
        private_lender=loans["private"].astype(bool),
        principal_minor=loans["principal_minor"].astype(i64),
        apr_bp=loans["apr_all_in_bp"].astype(i64),
        contract_day=loans["contract_day"].astype(i64),
        inst_loan=inst["loan_no"].astype(i64),
        inst_due=inst["due"].astype(i64),
        inst_principal=inst["principal_minor"].astype(i64),
        inst_interest=inst["interest_minor"].astype(i64),
        inst_fee=inst["fee"].astype(i64),
        pay_loan=pays["loan_no"].astype(i64),
        pay_day=pays["day"].astype(i64),
        pay_amount=pays["amount_minor"].astype(i64),
        att_borrower=atts["b_no"].astype(i64),
        att_day=atts["day"].astype(i64),
        att_channel=np.asarray(atts["channel"], dtype=str),
        att_outcome=np.asarray(atts["outcome"], dtype=str),
        att_inbound=atts["inbound"].astype(bool),
        att_to_borrower=atts["to_borrower"].astype(bool),
        hold_loan=holds["loan_no"].astype(i64),
        hold_kind=np.asarray(holds["kind"], dtype=str),
        hold_start=holds["start"].astype(i64),
        hold_end=holds["end_"].astype(i64),
    )
    return ledger, loans["product"]


def _chunk_bounds(con: duckdb.DuckDBPyConnection, per_chunk: int) -> list[tuple[str, str | None]]:
    rows = con.execute(f"""SELECT borrower_id FROM (
  SELECT borrower_id, ROW_NUMBER() OVER (ORDER BY borrower_id) - 1 AS k FROM (SELECT DISTINCT borrower_id FROM raw_loans))
WHERE k % {per_chunk} = 0 ORDER BY borrower_id""").fetchall()
    starts = [r[0] for r in rows]
    return [(s, starts[i + 1] if i + 1 < len(starts) else None) for i, s in enumerate(starts)]


def delinquency_from_parquet(
    con: duckdb.DuckDBPyConnection,
    *,
    plan_date: date,
    scheme: BucketScheme,
    model_path: Path | None = None,
    config: EngineConfig = DEFAULT_CONFIG,
    chunk_borrowers: int = CHUNK_BORROWERS,
    progress: Progress | None = None,
) -> tuple[pa.Table, pa.Table]:
    """(delinquency, scores) relations for the open loans of the `raw_*` portfolio on `plan_date`."""
    fitted = model.load(model_path) if model_path is not None else None
    today = plan_date.toordinal()
    d_parts: list[pa.Table] = []
    s_parts: list[pa.Table] = []
    bounds = _chunk_bounds(con, chunk_borrowers)
    for k, (lo, hi) in enumerate(bounds):
        ledger, product = _chunk_ledger(con, lo, hi, config.timezone)
        status = assess_columnar(ledger.columnar(), as_of=plan_date, scheme=scheme, config=config)
        overdue = (
            status.overdue_principal_minor
            + status.overdue_interest_minor
            + status.overdue_fee_minor
            + status.penalty_minor
        )
        odue = today - status.dpd - status.paused_days
        upcoming = np.where(ledger.inst_due >= today, ledger.inst_due, NEVER)
        nxt = np.full(ledger.n_loans, NEVER, dtype=np.int64)
        np.minimum.at(nxt, ledger.inst_loan, upcoming)
        due = np.where(status.dpd > 0, odue, nxt)
        keep = (status.dpd > 0) | (nxt < NEVER)
        ids = np.asarray(ledger.loan_ids, dtype=object)
        b_ids = con.sql("SELECT borrower_id FROM chunk_borrowers ORDER BY b_no").to_arrow_table().column(0)
        borrower = b_ids.take(pa.array(ledger.loan_borrower))
        d_parts.append(
            pa.table(
                {
                    "loan_id": pa.array(ids, pa.string()),
                    "borrower_id": borrower,
                    "product": pa.array(product, pa.string()),
                    "dpd": pa.array(status.dpd, pa.int32()),
                    "bucket": pa.array(status.bucket, pa.string()),
                    "overdue_minor": pa.array(overdue, pa.int64()),
                    "non_demandable_minor": pa.array(np.zeros(ledger.n_loans, dtype=np.int64), pa.int64()),
                    "rate_flags": pa.array([""] * ledger.n_loans, pa.string()),
                    "due_day": pa.array(np.where(keep, due - EPOCH_ORDINAL, 0), pa.int32()),
                },
                schema=DELINQUENCY_SCHEMA,
            ).filter(pa.array(keep))
        )
        if fitted is not None:
            scores = model.predict(fitted, features.compute_features(ledger, today, scheme=scheme))
            s_parts.append(
                pa.table({"loan_id": pa.array(ids, pa.string()), "score": pa.array(scores, pa.float64())})
            )
        if progress:
            progress(k + 1, len(bounds))
    dq = pa.concat_tables(d_parts) if d_parts else DELINQUENCY_SCHEMA.empty_table()
    sc = pa.concat_tables(s_parts) if s_parts else SCORES_SCHEMA.empty_table()
    return dq, sc
