"""Field visits (上门): an agent requests, a team lead approves, scheduling asks the compliance engine (CN-VISIT-1:
two staff, the time window; CN-REC-1: recording), staff check in (the engine asks again at the real time) and
check out with notes and the outcome, which is logged as a contact attempt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from arrears.compliance.decision import Decision, Verdict
from arrears.domain.clock import Clock, require_aware
from arrears.services.auth import User
from arrears.services.compliance import ComplianceService
from arrears.services.workspace.casefile import build_case
from arrears.services.workspace.common import (
    Blocked,
    Conflict,
    Forbidden,
    NotFound,
    WorkspaceError,
    can_write,
    check_loan,
    contact_point,
    inserted_id,
    new_id,
    record,
    require_lead,
)
from arrears.services.workspace.composer import default_service
from arrears.settings import Settings
from arrears.storage.decisions import DecisionRepository
from arrears.storage.tables import contact_attempts
from arrears.storage.tables_work import field_visits

LOCATIONS = ("home", "workplace", "public", "other")
OUTCOMES = {  # visit outcome -> the contact log's outcome
    "met_debtor": "conversation", "promise": "conversation", "refused_entry": "conversation",
    "not_home": "rang_no_answer", "wrong_address": "answered_no_conversation",
}
MAX_HOURS = 4


@dataclass(frozen=True, slots=True)
class VisitCheck:
    allowed: bool
    rules: tuple[str, ...]
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]


def _get(conn: Connection, visit_id: int) -> dict[str, Any]:
    row = conn.execute(select(field_visits).where(field_visits.c.visit_id == visit_id)).mappings().first()
    if row is None:
        raise NotFound("no_visit", f"没有上门记录 {visit_id}", f"no visit {visit_id}", field="visit_id")
    return dict(row)


def _state(v: dict[str, Any], *allowed: str) -> None:
    if v["status"] not in allowed:
        raise Conflict("bad_state", f"上门状态为 {v['status']},不能执行此操作",
                       f"the visit is {v['status']}; this action needs {' or '.join(allowed)}")


def request_visit(engine: Engine, *, clock: Clock, user: User, borrower_id: str, purpose: str,
                  contact_point_id: str | None = None, loan_id: str | None = None, location_type: str = "home") -> int:
    now = clock.now()
    with engine.begin() as conn:
        can_write(conn, user, borrower_id)
        if location_type not in LOCATIONS:
            raise WorkspaceError("invalid", "地点类型无效", f"location_type must be one of {', '.join(LOCATIONS)}", field="location_type")
        if not purpose.strip():
            raise WorkspaceError("invalid", "请填写上门目的", "give the purpose of the visit", field="purpose")
        check_loan(conn, borrower_id, loan_id)
        if contact_point_id is not None and contact_point(conn, borrower_id, contact_point_id)["kind"] != "address":
            raise WorkspaceError("invalid", "上门地址须为地址类联系方式", "the visit needs an address contact point", field="contact_point_id")
        vid = inserted_id(conn.execute(insert(field_visits).values(
            borrower_id=borrower_id, loan_id=loan_id, contact_point_id=contact_point_id, location_type=location_type,
            purpose=purpose.strip(), status="requested", requested_by=user.username, requested_at=now)))
        record(conn, user, now, "workspace.visit_requested", f"borrower:{borrower_id}", visit_id=vid)
        return vid


def decide_visit(engine: Engine, *, clock: Clock, user: User, visit_id: int, approve: bool, note: str = "") -> str:
    require_lead(user)
    now = clock.now()
    with engine.begin() as conn:
        v = _get(conn, visit_id)
        can_write(conn, user, v["borrower_id"])
        _state(v, "requested")
        status = "approved" if approve else "rejected"
        conn.execute(update(field_visits).where(field_visits.c.visit_id == visit_id).values(
            status=status, approved_by=user.username, approved_at=now,
            notes=(v["notes"] + ("\n" if v["notes"] else "") + note.strip()) if note.strip() else v["notes"]))
        record(conn, user, now, f"workspace.visit_{status}", f"borrower:{v['borrower_id']}", visit_id=visit_id)
        return status


def _judge(conn: Connection, v: dict[str, Any], at: datetime, settings: Settings, staff: int, recording: bool,
           notice: datetime | None, service: ComplianceService) -> tuple[Decision, VisitCheck]:
    raw = build_case(conn, borrower_id=v["borrower_id"], now=at, pack=settings.workspace_pack, home_tz=settings.timezone,
                     collector=v["requested_by"], attempt={
                         "to": v["borrower_id"], "point": v["contact_point_id"], "channel": "visit",
                         "debt": v["loan_id"], "purpose": "collect", "visit": {
                             "staff_count": staff, "recording": recording, "location_type": v["location_type"],
                             "notice_given_at": notice.isoformat() if notice else None}})
    decision, _ = service.check(raw, log=DecisionRepository(conn), source="api")
    ok = decision.verdict in (Verdict.ALLOW, Verdict.ALLOW_WITH_CONSTRAINTS)
    return decision, VisitCheck(ok, decision.rule_ids, decision.reasons("zh"), decision.reasons("en"))


def schedule_visit(
    engine: Engine, *, clock: Clock, settings: Settings, user: User, visit_id: int, start: datetime, end: datetime,
    staff: tuple[str, ...], recording: bool, notice_given_at: datetime | None = None,
    service: ComplianceService | None = None,
) -> VisitCheck:
    """Check the plan at its start and its last minute; a refusal lists the rule ids and nothing is scheduled."""
    require_aware(start, "start")
    require_aware(end, "end")
    now = clock.now()
    names = tuple(dict.fromkeys(s.strip() for s in staff if s.strip()))
    svc = service or default_service()
    with engine.begin() as conn:
        v = _get(conn, visit_id)
        can_write(conn, user, v["borrower_id"])
        if not now < start < end or end - start > timedelta(hours=MAX_HOURS):
            raise WorkspaceError("invalid", f"时间须在将来且不超过 {MAX_HOURS} 小时", f"the visit must be in the future and last at most {MAX_HOURS} hours", field="start")
        _state(v, "approved", "scheduled")
        checks = [_judge(conn, v, t, settings, len(names), recording, notice_given_at, svc)[1]
                  for t in (start, end - timedelta(minutes=1))]
        rules = tuple(dict.fromkeys(r for c in checks for r in c.rules))
        ok = all(c.allowed for c in checks)
        result = VisitCheck(ok, rules, tuple(dict.fromkeys(z for c in checks for z in c.reasons_zh)),
                            tuple(dict.fromkeys(e for c in checks for e in c.reasons_en)))
        if ok:
            conn.execute(update(field_visits).where(field_visits.c.visit_id == visit_id).values(
                status="scheduled", scheduled_start=start, scheduled_end=end, staff_1=names[0],
                staff_2=names[1] if len(names) > 1 else None, recording=recording, notice_given_at=notice_given_at,
                rules_json=json.dumps(list(rules))))
        record(conn, user, now, "workspace.visit_scheduled" if ok else "workspace.visit_refused",
               f"borrower:{v['borrower_id']}", visit_id=visit_id, rules=list(rules), staff=list(names))
    if not ok:
        raise Blocked("上门安排未通过合规检查:" + "、".join(rules), "the visit plan failed the compliance check: " + ", ".join(rules),
                      rules=rules, detail={"reasons": {"zh": list(result.reasons_zh), "en": list(result.reasons_en)}})
    return result


def _staff(v: dict[str, Any], user: User) -> None:
    if user.username not in (v["staff_1"], v["staff_2"]) and (user.agent_id or "") not in (v["staff_1"], v["staff_2"]):
        raise Forbidden("not_staff", "只有安排的上门人员可以签到签退", "only the scheduled staff may check in or out")


def check_in(engine: Engine, *, clock: Clock, settings: Settings, user: User, visit_id: int,
             service: ComplianceService | None = None) -> None:
    now = clock.now()
    with engine.begin() as conn:
        v = _get(conn, visit_id)
        can_write(conn, user, v["borrower_id"])
        _state(v, "scheduled")
        _staff(v, user)
        if not v["scheduled_start"] - timedelta(hours=1) <= now <= v["scheduled_end"]:
            raise Conflict("not_now", "不在安排的上门时间内", "this is not the scheduled time of the visit")
        staff = sum(1 for s in (v["staff_1"], v["staff_2"]) if s)
        _, chk = _judge(conn, v, now, settings, staff, bool(v["recording"]), v["notice_given_at"],
                        service or default_service())
        if not chk.allowed:
            record(conn, user, now, "workspace.visit_checkin_refused", f"borrower:{v['borrower_id']}",
                   visit_id=visit_id, rules=list(chk.rules))
            refused = chk
        else:
            refused = None
            conn.execute(update(field_visits).where(field_visits.c.visit_id == visit_id)
                         .values(status="checked_in", checked_in_at=now))
            record(conn, user, now, "workspace.visit_checked_in", f"borrower:{v['borrower_id']}", visit_id=visit_id)
    if refused is not None:
        raise Blocked("现在不能上门:" + "、".join(refused.rules), "the visit may not go ahead now: " + ", ".join(refused.rules),
                      rules=refused.rules)


def check_out(engine: Engine, *, clock: Clock, user: User, visit_id: int, outcome: str, notes: str = "") -> str:
    now = clock.now()
    with engine.begin() as conn:
        v = _get(conn, visit_id)
        can_write(conn, user, v["borrower_id"])
        if outcome not in OUTCOMES:
            raise WorkspaceError("invalid", "上门结果无效", f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
        _state(v, "checked_in")
        _staff(v, user)
        attempt_id = new_id("ws")
        conn.execute(insert(contact_attempts).values(
            attempt_id=attempt_id, borrower_id=v["borrower_id"], loan_id=v["loan_id"], party_id=v["borrower_id"],
            contact_point_id=v["contact_point_id"], channel="visit", direction="out", outcome=OUTCOMES[outcome],
            at=v["checked_in_at"], collector_id=user.agent_id or user.username, text=None))
        text = notes.strip()
        conn.execute(update(field_visits).where(field_visits.c.visit_id == visit_id).values(
            status="completed", checked_out_at=now, outcome=outcome,
            notes=(v["notes"] + ("\n" if v["notes"] and text else "") + text)))
        record(conn, user, now, "workspace.visit_checked_out", f"borrower:{v['borrower_id']}", visit_id=visit_id,
               outcome=outcome, attempt_id=attempt_id)
        return attempt_id
