"""A tamper-evident audit log: every record carries the hash of the one before it.

`hash = sha256(prev_hash | at | actor | action | subject | detail_json)`. Changing, inserting or deleting a
record breaks the chain from that point on, and `verify` names the first record that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from arrears.storage.tables import audit_log

GENESIS = "0" * 64


def _digest(prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail_json: str) -> str:
    payload = "\x1f".join(
        (
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor,
            action,
            subject,
            detail_json,
        )
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    conn: Connection, *, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]
) -> str:
    """Append one record (inside the caller's transaction) and return its hash."""
    if at.tzinfo is None:
        raise ValueError("audit time must be timezone-aware")
    at = at.astimezone(UTC)
    if conn.dialect.name == "postgresql":  # one writer at a time, so two appends cannot fork the chain
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7264031)")
    last = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    detail_json = json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = _digest(prev, at, actor, action, subject, detail_json)
    conn.execute(
        insert(audit_log).values(
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            detail_json=detail_json,
            prev_hash=prev,
            hash=digest,
        )
    )
    return digest


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    records: int
    first_bad_id: int | None = None
    reason: str = ""


def verify(conn: Connection) -> ChainCheck:
    """Walk the chain in id order and recompute every hash."""
    prev = GENESIS
    n = 0
    rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings()
    for row in rows:
        n += 1
        if row["prev_hash"] != prev:
            return ChainCheck(False, n, row["id"], "prev_hash does not match the previous record")
        expected = _digest(prev, row["at"], row["actor"], row["action"], row["subject"], row["detail_json"])
        if row["hash"] != expected:
            return ChainCheck(False, n, row["id"], "hash does not match the record's content")
        prev = row["hash"]
    return ChainCheck(True, n)
