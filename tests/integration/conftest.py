"""A small hand-written portfolio (two borrowers) and helpers to corrupt it one cell at a time."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from arrears.domain.clock import FixedClock
from arrears.storage.tables import IMPORT_TABLES

SAMPLE: dict[str, str] = {
    "borrowers": """\
borrower_id,name,region,timezones,language,is_minor,vulnerability,national_id_masked
B1,张伟,广东省深圳市,Asia/Shanghai,zh-CN,false,,110***********1234
B2,李娜,新疆乌鲁木齐市,Asia/Shanghai;Asia/Urumqi,zh-CN,0,serious_illness,
""",
    "loans": """\
loan_id,borrower_id,lender,lender_type,licence,product,currency,principal_minor,apr_all_in_bp,contract_date
L1,B1,示例消费金融,licensed,consumer_finance,随借随还,CNY,1200000,2400,2025-09-10
L2,B1,示例小贷,licensed,micro_lender,分期,CNY,300000,3500,2025-11-01
L3,B2,示例银行,licensed,bank,信用贷,CNY,5000000,1200,2025-06-15
""",
    "instalments": """\
loan_id,seq,due_date,principal_minor,interest_minor,fee_minor
L1,1,2025-10-10,400000,24000,0
L1,2,2025-11-10,400000,16000,
L1,3,2025-12-10,400000,8000,500
L2,1,2025-12-01,300000,8750,0
L3,1,2025-07-15,5000000,50000,0
""",
    "payments": """\
payment_id,loan_id,paid_at,amount_minor,channel
P1,L1,2025-10-09T20:15:00+08:00,424000,app
P2,L3,2025-07-15T09:00:00Z,5050000,
""",
    "parties": """\
party_id,borrower_id,role,name,relation,emergency_contact,refused_contact,relationship_evidence
Q1,B1,parent,张母,母亲,true,false,false
Q2,B1,guarantor,王强,朋友,false,false,true
""",
    "contact_points": """\
contact_point_id,borrower_id,owner_id,kind,value,source,opted_out,employer_provided
C1,B1,B1,mobile,13800000001,contract,false,false
C2,B1,Q1,mobile,13800000002,reserved_contact_informed,false,false
C3,B2,B2,email,lina@example.com,self_reserved,,
""",
    "contact_attempts": """\
attempt_id,borrower_id,loan_id,party_id,contact_point_id,channel,direction,outcome,at,collector_id,agency_id,text
A1,B1,L1,B1,C1,call,out,rang_no_answer,2025-12-12T10:00:00+08:00,u1,,
A2,B1,L1,B1,C1,sms,out,delivered,2025-12-12T10:05:00+08:00,u1,,您好，请留意还款。
""",
    "holds": """\
hold_id,borrower_id,loan_id,kind,start,end,reason
H1,B2,,hardship,2025-12-01,2026-01-01,失业
""",
}

CLOCK = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def write_portfolio(directory: Path, tables: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (tables or SAMPLE).items():
        (directory / f"{name}.csv").write_text(text, encoding="utf-8")
    return directory


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell. `row` counts the header as row 1, like the reject report."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line.rstrip("\n") + "\n")


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            n: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for n, t in IMPORT_TABLES.items()
        }


@pytest.fixture
def portfolio_dir(tmp_path: Path) -> Path:
    return write_portfolio(tmp_path / "portfolio")


@dataclass(frozen=True)
class PortfolioKit:
    """The helpers above, handed to tests as one fixture (tests do not import conftest)."""

    clock: FixedClock = CLOCK
    sample: Mapping[str, str] = field(default_factory=lambda: dict(SAMPLE))
    set_cell: Callable[[Path, int, str, str], None] = set_cell
    append_line: Callable[[Path, str], None] = append_line
    table_counts: Callable[[Engine], dict[str, int]] = table_counts


@pytest.fixture
def kit() -> PortfolioKit:
    return PortfolioKit()
