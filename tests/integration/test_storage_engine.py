"""`storage.engine.make_engine`: PostgreSQL sessions run in UTC whatever the server's or the client's default,
without losing the URL's own `options` (the tests' per-test schema rides on one)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from arrears.storage.engine import make_engine
from arrears.storage.migrate import upgrade
from arrears.storage.types import UTCDateTime

pytestmark = [pytest.mark.db, pytest.mark.postgres]


def test_sessions_are_in_utc_and_keep_the_url_options(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGTZ", "Asia/Shanghai")  # a client default that is not UTC (libpq sends it at connect)
    engine = make_engine(database_url, connect_args={"options": "-c statement_timeout=30000"})
    try:
        upgrade(engine)  # the tables land in the test's own schema: the URL's search_path was kept
        with engine.connect() as conn:
            assert conn.execute(text("SHOW TimeZone")).scalar() == "UTC"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "30s"
            assert conn.execute(text("SELECT to_regclass('loans') IS NOT NULL")).scalar()
            # 2026-03-10 23:30 in Shanghai is still 2026-03-10 15:30 in UTC: a date taken in SQL is the UTC one,
            # as on SQLite, and the instant comes back with `datetime.UTC` itself as its zone
            at = conn.execute(text("SELECT TIMESTAMPTZ '2026-03-10 23:30:00+08:00'")).scalar()
            day = conn.execute(text("SELECT date(TIMESTAMPTZ '2026-03-11 01:30:00+08:00')")).scalar()
        assert at == datetime(2026, 3, 10, 15, 30, tzinfo=UTC) and at.tzinfo is UTC
        assert str(day) == "2026-03-10"
    finally:
        engine.dispose()


def test_utc_instants_from_any_engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`UTCDateTime` skips its per-value conversion only on engines whose sessions are known to be in UTC; an
    engine made another way (its sessions in Shanghai time here) still gets instants in UTC."""
    monkeypatch.setenv("PGTZ", "Asia/Shanghai")
    stmt = text("SELECT TIMESTAMPTZ '2026-03-10 23:30:00+08:00' AS at").columns(at=UTCDateTime())
    want = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    ours, plain = make_engine(database_url), create_engine(database_url)
    try:
        for engine in (ours, plain):
            with engine.connect() as conn:
                at = conn.execute(stmt).scalar_one()
            assert at == want and at.tzinfo is UTC
        with plain.connect() as conn:
            assert conn.execute(text("SHOW TimeZone")).scalar() == "Asia/Shanghai"  # so it was converted
    finally:
        ours.dispose()
        plain.dispose()


def test_connections_the_server_closed_are_replaced_at_checkout(database_url: str) -> None:
    """The pool hands out no dead connection: after the server ends every idle backend of the pool (as a restart
    or an idle timeout would), the next requests get working connections instead of errors."""
    engine = make_engine(database_url, pool_size=3, max_overflow=0)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        conns = [engine.connect() for _ in range(3)]
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in conns]
        for c in conns:
            c.close()  # back to the pool, idle
        with admin.connect() as a:
            ended = a.execute(text("SELECT count(*) FILTER (WHERE pg_terminate_backend(p)) FROM unnest(:p) AS p"),
                              {"p": pids})
            assert ended.scalar() == 3
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the backends exit asynchronously
                left = a.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": pids})
                if left.scalar() == 0:
                    break
                time.sleep(0.05)
        again = [engine.connect() for _ in range(3)]
        new_pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in again]
        for c in again:
            c.close()
        assert len(set(new_pids)) == 3 and not set(new_pids) & set(pids)
    finally:
        engine.dispose()
        admin.dispose()
