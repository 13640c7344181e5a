"""The daily plan reads the agent workspace: a promise logged in the workspace gets its follow-up on the due
date and through its grace days (first in the agent's day), then the broken-promise step; an agreed callback
is planned at the agreed time, first in the worklist, for the agent who agreed it; a payment plan, a cease or
a dispute holds the account back with the hold's kind; an opted-out number is never planned again, not even
after a re-import resets the portfolio's flag. Every contact planned still passes `arrears compliance check`
(the row-at-a-time engine, through the planner's case file, on the relations the plan saw)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from arrears.domain.clock import FixedClock
from arrears.planner import casefile as cf
from arrears.portfolio.synth import synthesize
from arrears.services.auth import User
from arrears.services.compliance import ComplianceService
from arrears.services.importing import import_portfolio
from arrears.services.planning import PlanResult, load_inputs, plan_day
from arrears.services.workspace.outcomes import OutcomeKind, log_outcome
from arrears.services.workspace.plans import propose_plan
from arrears.services.workspace.promises import evaluate_promises
from arrears.settings import Settings
from arrears.storage.tables_plan import agents, assignments, plan_holdbacks
from arrears.storage.tables_work import promises

pytestmark = pytest.mark.db

CST = timezone(timedelta(hours=8))
AS_OF = date(2026, 3, 10)
DAY1 = AS_OF + timedelta(days=1)
NOW = datetime.combine(AS_OF, time(10, 0), tzinfo=CST)  # the workspace actions happen the day before DAY1
PACK = "cn_floor"
HUMAN_TREATMENTS = ("early", "early_plan_first", "mid", "late")


def _plan(engine: Engine, day: date, out: Path) -> PlanResult:
    return plan_day(engine, day, clock=FixedClock(datetime.combine(day, time(0, 30), tzinfo=UTC)), pack=PACK,
                    out_dir=out / f"plan-{day.isoformat()}")  # fmt: skip


def _user(engine: Engine, borrower_id: str) -> User:
    with engine.connect() as conn:
        agent_id = conn.execute(
            select(assignments.c.agent_id).where(assignments.c.borrower_id == borrower_id)
        ).scalar_one()
        team_id = conn.execute(select(agents.c.team_id).where(agents.c.agent_id == agent_id)).scalar_one()
    return User(1, f"user-{agent_id}", agent_id, "agent", agent_id, team_id, "zh-CN")


def _contacts(result: PlanResult, borrower_id: str) -> list[dict[str, Any]]:
    return [c for c in result.tables["plan_contacts"].to_pylist() if c["borrower_id"] == borrower_id]


def _holdback(result: PlanResult, borrower_id: str) -> dict[str, Any] | None:
    rows = [h for h in result.tables["plan_holdbacks"].to_pylist() if h["borrower_id"] == borrower_id]
    return rows[0] if rows else None


def _assert_all_pass_compliance(engine: Engine, result: PlanResult, day: date) -> int:
    """Every planned contact, checked by the row-at-a-time engine on the relations the plan read."""
    con = load_inputs(engine, day)
    service = ComplianceService()

    def rows(rel: str, b: str) -> list[dict[str, Any]]:
        return con.sql(f"SELECT * FROM {rel} WHERE borrower_id = ?", params=[b]).to_arrow_table().to_pylist()

    failures = []
    contacts = result.tables["plan_contacts"].to_pylist()
    try:
        for c in contacts:
            b = c["borrower_id"]
            candidate = {k: c[k] for k in ("cand_id", "borrower_id", "loan_id", "party_id", "contact_point_id",
                                           "channel", "purpose", "script")} | {"at_s": c["window_start_s"]}  # fmt: skip
            visit = ({"cand_id": c["cand_id"], "staff_count": 2, "recording": True, "location_type": "home",
                      "notice_at_s": None} if c["channel"] == "visit" else None)  # fmt: skip
            doc = cf.casefile(
                pack=PACK, plan_date=day, account=rows("accounts", b)[0], zones=rows("account_zones", b),
                loans=rows("loans", b), parties=rows("parties", b), points=rows("points", b),
                history=rows("history", b), holds=rows("holds", b), candidate=candidate, visit_plan=visit,
            )  # fmt: skip
            decision, _ = service.check(doc, pack=PACK)
            if decision.verdict.value not in ("allow", "allow_with_constraints"):
                failures.append((b, c["step"], decision.verdict.value, decision.rule_ids))
    finally:
        con.close()
    assert failures == []
    return len(contacts)


def _pick(contacts: list[dict[str, Any]], taken: set[str], *, point: bool = False) -> dict[str, Any]:
    for c in contacts:
        if c["borrower_id"] in taken or c["treatment"] not in HUMAN_TREATMENTS:
            continue
        if c["channel"] == "call" and c["party"] == "debtor" and c["agent_id"] is not None:
            if point and c["contact_point_id"] is None:
                continue
            taken.add(c["borrower_id"])
            return c
    raise AssertionError("the portfolio has no further account with a planned debtor call")


def test_workspace_records_shape_the_next_plans(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "portfolio"
    synthesize(data, accounts=300, seed=5, as_of=AS_OF)
    clock = FixedClock(NOW)
    assert import_portfolio(directory=data, engine_or_uow=engine, clock=clock, actor="test").ok
    settings = Settings(database_url=str(engine.url))
    grace = settings.promise_grace_days
    assert grace >= 1

    baseline = _plan(engine, DAY1, tmp_path)
    planned = sorted(baseline.tables["plan_contacts"].to_pylist(), key=lambda c: c["borrower_id"])
    taken: set[str] = set()
    promised, called, held, opted, ceased, wrong, disputed = (_pick(planned, taken, point=True) for _ in range(7))

    # --- the workspace: a promise due tomorrow, a callback tomorrow 15:00, a payment plan, an opt-out, a cease
    p_user = _user(engine, promised["borrower_id"])
    log_outcome(engine, clock=clock, settings=settings, user=p_user, borrower_id=promised["borrower_id"],
                kind=OutcomeKind.PROMISE, contact_point_id=promised["contact_point_id"],
                loan_id=promised["loan_id"], amount_minor=50_000, due_date=DAY1)  # fmt: skip
    callback_at = datetime.combine(DAY1, time(15, 0), tzinfo=CST)
    c_user = _user(engine, called["borrower_id"])
    log_outcome(engine, clock=clock, settings=settings, user=c_user, borrower_id=called["borrower_id"],
                kind=OutcomeKind.CALLBACK, contact_point_id=called["contact_point_id"], callback_at=callback_at)
    plan = propose_plan(engine, clock=clock, settings=settings, user=_user(engine, held["borrower_id"]),
                        borrower_id=held["borrower_id"], loan_id=held["loan_id"], instalment_count=3,
                        first_due=AS_OF + timedelta(days=7))  # fmt: skip
    assert plan.status == "active" and plan.hold_id
    log_outcome(engine, clock=clock, settings=settings, user=_user(engine, opted["borrower_id"]),
                borrower_id=opted["borrower_id"], kind=OutcomeKind.STOP_CONTACT,
                contact_point_id=opted["contact_point_id"], stop_scope="contact_point")  # fmt: skip
    log_outcome(engine, clock=clock, settings=settings, user=_user(engine, ceased["borrower_id"]),
                borrower_id=ceased["borrower_id"], kind=OutcomeKind.STOP_CONTACT,
                contact_point_id=ceased["contact_point_id"], stop_scope="borrower")  # fmt: skip
    log_outcome(engine, clock=clock, settings=settings, user=_user(engine, wrong["borrower_id"]),
                borrower_id=wrong["borrower_id"], kind=OutcomeKind.WRONG_NUMBER,
                contact_point_id=wrong["contact_point_id"])  # fmt: skip
    log_outcome(engine, clock=clock, settings=settings, user=_user(engine, disputed["borrower_id"]),
                borrower_id=disputed["borrower_id"], kind=OutcomeKind.DISPUTE,
                contact_point_id=disputed["contact_point_id"])  # fmt: skip
    gone = {opted["contact_point_id"], wrong["contact_point_id"]}

    day1 = _plan(engine, DAY1, tmp_path)
    contacts = day1.tables["plan_contacts"].to_pylist()

    # the promise's due date: its follow-up call, marked promise_due, first in its agent's day
    follow = [c for c in _contacts(day1, promised["borrower_id"]) if c["promise_due"]]
    assert len(follow) == 1 and follow[0]["channel"] == "call", _contacts(day1, promised["borrower_id"])
    assert follow[0]["seq"] == 0 and follow[0]["agent_id"] == p_user.agent_id
    assert follow[0]["step"].endswith("ptp_due_check") or follow[0]["step"] == "promise_followup"
    mine = sorted((c for c in contacts if c["agent_id"] == p_user.agent_id), key=lambda c: c["agent_rank"])
    firsts = [c for c in mine if c["promise_due"]]
    assert mine[: len(firsts)] == firsts and follow[0] in firsts

    # the callback: at the agreed time, for the agent who agreed it, first after the promises due
    cb = [c for c in _contacts(day1, called["borrower_id"]) if c["step"] == "callback"]
    assert len(cb) == 1, _contacts(day1, called["borrower_id"])
    assert cb[0]["window_start_s"] == int(callback_at.timestamp()) and cb[0]["window_end_s"] > cb[0]["window_start_s"]
    assert cb[0]["contact_point_id"] == called["contact_point_id"] and cb[0]["agent_id"] == c_user.agent_id
    assert cb[0]["callback"] and cb[0]["seq"] == 0
    theirs = sorted((c for c in contacts if c["agent_id"] == c_user.agent_id), key=lambda c: c["agent_rank"])
    due_first = sum(1 for c in theirs if c["promise_due"])
    assert theirs[due_first]["borrower_id"] == called["borrower_id"] and theirs[due_first]["step"] == "callback"

    # the payment plan, the cease and the dispute hold their accounts back, with the hold's kind
    for account, kind in ((held, "payment_plan"), (ceased, "cease"), (disputed, "dispute")):
        assert _contacts(day1, account["borrower_id"]) == []
        hb = _holdback(day1, account["borrower_id"])
        assert hb is not None and hb["reason"] == "hold" and hb["hold_kind"] == kind
    with engine.connect() as conn:
        detail = json.loads(conn.execute(select(plan_holdbacks.c.detail).where(
            plan_holdbacks.c.run_id == day1.report.run_id,
            plan_holdbacks.c.borrower_id == held["borrower_id"])).scalar_one())  # fmt: skip
    assert detail["hold_kind"] == "payment_plan"

    # the opted-out and the wrong number are never planned
    assert not gone & {c["contact_point_id"] for c in contacts}
    assert _assert_all_pass_compliance(engine, day1, DAY1) == len(contacts)

    # a re-import resets the portfolio's opt-out flags (the lender's file knows nothing of them): the
    # restrictions recorded in the workspace still hold
    assert import_portfolio(directory=data, engine_or_uow=engine, clock=clock, actor="test").ok
    replanned = _plan(engine, DAY1, tmp_path)
    assert not gone & {c["contact_point_id"] for c in replanned.tables["plan_contacts"].to_pylist()}
    assert gone <= {c["contact_point_id"] for c in baseline.tables["plan_contacts"].to_pylist()}

    # in grace: the follow-up again
    day2 = _plan(engine, DAY1 + timedelta(days=1), tmp_path)
    follow2 = [c for c in _contacts(day2, promised["borrower_id"]) if c["promise_due"]]
    assert len(follow2) == 1 and follow2[0]["seq"] == 0 and follow2[0]["channel"] == "call"
    assert all(c["step"] != "callback" for c in day2.tables["plan_contacts"].to_pylist()), "on its own day only"
    _assert_all_pass_compliance(engine, day2, DAY1 + timedelta(days=1))

    # unpaid past the grace: the strategy's broken-promise step, on the day it broke (with or without the job)
    broke_on = DAY1 + timedelta(days=grace + 1)
    day_b = _plan(engine, broke_on, tmp_path)
    broken = _contacts(day_b, promised["borrower_id"])
    assert any(c["step"].endswith("ptp_broken") for c in broken), broken
    evaluate_promises(engine, clock=FixedClock(datetime.combine(broke_on, time(1), tzinfo=CST)),
                      as_of=broke_on, tz=settings.timezone)  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(select(promises.c.status)).scalar_one() == "broken"
    again = _plan(engine, broke_on, tmp_path)
    assert [c["step"] for c in _contacts(again, promised["borrower_id"])] == [c["step"] for c in broken]
    _assert_all_pass_compliance(engine, again, broke_on)
