"""Delinquency (and, with a model, scores) of a Parquet portfolio, computed column-wise in chunks of borrowers.

Each chunk's loans, instalments, payments, contact attempts and holds are read from the `raw_*` views into
NumPy (`scoring.ScoringLedger`): ids become numbers, instants become local day ordinals in NumPy (the zone's
offsets found once per chunk), repeated strings become `Labels` (dictionary codes). ONE replay of the
delinquency engine's columnar path (`assess_columnar_at`) gives the status at the end of the plan date (DPD,
bucket, overdue amounts for the plan) and at the end of the day before (the features' view), and
`scoring.model.predict` the propensity. Memory is bounded by one chunk; `delinquency_chunks` hands each
chunk's relations to the caller as soon as they are computed.

Chunks are ranges of `borrower_id`. Every read carries the range as constants (loans, contacts and holds by
`borrower_id`, instalments and payments by the chunk's smallest and largest `loan_id` as well as the join), so
when the files are clustered by borrower, as the import format's writers and `arrears synth` produce them,
Parquet row groups outside the chunk are skipped and the whole stage is linear in the portfolio. Unclustered
files give the same results, only slower (each chunk then scans them).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arrears.delinquency.buckets import BucketScheme
from arrears.delinquency.columnar import NEVER, assess_columnar_at
from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.planner.inputs import EPOCH_ORDINAL
from arrears.scoring import features, model
from arrears.scoring.ledger import Labels, ScoringLedger

CHUNK_BORROWERS = 250_000
Progress = Callable[[int, int], None]
I64 = npt.NDArray[np.int64]

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
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return con.sql(sql).to_arrow_table()


def _i64(t: pa.Table, name: str) -> I64:
    col = t.column(name)
    if col.null_count:
        raise ValueError(f"{name}: {col.null_count} empty values where a number or date is required")
    return np.asarray(col.to_numpy(), dtype=np.int64)


def _bool(t: pa.Table, name: str) -> npt.NDArray[np.bool_]:
    return np.asarray(t.column(name).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _labels(t: pa.Table, name: str) -> Labels:
    """A string column as `Labels` (dictionary codes; an empty value is '')."""
    col = pc.dictionary_encode(t.column(name).fill_null("")).combine_chunks()
    codes = np.asarray(col.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    return Labels(codes, tuple(str(v) for v in col.dictionary.to_pylist()))


# --- instants -> local days -----------------------------------------------------------------------------------
def _offset(zone: ZoneInfo, t: int) -> int:
    off = datetime.fromtimestamp(t, UTC).astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def local_days(epoch_s: I64, tz: str) -> I64:
    """The calendar day ordinal in zone `tz` of each instant (seconds since 1970 UTC).

    The zone's UTC offset is sampled hourly over the instants' range and each change is located to the second
    by bisection (as `planner.relations.zone_rows` does), so the cost is per hour of range, not per instant."""
    if len(epoch_s) == 0:
        return np.zeros(0, dtype=np.int64)
    zone = ZoneInfo(tz)
    lo, hi = int(epoch_s.min()), int(epoch_s.max())
    starts, offsets = [lo], [_offset(zone, lo)]
    t = lo
    while t < hi:
        nxt = min(t + 3600, hi)
        off = _offset(zone, nxt)
        if off != offsets[-1]:
            a, b = t, nxt  # offset(a) == offsets[-1] != offset(b)
            while b - a > 1:
                m = (a + b) // 2
                if _offset(zone, m) == offsets[-1]:
                    a = m
                else:
                    b = m
            starts.append(b)
            offsets.append(off)
        t = nxt
    k = np.searchsorted(np.asarray(starts, dtype=np.int64), epoch_s, side="right") - 1
    local = epoch_s + np.asarray(offsets, dtype=np.int64)[k]
    return np.asarray(local // 86400 + UNIX_EPOCH_ORDINAL, dtype=np.int64)


# --- one chunk ----------------------------------------------------------------------------------------------
def _chunk_ledger(
    con: duckdb.DuckDBPyConnection, lo: str, hi: str | None, tz: str
) -> tuple[ScoringLedger, pa.Table]:
    """The ledger of the borrowers with `lo <= borrower_id < hi` (`hi` None: no upper bound), and its loans
    as Arrow (`loan_id`, `borrower_id`, `product`; row k = loan number k)."""
    rng = f"borrower_id >= {_q(lo)}" + (f" AND borrower_id < {_q(hi)}" if hi is not None else "")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE chunk_loans AS
SELECT CAST(ROW_NUMBER() OVER (ORDER BY loan_id) - 1 AS BIGINT) AS loan_no,
       CAST(DENSE_RANK() OVER (ORDER BY borrower_id) - 1 AS BIGINT) AS b_no,
       loan_id, borrower_id, lender_type, principal_minor, apr_all_in_bp, CAST(contract_date AS DATE) AS contract_date,
       product
FROM raw_loans WHERE {rng}""")
    ep = EPOCH_ORDINAL
    loans = _arrow(
        con,
        f"""SELECT loan_id, borrower_id, product, b_no, lender_type = 'private' AS private, principal_minor,
  apr_all_in_bp, DATE_DIFF('day', DATE '1970-01-01', contract_date) + {ep} AS contract_day
FROM chunk_loans ORDER BY loan_no""",
    )
    span = con.execute("SELECT MIN(loan_id), MAX(loan_id) FROM chunk_loans").fetchall()[0]
    l_rng = "FALSE" if span[0] is None else f"loan_id >= {_q(span[0])} AND loan_id <= {_q(span[1])}"
    inst = _arrow(
        con,
        f"""SELECT l.loan_no, DATE_DIFF('day', DATE '1970-01-01', CAST(i.due_date AS DATE)) + {ep} AS due,
  i.principal_minor, i.interest_minor, COALESCE(i.fee_minor, 0) AS fee
FROM (SELECT * FROM raw_instalments WHERE {l_rng}) i JOIN chunk_loans l USING (loan_id)
ORDER BY l.loan_no, due, i.seq""",
    )
    pays = _arrow(
        con,
        f"""SELECT l.loan_no, CAST(epoch(CAST(p.paid_at AS TIMESTAMPTZ)) AS BIGINT) AS at_s, p.amount_minor
FROM (SELECT * FROM raw_payments WHERE {l_rng}) p JOIN chunk_loans l USING (loan_id)
ORDER BY l.loan_no, at_s""",
    )
    atts = _arrow(
        con,
        f"""SELECT b.b_no, CAST(epoch(CAST(a."at" AS TIMESTAMPTZ)) AS BIGINT) AS at_s, a.channel, a.outcome,
  a.direction = 'in' AS inbound, a.party_id = a.borrower_id AS to_borrower
FROM (SELECT * FROM raw_contact_attempts WHERE {rng}) a
JOIN (SELECT DISTINCT borrower_id, b_no FROM chunk_loans) b USING (borrower_id)""",
    )
    holds = _arrow(
        con,
        f"""SELECT l.loan_no, h.kind,
  DATE_DIFF('day', DATE '1970-01-01', CAST(h."start" AS DATE)) + {ep} AS start,
  COALESCE(DATE_DIFF('day', DATE '1970-01-01', CAST(h."end" AS DATE)) + {ep}, {NEVER}) AS end_
FROM (SELECT * FROM raw_holds WHERE {rng}) h
JOIN chunk_loans l ON l.borrower_id = h.borrower_id AND (h.loan_id IS NULL OR h.loan_id = l.loan_id)
ORDER BY l.loan_no, start""",
    )
    pay_day = local_days(_i64(pays, "at_s"), tz)
    pay_loan = _i64(pays, "loan_no")
    # Sorted by instant within a loan, so also by local day (the engine's order: day, then paid_at).
    ledger = ScoringLedger(
        loan_ids=tuple(loans.column("loan_id").to_pylist()),
        loan_borrower=_i64(loans, "b_no"),
        private_lender=_bool(loans, "private"),
        principal_minor=_i64(loans, "principal_minor"),
        apr_bp=_i64(loans, "apr_all_in_bp"),
        contract_day=_i64(loans, "contract_day"),
        inst_loan=_i64(inst, "loan_no"),
        inst_due=_i64(inst, "due"),
        inst_principal=_i64(inst, "principal_minor"),
        inst_interest=_i64(inst, "interest_minor"),
        inst_fee=_i64(inst, "fee"),
        pay_loan=pay_loan,
        pay_day=pay_day,
        pay_amount=_i64(pays, "amount_minor"),
        att_borrower=_i64(atts, "b_no"),
        att_day=local_days(_i64(atts, "at_s"), tz),
        att_channel=_labels(atts, "channel"),
        att_outcome=_labels(atts, "outcome"),
        att_inbound=_bool(atts, "inbound"),
        att_to_borrower=_bool(atts, "to_borrower"),
        hold_loan=_i64(holds, "loan_no"),
        hold_kind=_labels(holds, "kind"),
        hold_start=_i64(holds, "start"),
        hold_end=_i64(holds, "end_"),
    )
    return ledger, loans.select(["loan_id", "borrower_id", "product"])


