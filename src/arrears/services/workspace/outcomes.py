"""Logging the outcome of a contact: one `contact_attempts` row (with the engine's outcome, so frequency caps and
the 7-in-7 count see it), its workspace outcome in `attempt_outcomes`, and what follows from it: a promise and its
follow-up task, a callback with the consent it records, a dispute hold, a cease or an opt-out. Notes too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, update

from arrears.domain.clock import Clock, require_aware
from arrears.domain.enums import Channel, Direction, Outcome
from arrears.services.auth import User
from arrears.services.workspace.common import (
    WorkspaceError,
    can_write,
    check_loan,
    check_party,
    contact_point,
    inserted_id,
    local_date,
    local_instant,
    new_id,
    record,
)
from arrears.settings import Settings
from arrears.storage.tables import contact_attempts, contact_points, holds, parties
from arrears.storage.tables_work import (
    attempt_outcomes,
    contact_consents,
    contact_restrictions,
    follow_ups,
    notes,
    promises,
)


class OutcomeKind(StrEnum):
    RIGHT_PARTY = "right_party_contact"
    PROMISE = "promise_to_pay"
    REFUSED = "refused"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    CALLBACK = "callback_requested"
    STOP_CONTACT = "asked_not_to_contact"


LABELS: dict[OutcomeKind, tuple[str, str]] = {
    OutcomeKind.RIGHT_PARTY: ("本人接通", "right-party contact"),
    OutcomeKind.PROMISE: ("承诺还款", "promise to pay"),
    OutcomeKind.REFUSED: ("拒绝还款", "refused to pay"),
    OutcomeKind.WRONG_NUMBER: ("号码错误", "wrong number"),
    OutcomeKind.THIRD_PARTY: ("第三方接听", "a third party answered"),
    OutcomeKind.DISPUTE: ("对债务有异议", "disputes the debt"),
    OutcomeKind.HARDSHIP: ("经济困难", "hardship"),
    OutcomeKind.CALLBACK: ("约定回电", "callback requested"),
    OutcomeKind.STOP_CONTACT: ("要求停止联系", "asked not to be contacted"),
}

# The contact log keeps the compliance engine's vocabulary: a refusal to be contacted is `refused` (the engine
# stops for good), a wrong number reached someone without a conversation, everything else was a conversation.
ENGINE_OUTCOME: dict[OutcomeKind, Outcome] = {
    **{k: Outcome.CONVERSATION for k in OutcomeKind},
    OutcomeKind.WRONG_NUMBER: Outcome.ANSWERED_NO_CONVERSATION,
    OutcomeKind.STOP_CONTACT: Outcome.REFUSED,
}

STOP_SCOPES = ("contact_point", "borrower")
PROMISE_DUE_AT = time(10, 0)  # the follow-up task for a promise falls on its due date, 10:00 local


@dataclass(frozen=True, slots=True)
class LoggedOutcome:
    attempt_id: str
    kind: OutcomeKind
    promise_id: int | None = None
    task_ids: tuple[int, ...] = ()
    consent_id: int | None = None
    restriction_id: int | None = None
    hold_id: str | None = None


def _bad(field: str, zh: str, en: str) -> WorkspaceError:
    return WorkspaceError("invalid", zh, en, field=field)


def _task(conn: Any, *, borrower_id: str, kind: str, due_at: datetime, user: User, now: datetime,
          promise_id: int | None = None, attempt_id: str | None = None, note: str = "") -> int:
    res = conn.execute(
        insert(follow_ups).values(
            borrower_id=borrower_id, kind=kind, due_at=due_at, assigned_to=user.agent_id or user.username,
            status="open", promise_id=promise_id, attempt_id=attempt_id, note=note, created_at=now,
        )
    )
    return inserted_id(res)


def log_outcome(
    engine: Engine,
    *,
    clock: Clock,
    settings: Settings,
    user: User,
    borrower_id: str,
    kind: OutcomeKind | str,
    party_id: str | None = None,
    contact_point_id: str | None = None,
    channel: Channel | str = Channel.CALL,
    direction: Direction | str = Direction.OUT,
    loan_id: str | None = None,
    amount_minor: int | None = None,
    due_date: date | None = None,
    callback_at: datetime | None = None,
    callback_minutes: int = 30,
    stop_scope: str = "contact_point",
    written: bool = False,
    note: str = "",
) -> LoggedOutcome:
    """Log one contact outcome and everything it implies, in one transaction."""
    now = clock.now()
    today = local_date(now, settings.timezone)
    party = party_id or borrower_id
    with engine.begin() as conn:
        can_write(conn, user, borrower_id)  # first: an account out of scope is "not found", whatever the input
        try:
            kind = OutcomeKind(kind)
        except ValueError:
            raise _bad("kind", f"未知的联系结果 {kind}", f"unknown outcome {kind}") from None
        try:
            channel, direction = Channel(channel), Direction(direction)
        except ValueError as e:
            raise _bad("channel", f"渠道或方向无效:{e}", f"bad channel or direction: {e}") from None
        role = check_party(conn, borrower_id, party)
        check_loan(conn, borrower_id, loan_id, required=kind is OutcomeKind.PROMISE)
        point = contact_point(conn, borrower_id, contact_point_id) if contact_point_id else None
        if kind is OutcomeKind.THIRD_PARTY and role == "debtor":
            raise _bad("party_id", "第三方接听须选择接听的联系人", "choose which third party answered")
        if kind in (OutcomeKind.PROMISE, OutcomeKind.RIGHT_PARTY, OutcomeKind.REFUSED) and role != "debtor" and role not in ("guarantor", "co_obligor"):
            raise _bad("party_id", "该结果只适用于债务人本人", "this outcome is for the debtor only")
        detail: dict[str, Any] = {}
        if kind is OutcomeKind.PROMISE:
            if amount_minor is None or amount_minor <= 0:
                raise _bad("amount_minor", "承诺金额须大于 0", "the promised amount must be positive")
            if due_date is None or due_date < today:
                raise _bad("due_date", "承诺日期不能早于今天", "the promise date cannot be in the past")
            if due_date > today + timedelta(days=settings.promise_max_days):
                raise _bad("due_date", f"承诺日期不能晚于 {settings.promise_max_days} 天后",
                           f"the promise date must be within {settings.promise_max_days} days")
            detail = {"amount_minor": amount_minor, "due_date": due_date.isoformat()}
        if kind is OutcomeKind.CALLBACK:
            if callback_at is None:
                raise _bad("callback_at", "请填写回电时间", "give the callback time")
            require_aware(callback_at, "callback_at")
            if callback_at <= now:
                raise _bad("callback_at", "回电时间须晚于现在", "the callback time must be in the future")
            if not 5 <= callback_minutes <= 240:
                raise _bad("callback_minutes", "回电时段须为 5 到 240 分钟", "the callback window must be 5 to 240 minutes")
            detail = {"callback_at": callback_at.isoformat(), "minutes": callback_minutes}
        if kind is OutcomeKind.STOP_CONTACT:
            if stop_scope not in STOP_SCOPES:
                raise _bad("stop_scope", "停止范围须为 contact_point 或 borrower", "stop_scope must be contact_point or borrower")
            if stop_scope == "contact_point" and point is None and role == "debtor":
                raise _bad("contact_point_id", "请选择要停止联系的号码", "choose the contact point to stop using")
            detail = {"scope": stop_scope, "written": written}
        if kind is OutcomeKind.WRONG_NUMBER and point is None:
            raise _bad("contact_point_id", "请选择错误的号码", "choose the wrong number")

        attempt_id = new_id("ws")
        conn.execute(
            insert(contact_attempts).values(
                attempt_id=attempt_id, borrower_id=borrower_id, loan_id=loan_id, party_id=party,
                contact_point_id=contact_point_id, channel=channel.value, direction=direction.value,
                outcome=ENGINE_OUTCOME[kind].value, at=now, collector_id=user.agent_id or user.username, text=None,
            )
        )
        conn.execute(
            insert(attempt_outcomes).values(
                attempt_id=attempt_id, kind=kind.value, detail_json=json.dumps(detail, ensure_ascii=False),
                recorded_by=user.username, recorded_at=now,
            )
        )
        out = LoggedOutcome(attempt_id, kind)
        tasks: list[int] = []
        if kind is OutcomeKind.PROMISE:
            assert amount_minor is not None and due_date is not None and loan_id is not None
            pid = inserted_id(conn.execute(
                insert(promises).values(
                    borrower_id=borrower_id, loan_id=loan_id, attempt_id=attempt_id, amount_minor=amount_minor,
                    due_date=due_date, grace_days=settings.promise_grace_days, status="open", made_at=now,
                    made_by=user.username, paid_minor=0,
                )
            ))
            tasks.append(_task(conn, borrower_id=borrower_id, kind="promise_due", user=user, now=now, promise_id=pid,
                               attempt_id=attempt_id, due_at=local_instant(due_date, PROMISE_DUE_AT, settings.timezone)))
            out = LoggedOutcome(attempt_id, kind, promise_id=pid)
        elif kind is OutcomeKind.CALLBACK:
            assert callback_at is not None
            end = callback_at + timedelta(minutes=callback_minutes)
            cid = inserted_id(conn.execute(
                insert(contact_consents).values(
                    borrower_id=borrower_id, party_id=party, attempt_id=attempt_id, channel=channel.value,
                    given_at=now, for_date=local_date(callback_at, settings.timezone), window_start=callback_at,
                    window_end=end, recorded_by=user.username,
                )
            ))
            tasks.append(_task(conn, borrower_id=borrower_id, kind="callback", user=user, now=now,
                               attempt_id=attempt_id, due_at=callback_at))
            out = LoggedOutcome(attempt_id, kind, consent_id=cid)
        elif kind is OutcomeKind.DISPUTE:
            hold_id = new_id("hold-dispute")
            conn.execute(insert(holds).values(hold_id=hold_id, borrower_id=borrower_id, loan_id=loan_id,
                                              kind="dispute", start=today, end=None, reason=note or "客户提出异议"))
            out = LoggedOutcome(attempt_id, kind, hold_id=hold_id)
        elif kind is OutcomeKind.HARDSHIP:
            tasks.append(_task(conn, borrower_id=borrower_id, kind="hardship_review", user=user, now=now,
                               attempt_id=attempt_id, due_at=now + timedelta(days=1), note=note))
        elif kind in (OutcomeKind.STOP_CONTACT, OutcomeKind.WRONG_NUMBER):
            out = _restrict(conn, user, now, today, attempt_id, kind, borrower_id, party, role, point, channel,
                            stop_scope, written, note)
        record(conn, user, now, "workspace.outcome", f"borrower:{borrower_id}", attempt_id=attempt_id,
               kind=kind.value, party_id=party, contact_point_id=contact_point_id, **detail)
        if note.strip():
            conn.execute(insert(notes).values(borrower_id=borrower_id, loan_id=loan_id, attempt_id=attempt_id,
                                              author=user.username, created_at=now, body=note.strip()))
        return LoggedOutcome(out.attempt_id, kind, out.promise_id, tuple(tasks), out.consent_id,
                             out.restriction_id, out.hold_id)


def _restrict(conn: Any, user: User, now: datetime, today: date, attempt_id: str, kind: OutcomeKind,
              borrower_id: str, party: str, role: str, point: dict[str, Any] | None, channel: Channel,
              scope: str, written: bool, note: str) -> LoggedOutcome:
    """Record a cease / opt-out / wrong number, and mark the rows the planner and the engine already read."""
    hold_id: str | None = None
    point_id = point["contact_point_id"] if point else None
    if kind is OutcomeKind.WRONG_NUMBER:
        what = "wrong_number"
    elif role != "debtor":
        what = "party_refused"  # a third party asked not to be contacted: stop for good (CN-PARTY-2)
        conn.execute(update(parties).where(parties.c.party_id == party).values(refused_contact=True))
    elif scope == "borrower":
        what = "cease"
        hold_id = new_id("hold-cease")
        conn.execute(insert(holds).values(hold_id=hold_id, borrower_id=borrower_id, loan_id=None, kind="cease",
                                          start=today, end=None, reason=note or "客户要求停止联系"))
    else:
        what = "opt_out"
    if point_id is not None and what in ("wrong_number", "opt_out", "party_refused"):
        conn.execute(update(contact_points).where(contact_points.c.contact_point_id == point_id).values(opted_out=True))
    rid = inserted_id(conn.execute(
        insert(contact_restrictions).values(
            borrower_id=borrower_id, scope=what, party_id=party, contact_point_id=point_id,
            channel=channel.value if what == "opt_out" else None, written=written, received_at=now,
            attempt_id=attempt_id, hold_id=hold_id, recorded_by=user.username, reason=note,
        )
    ))
    return LoggedOutcome(attempt_id, kind, restriction_id=rid, hold_id=hold_id)


def add_note(engine: Engine, *, clock: Clock, user: User, borrower_id: str, body: str,
             loan_id: str | None = None) -> int:
    text = body.strip()
    now = clock.now()
    with engine.begin() as conn:
        can_write(conn, user, borrower_id)
        if not text:
            raise _bad("body", "备注不能为空", "the note is empty")
        if len(text) > 4000:
            raise _bad("body", "备注最长 4000 字", "a note has at most 4000 characters")
        check_loan(conn, borrower_id, loan_id)
        nid = inserted_id(conn.execute(insert(notes).values(borrower_id=borrower_id, loan_id=loan_id, author=user.username,
                                                    created_at=now, body=text)))
        record(conn, user, now, "workspace.note", f"borrower:{borrower_id}", note_id=nid)
        return nid
