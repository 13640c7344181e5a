"""The audit log is a hash chain: editing or deleting a record is detected."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import DBAPIError

from arrears.storage import audit
from arrears.storage.tables import audit_log

pytestmark = pytest.mark.db
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def write_three(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        return [
            audit.append(
                conn,
                at=T0 + timedelta(minutes=i),
                actor="u1",
                action="test",
                subject=f"s{i}",
                detail={"i": i},
            )
            for i in range(3)
        ]


def test_records_chain_to_each_other(engine: Engine) -> None:
    hashes = write_three(engine)
    assert len(set(hashes)) == 3
    with engine.connect() as conn:
        check = audit.verify(conn)
        prevs = [r.prev_hash for r in conn.execute(audit_log.select().order_by(audit_log.c.id))]
    assert check.ok and check.records == 3
    assert prevs == [audit.GENESIS, hashes[0], hashes[1]]


def test_edited_record_breaks_the_chain(engine: Engine) -> None:
    write_three(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.subject == "s1").values(detail_json='{"i":99}'))
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert not check.ok and check.records == 2
    assert "content" in check.reason


def test_deleted_record_breaks_the_chain(engine: Engine) -> None:
    write_three(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.subject == "s1"))
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert not check.ok
    assert "prev_hash" in check.reason


def test_concurrent_views_and_changes_keep_one_unbroken_chain(engine: Engine) -> None:
    """Many threads append at once: records of reads (`append_committed` on connections in autocommit, grouped;
    on PostgreSQL the pipelined path) and records of changes (`append` inside the caller's transaction). Every
    caller gets its record's hash, every record is stored once, and the chain verifies."""
    readers, writers, each = 6, 2, 15
    got: dict[str, str] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()

    def read_views(k: int) -> None:
        try:
            for i in range(each):
                with engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT")
                    conn.execute(select(audit_log.c.id).limit(1)).all()  # the view's reads come first
                    digest = audit.append_committed(
                        conn, at=T0, actor=f"reader{k}", action="account.view", subject=f"r{k}-{i}", detail={}
                    )
                with lock:
                    got[f"r{k}-{i}"] = digest
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    def change(k: int) -> None:
        try:
            for i in range(each):
                with engine.begin() as conn:
                    digest = audit.append(
                        conn,
                        at=T0,
                        actor=f"writer{k}",
                        action="promise.create",
                        subject=f"w{k}-{i}",
                        detail={},
                    )
                with lock:
                    got[f"w{k}-{i}"] = digest
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=read_views, args=(k,)) for k in range(readers)]
    threads += [threading.Thread(target=change, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with engine.connect() as conn:
        check = audit.verify(conn)
        stored = dict(conn.execute(select(audit_log.c.subject, audit_log.c.hash)).all())
    assert check.ok and check.records == (readers + writers) * each
    assert stored == got


def test_a_failed_append_leaves_nothing_behind(engine: Engine) -> None:
    """A record the database refuses (an action longer than its column, on PostgreSQL) fails its caller; nothing of
    it is stored, the connection stays usable and the next record chains to the last good one."""
    write_three(engine)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        with pytest.raises(ValueError):  # refused before anything is sent
            audit.append_committed(
                conn, at=T0.replace(tzinfo=None), actor="u", action="a", subject="s", detail={}
            )
        if engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError):
                audit.append_committed(conn, at=T0, actor="u", action="x" * 500, subject="s", detail={})
        last = audit.append_committed(conn, at=T0, actor="u", action="after", subject="s4", detail={})
    with engine.connect() as conn:
        check = audit.verify(conn)
        rows = conn.execute(select(audit_log.c.action, audit_log.c.hash).order_by(audit_log.c.id)).all()
    assert check.ok and check.records == 4
    assert rows[-1] == ("after", last)


def test_a_record_hashed_by_the_database_hashes_as_verify_does(engine: Engine) -> None:
    """On PostgreSQL the grouped path hashes each record in the server; Chinese text, an offset that is not UTC
    and microseconds must give the very hash `verify` recomputes (and the one Python would have given)."""
    write_three(engine)
    at = datetime(2026, 1, 5, 17, 30, 1, 123456, tzinfo=UTC).astimezone(timezone(timedelta(hours=8)))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        prev = conn.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).scalar_one()
        detail = {"原因": "核实还款意愿", "note": "客户说\x1f下周还"}
        digest = audit.append_committed(
            conn, at=at, actor="坐席 agent1", action="account.view", subject="borrower:客户-7", detail=detail
        )
    detail_json = '{"note":"客户说\\u001f下周还","原因":"核实还款意愿"}'
    assert digest == audit._digest(prev, at, "坐席 agent1", "account.view", "borrower:客户-7", detail_json)
    with engine.connect() as conn:
        check = audit.verify(conn)
    assert check.ok and check.records == 4
