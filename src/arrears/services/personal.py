"""Revealing personal data: the full value of one contact point (phone number, email, address...), on an
explicit action with a reason, written to the audit log before it is returned. Everything else shows the
masked form (services/masking.py). ID numbers are stored masked only and cannot be revealed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from arrears.domain.clock import Clock
from arrears.services.access import Scope, require_read
from arrears.services.auth import User
from arrears.storage import audit
from arrears.storage.tables import contact_points

REASONS = ("call", "message", "visit", "verify", "dispute", "legal", "other")
MAX_REASON_TEXT = 500


class RevealError(ValueError):
    """`code`: contact_not_found | invalid_reason."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Revealed:
    contact_point_id: str
    kind: str
    value: str
    audit_hash: str


def reveal_contact_point(
    engine: Engine,
    *,
    user: User,
    scope: Scope,
    clock: Clock,
    borrower_id: str,
    contact_point_id: str,
    reason: str,
    note: str = "",
) -> Revealed:
    """The full value of a contact point of an account the user may read. Audited as `personal_data.reveal`
    (actor, account, contact point, reason) in the same transaction; raises `NotVisible` or `RevealError`."""
    note = note.strip()[:MAX_REASON_TEXT]
    with engine.begin() as conn:
        require_read(conn, scope, borrower_id)  # first: an account out of scope says nothing else
        if reason not in REASONS:
            raise RevealError("invalid_reason", "reason")
        if reason == "other" and not note:
            raise RevealError("invalid_reason", "note")
        row = conn.execute(
            select(contact_points.c.kind, contact_points.c.value).where(
                contact_points.c.contact_point_id == contact_point_id,
                contact_points.c.borrower_id == borrower_id,
            )
        ).first()
        if row is None:
            raise RevealError("contact_not_found", "contact_point_id")
        digest = audit.append(
            conn,
            at=clock.now(),
            actor=user.actor,
            action="personal_data.reveal",
            subject=f"borrower:{borrower_id}",
            detail={"contact_point_id": contact_point_id, "kind": row.kind, "reason": reason, "note": note},
        )
    return Revealed(contact_point_id, row.kind, row.value, digest)
