"""`arrears plan` on demo-like synthetic portfolios: every worklist entry passes `arrears compliance check`
(the row-at-a-time engine, through the planner's casefile mapping, at the entry's window start); capacity,
skills and language hold; worklists are in priority order; every account held back has a reason; the Parquet
files and the database hold the same plan."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from arrears.compute.duck import connect
from arrears.domain.clock import FixedClock
from arrears.planner import casefile as cf
from arrears.planner.plan_sql import REASONS
from arrears.portfolio.synth import synthesize
from arrears.services import plan_inputs as pin
from arrears.services.compliance import ComplianceService
from arrears.services.importing import import_portfolio
from arrears.services.planning import PlanResult, _db_queries, plan_day
from arrears.storage.tables_plan import plan_contacts, plan_holdbacks, plan_runs, strategy_assignments

pytestmark = pytest.mark.db

AS_OF = date(2026, 3, 10)
CLOCK = FixedClock(datetime(2026, 3, 10, 0, 30, tzinfo=UTC))
PACK = "cn_floor"


def _plan(engine: Engine, tmp: Path, seed: int) -> PlanResult:
    data = tmp / f"portfolio-{seed}"
    synthesize(data, accounts=300, seed=seed, as_of=AS_OF)
    report = import_portfolio(directory=data, engine_or_uow=engine, clock=CLOCK, actor="test")
    assert report.ok, report.errors
    return plan_day(engine, AS_OF, clock=CLOCK, pack=PACK, out_dir=tmp / f"plan-{seed}")


def _relations(engine: Engine) -> Any:
    """The relations as the planner saw them, to build each entry's case file."""
    con = connect()
    with engine.connect() as conn:
        for name, query in _db_queries(AS_OF).items():
            if name in ("agents", "assignments", "promises", "loan_delinquency", "loan_scores"):
                continue
            con.register(f"raw_{name}", pin.arrow_from_query(conn, query))
    pin.create_inputs(con, AS_OF)
    return con


def _rows(con: Any, rel: str, borrower: str) -> list[dict[str, Any]]:
    return (
        con.sql(f"SELECT * FROM {rel} WHERE borrower_id = ?", params=[borrower]).to_arrow_table().to_pylist()
    )


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_every_worklist_entry_passes_the_compliance_engine(engine: Engine, tmp_path: Path, seed: int) -> None:
    result = _plan(engine, tmp_path, seed)
    contacts = result.tables["plan_contacts"].to_pylist()
    worklist = [c for c in contacts if c["agent_id"] is not None]
    assert worklist, "the demo-sized plan gives the agents work"
    con = _relations(engine)
    service = ComplianceService()
    failures = []
    for c in contacts:
        b = c["borrower_id"]
        candidate = {
            "cand_id": c["cand_id"],
            "borrower_id": b,
            "loan_id": c["loan_id"],
            "party_id": c["party_id"],
            "contact_point_id": c["contact_point_id"],
            "channel": c["channel"],
            "purpose": c["purpose"],
            "script": c["script"],
            "at_s": c["window_start_s"],
        }
        visit = (
            {
                "cand_id": c["cand_id"],
                "staff_count": 2,
                "recording": True,
                "location_type": "home",
                "notice_at_s": None,
            }
            if c["channel"] == "visit"
            else None
        )
        doc = cf.casefile(
            pack=PACK,
            plan_date=AS_OF,
            account=_rows(con, "accounts", b)[0],
            zones=_rows(con, "account_zones", b),
            loans=_rows(con, "loans", b),
            parties=_rows(con, "parties", b),
            points=_rows(con, "points", b),
            history=_rows(con, "history", b),
            holds=_rows(con, "holds", b),
            candidate=candidate,
            visit_plan=visit,
        )
        decision, _ = service.check(doc, pack=PACK)
        if decision.verdict.value not in ("allow", "allow_with_constraints"):
            failures.append((b, c["step"], decision.verdict.value, decision.rule_ids))
        else:
            assert sorted(decision.rule_ids) == sorted(r for r in c["rule_ids"].split(";") if r), (
                b,
                c["step"],
            )
    assert failures == []
    con.close()


