"""The main job, end to end on a small portfolio (always SQLite: the demo's embedded default)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.domain.clock import FixedClock
from arrears.services.demo import run_demo
from arrears.services.workspace.scripts import LANGS, builtin_scripts
from arrears.storage.engine import make_engine
from arrears.storage.tables import loan_delinquency, loans
from arrears.storage.tables_work import scripts

CLOCK = FixedClock(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))  # 10:00 in Beijing


def test_demo_assesses_every_imported_loan_and_counts_rate_cap_breaches(tmp_path: Path) -> None:
    report = run_demo(workdir=tmp_path / "demo", clock=CLOCK, accounts=400, seed=7)

    assert report.as_of.isoformat() == "2026-03-10"
    assert report.imported.ok and report.imported.errors == 0
    engine = make_engine(report.database_url)
    with engine.connect() as conn:
        n_loans = conn.execute(select(func.count()).select_from(loans)).scalar_one()
        n_assessed = conn.execute(
            select(func.count()).select_from(loan_delinquency).where(loan_delinquency.c.as_of == report.as_of)
        ).scalar_one()
        n_scripts = conn.execute(select(func.count()).select_from(scripts)).scalar_one()
    engine.dispose()
    assert n_loans == n_assessed == report.total.loans
    assert n_scripts == len(builtin_scripts()) * len(LANGS) > 0  # the script library is seeded
    assert [r.bucket for r in report.buckets] == ["M0", "M1", "M2", "M3", "M4", "M5", "M6+"]
    # The synthetic portfolio carries loans above each legal-rate line, and the summary finds them.
    assert report.total.rate_1 > 0 and report.total.rate_2_over_24 > 0
    assert report.total.rate_2_over_36 <= report.total.rate_2_over_24
    assert report.total.non_demandable_minor > 0
    # Every bucket past M0 is overdue by definition, so it carries overdue money.
    assert all(r.overdue_minor > 0 for r in report.buckets[1:] if r.loans)


def test_demo_command_prints_the_bucket_summary_and_the_logins_then_stops_with_no_serve(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--accounts", "150", "--dir", str(tmp_path / "d"), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "M6+" in result.output and "CN-RATE-1" in result.output
    assert "http://127.0.0.1:8000/" in result.output and "agent1" in result.output and "lead1" in result.output
    assert (tmp_path / "d" / "arrears.db").exists()
    from sqlalchemy import select

    from arrears.storage.engine import make_engine
    from arrears.storage.tables_auth import users

    engine = make_engine(f"sqlite:///{tmp_path / 'd' / 'arrears.db'}")
    with engine.connect() as conn:
        names = set(conn.execute(select(users.c.username)).scalars())
    engine.dispose()
    assert {"agent1", "agent2", "lead1", "compliance1", "admin1"} <= names
