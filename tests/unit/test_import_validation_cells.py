"""Cell checks of the import format: each bad cell is named by file, row (header = row 1) and column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from arrears.portfolio.errors import RowError
from arrears.portfolio.reader import SourceFile, iter_batches
from arrears.portfolio.schema import TABLES_BY_NAME
from arrears.portfolio.validate import check_batch


@dataclass(frozen=True)
class Checked:
    rows: list[tuple[int, dict[str, Any]]]
    errors: list[RowError]


def check(tmp_path: Path, table: str, text: str) -> Checked:
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    src = SourceFile(TABLES_BY_NAME[table], path)
    rows, errors = [], []
    for raw in iter_batches(src):
        b = check_batch(src.table, raw.data, file=path.name, first_row=raw.first_row)
        rows += b.rows()
        errors += b.errors
    return Checked(rows, errors)


LOANS_HEADER = "loan_id,borrower_id,lender,lender_type,licence,product,currency,principal_minor,apr_all_in_bp,contract_date\n"
GOOD_LOAN = "L1,B1,示例消费金融,licensed,consumer_finance,分期,CNY,1200000,2400,2025-09-10\n"


def only(errors: list[RowError]) -> RowError:
    assert len(errors) == 1, errors
    return errors[0]


def test_good_loan_row_is_typed(tmp_path: Path) -> None:
    result = check(tmp_path, "loans", LOANS_HEADER + GOOD_LOAN)
    assert result.errors == []
    ((row_no, row),) = result.rows
    assert row_no == 2  # the header is row 1
    assert row["principal_minor"] == 1_200_000
    assert row["apr_all_in_bp"] == 2400
    assert row["contract_date"] == date(2025, 9, 10)


def test_date_in_amount_column_names_file_row_and_column(tmp_path: Path) -> None:
    text = LOANS_HEADER + GOOD_LOAN + "L2,B1,x,licensed,bank,p,CNY,2025-09-10,2400,2025-09-10\n"
    result = check(tmp_path, "loans", text)
    e = only(result.errors)
    assert (e.file, e.row, e.column, e.value) == ("loans.csv", 3, "principal_minor", "2025-09-10")
    assert "minor units" in e.reason
    assert [n for n, _ in result.rows] == [2]


def test_decimal_money_is_refused_because_money_is_in_minor_units(tmp_path: Path) -> None:
    e = only(
        check(
            tmp_path, "loans", LOANS_HEADER + "L1,B1,x,licensed,bank,p,CNY,12000.50,2400,2025-09-10\n"
        ).errors
    )
    assert e.column == "principal_minor"
    assert "分" in e.reason and "whole number" in e.reason


def test_negative_principal_is_refused(tmp_path: Path) -> None:
    e = only(
        check(tmp_path, "loans", LOANS_HEADER + "L1,B1,x,licensed,bank,p,CNY,-500,2400,2025-09-10\n").errors
    )
    assert (e.row, e.column, e.value) == (2, "principal_minor", "-500")
    assert "at least 1" in e.reason


def test_missing_key_is_refused(tmp_path: Path) -> None:
    e = only(
        check(tmp_path, "loans", LOANS_HEADER + ",B1,x,licensed,bank,p,CNY,500,2400,2025-09-10\n").errors
    )
    assert (e.row, e.column) == (2, "loan_id")
    assert "missing" in e.reason


def test_impossible_date_and_unknown_enum_are_both_reported(tmp_path: Path) -> None:
    result = check(tmp_path, "loans", LOANS_HEADER + "L1,B1,x,shadow,bank,p,CNY,500,2400,2025-02-30\n")
    assert sorted(e.column for e in result.errors) == ["contract_date", "lender_type"]
    assert result.rows == []


BORROWERS_HEADER = "borrower_id,name,region,timezones,language,is_minor,vulnerability,national_id_masked\n"


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    e = only(check(tmp_path, "borrowers", BORROWERS_HEADER + "B1,张伟,深圳,Asia/Shenzhen,zh-CN,,,\n").errors)
    assert (e.row, e.column, e.value) == (2, "timezones", "Asia/Shenzhen")
    assert "unknown time zone" in e.reason


def test_raw_utc_offsets_are_not_time_zones(tmp_path: Path) -> None:
    text = BORROWERS_HEADER + "B1,张伟,深圳,+08:00,zh-CN,,,\nB2,李娜,深圳,Asia/Shanghai;UTC+8,zh-CN,,,\n"
    errors = check(tmp_path, "borrowers", text).errors
    assert [(e.row, e.column) for e in errors] == [(2, "timezones"), (3, "timezones")]
    assert all("raw UTC offset" in e.reason for e in errors)


def test_borrower_lists_and_defaults(tmp_path: Path) -> None:
    text = (
        BORROWERS_HEADER + "B1,李娜,乌鲁木齐,Asia/Shanghai; Asia/Urumqi,zh-CN,,serious_illness;bereavement,\n"
    )
    ((_, row),) = check(tmp_path, "borrowers", text).rows
    assert row["timezones"] == ("Asia/Shanghai", "Asia/Urumqi")
    assert row["vulnerability"] == ("serious_illness", "bereavement")
    assert row["is_minor"] is False
    assert row["national_id_masked"] is None


PAYMENTS_HEADER = "payment_id,loan_id,paid_at,amount_minor,channel\n"


def test_payment_instants_keep_their_offset(tmp_path: Path) -> None:
    text = PAYMENTS_HEADER + "P1,L1,2025-10-09T20:15:00+08:00,100,app\nP2,L1,2025-10-09T12:15:00Z,100,\n"
    rows = [r for _, r in check(tmp_path, "payments", text).rows]
    assert rows[0]["paid_at"] == datetime(2025, 10, 9, 20, 15, tzinfo=timezone(timedelta(hours=8)))
    assert rows[0]["paid_at"] == rows[1]["paid_at"].astimezone(UTC)
    assert rows[1]["channel"] is None


def test_naive_instant_is_refused(tmp_path: Path) -> None:
    text = PAYMENTS_HEADER + "P1,L1,2025-10-09T20:15:00,100,app\nP2,L1,2025-10-09,100,app\n"
    errors = check(tmp_path, "payments", text).errors
    assert [(e.row, e.column) for e in errors] == [(2, "paid_at"), (3, "paid_at")]
    assert all("naive" in e.reason for e in errors)


CP_HEADER = "contact_point_id,borrower_id,owner_id,kind,value,source,opted_out,employer_provided\n"


def test_harvested_phone_book_contact_is_refused_under_cn_data_1(tmp_path: Path) -> None:
    text = (
        CP_HEADER
        + "C1,B1,B1,mobile,13800000001,contract,,\nC2,B1,B1,mobile,13800000009,device_contact_list,,\n"
    )
    result = check(tmp_path, "contact_points", text)
    e = only(result.errors)
    assert (e.row, e.column, e.value) == (3, "source", "device_contact_list")
    assert "CN-DATA-1" in e.reason
    assert [r["contact_point_id"] for _, r in result.rows] == ["C1"]


def test_purchased_and_unknown_sources_are_refused_too(tmp_path: Path) -> None:
    text = CP_HEADER + "C1,B1,B1,mobile,1,purchased,,\nC2,B1,B1,mobile,2,unknown,,\n"
    errors = check(tmp_path, "contact_points", text).errors
    assert [e.value for e in errors] == ["purchased", "unknown"]
    assert all("CN-DATA-1" in e.reason for e in errors)


def test_bool_cells_accept_true_false_one_zero_only(tmp_path: Path) -> None:
    text = CP_HEADER + "C1,B1,B1,mobile,1,contract,TRUE,0\nC2,B1,B1,mobile,2,contract,yes,\n"
    result = check(tmp_path, "contact_points", text)
    assert [(e.row, e.column) for e in result.errors] == [(3, "opted_out")]
    ((_, row),) = result.rows
    assert row["opted_out"] is True and row["employer_provided"] is False


def test_hold_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    text = "hold_id,borrower_id,loan_id,kind,start,end,reason\nH1,B1,,hardship,2025-12-01,2025-11-01,失业\n"
    e = only(check(tmp_path, "holds", text).errors)
    assert (e.row, e.column) == (2, "end")


def test_row_numbers_count_quoted_line_breaks_as_one_row(tmp_path: Path) -> None:
    text = (
        PAYMENTS_HEADER
        + 'P1,L1,2025-10-09T20:15:00Z,100,"app\nline two"\nP2,L1,2025-10-09T20:15:00Z,-1,app\n'
    )
    e = only(check(tmp_path, "payments", text).errors)
    assert (e.row, e.column) == (3, "amount_minor")
