"""The optional roster files: agents (their teams are created on the way) and standing assignments."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, Table, select

from arrears.portfolio.rejects import read_report
from arrears.services.importing import import_portfolio
from arrears.storage.tables_plan import agents, assignments, teams

if TYPE_CHECKING:
    from conftest import PortfolioKit

pytestmark = pytest.mark.db

AGENTS = """\
agent_id,team_id,team_name,name,languages,skills,daily_capacity,active
agent1,t1,第1组 / Team 1,周敏,zh-CN;en,call;sms;visit,120,true
agent2,t2,,吴磊,,,,
agent3,t1,第1组 / Team 1,郑丽,zh-CN,call,150,false
"""
ASSIGNMENTS = """\
borrower_id,agent_id,since
B1,agent1,2025-12-01
B2,agent2,2025-12-15
"""


def _write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.csv").write_text(text, encoding="utf-8")


def _rows(engine: Engine, table: Table) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table)).mappings()]


def test_agents_teams_and_assignments_are_imported_with_defaults(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    _write(portfolio_dir, "agents", AGENTS)
    _write(portfolio_dir, "assignments", ASSIGNMENTS)
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded", report.first_errors
    assert report.tables["agents"].inserted == 3 and report.tables["assignments"].inserted == 2
    assert {r["team_id"]: r["name"] for r in _rows(engine, teams)} == {"t1": "第1组 / Team 1", "t2": "t2"}
    by_id = {r["agent_id"]: r for r in _rows(engine, agents)}
    assert by_id["agent1"]["languages"] == "zh-CN;en" and by_id["agent1"]["daily_capacity"] == 120
    # empty optional cells take the documented defaults
    assert (by_id["agent2"]["languages"], by_id["agent2"]["skills"]) == ("zh-CN", "call;sms")
    assert (by_id["agent2"]["daily_capacity"], by_id["agent2"]["active"]) == (150, True)
    assert by_id["agent3"]["active"] is False
    assert {(r["borrower_id"], r["agent_id"]) for r in _rows(engine, assignments)} == {
        ("B1", "agent1"),
        ("B2", "agent2"),
    }
    again = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert again.tables["agents"].unchanged == 3 and again.tables["assignments"].unchanged == 2


def test_assignments_may_refer_to_agents_already_stored(
    engine: Engine, portfolio_dir: Path, kit: PortfolioKit
) -> None:
    _write(portfolio_dir, "agents", AGENTS)
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    (portfolio_dir / "agents.csv").unlink()
    _write(portfolio_dir, "assignments", "borrower_id,agent_id,since\nB1,agent3,2026-01-02\n")
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "succeeded", report.first_errors
    assert [(r["borrower_id"], r["agent_id"]) for r in _rows(engine, assignments)] == [("B1", "agent3")]


def test_a_renamed_team_is_renamed(engine: Engine, portfolio_dir: Path, kit: PortfolioKit) -> None:
    _write(portfolio_dir, "agents", AGENTS)
    import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    _write(portfolio_dir, "agents", AGENTS.replace("第1组 / Team 1", "华南组"))
    assert import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock).ok
    assert {r["team_id"]: r["name"] for r in _rows(engine, teams)}["t1"] == "华南组"


@pytest.mark.parametrize(
    ("file", "text", "row", "column", "value", "reason"),
    [
        ("assignments", ASSIGNMENTS + "B9,agent1,2026-01-01\n", 4, "borrower_id", "B9", "borrowers 'B9'"),
        ("assignments", ASSIGNMENTS + "B2,agent7,2026-01-01\n", 4, "agent_id", "agent7", "agents 'agent7'"),
        ("assignments", ASSIGNMENTS + "B1,agent2,2026-01-01\n", 4, "borrower_id", "B1", "duplicate"),
        ("assignments", ASSIGNMENTS.replace("2025-12-15", "15/12/2025"), 3, "since", "15/12/2025", "ISO date"),
        ("agents", AGENTS.replace("zh-CN;en,", "zh-CN;fr,"), 2, "languages", "zh-CN;fr", "'fr' is not one of"),
        ("agents", AGENTS.replace("call,150", "telepathy,150"), 4, "skills", "telepathy", "not one of"),
        ("agents", AGENTS.replace("郑丽,zh-CN", "郑丽,zh-CN").replace("t1,第1组 / Team 1,郑丽", "t1,一组,郑丽"),
         4, "team_name", "一组", "team 't1' is named"),
        ("agents", AGENTS + "agent1,t2,,周敏,,,,\n", 5, "agent_id", "agent1", "duplicate"),
    ],
)  # fmt: skip
def test_a_bad_roster_row_fails_the_import_and_names_the_cell(
    engine: Engine,
    portfolio_dir: Path,
    kit: PortfolioKit,
    file: str,
    text: str,
    row: int,
    column: str,
    value: str,
    reason: str,
) -> None:
    _write(portfolio_dir, "agents", AGENTS)
    _write(portfolio_dir, "assignments", ASSIGNMENTS)
    _write(portfolio_dir, file, text)
    report = import_portfolio(directory=portfolio_dir, engine_or_uow=engine, clock=kit.clock)
    assert report.status == "failed"
    first, *rest = read_report(report.report_path)
    assert (first.file, first.row, first.column, first.value) == (f"{file}.csv", row, column, value)
    assert reason in first.reason
    # the only other errors: assignments of an agent whose row was rejected
    assert all(e.file == "assignments.csv" and e.column == "agent_id" for e in rest)
    assert _rows(engine, agents) == [] and _rows(engine, teams) == [] and _rows(engine, assignments) == []
    assert kit.table_counts(engine)["borrowers"] == 0
