"""The worklist: today's planned contacts (the newest succeeded plan run for the date) for the signed-in
agent, or an agent's team for a lead, or everyone for compliance/admin — promises due first, then callbacks,
then the planner's rank."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, case, func, nulls_last, select

from arrears.services.access import Scope
from arrears.services.accounts import latest_run_id
from arrears.services.masking import mask_contact
from arrears.storage.tables import borrowers, contact_points
from arrears.storage.tables_plan import plan_contacts

CALLBACK_STEPS = ("callback",)


@dataclass(frozen=True, slots=True)
class WorkItem:
    position: int  # 1.. in the order shown
    borrower_id: str
    name: str
    seq: int
    loan_id: str | None
    channel: str
    segment: str
    treatment: str
    step: str
    strategy_variant: str
    script: str | None
    window_start: datetime
    window_end: datetime
    priority: float
    expected_recovery_minor: int
    score: float | None
    promise_due: bool
    callback: bool
    agent_id: str | None
    rank: int | None
    rules: list[str]
    contact_masked: str | None


@dataclass(frozen=True, slots=True)
class Worklist:
    plan_date: date
    run_id: int | None
    items: list[WorkItem]
    total: int
    page: int
    size: int


def is_callback(step: str) -> bool:
    return step.lower() in CALLBACK_STEPS or step.lower().startswith("callback")


def worklist(
    engine: Engine, *, scope: Scope, plan_date: date, page: int = 1, size: int = 100,
    agent_id: str | None = None,
) -> Worklist:
    """One page of the worklist for `plan_date`. `agent_id` narrows a lead's (or compliance's) view to one
    agent; it never widens an agent's."""
    page, size = max(1, page), max(1, min(size, 500))
    with engine.connect() as conn:
        run_id = latest_run_id(conn, plan_date)
        if run_id is None:
            return Worklist(plan_date, None, [], 0, page, size)
        pc = plan_contacts
        where = and_(pc.c.run_id == run_id, scope.visible_agents(pc.c.agent_id), scope.visible(pc.c.borrower_id))
        if agent_id:
            where = and_(where, pc.c.agent_id == agent_id)
        total = conn.execute(select(func.count()).select_from(pc).where(where)).scalar_one()
        callback = case((func.lower(pc.c.step).like("callback%"), 0), else_=1)
        rows = conn.execute(
            select(pc, borrowers.c.name, contact_points.c.kind.label("cp_kind"),
                   contact_points.c.value.label("cp_value"))
            .select_from(
                pc.join(borrowers, borrowers.c.borrower_id == pc.c.borrower_id)
                .outerjoin(contact_points, contact_points.c.contact_point_id == pc.c.contact_point_id)
            )
            .where(where)
            .order_by(pc.c.promise_due.desc(), callback, nulls_last(pc.c.rank.asc()), pc.c.priority.desc(),
                      pc.c.borrower_id, pc.c.seq)
            .limit(size).offset((page - 1) * size)
        ).mappings().all()
    items = [
        WorkItem(
            position=(page - 1) * size + i + 1, borrower_id=r["borrower_id"], name=r["name"], seq=r["seq"],
            loan_id=r["loan_id"], channel=r["channel"], segment=r["segment"], treatment=r["treatment"], step=r["step"],
            strategy_variant=r["strategy_variant"], script=r["script"], window_start=r["window_start"],
            window_end=r["window_end"], priority=float(r["priority"]),
            expected_recovery_minor=int(r["expected_recovery_minor"]), score=r["score"],
            promise_due=bool(r["promise_due"]), callback=is_callback(r["step"]), agent_id=r["agent_id"],
            rank=r["rank"], rules=_rules(r["rules_json"]),
            contact_masked=mask_contact(r["cp_kind"], r["cp_value"]) if r["cp_kind"] else None,
        )
        for i, r in enumerate(rows)
    ]
    return Worklist(plan_date, run_id, items, int(total), page, size)


def _rules(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
