"""The message composer: render a script or take the agent's text, judge it with the compliance engine (the case
built from the database, the text guard as content checker) and the guard itself, and queue it in the outbox
only when both allow it. The check is repeated when queueing: a client cannot skip it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from arrears.compliance.decision import Decision, Verdict
from arrears.domain.clock import Clock
from arrears.domain.content import ContentReport
from arrears.services.auth import User
from arrears.services.compliance import ComplianceService
from arrears.services.workspace.casefile import build_case, restriction_gates
from arrears.services.workspace.common import (
    Blocked,
    WorkspaceError,
    can_read,
    can_write,
    check_loan,
    check_party,
    contact_point,
    new_id,
    record,
)
from arrears.services.workspace.scripts import get_script, render
from arrears.settings import Settings
from arrears.storage.decisions import DecisionRecord, DecisionRepository
from arrears.storage.tables import borrowers, loan_delinquency, loans
from arrears.storage.tables_work import outbox
from arrears.textguard.guard import Guard, default_guard

POINT_KINDS = {"sms": ("mobile",), "email": ("email", "work_email")}
SENDABLE = (Verdict.ALLOW, Verdict.ALLOW_WITH_CONSTRAINTS)


@lru_cache(maxsize=1)
def default_service() -> ComplianceService:
    return ComplianceService()


@dataclass(frozen=True, slots=True)
class ComposeCheck:
    allowed: bool
    verdict: str
    rules: tuple[str, ...]
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]
    categories: tuple[str, ...]
    spans: tuple[dict[str, Any], ...]
    rewrite_zh: str | None
    rewrite_en: str | None
    constraints: tuple[str, ...] = ()
    next_allowed_at: datetime | None = None
    decision_id: int | None = None
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed, "decision": self.verdict, "rules": list(self.rules),
            "reasons": {"zh": list(self.reasons_zh), "en": list(self.reasons_en)},
            "categories": list(self.categories), "spans": list(self.spans),
            "rewrite": {"zh": self.rewrite_zh, "en": self.rewrite_en} if self.rewrite_zh or self.rewrite_en else None,
            "constraints": list(self.constraints),
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
            "decision_id": self.decision_id,
        }


class _Sink:
    def __init__(self, conn: Connection) -> None:
        self.repo = DecisionRepository(conn)
        self.last_id: int | None = None

    def append(self, rec: DecisionRecord) -> int:
        self.last_id = self.repo.append(rec)
        return self.last_id

    def iterate(self, *, pack: str | None = None, batch: int = 500) -> Any:
        return self.repo.iterate(pack=pack, batch=batch)


def _spans(report: ContentReport) -> tuple[dict[str, Any], ...]:
    seen: set[tuple[int, int, str]] = set()
    out: list[dict[str, Any]] = []
    for f in report.findings:
        if f.category is None or f.negated or f.span is None or f.span.end <= f.span.start:
            continue
        key = (f.span.start, f.span.end, f.category.value)
        if key not in seen:
            seen.add(key)
            out.append({"start": f.span.start, "end": f.span.end, "category": f.category.value,
                        "evidence": f.span.evidence})
    return tuple(out)


def judge(decision: Decision, report: ContentReport, guard: Guard, text: str, decision_id: int | None) -> ComposeCheck:
    allowed = decision.verdict in SENDABLE and not report.violation
    rules = decision.rule_ids
    cats = tuple(c.value for c in report.categories)
    zh, en = decision.reasons("zh"), decision.reasons("en")
    if report.violation and not rules:
        zh, en = ("文本审查:" + "、".join(cats),), ("text guard: " + ", ".join(cats),)
    if decision.verdict is Verdict.REVIEW:
        zh, en = (*zh, "需人工复核,不能直接发送"), (*en, "needs human review; it cannot be sent from here")
    return ComposeCheck(
        allowed=allowed, verdict=decision.verdict.value if not report.violation or decision.verdict is Verdict.BLOCK else "block",
        rules=rules, reasons_zh=tuple(zh), reasons_en=tuple(en), categories=cats, spans=_spans(report),
        rewrite_zh=guard.suggestion(report, "zh"), rewrite_en=guard.suggestion(report, "en"),
        constraints=decision.constraints, next_allowed_at=decision.next_allowed_at, decision_id=decision_id, text=text,
    )


def _values(conn: Connection, user: User, borrower_id: str, loan_id: str | None) -> dict[str, str]:
    b = conn.execute(select(borrowers.c.name).where(borrowers.c.borrower_id == borrower_id)).scalar() or ""
    vals = {"name": b, "agent": user.display_name or user.username}
    q = select(loans.c.lender, loans.c.loan_id).where(loans.c.borrower_id == borrower_id)
    if loan_id:
        q = q.where(loans.c.loan_id == loan_id)
    loan = conn.execute(q.order_by(loans.c.loan_id).limit(1)).first()
    if loan is not None:
        vals["company"] = str(loan.lender)
        d = conn.execute(
            select(loan_delinquency).where(loan_delinquency.c.loan_id == loan.loan_id)
            .order_by(loan_delinquency.c.as_of.desc()).limit(1)
        ).mappings().first()
        if d is not None:
            due = d["overdue_principal_minor"] + d["overdue_interest_minor"] + d["overdue_penalty_minor"]
            vals["amount"] = f"{due / 100:,.2f}"
    return vals


def require_account(engine: Engine, *, user: User, borrower_id: str) -> None:
    """NotVisible unless the user may see the account (an empty draft is still checked for access)."""
    with engine.connect() as conn:
        can_read(conn, user, borrower_id)


def render_script(engine: Engine, *, user: User, borrower_id: str, script_id: str, lang: str = "zh",
                  loan_id: str | None = None) -> str:
    with engine.connect() as conn:
        can_read(conn, user, borrower_id)
        s = get_script(conn, script_id, lang)
        return render(s.body, _values(conn, user, borrower_id, loan_id))


def _check(conn: Connection, *, now: datetime, settings: Settings, user: User, borrower_id: str, channel: str,
           contact_point_id: str, text: str, loan_id: str | None, script_id: str | None,
           service: ComplianceService, guard: Guard) -> tuple[ComposeCheck, str]:
    if channel not in POINT_KINDS:
        raise WorkspaceError("invalid", "渠道须为 sms 或 email", "channel must be sms or email", field="channel")
    if not text.strip():
        raise WorkspaceError("invalid", "消息内容为空", "the message is empty", field="text")
    if len(text) > 2000:
        raise WorkspaceError("invalid", "消息最长 2000 字", "a message has at most 2000 characters", field="text")
    point = contact_point(conn, borrower_id, contact_point_id)
    if point["kind"] not in POINT_KINDS[channel]:
        raise WorkspaceError("invalid", f"该联系方式({point['kind']})不能发送 {channel}",
                             f"contact point kind {point['kind']} cannot receive {channel}", field="contact_point_id")
    check_loan(conn, borrower_id, loan_id)
    party = str(point["owner_id"])
    role = check_party(conn, borrower_id, party)
    third = role not in ("debtor", "guarantor", "co_obligor")
    # the engine judges the text as the handset shows it: an SMS carries the provider signature 【...】
    sent = f"【{settings.sms_sign_name}】{text}" if channel == "sms" and settings.sms_sign_name else text
    attempt = {"to": party, "point": contact_point_id, "channel": channel, "debt": loan_id, "text": sent,
               "purpose": "locate" if third else "collect", "audience": "one_to_one"}
    if third:
        attempt["script"] = "locate_only"
    if script_id and not third:
        attempt["script"] = script_id
    raw = build_case(conn, borrower_id=borrower_id, now=now, pack=settings.workspace_pack, attempt=attempt,
                     collector=user.agent_id or user.username, home_tz=settings.timezone)
    sink = _Sink(conn)
    decision, _ = service.check(raw, log=sink, source="api")
    report = guard.check(text, audience="third_party" if third else "debtor")
    result = judge(decision, report, guard, text, sink.last_id)
    gates = restriction_gates(conn, borrower_id=borrower_id, party_id=party, point_id=contact_point_id,
                              channel=channel, now=now, home_tz=settings.timezone)
    if gates:
        result = replace(
            result, allowed=False, verdict="block", rules=tuple(g[0] for g in gates) + result.rules,
            reasons_zh=tuple(f"{g[0]}: {g[1]}" for g in gates) + result.reasons_zh,
            reasons_en=tuple(f"{g[0]}: {g[2]}" for g in gates) + result.reasons_en,
        )
    return result, party


def check_message(
    engine: Engine, *, clock: Clock, settings: Settings, user: User, borrower_id: str, channel: str,
    contact_point_id: str, text: str, loan_id: str | None = None, script_id: str | None = None,
    service: ComplianceService | None = None, guard: Guard | None = None,
) -> ComposeCheck:
    """Judge a draft (the live feedback). Logged in the decision log and audited, with a hash of the text."""
    now = clock.now()
    with engine.begin() as conn:
        can_read(conn, user, borrower_id)
        result, _ = _check(conn, now=now, settings=settings, user=user, borrower_id=borrower_id, channel=channel,
                           contact_point_id=contact_point_id, text=text, loan_id=loan_id, script_id=script_id,
                           service=service or default_service(), guard=guard or default_guard())
        record(conn, user, now, "workspace.compose_check", f"borrower:{borrower_id}", channel=channel,
               contact_point_id=contact_point_id, allowed=result.allowed, rules=list(result.rules),
               text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return result


@dataclass(frozen=True, slots=True)
class Queued:
    message_id: str
    check: ComposeCheck


def queue_message(
    engine: Engine, *, clock: Clock, settings: Settings, user: User, borrower_id: str, channel: str,
    contact_point_id: str, text: str, subject: str | None = None, loan_id: str | None = None,
    script_id: str | None = None, service: ComplianceService | None = None, guard: Guard | None = None,
) -> Queued:
    """Check again and queue for the dispatcher. A blocked message raises `Blocked` and nothing is queued."""
    now = clock.now()
    with engine.begin() as conn:
        can_write(conn, user, borrower_id)
        full = f"{subject}\n{text}" if subject else text
        result, party = _check(conn, now=now, settings=settings, user=user, borrower_id=borrower_id,
                               channel=channel, contact_point_id=contact_point_id, text=full, loan_id=loan_id,
                               script_id=script_id, service=service or default_service(),
                               guard=guard or default_guard())
        if not result.allowed:
            # the refusal is logged and audited (committed); nothing is queued
            record(conn, user, now, "workspace.message_blocked", f"borrower:{borrower_id}", channel=channel,
                   rules=list(result.rules), categories=list(result.categories))
            blocked = result
        else:
            blocked = None
            mid = _enqueue(conn, now, user, borrower_id, loan_id, party, channel, contact_point_id, subject, text,
                           script_id, result)
    if blocked is not None:
        raise Blocked("消息被合规检查拦截:" + "、".join(blocked.rules or blocked.categories),
                      "blocked by the compliance check: " + ", ".join(blocked.rules or blocked.categories),
                      rules=blocked.rules or blocked.categories, detail=blocked.to_json())
    return Queued(mid, result)


def _enqueue(conn: Connection, now: datetime, user: User, borrower_id: str, loan_id: str | None, party: str,
             channel: str, contact_point_id: str, subject: str | None, text: str, script_id: str | None,
             result: ComposeCheck) -> str:
    mid = new_id("msg")
    conn.execute(insert(outbox).values(
        message_id=mid, borrower_id=borrower_id, loan_id=loan_id, party_id=party, channel=channel,
        contact_point_id=contact_point_id, subject=subject, body=text, script_id=script_id, status="queued",
        attempts=0, rules_json=json.dumps(list(result.rules)), decision_id=result.decision_id,
        created_by=user.username, created_at=now,
    ))
    record(conn, user, now, "workspace.message_queued", f"borrower:{borrower_id}", message_id=mid,
           channel=channel, contact_point_id=contact_point_id, decision_id=result.decision_id)
    return mid
