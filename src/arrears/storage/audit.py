"""A tamper-evident audit log: every record carries the hash of the one before it.

`hash = sha256(prev_hash | at | actor | action | subject | detail_json)`. Changing, inserting or deleting a
record breaks the chain from that point on, and `verify` names the first record that does not fit.

Two ways to append:
- `append(conn, ...)`: inside the caller's transaction (a change and its record commit together);
- `append_committed(conn, ...)`: for records of reads (a customer view) on a connection that has only read:
  returns once the record is committed. Concurrent callers in a process are grouped: one transaction, one chain lock and one commit for
  all the records waiting, instead of one each (the chain lock is held until the commit, so single appends
  would serialise every view behind one disk flush each).
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, Text, bindparam, func, insert, select, text

from arrears.storage import direct
from arrears.storage.tables import audit_log
from arrears.storage.types import UTCDateTime

GENESIS = "0" * 64
_LOCK = "SELECT pg_advisory_xact_lock(7264031)"
# Built once: appends are on the hot path (every customer view).
_LAST_HASH = select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
_INSERT = insert(audit_log)


def _digest(prev_hash: str, at: datetime, actor: str, action: str, subject: str, detail_json: str) -> str:
    payload = prev_hash + _tail(at, actor, action, subject, detail_json)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _tail(at: datetime, actor: str, action: str, subject: str, detail_json: str) -> str:
    """What a record's hash covers after the previous hash (PostgreSQL appends hash the same text)."""
    fields = (at.astimezone(UTC).isoformat(timespec="microseconds"), actor, action, subject, detail_json)
    return "".join("\x1f" + f for f in fields)


def append(
    conn: Connection, *, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]
) -> str:
    """Append one record (inside the caller's transaction) and return its hash."""
    return _append_all(conn, [_Record(at, actor, action, subject, detail)])[0]


@dataclass(slots=True)
class _Record:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    digest: str = ""
    error: BaseException | None = None


