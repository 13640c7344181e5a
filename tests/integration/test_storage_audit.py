"""The audit log is a hash chain: editing or deleting a record is detected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, update

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