def _chunk_bounds(con: duckdb.DuckDBPyConnection, per_chunk: int) -> list[tuple[str, str | None]]:
    rows = con.execute(f"""SELECT borrower_id FROM (
  SELECT borrower_id, ROW_NUMBER() OVER (ORDER BY borrower_id) - 1 AS k FROM (SELECT DISTINCT borrower_id FROM raw_loans))
WHERE k % {per_chunk} = 0 ORDER BY borrower_id""").fetchall()
    starts = [r[0] for r in rows]
    return [(s, starts[i + 1] if i + 1 < len(starts) else None) for i, s in enumerate(starts)]


def _segment_min(values: I64, starts: I64, counts: I64, fill: int) -> I64:
    out = np.full(len(starts), fill, dtype=np.int64)
    has = counts > 0
    if len(values):
        out[has] = np.minimum.reduceat(values, starts[has])
    return out


def _chunk_relations(
    con: duckdb.DuckDBPyConnection,
    lo: str,
    hi: str | None,
    *,
    plan_date: date,
    scheme: BucketScheme,
    config: EngineConfig,
    with_features: bool,
) -> tuple[pa.Table, features.FeatureMatrix | None]:
    """One chunk: its delinquency rows (open loans only) and, when asked, the features of those same loans."""
    today = plan_date.toordinal()
    ledger, loans = _chunk_ledger(con, lo, hi, config.timezone)
    n = ledger.n_loans
    before, status = assess_columnar_at(
        ledger.columnar(), (plan_date - timedelta(days=1), plan_date), scheme=scheme, config=config
    )
    overdue = (
        status.overdue_principal_minor
        + status.overdue_interest_minor
        + status.overdue_fee_minor
        + status.penalty_minor
    )
    odue = today - status.dpd - status.paused_days
    starts = np.searchsorted(ledger.inst_loan, np.arange(n)).astype(np.int64)
    counts = np.diff(np.r_[starts, len(ledger.inst_loan)]).astype(np.int64)
    upcoming = np.where(ledger.inst_due >= today, ledger.inst_due, NEVER)
    nxt = _segment_min(upcoming, starts, counts, NEVER)
    due = np.where(status.dpd > 0, odue, nxt)
    keep = (status.dpd > 0) | (nxt < NEVER)
    bucket = pa.DictionaryArray.from_arrays(
        pa.array(status.bucket_codes, pa.int32()), pa.array(status.bucket_names, pa.string())
    ).cast(pa.string())
    dq = pa.table(
        {
            "loan_id": loans.column("loan_id"),
            "borrower_id": loans.column("borrower_id"),
            "product": loans.column("product"),
            "dpd": pa.array(status.dpd, pa.int32()),
            "bucket": bucket,
            "overdue_minor": pa.array(overdue, pa.int64()),
            "non_demandable_minor": pa.array(np.zeros(n, dtype=np.int64), pa.int64()),
            "rate_flags": pa.repeat(pa.scalar("", pa.string()), n),
            "due_day": pa.array(np.where(keep, due - EPOCH_ORDINAL, 0), pa.int32()),
        },
        schema=DELINQUENCY_SCHEMA,
    ).filter(pa.array(keep))
    if not with_features:
        return dq, None
    # Features over the whole chunk (some count a borrower's loans), kept for the open loans only: the plan
    # reads scores through the delinquency relation, so a closed loan's score would never be used.
    x = features.compute_features(ledger, today, scheme=scheme, status=before)
    kept = features.FeatureMatrix(
        loan_ids=tuple(itertools.compress(x.loan_ids, keep.tolist())),
        names=x.names,
        values=x.values[keep],  # model.predict lays it out column-major
        cutoff=x.cutoff,
    )
    return dq, kept


