"""Payment plans and settlements. An agent may agree instalments or a waiver within their authority (settings:
`agent_waiver_pct`, `agent_max_instalments`); a plan beyond it waits for a team lead (up to `lead_waiver_pct`).
Approval regenerates the schedule from the approval date and the amount owed then, and opens a `payment_plan`
hold so the planner holds collection steps while the plan is kept. `evaluate_plans` marks plans kept or broken
(an instalment unpaid past its due date plus the promise grace) and ends the hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from arrears.domain.clock import Clock
from arrears.services.auth import User
from arrears.services.workspace.common import (
    Conflict,
    NotFound,
    WorkspaceError,
    can_write,
    check_loan,
    inserted_id,
    local_date,
    record,
    require_lead,
)
from arrears.settings import Settings
from arrears.storage import audit
from arrears.storage.tables import holds, instalments, payments
from arrears.storage.tables_work import payment_plans, plan_instalments

OPEN = ("pending_approval", "approved", "active")


@dataclass(frozen=True, slots=True)
class PlanResult:
    plan_id: int
    status: str
    schedule: tuple[tuple[date, int], ...]
    hold_id: str | None


def outstanding(conn: Connection, loan_id: str) -> int:
    """Scheduled principal, interest and fees less payments received (never negative)."""
    due = conn.execute(select(func.coalesce(func.sum(
        instalments.c.principal_minor + instalments.c.interest_minor + instalments.c.fee_minor), 0))
        .where(instalments.c.loan_id == loan_id)).scalar_one()
    paid = conn.execute(select(func.coalesce(func.sum(payments.c.amount_minor), 0))
                        .where(payments.c.loan_id == loan_id)).scalar_one()
    return max(0, int(due) - int(paid))


def schedule(total_minor: int, count: int, first_due: date, interval_days: int) -> tuple[tuple[date, int], ...]:
    """Equal instalments; the remainder cents go on the first ones, so the sum is exact."""
    base, rest = divmod(total_minor, count)
    return tuple((first_due + timedelta(days=interval_days * i), base + (1 if i < rest else 0)) for i in range(count))


def within(pct: int, waiver_minor: int, outstanding_minor: int) -> bool:
    return waiver_minor * 100 <= outstanding_minor * pct


def _get(conn: Connection, plan_id: int) -> dict[str, Any]:
    row = conn.execute(select(payment_plans).where(payment_plans.c.plan_id == plan_id)).mappings().first()
    if row is None:
        raise NotFound("no_plan", f"没有还款计划 {plan_id}", f"no payment plan {plan_id}", field="plan_id")
    return dict(row)


def _activate(conn: Connection, plan: dict[str, Any], user: User, now: datetime, today: date, owed: int) -> PlanResult:
    """Regenerate the schedule from today and the amount owed now; open the hold."""
    first = max(plan["first_due"], today)
    rows = schedule(owed - plan["waiver_minor"], plan["instalment_count"], first, plan["interval_days"])
    conn.execute(delete(plan_instalments).where(plan_instalments.c.plan_id == plan["plan_id"]))
    conn.execute(insert(plan_instalments), [
        {"plan_id": plan["plan_id"], "seq": i + 1, "due_date": d, "amount_minor": a} for i, (d, a) in enumerate(rows)
    ])
    hold_id = f"plan-{plan['plan_id']}"
    conn.execute(insert(holds).values(hold_id=hold_id, borrower_id=plan["borrower_id"], loan_id=plan["loan_id"],
                                      kind="payment_plan", start=today, end=None,
                                      reason=f"还款计划 #{plan['plan_id']} 履行中"))
    conn.execute(update(payment_plans).where(payment_plans.c.plan_id == plan["plan_id"]).values(
        status="active", approved_by=user.username, approved_at=now, outstanding_minor=owed, first_due=first,
        hold_id=hold_id))
    return PlanResult(plan["plan_id"], "active", rows, hold_id)


def propose_plan(
    engine: Engine, *, clock: Clock, settings: Settings, user: User, borrower_id: str, loan_id: str,
    instalment_count: int, first_due: date, interval_days: int = 30, waiver_minor: int = 0, note: str = "",
) -> PlanResult:
    now = clock.now()
    today = local_date(now, settings.timezone)
    with engine.begin() as conn:
        can_write(conn, user, borrower_id)
        if not 1 <= instalment_count <= 36:
            raise WorkspaceError("invalid", "期数须为 1 到 36", "instalment_count must be 1 to 36", field="instalment_count")
        if not 7 <= interval_days <= 31:
            raise WorkspaceError("invalid", "间隔须为 7 到 31 天", "interval_days must be 7 to 31", field="interval_days")
        if first_due < today or first_due > today + timedelta(days=60):
            raise WorkspaceError("invalid", "首期日期须在今天到 60 天内", "first_due must be within the next 60 days", field="first_due")
        if waiver_minor < 0:
            raise WorkspaceError("invalid", "减免金额不能为负", "waiver_minor cannot be negative", field="waiver_minor")
        check_loan(conn, borrower_id, loan_id, required=True)
        if conn.execute(select(payment_plans.c.plan_id).where(
                payment_plans.c.loan_id == loan_id, payment_plans.c.status.in_(OPEN))).first():
            raise Conflict("plan_open", "该借款已有进行中的还款计划", "this loan already has an open plan", field="loan_id")
        owed = outstanding(conn, loan_id)
        if owed <= 0:
            raise Conflict("nothing_owed", "该借款没有未还金额", "nothing is owed on this loan", field="loan_id")
        if waiver_minor >= owed:
            raise WorkspaceError("invalid", "减免金额须小于欠款", "the waiver must be less than the amount owed", field="waiver_minor")
        if instalment_count > owed - waiver_minor:
            raise WorkspaceError("invalid", "期数过多", "too many instalments for the amount", field="instalment_count")
        agent_ok = within(settings.agent_waiver_pct, waiver_minor, owed) and instalment_count <= settings.agent_max_instalments
        if not within(settings.lead_waiver_pct, waiver_minor, owed):
            raise WorkspaceError("over_authority", f"减免超过 {settings.lead_waiver_pct}% 的审批上限",
                                 f"a waiver above {settings.lead_waiver_pct}% is beyond any approval authority",
                                 field="waiver_minor")
        plan: dict[str, Any] = {"borrower_id": borrower_id, "loan_id": loan_id, "status": "proposed", "outstanding_minor": owed,
                "waiver_minor": waiver_minor, "instalment_count": instalment_count, "interval_days": interval_days,
                "first_due": first_due, "proposed_by": user.username, "proposed_at": now, "decision_note": note}
        plan["plan_id"] = inserted_id(conn.execute(insert(payment_plans).values(**plan)))
        if agent_ok or user.role == "team_lead":
            result = _activate(conn, plan, user, now, today, owed)
        else:
            rows = schedule(owed - waiver_minor, instalment_count, first_due, interval_days)
            conn.execute(insert(plan_instalments), [
                {"plan_id": plan["plan_id"], "seq": i + 1, "due_date": d, "amount_minor": a}
                for i, (d, a) in enumerate(rows)])
            conn.execute(update(payment_plans).where(payment_plans.c.plan_id == plan["plan_id"])
                         .values(status="pending_approval"))
            result = PlanResult(plan["plan_id"], "pending_approval", rows, None)
        record(conn, user, now, "workspace.plan_proposed", f"borrower:{borrower_id}", plan_id=result.plan_id,
               status=result.status, waiver_minor=waiver_minor, outstanding_minor=owed, instalments=instalment_count)
        return result


def approve_plan(engine: Engine, *, clock: Clock, settings: Settings, user: User, plan_id: int, note: str = "") -> PlanResult:
    require_lead(user)
    now = clock.now()
    with engine.begin() as conn:
        plan = _get(conn, plan_id)
        can_write(conn, user, plan["borrower_id"])
        if plan["status"] != "pending_approval":
            raise Conflict("not_pending", f"计划状态为 {plan['status']},不能审批", f"the plan is {plan['status']}, not pending approval")
        owed = outstanding(conn, plan["loan_id"])
        if plan["waiver_minor"] >= owed or not within(settings.lead_waiver_pct, plan["waiver_minor"], owed):
            raise Conflict("stale", "欠款已变化,减免不再适用,请重新提交", "the amount owed has changed; propose the plan again")
        result = _activate(conn, plan, user, now, local_date(now, settings.timezone), owed)
        if note:
            conn.execute(update(payment_plans).where(payment_plans.c.plan_id == plan_id).values(decision_note=note))
        record(conn, user, now, "workspace.plan_approved", f"borrower:{plan['borrower_id']}", plan_id=plan_id,
               outstanding_minor=owed, instalments=len(result.schedule))
        return result


def reject_plan(engine: Engine, *, clock: Clock, settings: Settings, user: User, plan_id: int, note: str) -> None:
    require_lead(user)
    now = clock.now()
    with engine.begin() as conn:
        plan = _get(conn, plan_id)
        can_write(conn, user, plan["borrower_id"])
        if not note.strip():
            raise WorkspaceError("invalid", "请填写驳回理由", "give a reason", field="note")
        if plan["status"] != "pending_approval":
            raise Conflict("not_pending", f"计划状态为 {plan['status']},不能驳回", f"the plan is {plan['status']}, not pending approval")
        conn.execute(update(payment_plans).where(payment_plans.c.plan_id == plan_id).values(
            status="cancelled", approved_by=user.username, approved_at=now, decision_note=note.strip(),
            closed_on=local_date(now, settings.timezone)))
        record(conn, user, now, "workspace.plan_rejected", f"borrower:{plan['borrower_id']}", plan_id=plan_id)


def plan_status(rows: list[tuple[date, int]], paid: list[tuple[date, int]], grace_days: int, as_of: date) -> str:
    """active | kept | broken: broken when, by some instalment's due date + grace (before as_of), the payments
    made up to then fall short of the instalments due by then."""
    total = sum(a for _, a in rows)
    if sum(a for d, a in paid if d <= as_of) >= total:
        return "kept"
    due_so_far = 0
    for day, amount in rows:
        due_so_far += amount
        last = day + timedelta(days=grace_days)
        if last < as_of and sum(a for d, a in paid if d <= last) < due_so_far:
            return "broken"
    return "active"


def evaluate_plans(engine: Engine, *, clock: Clock, settings: Settings, as_of: date) -> dict[str, int]:
    zone = ZoneInfo(settings.timezone)
    now = clock.now()
    out = {"kept": 0, "broken": 0, "active": 0}
    with engine.begin() as conn:
        for plan in conn.execute(select(payment_plans).where(payment_plans.c.status == "active")).mappings().all():
            rows = [(r.due_date, int(r.amount_minor)) for r in conn.execute(
                select(plan_instalments).where(plan_instalments.c.plan_id == plan["plan_id"])
                .order_by(plan_instalments.c.seq))]
            paid = [(at.astimezone(zone).date(), int(a)) for at, a in conn.execute(
                select(payments.c.paid_at, payments.c.amount_minor).where(
                    payments.c.loan_id == plan["loan_id"], payments.c.paid_at >= plan["approved_at"]))]
            status = plan_status(rows, paid, settings.promise_grace_days, as_of)
            out[status] += 1
            if status == "active":
                continue
            conn.execute(update(payment_plans).where(payment_plans.c.plan_id == plan["plan_id"])
                         .values(status=status, closed_on=as_of))
            if plan["hold_id"]:
                conn.execute(update(holds).where(holds.c.hold_id == plan["hold_id"]).values(end=max(as_of, plan["approved_at"].astimezone(zone).date())))
            audit.append(conn, at=now, actor="system:plans", action=f"workspace.plan_{status}",
                         subject=f"borrower:{plan['borrower_id']}", detail={"plan_id": plan["plan_id"]})
    return out