def test_worklists_respect_capacity_skills_language_and_priority(engine: Engine, tmp_path: Path) -> None:
    result = _plan(engine, tmp_path, 5)
    con = _relations(engine)
    with engine.connect() as conn:
        agents = {r["agent_id"]: r for r in conn.execute(select(pin_agents())).mappings()}
    language = {
        r["borrower_id"]: r["language"]
        for r in con.sql("SELECT borrower_id, language FROM accounts").to_arrow_table().to_pylist()
    }
    per_agent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in result.tables["plan_contacts"].to_pylist():
        if c["agent_id"] is not None:
            per_agent[c["agent_id"]].append(c)
        else:
            assert c["channel"] not in ("call", "visit"), "a human channel always has an agent"
        if c["party"] == "emergency_contact":
            assert c["script"] == "locate_only" and c["purpose"] == "locate"
        if c["channel"] == "visit":
            assert c["status"] == "needs_approval"
    third = Counter(
        c["borrower_id"] for c in result.tables["plan_contacts"].to_pylist() if c["party"] != "debtor"
    )
    assert all(n == 1 for n in third.values()), "never more than one third party a day per account"
    assert per_agent
    for agent_id, entries in per_agent.items():
        a = agents[agent_id]
        assert len(entries) <= a["daily_capacity"]
        skills = set(a["skills"].lower().split(";"))
        langs = {t.lower() for t in a["languages"].split(";")} | {
            t.lower().split("-")[0] for t in a["languages"].split(";")
        }
        for e in entries:
            assert e["channel"] in skills
            assert language[e["borrower_id"]].lower() in langs
        entries.sort(key=lambda e: e["agent_rank"])
        assert [e["agent_rank"] for e in entries] == list(range(1, len(entries) + 1))
        keys = [(e["promise_due"], e["expected_recovery_minor"]) for e in entries]
        assert keys == sorted(keys, reverse=True)
    con.close()


def pin_agents() -> Any:
    from arrears.storage.tables_plan import agents

    return agents


def test_held_back_accounts_have_reasons_and_parquet_equals_the_database(
    engine: Engine, tmp_path: Path
) -> None:
    result = _plan(engine, tmp_path, 7)
    holdbacks = result.tables["plan_holdbacks"].to_pylist()
    assert holdbacks
    contacted = {c["borrower_id"] for c in result.tables["plan_contacts"].to_pylist()}
    for h in holdbacks:
        assert h["reason"] in REASONS
        assert h["dpd"] > 0 and h["borrower_id"] not in contacted
        if h["reason"] in ("rules", "review"):
            assert h["rule_ids"], h
    delinquent = {r["borrower_id"] for r in result.tables["selection"].to_pylist()}
    assert {h["borrower_id"] for h in holdbacks} <= delinquent

    run_id = result.report.run_id
    out = tmp_path / "plan-7"
    with engine.connect() as conn:
        run = conn.execute(select(plan_runs).where(plan_runs.c.run_id == run_id)).mappings().one()
        db_contacts = (
            conn.execute(select(plan_contacts).where(plan_contacts.c.run_id == run_id)).mappings().all()
        )
        db_holds = (
            conn.execute(select(plan_holdbacks).where(plan_holdbacks.c.run_id == run_id)).mappings().all()
        )
        db_assign = conn.execute(select(strategy_assignments)).mappings().all()
    assert run["status"] == "succeeded"
    assert json.loads(run["counts_json"])["contacts"] == len(db_contacts)
    file_contacts = pq.read_table(out / "contacts.parquet").to_pylist()
    assert {
        (c["borrower_id"], c["seq"], c["step"], c["agent_id"], c["agent_rank"]) for c in file_contacts
    } == {(c["borrower_id"], c["seq"], c["step"], c["agent_id"], c["rank"]) for c in db_contacts}
    file_holds = pq.read_table(out / "holdbacks.parquet").to_pylist()
    assert {(h["borrower_id"], h["reason"]) for h in file_holds} == {
        (h["borrower_id"], h["reason"]) for h in db_holds
    }
    worklist = pq.read_table(out / "worklists.parquet").to_pylist()
    assert len(worklist) == sum(1 for c in db_contacts if c["agent_id"] is not None)
    assert {(a["borrower_id"], a["variant"]) for a in db_assign} == {
        (a["borrower_id"], a["variant"]) for a in pq.read_table(out / "assignments.parquet").to_pylist()
    }
