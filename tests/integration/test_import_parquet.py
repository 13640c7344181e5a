"""Parquet files, with native column types, import exactly like the CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from arrears.portfolio.rejects import read_report
from arrears.services.importing import import_portfolio

if TYPE_CHECKING:
    from conftest import PortfolioKit
from arrears.storage.uow import UnitOfWork

pytestmark = pytest.mark.db


def to_parquet(directory: Path, name: str) -> None:
    csv_path = directory / f"{name}.csv"
    table = pacsv.read_csv(csv_path)  # let pyarrow infer native types (ints, dates, timestamps with tz)
    pq.write_table(table, directory / f"{name}.parquet")
    csv_path.unlink()


def test_parquet_with_native_types_imports_like_csv(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    for name in ("loans", "instalments", "payments"):
        to_parquet(portfolio_dir, name)
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded", report.first_errors
    assert report.tables["instalments"].inserted == 5
    with UnitOfWork(engine) as uow:
        assert [p.amount_minor for p in uow.portfolio.payments_of("L1")] == [424_000]
    again = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.tables.values())


def test_parquet_errors_use_the_same_row_numbers(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    (portfolio_dir / "loans.csv").write_text(
        (portfolio_dir / "loans.csv").read_text(encoding="utf-8").replace("1200000", "-1200000"),
        encoding="utf-8",
    )
    to_parquet(portfolio_dir, "loans")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    e = read_report(report.report_path)[0]
    assert (e.file, e.row, e.column) == ("loans.parquet", 2, "principal_minor")


def test_both_csv_and_parquet_for_one_table_is_an_error(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    pq.write_table(pacsv.read_csv(portfolio_dir / "holds.csv"), portfolio_dir / "holds.parquet")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "failed"
    assert "both holds.csv and holds.parquet" in read_report(report.report_path)[0].reason