def _scores(fitted: model.PropensityModel, dq: pa.Table, x: features.FeatureMatrix) -> pa.Table:
    scores = model.predict(fitted, x)
    return pa.table(
        {"loan_id": dq.column("loan_id"), "score": pa.array(scores, pa.float64())}, schema=SCORES_SCHEMA
    )


def delinquency_chunks(
    con: duckdb.DuckDBPyConnection,
    *,
    plan_date: date,
    scheme: BucketScheme,
    model_path: Path | None = None,
    config: EngineConfig = DEFAULT_CONFIG,
    chunk_borrowers: int = CHUNK_BORROWERS,
    progress: Progress | None = None,
) -> Iterator[tuple[pa.Table, pa.Table | None]]:
    """Per chunk of borrowers: (delinquency rows of its open loans, scores of those loans or None without a
    model), in the `planner.inputs` DELINQUENCY and SCORES shapes.

    With a model, chunk k is scored on a worker thread while chunk k + 1 is read and assessed (the model's
    prediction and DuckDB both release the GIL), so at most two chunks are in memory."""
    fitted = model.load(model_path) if model_path is not None else None
    bounds = _chunk_bounds(con, chunk_borrowers)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-scores") as pool:
        pending: tuple[pa.Table, Future[pa.Table] | None] | None = None
        for k, (lo, hi) in enumerate(bounds):
            dq, x = _chunk_relations(
                con,
                lo,
                hi,
                plan_date=plan_date,
                scheme=scheme,
                config=config,
                with_features=fitted is not None,
            )
            scoring = pool.submit(_scores, fitted, dq, x) if fitted is not None and x is not None else None
            del x
            if pending is not None:
                yield pending[0], pending[1].result() if pending[1] is not None else None
                if progress:
                    progress(k, len(bounds))
            pending = (dq, scoring)
            del dq, scoring
        if pending is not None:
            yield pending[0], pending[1].result() if pending[1] is not None else None
            if progress:
                progress(len(bounds), len(bounds))
    con.execute("DROP TABLE IF EXISTS chunk_loans")


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
    """(delinquency, scores) relations for the open loans of the `raw_*` portfolio on `plan_date`, as whole
    Arrow tables (`delinquency_chunks` concatenated)."""
    d_parts: list[pa.Table] = []
    s_parts: list[pa.Table] = []
    for dq, sc in delinquency_chunks(
        con,
        plan_date=plan_date,
        scheme=scheme,
        model_path=model_path,
        config=config,
        chunk_borrowers=chunk_borrowers,
        progress=progress,
    ):
        d_parts.append(dq)
        if sc is not None:
            s_parts.append(sc)
    dq_all = pa.concat_tables(d_parts) if d_parts else DELINQUENCY_SCHEMA.empty_table()
    sc_all = pa.concat_tables(s_parts) if s_parts else SCORES_SCHEMA.empty_table()
    return dq_all, sc_all