def _prepared(records: list[_Record]) -> list[tuple[datetime, _Record, str]]:
    rows = []
    for r in records:
        if r.at.tzinfo is None:
            raise ValueError("audit time must be timezone-aware")
        at = r.at.astimezone(UTC)
        detail_json = json.dumps(r.detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        rows.append((at, r, detail_json))
    return rows


def _append_all(conn: Connection, records: list[_Record]) -> list[str]:
    """Chain `records`, in order, after the newest record (inside the caller's transaction)."""
    rows = _prepared(records)
    if conn.dialect.name == "postgresql":  # one writer at a time, so two appends cannot fork the chain
        # (a statement of its own: the read of the last hash below must take its snapshot AFTER the lock)
        conn.exec_driver_sql(_LOCK)
    prev = conn.execute(_LAST_HASH).scalar() or GENESIS
    values, digests = _chained(prev, rows)
    conn.execute(_INSERT, values[0] if len(values) == 1 else values)  # one row: no executemany
    return digests


def _chained(prev: str, rows: list[tuple[datetime, _Record, str]]) -> tuple[list[dict[str, Any]], list[str]]:
    values, digests = [], []
    for at, r, detail_json in rows:
        digest = _digest(prev, at, r.actor, r.action, r.subject, detail_json)
        values.append(
            {
                "at": at,
                "actor": r.actor,
                "action": r.action,
                "subject": r.subject,
                "detail_json": detail_json,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        digests.append(digest)
        prev = digest
    return values, digests


# The same transaction on a PostgreSQL connection in autocommit, in ONE round trip (storage/direct.py's pipeline):
# BEGIN, the lock, one INSERT per record, COMMIT. Each INSERT reads the chain's head and hashes the record in the
# server (`sha256` of the same text as `_digest`: the previous hash, then `_tail`), so no value has to come back
# to Python between the lock and the commit: the lock is held for the server's work only, not for a round trip.
# The server runs the statements in order, so each read of the head takes its snapshot after the lock is granted
# and sees the record inserted just before it in the same transaction.
_BEGIN, _COMMIT, _ROLLBACK = text("BEGIN"), text("COMMIT"), text("ROLLBACK")
_LOCK_STMT = text(_LOCK)
_HEAD = select(
    func.coalesce(
        select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1).scalar_subquery(), GENESIS
    ).label("prev")
).subquery("head")
_INSERT_CHAINED = (
    insert(audit_log)
    .from_select(
        ["at", "actor", "action", "subject", "detail_json", "prev_hash", "hash"],
        select(
            bindparam("at", type_=UTCDateTime()),
            bindparam("actor", type_=String()),
            bindparam("action", type_=String()),
            bindparam("subject", type_=String()),
            bindparam("detail_json", type_=Text()),
            _HEAD.c.prev,
            func.encode(
                func.sha256(func.convert_to(_HEAD.c.prev + bindparam("tail", type_=Text()), "UTF8")), "hex"
            ),
        ),
    )
    .returning(audit_log.c.hash)
)


def _append_pipelined(conn: Connection, records: list[_Record]) -> list[str]:
    """Chain `records` and commit them, on a PostgreSQL connection in autocommit (its own transaction)."""
    calls: list[tuple[Any, dict[str, Any] | None]] = [(_BEGIN, None), (_LOCK_STMT, None)]
    for at, r, detail_json in _prepared(records):
        tail = _tail(at, r.actor, r.action, r.subject, detail_json)
        values = {"at": at, "actor": r.actor, "action": r.action, "subject": r.subject}
        calls.append((_INSERT_CHAINED, {**values, "detail_json": detail_json, "tail": tail}))
    calls.append((_COMMIT, None))
    try:
        found = direct.pipeline(conn, calls)
    except BaseException:
        if not conn.invalidated:
            direct.pipeline(conn, [(_ROLLBACK, None)])
        raise
    return [str(rows[0].hash) for rows in found[2:-1]]


class _GroupAppender:
    """Leader/follower group commit for one engine: the first caller with no flush under way writes every record
    waiting (its own included) in one transaction, then any that arrived meanwhile, until none is left; the
    others wait for their record's commit. No background thread: nothing to start or stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Record] = []
        self._flushing = False

    def append(self, conn: Connection, record: _Record) -> str:
        with self._lock:
            self._pending.append(record)
            lead = not self._flushing
            self._flushing = True
        if lead:
            self._flush_all(conn)
        record.done.wait()
        if record.error is not None:
            raise record.error
        return record.digest

    def _flush_all(self, conn: Connection) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._flushing = False
                    return
            try:
                autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
                if autocommit and conn.dialect.name == "postgresql":
                    for r, d in zip(batch, _append_pipelined(conn, batch), strict=True):
                        r.digest = d
                    continue
                if autocommit:  # reads were: now a transaction
                    conn.rollback()  # SQLAlchemy's bookkeeping only: nothing is open on the database
                    conn.execution_options(isolation_level=conn.default_isolation_level or "READ COMMITTED")
                elif conn.dialect.name != "postgresql" and conn.in_transaction():
                    # SQLite cannot turn a read transaction whose snapshot is no longer the newest into a write
                    conn.rollback()
                try:
                    digests = _append_all(conn, batch)
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
                for r, d in zip(batch, digests, strict=True):
                    r.digest = d
            except (
                BaseException
            ) as exc:  # every waiter of this batch gets the failure; the next batch is tried
                for r in batch:
                    r.error = exc
            finally:
                for r in batch:
                    r.done.set()


_APPENDERS: weakref.WeakKeyDictionary[Engine, _GroupAppender] = weakref.WeakKeyDictionary()
_APPENDERS_LOCK = threading.Lock()


def append_committed(
    conn: Connection, *, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]
) -> str:
    """Append one record and return its hash once it is committed; raises if it could not be written. `conn`
    must hold nothing to commit but reads: the record is grouped with the concurrent appends of this process,
    and whichever caller writes the group commits its own connection's transaction with it (the others' stay
    as they were)."""
    engine = conn.engine
    appender = _APPENDERS.get(engine)
    if appender is None:
        with _APPENDERS_LOCK:
            appender = _APPENDERS.get(engine)
            if appender is None:
                appender = _APPENDERS[engine] = _GroupAppender()
    return appender.append(conn, _Record(at, actor, action, subject, detail))


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
