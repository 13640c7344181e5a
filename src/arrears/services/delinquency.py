"""Use case: compute every loan's delinquency as of a date and store it.

Reads loans, instalments, payments and holds in batches of loans, runs the pure engine
(`arrears.delinquency`: one ledger replay per loan feeds both the status and the bucket history), and writes
`loan_delinquency` (one row per loan and `as_of`, replaced on re-run) and `bucket_history` (the loan's spells
from `history_from`, default its contract date, through `as_of`, replaced on re-run). One transaction: either
every row of the run is written or none. A loan whose ledger does not hang together is skipped and reported
(errors are values), the others are still written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, select

from arrears.delinquency import (
    DEFAULT_CONFIG,
    BucketScheme,
    DelinquencyStatus,
    EngineConfig,
    LedgerError,
    LprTable,
    history_from_run,
    load_bucket_scheme,
    load_lpr_table,
    replay,
    status_from_run,
)
from arrears.delinquency.history import BucketHistory
from arrears.domain import Hold, Instalment, Loan, Payment
from arrears.storage import mapping
from arrears.storage.bulk import insert_rows
from arrears.storage.tables import bucket_history, holds, instalments, loan_delinquency, loans, payments
from arrears.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DelinquencyRunReport:
    as_of: date
    loans: int  # loans assessed and written
    spells: int  # bucket_history rows written
    by_bucket: tuple[tuple[str, int], ...]  # in ladder order
    rate_flagged: int  # loans with at least one legal-rate flag
    non_demandable_minor: int  # summed over loans
    errors: tuple[str, ...]  # skipped loans, one message each
    bucket_scheme_version: str
    lpr_table_version: str


def rate_flags_text(status: DelinquencyStatus) -> str:
    """`CN-RATE-2:review;CN-CRIM-1:review` — the stored form of the flags."""
    return ";".join(f"{f.rule_id}:{f.action.value}" for f in status.rate_check.flags)


def _status_row(s: DelinquencyStatus) -> dict[str, Any]:
    return {
        "loan_id": s.loan_id,
        "as_of": s.as_of,
        "dpd": s.dpd,
        "bucket": s.bucket,
        "overdue_principal_minor": s.overdue_principal_minor,
        "overdue_interest_minor": s.overdue_interest_minor,
        "overdue_penalty_minor": s.penalty_minor,
        "non_demandable_minor": s.rate_check.non_demandable_minor,
        "rate_flags": rate_flags_text(s),
    }


def _spell_rows(h: BucketHistory) -> list[dict[str, Any]]:
    return [{"loan_id": h.loan_id, "start_date": s.start, "bucket": s.bucket, "end_date": s.end} for s in h.spells]


def _load_batch(
    conn: Connection, after: str | None, batch_size: int, only: Collection[str] | None
) -> tuple[list[Loan], dict[str, list[Instalment]], dict[str, list[Payment]], list[Hold]]:
    q = select(loans).order_by(loans.c.loan_id).limit(batch_size)
    if after is not None:
        q = q.where(loans.c.loan_id > after)
    if only is not None:
        q = q.where(loans.c.loan_id.in_(list(only)))
    batch = [mapping.loan_from_row(r) for r in conn.execute(q).mappings()]
    ids = [ln.id for ln in batch]
    insts: dict[str, list[Instalment]] = defaultdict(list)
    pays: dict[str, list[Payment]] = defaultdict(list)
    if not ids:
        return batch, insts, pays, []

    # A run over all loans reads the batch's schedules and payments as one range of loan ids (the batch is
    # consecutive in loan id order): one index range scan each, instead of an IN list of the batch's ids.
    def of_batch(col: Any) -> Any:
        if only is not None:
            return col.in_(ids)
        return and_(col > after, col <= ids[-1]) if after is not None else col <= ids[-1]

    for r in conn.execute(select(instalments).where(of_batch(instalments.c.loan_id))).mappings():
        insts[r["loan_id"]].append(mapping.instalment_from_row(r))
    for r in conn.execute(select(payments).where(of_batch(payments.c.loan_id))).mappings():
        pays[r["loan_id"]].append(mapping.payment_from_row(r))
    borrowers = sorted({ln.borrower_id for ln in batch})
    hs = [mapping.hold_from_row(r) for r in conn.execute(select(holds).where(holds.c.borrower_id.in_(borrowers))).mappings()]
    return batch, insts, pays, hs


def compute_delinquency(
    *,
    engine_or_uow: Engine | Callable[[], UnitOfWork],
    as_of: date,
    loan_ids: Collection[str] | None = None,
    history_from: date | None = None,
    scheme: BucketScheme | None = None,
    lpr: LprTable | None = None,
    config: EngineConfig = DEFAULT_CONFIG,
    batch_size: int = 500,
) -> DelinquencyRunReport:
    """Assess the loans (all, or `loan_ids`) at the end of `as_of` and store statuses and bucket histories."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    scheme = scheme or load_bucket_scheme()
    lpr = lpr or load_lpr_table()
    make_uow: Callable[[], UnitOfWork]
    if isinstance(engine_or_uow, Engine):
        engine = engine_or_uow
        make_uow = lambda: UnitOfWork(engine)  # noqa: E731
    else:
        make_uow = engine_or_uow
    buckets: Counter[str] = Counter()
    errors: list[str] = []
    written = spells = flagged = non_demandable = 0
    with make_uow() as uow:
        conn = uow.connection
        after: str | None = None
        while True:
            batch, insts, pays, hs = _load_batch(conn, after, batch_size, loan_ids)
            if not batch:
                break
            after = batch[-1].id
            status_rows: list[dict[str, Any]] = []
            spell_rows: list[dict[str, Any]] = []
            for loan in batch:
                try:
                    run = replay(loan, insts[loan.id], pays[loan.id], hs, through=as_of, config=config)
                    status = status_from_run(run, scheme=scheme, lpr=lpr, config=config)
                    first = history_from or loan.contract_date
                    history = history_from_run(run, first=first, last=as_of, scheme=scheme) if first <= as_of else None
                except (LedgerError, ValueError) as exc:
                    errors.append(f"loan {loan.id}: {exc}")
                    continue
                status_rows.append(_status_row(status))
                if history is not None:
                    spell_rows.extend(_spell_rows(history))
                buckets[status.bucket] += 1
                flagged += bool(status.rate_check.flags)
                non_demandable += status.rate_check.non_demandable_minor
            ids = [r["loan_id"] for r in status_rows]
            if ids:
                conn.execute(
                    delete(loan_delinquency).where(loan_delinquency.c.as_of == as_of, loan_delinquency.c.loan_id.in_(ids))
                )
                insert_rows(conn, loan_delinquency, status_rows)
                conn.execute(delete(bucket_history).where(bucket_history.c.loan_id.in_(ids)))
                insert_rows(conn, bucket_history, spell_rows)
            written += len(status_rows)
            spells += len(spell_rows)
        uow.commit()
    return DelinquencyRunReport(
        as_of=as_of,
        loans=written,
        spells=spells,
        by_bucket=tuple((b, buckets[b]) for b in scheme.names if buckets[b]),
        rate_flagged=flagged,
        non_demandable_minor=non_demandable,
        errors=tuple(errors),
        bucket_scheme_version=scheme.version,
        lpr_table_version=lpr.version,
    )
