"""Payment plans: waiver authority, lead approval, the regenerated schedule, the hold while the plan is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select
from workspace_seed import AGENT1, AGENT2, CST, LEAD1, Work

from arrears.services.access import NotVisible
from arrears.services.workspace.common import Conflict, Forbidden, WorkspaceError
from arrears.services.workspace.plans import (
    approve_plan,
    evaluate_plans,
    plan_status,
    propose_plan,
    reject_plan,
    schedule,
)
from arrears.storage.tables import holds, payments
from arrears.storage.tables_work import payment_plans, plan_instalments

OWED = 1236000 - 236000  # L1's schedule less the payment received


def _propose(w: Work, **kw: object):  # type: ignore[no-untyped-def]
    args = {"user": AGENT1, "borrower_id": "B1", "loan_id": "L1", "instalment_count": 4,
            "first_due": date(2026, 3, 20), "interval_days": 30, "waiver_minor": 0} | kw
    return propose_plan(w.engine, clock=w.clock, settings=w.settings, **args)  # type: ignore[arg-type]


def test_schedule_sums_exactly() -> None:
    rows = schedule(1000001, 3, date(2026, 1, 1), 30)
    assert [a for _, a in rows] == [333334, 333334, 333333]
    assert [d for d, _ in rows] == [date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 2)]


def test_plan_status_rule() -> None:
    rows = [(date(2026, 4, 1), 500), (date(2026, 5, 1), 500)]
    assert plan_status(rows, [], 2, date(2026, 4, 3)) == "active"
    assert plan_status(rows, [], 2, date(2026, 4, 4)) == "broken"
    assert plan_status(rows, [(date(2026, 4, 2), 500)], 2, date(2026, 4, 20)) == "active"
    assert plan_status(rows, [(date(2026, 4, 2), 500), (date(2026, 5, 1), 500)], 2, date(2026, 5, 1)) == "kept"


@pytest.mark.db
def test_within_authority_the_plan_is_active_with_its_hold(work: Work) -> None:
    r = _propose(work, waiver_minor=OWED // 10)  # exactly 10 %
    assert r.status == "active" and r.hold_id == f"plan-{r.plan_id}"
    assert sum(a for _, a in r.schedule) == OWED - OWED // 10
    with work.engine.connect() as c:
        h = c.execute(select(holds).where(holds.c.hold_id == r.hold_id)).mappings().one()
        assert (h["kind"], h["borrower_id"], h["loan_id"], h["start"], h["end"]) == (
            "payment_plan", "B1", "L1", date(2026, 3, 10), None)
        assert c.execute(select(payment_plans.c.approved_by)).scalar() == "agent1"


@pytest.mark.db
def test_beyond_authority_a_lead_approves_and_the_schedule_is_regenerated(work: Work) -> None:
    r = _propose(work, waiver_minor=OWED // 10 + 1)
    assert r.status == "pending_approval" and r.hold_id is None
    with pytest.raises(Forbidden):
        approve_plan(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, plan_id=r.plan_id)
    with pytest.raises(NotVisible):
        approve_plan(work.engine, clock=work.clock, settings=work.settings,
                     user=LEAD1.__class__(9, "lead2", "", "team_lead", None, "T2", "zh-CN"), plan_id=r.plan_id)
    # a payment arrives and the proposed first date passes before the lead approves
    with work.engine.begin() as c:
        c.execute(insert(payments).values(payment_id="P5", loan_id="L1", amount_minor=100000,
                                          paid_at=datetime(2026, 3, 21, 2, tzinfo=UTC)))
    later = work.at(datetime(2026, 3, 25, 9, 0, tzinfo=CST))
    a = approve_plan(work.engine, clock=later, settings=work.settings, user=LEAD1, plan_id=r.plan_id)
    assert a.status == "active" and a.hold_id is not None
    assert a.schedule[0][0] == date(2026, 3, 25)  # starts from the approval date, not the stale proposal
    assert sum(x for _, x in a.schedule) == OWED - 100000 - (OWED // 10 + 1)
    with work.engine.connect() as c:
        stored = c.execute(select(plan_instalments.c.due_date, plan_instalments.c.amount_minor)
                           .where(plan_instalments.c.plan_id == r.plan_id).order_by(plan_instalments.c.seq)).all()
        assert [tuple(x) for x in stored] == list(a.schedule)
    with pytest.raises(Conflict):
        approve_plan(work.engine, clock=later, settings=work.settings, user=LEAD1, plan_id=r.plan_id)


@pytest.mark.db
def test_limits(work: Work) -> None:
    with pytest.raises(WorkspaceError) as e:
        _propose(work, waiver_minor=OWED * 31 // 100)  # beyond even the lead's 30 %
    assert e.value.code == "over_authority"
    assert _propose(work, instalment_count=12).status == "pending_approval"  # > 6 instalments
    with pytest.raises(Conflict):
        _propose(work)  # one open plan per loan
    with pytest.raises(NotVisible):
        _propose(work, user=AGENT2)


@pytest.mark.db
def test_rejection_and_broken_plan_ends_the_hold(work: Work) -> None:
    r = _propose(work, waiver_minor=OWED // 5)
    reject_plan(work.engine, clock=work.clock, settings=work.settings, user=LEAD1, plan_id=r.plan_id, note="减免过高")
    ok = _propose(work, instalment_count=2, first_due=date(2026, 3, 20))
    assert ok.status == "active"
    out = evaluate_plans(work.engine, clock=work.clock, settings=work.settings, as_of=date(2026, 3, 22))
    assert out["active"] == 1
    out = evaluate_plans(work.engine, clock=work.clock, settings=work.settings, as_of=date(2026, 3, 23))
    assert out["broken"] == 1
    with work.engine.connect() as c:
        assert c.execute(select(holds.c.end).where(holds.c.hold_id == ok.hold_id)).scalar() == date(2026, 3, 23)
        st = dict(c.execute(select(payment_plans.c.plan_id, payment_plans.c.status)).all())
    assert st == {r.plan_id: "cancelled", ok.plan_id: "broken"}
