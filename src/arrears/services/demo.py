"""The main job: synthesise a portfolio, import it, compute delinquency, train and apply the propensity model,
seed the script library, plan the day, and summarise (by bucket, and today's plan by channel, step, agent and
held-back reason).

`prepare_demo` builds everything and returns the paths and the database URL (the web demo serves from them).
The synthetic roster (agents `agent1` in team t1, `agent2` in t2, ...) comes with the portfolio; a database
without agents gets a small demo roster (`ensure_roster`) so both demo logins have worklists.
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
from arrears.services.planning import PlanReport, plan_day
from arrears.services.scoring import ApplyReport, TrainReport, apply_scores, train_model
from arrears.services.workspace.scripts import seed_scripts
from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade
from arrears.storage.tables import loan_delinquency, loans
from arrears.storage.tables_plan import agents, assignments, teams

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
    training: TrainReport | None = None
    scores: ApplyReport | None = None
    plan: PlanReport | None = None
    plan_dir: Path | None = None
    model_path: Path | None = None

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
            func.coalesce(
                func.sum(d.overdue_principal_minor + d.overdue_interest_minor + d.overdue_penalty_minor), 0
            ),
            func.coalesce(func.sum(flags.contains("CN-RATE-1").cast(loans.c.principal_minor.type)), 0),
            func.coalesce(func.sum(rate2.cast(loans.c.principal_minor.type)), 0),
            func.coalesce(
                func.sum(
                    (rate2 & (loans.c.apr_all_in_bp > LICENSED_VOID_BP)).cast(loans.c.principal_minor.type)
                ),
                0,
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


DEMO_TEAMS = (("t1", "第1组 / Team 1"), ("t2", "第2组 / Team 2"))
DEMO_AGENTS = (
    ("agent1", "t1", "zh-CN;en", "call;sms;visit"),
    ("agent2", "t2", "zh-CN", "call;sms"),
)


def ensure_roster(engine: Engine, as_of: date) -> bool:
    """A small roster when the database has no agents: teams t1/t2, agent1 (t1) and agent2 (t2), the
    accounts in arrears dealt between them in id order. Returns whether it created one."""
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(agents)).scalar_one():
            return False
        conn.execute(teams.insert(), [{"team_id": t, "name": n} for t, n in DEMO_TEAMS])
        conn.execute(
            agents.insert(),
            [
                {
                    "agent_id": a,
                    "team_id": t,
                    "name": a,
                    "languages": lg,
                    "skills": sk,
                    "daily_capacity": 150,
                    "active": True,
                }
                for a, t, lg, sk in DEMO_AGENTS
            ],
        )
        late = (
            select(loans.c.borrower_id)
            .join(loan_delinquency, loan_delinquency.c.loan_id == loans.c.loan_id)
            .where(loan_delinquency.c.as_of == as_of, loan_delinquency.c.dpd > 0)
            .distinct()
            .order_by(loans.c.borrower_id)
        )
        ids = [r[0] for r in conn.execute(late)]
        if ids:
            conn.execute(
                assignments.insert(),
                [
                    {"borrower_id": b, "agent_id": DEMO_AGENTS[i % 2][0], "since": as_of}
                    for i, b in enumerate(ids)
                ],
            )
    return True


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
        imported = import_portfolio(
            directory=data_dir, engine_or_uow=engine, clock=clock, progress=progress, actor="demo"
        )
        if not imported.ok:
            raise DemoError(f"import failed: {imported.errors} rejected rows, see {imported.report_path}")
        stage("delinquency")
        dq = compute_delinquency(engine_or_uow=engine, as_of=as_of)
        buckets = bucket_summary(engine, as_of)
        stage("scoring")
        model_path = workdir / "model.joblib"
        training: TrainReport | None
        try:
            training = train_model(engine_or_uow=engine, as_of=as_of, model_path=model_path)
        except ValueError:  # too few loans, or one class only, in a tiny portfolio: plan by balance
            training = None
        scores = apply_scores(engine_or_uow=engine, as_of=as_of, model_path=model_path) if training else None
        seed_scripts(engine, clock=clock, actor="demo")  # the script library (话术库), idempotent
        stage("plan")
        ensure_roster(engine, as_of)
        plan_dir = workdir / "plan"
        plan = plan_day(engine, as_of, clock=clock, out_dir=plan_dir, actor="demo").report
    finally:
        engine.dispose()
    return DemoReport(
        as_of,
        url,
        data_dir,
        synth,
        imported,
        dq,
        buckets,
        training,
        scores,
        plan,
        plan_dir,
        model_path if training else None,
    )


prepare_demo = run_demo
