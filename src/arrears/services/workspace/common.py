"""What every workspace use case shares: the errors the edges render, the scope check, the audit record, ids."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from arrears.services.access import require_read, require_write, scope_for
from arrears.services.auth import User
from arrears.storage import audit
from arrears.storage.tables import contact_points, loans, parties


class WorkspaceError(ValueError):
    """A request the workspace refuses. `code` is stable; `field` names the input at fault (or None)."""

    status = 422

    def __init__(self, code: str, zh: str, en: str, *, field: str | None = None) -> None:
        super().__init__(en)
        self.code, self.zh, self.en, self.field = code, zh, en, field

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class NotFound(WorkspaceError):
    status = 404


class Conflict(WorkspaceError):
    """The record is not in a state that allows the action (e.g. approving an active plan)."""

    status = 409


class Forbidden(WorkspaceError):
    """The user may see the record but their role may not take this action (e.g. an agent approving)."""

    status = 403


class Blocked(WorkspaceError):
    """Compliance or the text guard refused it. `rules` are the rule ids (or guard categories)."""

    status = 422

    def __init__(self, zh: str, en: str, *, rules: tuple[str, ...], detail: dict[str, Any] | None = None) -> None:
        super().__init__("blocked", zh, en)
        self.rules = rules
        self.detail = detail or {}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def can_write(conn: Connection, user: User, borrower_id: str) -> None:
    """The user may change this account (agents: their own; leads: their team's). Else NotVisible/ReadOnly."""
    require_write(conn, scope_for(user), borrower_id)


def can_read(conn: Connection, user: User, borrower_id: str) -> None:
    require_read(conn, scope_for(user), borrower_id)


def require_lead(user: User) -> None:
    if user.role != "team_lead":
        raise Forbidden("only_lead", "只有组长可以审批", "only a team lead may approve this")


def record(conn: Connection, user: User, now: datetime, action: str, subject: str, **detail: Any) -> None:
    audit.append(conn, at=now, actor=user.actor, action=action, subject=subject, detail=_plain(detail))


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def check_loan(conn: Connection, borrower_id: str, loan_id: str | None, *, required: bool = False) -> None:
    if loan_id is None:
        if required:
            raise WorkspaceError("missing", "请选择借款", "choose a loan", field="loan_id")
        return
    owner = conn.execute(select(loans.c.borrower_id).where(loans.c.loan_id == loan_id)).scalar()
    if owner != borrower_id:
        raise NotFound("no_loan", f"该客户没有借款 {loan_id}", f"the customer has no loan {loan_id}", field="loan_id")


def check_party(conn: Connection, borrower_id: str, party_id: str) -> str:
    """The role of `party_id` on this account: `debtor` for the borrower, else the third party's role."""
    if party_id == borrower_id:
        return "debtor"
    role = conn.execute(
        select(parties.c.role).where(parties.c.party_id == party_id, parties.c.borrower_id == borrower_id)
    ).scalar()
    if role is None:
        raise NotFound("no_party", f"该客户没有联系人 {party_id}", f"the customer has no party {party_id}", field="party_id")
    return str(role)


def contact_point(conn: Connection, borrower_id: str, point_id: str) -> dict[str, Any]:
    row = conn.execute(
        select(contact_points).where(
            contact_points.c.contact_point_id == point_id, contact_points.c.borrower_id == borrower_id
        )
    ).mappings().first()
    if row is None:
        raise NotFound(
            "no_contact_point", f"该客户没有联系方式 {point_id}", f"the customer has no contact point {point_id}",
            field="contact_point_id",
        )
    return dict(row)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def local_instant(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def inserted_id(result: Any) -> int:
    """The integer primary key of the row an INSERT just wrote."""
    pk = result.inserted_primary_key
    if not pk or pk[0] is None:
        raise RuntimeError("the database returned no primary key")
    return int(pk[0])
