"""The main job: synthesise a portfolio, import it, compute delinquency, summarise by bucket.

Later stages (scoring, the daily plan, the web app) join this pipeline as they are built.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

from arrears.delinquency.buckets import load_bucket_scheme
from arrears.domain.clock import Clock
from arrears.portfolio.synth import WriteSummary, synthesize
from arrears.services.delinquency import DelinquencyRunReport, compute_delinquency
from arrears.services.importing import ImportReport, Progress, import_portfolio
from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade
from arrears.storage.tables import loan_delinquency, loans

HOME_ZONE = "Asia/Shanghai"
LICENSED_VOID_BP = 3600


class DemoError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class BucketRow:
    bucket: str
    loans: int
    overdue_minor: int  # overdue principal + interest + penalty
    rate_1: int  # loans flagged CN-RATE-1 (private loan above 4 x LPR)
    rate_2_over_24: int  # licensed loans flagged CN-RATE-2, all-in rate above 24% (review)
    rate_2_over_36: int  # ... above 36% (the excess may not be demanded)
    non_demandable_minor: int


@dataclass(frozen=True, slots=True)
class DemoReport:
    as_of: date
    database_url: str
    data_dir: Path
    synth: WriteSummary
    imported: ImportReport
    delinquency: DelinquencyRunReport
    buckets: tuple[BucketRow, ...]

    @property
    def total(self) -> BucketRow:
        def s(attr: str) -> int:
            return sum(int(getattr(r, attr)) for r in self.buckets)

        return BucketRow(
            "all",
            s("loans"),
            s("overdue_minor"),
            s("rate_1"),
            s("rate_2_over_24"),
            s("rate_2_over_36"),
            s("non_demandable_minor"),
        )


def bucket_summary(engine: Engine, as_of: date) -> tuple[BucketRow, ...]:
    """Loans, overdue amounts and legal-rate flags per bucket, in ladder order."""
    d = loan_delinquency.c
    flags = d.rate_flags
    rate2 = flags.contains("CN-RATE-2")
    stmt = (
        select(
            d.bucket,
            func.count(),
            func.coalesce(func.sum(d.overdue_principal_minor + d.overdue_interest_minor + d.overdue_penalty_minor), 0),
            func.coalesce(func.sum(flags.contains("CN-RATE-1").cast(loans.c.principal_minor.type)), 0),
            func.coalesce(func.sum(rate2.cast(loans.c.principal_minor.type)), 0),
            func.coalesce(
                func.sum((rate2 & (loans.c.apr_all_in_bp > LICENSED_VOID_BP)).cast(loans.c.principal_minor.type)), 0
            ),
            func.coalesce(func.sum(d.non_demandable_minor), 0),
        )
        .select_from(loan_delinquency.join(loans, loans.c.loan_id == d.loan_id))
        .where(d.as_of == as_of)
        .group_by(d.bucket)
    )
    with engine.connect() as conn:
        found = {r[0]: BucketRow(*(r[0], *(int(v) for v in r[1:]))) for r in conn.execute(stmt)}
    order = load_bucket_scheme().names
    return tuple(found.get(b, BucketRow(b, 0, 0, 0, 0, 0, 0)) for b in order)


def run_demo(
    *,
    workdir: Path,
    clock: Clock,
    accounts: int = 5000,
    seed: int = 42,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> DemoReport:
    """Build a fresh demo in `workdir` (its portfolio files and its SQLite database are replaced)."""
    from zoneinfo import ZoneInfo

    stage = on_stage or (lambda _s: None)
    as_of = clock.now().astimezone(ZoneInfo(HOME_ZONE)).date()
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "portfolio"
    db_path = workdir / "arrears.db"
    shutil.rmtree(data_dir, ignore_errors=True)
    for p in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        p.unlink(missing_ok=True)
    url = f"sqlite:///{db_path.resolve()}"

    stage("synth")
    synth = synthesize(data_dir, accounts=accounts, seed=seed, as_of=as_of)
    stage("migrate")
    engine = make_engine(url)
    try:
        upgrade(engine)
        stage("import")
        imported = import_portfolio(directory=data_dir, engine_or_uow=engine, clock=clock, progress=progress, actor="demo")
        if not imported.ok:
            raise DemoError(f"import failed: {imported.errors} rejected rows, see {imported.report_path}")
        stage("delinquency")
        dq = compute_delinquency(engine_or_uow=engine, as_of=as_of)
        buckets = bucket_summary(engine, as_of)
    finally:
        engine.dispose()
    return DemoReport(as_of, url, data_dir, synth, imported, dq, buckets)
