"""Importing is idempotent by natural key: the same files twice add nothing; an edited file updates in place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from arrears.services.importing import import_portfolio

if TYPE_CHECKING:
    from conftest import PortfolioKit
from arrears.storage import audit
from arrears.storage.uow import UnitOfWork

pytestmark = pytest.mark.db


def test_first_import_inserts_every_row(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded"
    expected = {name: text.count("\n") - 1 for name, text in kit.sample.items()}
    assert kit.table_counts(engine) == expected
    assert {n: c.inserted for n, c in report.tables.items()} == expected


def test_reimporting_the_same_files_adds_and_changes_nothing(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    before = kit.table_counts(engine)
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded"
    assert kit.table_counts(engine) == before
    assert all(c.inserted == 0 and c.updated == 0 for c in report.tables.values())
    assert report.tables["instalments"].unchanged == 5


def test_edited_row_updates_in_place(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    kit.set_cell(portfolio_dir / "loans.csv", 3, "apr_all_in_bp", "3600")  # L2
    kit.append_line(portfolio_dir / "instalments.csv", "L2,2,2026-01-01,0,8750,0")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    loans = report.tables["loans"]
    assert (loans.inserted, loans.updated, loans.unchanged) == (0, 1, 2)
    inst = report.tables["instalments"]
    assert (inst.inserted, inst.updated, inst.unchanged) == (1, 0, 5)
    with UnitOfWork(engine) as uow:
        (l2,) = [x for x in uow.portfolio.loans_of("B1") if x.id == "L2"]
        assert l2.apr_all_in_bp == 3600
        assert len(uow.portfolio.instalments_of("L2")) == 2


def test_second_import_may_refer_to_rows_already_stored(
    engine: Engine, portfolio_dir: Path, tmp_path: Path, kit: PortfolioKit
) -> None:
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    later = tmp_path / "later"
    later.mkdir()
    for name in ("borrowers", "loans", "instalments", "parties", "contact_points"):
        (later / f"{name}.csv").write_text(kit.sample[name].splitlines()[0] + "\n", encoding="utf-8")
    (later / "payments.csv").write_text(
        kit.sample["payments"].splitlines()[0] + "\nP3,L2,2026-01-04T10:00:00+08:00,1000,app\n"
    )
    (later / "contact_attempts.csv").write_text(
        kit.sample["contact_attempts"].splitlines()[0]
        + "\nA3,B1,L2,Q1,C2,call,out,busy,2026-01-04T10:00:00+08:00,u1,,\n"
    )
    report = import_portfolio(directory=later, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded", report.first_errors
    assert report.tables["payments"].inserted == 1
    assert report.tables["contact_attempts"].inserted == 1


def test_every_run_is_recorded_and_audited(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    r1 = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    r2 = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert r2.run_id is not None and r1.run_id is not None and r2.run_id > r1.run_id
    with UnitOfWork(engine) as uow:
        run = uow.import_runs.latest()
        check = audit.verify(uow.connection)
    assert run is not None and run.status == "succeeded" and run.counts["loans"]["unchanged"] == 3
    assert check.ok and check.records == 2


def test_progress_is_reported_for_every_file_in_both_passes(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    seen: dict[str, tuple[int, int]] = {}

    def progress(label: str, done: int, total: int) -> None:
        seen[label] = (done, total)

    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, progress=progress)
    files = [f"{name}.csv" for name in kit.sample]
    assert sorted(seen) == sorted([f"校验 / validating {f}" for f in files] + [f"写入 / writing {f}" for f in files])
    assert all(done == total > 0 for done, total in seen.values())  # each bar ends full
