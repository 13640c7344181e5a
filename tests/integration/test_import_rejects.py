"""A bad cell fails the whole import (exit 1), the reject report names file, row and column, and no
portfolio data changes. With --accept-partial the good rows go in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.portfolio.rejects import read_report
from arrears.services.importing import import_portfolio

if TYPE_CHECKING:
    from conftest import PortfolioKit


pytestmark = pytest.mark.db

EMPTY = dict.fromkeys(
    [
        "borrowers",
        "loans",
        "instalments",
        "payments",
        "parties",
        "contact_points",
        "contact_attempts",
        "holds",
    ],
    0,
)


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "reason"),
    [
        ("payments.csv", 2, "amount_minor", "2025-10-09", "minor units"),  # a date in an amount column
        ("loans.csv", 3, "loan_id", "", "missing"),  # a missing key
        ("loans.csv", 4, "principal_minor", "-100", "at least 1"),  # a negative principal
        ("borrowers.csv", 3, "timezones", "Asia/Beijing", "unknown time zone"),  # an unknown time zone
    ],
)
def test_one_corrupt_cell_fails_the_import_and_names_the_cell(
    engine: Engine,
    portfolio_dir: Path,
    kit: PortfolioKit,
    file: str,
    row: int,
    column: str,
    value: str,
    reason: str,
) -> None:
    kit.set_cell(portfolio_dir / file, row, column, value)
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "failed"
    assert kit.table_counts(engine) == EMPTY
    first = read_report(report.report_path)[0]
    assert (first.file, first.row, first.column, first.value) == (file, row, column, value)
    assert reason in first.reason


def test_corrupt_reimport_leaves_the_stored_data_as_it_was(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    before = kit.table_counts(engine)
    kit.set_cell(portfolio_dir / "loans.csv", 2, "apr_all_in_bp", "9999")  # a valid change ...
    kit.set_cell(portfolio_dir / "instalments.csv", 4, "due_date", "2025-13-01")  # ... and a bad cell
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "failed"
    assert kit.table_counts(engine) == before
    from arrears.storage.uow import UnitOfWork

    with UnitOfWork(engine) as uow:
        assert {x.id: x.apr_all_in_bp for x in uow.portfolio.loans_of("B1")}["L1"] == 2400


def test_cli_exits_1_and_prints_the_cell(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    kit.set_cell(portfolio_dir / "loans.csv", 4, "principal_minor", "-100")
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["import", str(portfolio_dir), "--database-url", url, "--quiet"])
    assert result.exit_code == 1
    assert "loans.csv:4 [principal_minor]" in result.output
    assert kit.table_counts(engine) == EMPTY


def test_phone_book_contact_is_refused_naming_cn_data_1(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    kit.append_line(portfolio_dir / "contact_points.csv", "C9,B1,B1,mobile,13900000000,device_contact_list,,")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "failed"
    (e,) = read_report(report.report_path)
    assert (e.file, e.row, e.column, e.value) == ("contact_points.csv", 5, "source", "device_contact_list")
    assert "CN-DATA-1" in e.reason


def test_accept_partial_keeps_good_rows_and_rejects_dependants(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    kit.set_cell(
        portfolio_dir / "loans.csv", 2, "principal_minor", "0"
    )  # L1 is bad; its instalments follow it out
    report = import_portfolio(
        directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, accept_partial=True
    )
    assert report.status == "partial"
    rejected = {(e.file, e.row) for e in read_report(report.report_path)}
    assert rejected == {
        ("loans.csv", 2),
        ("instalments.csv", 2), ("instalments.csv", 3), ("instalments.csv", 4),
        ("payments.csv", 2),
        ("contact_attempts.csv", 2), ("contact_attempts.csv", 3),
    }  # fmt: skip
    counts = kit.table_counts(engine)
    assert (counts["loans"], counts["instalments"], counts["payments"], counts["contact_attempts"]) == (
        2,
        2,
        1,
        0,
    )


def test_borrower_over_the_contact_limit_is_refused(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    kit.append_line(portfolio_dir / "parties.csv", "Q3,B1,friend,赵六,朋友,,,")
    report = import_portfolio(
        directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, max_third_party_contacts=1
    )
    assert report.status == "failed"
    errors = read_report(report.report_path)
    assert (errors[0].file, errors[0].row, errors[0].column) == ("borrowers.csv", 2, "borrower_id")
    assert "limit of 1" in errors[0].reason
    ok = import_portfolio(
        directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, max_third_party_contacts=2
    )
    assert ok.status == "succeeded"


def test_cli_option_sets_the_contact_limit(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    url = engine.url.render_as_string(hide_password=False)
    args = ["import", str(portfolio_dir), "--database-url", url, "--quiet", "--max-third-party-contacts", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "limit of 0" in result.output


def test_duplicate_instalment_is_refused(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    kit.append_line(portfolio_dir / "instalments.csv", "L1,2,2025-11-10,1,1,0")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    (e,) = read_report(report.report_path)
    assert (e.file, e.row, e.value) == ("instalments.csv", 7, "L1, 2")
    assert "first at row 3" in e.reason


def test_missing_required_file_and_unknown_column_fail_even_partial(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    (portfolio_dir / "payments.csv").unlink()
    text = (portfolio_dir / "holds.csv").read_text(encoding="utf-8").replace("reason", "reason,colour", 1)
    (portfolio_dir / "holds.csv").write_text(text, encoding="utf-8")
    report = import_portfolio(
        directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, accept_partial=True
    )
    assert report.status == "failed"
    errors = {(e.file, e.row, e.column) for e in read_report(report.report_path)}
    assert errors == {("payments.csv", 0, ""), ("holds.csv", 1, "colour")}
    assert kit.table_counts(engine) == EMPTY


def test_row_with_too_many_fields_fails_the_file_and_names_the_row(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    kit.append_line(portfolio_dir / "holds.csv", "H2,B1,,hardship,2025-12-01,,失业,extra")
    report = import_portfolio(
        directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock, accept_partial=True
    )
    assert report.status == "failed"
    (e,) = read_report(report.report_path)
    assert (e.file, e.row) == ("holds.csv", 3)
    assert "8 fields" in e.reason
    assert kit.table_counts(engine) == EMPTY
