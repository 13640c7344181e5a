"""Engine factory: one place that turns a URL into an engine with the right per-dialect settings."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

from arrears.storage.types import UTC_SESSIONS


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`. SQLite gets WAL, enforced foreign keys and a busy timeout."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        engine = create_engine(u, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    if u.get_backend_name() != "postgresql":
        return create_engine(u, pool_pre_ping=True, **kwargs)
    engine = create_engine(u, **kwargs)
    _postgres_utc(engine)
    _postgres_liveness(engine)
    return engine


def _postgres_liveness(engine: Engine) -> None:
    """A pooled connection the server has closed (a restart, an idle timeout, a terminated backend) is replaced
    at checkout, without the round trip `pool_pre_ping` spends on every checkout (one per page: as much as a
    query). An idle connection has nothing to read; when its socket is readable the server has hung up (or sent
    an unsolicited message), so the pool drops it and connects again. A dead peer that sent nothing (a cut
    network) surfaces at the first statement instead, as with any connection."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_conn.closed or dbapi_conn.broken:
            raise exc.DisconnectionError("connection closed")
        try:
            readable, _, _ = select.select([dbapi_conn.pgconn.socket], [], [], 0)
        except (OSError, ValueError) as err:  # the socket is gone
            raise exc.DisconnectionError(str(err)) from err
        if readable:
            raise exc.DisconnectionError("the server closed the connection while it was idle")


def _postgres_utc(engine: Engine) -> None:
    """Every session in UTC, whatever the server's default or the client's (PGTZ): SQL that takes the date of an
    instant then means what it means on SQLite (where instants are stored in UTC), and psycopg returns instants
    with `datetime.UTC` itself as their zone (for any other zone it attaches a ZoneInfo), so `UTCDateTime` needs
    no result processing on this engine."""

    setattr(engine.dialect, UTC_SESSIONS, True)  # this engine's dialect only (one dialect object per engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        try:
            cur = dbapi_conn.cursor()
            cur.execute("SET TIME ZONE 'UTC'")
            cur.close()
        finally:
            dbapi_conn.autocommit = autocommit


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN, so a transaction covers everything we do.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA cache_size=-131072")  # 128 MiB of page cache: big imports stay fast
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE: a transaction takes the write lock when it begins, waiting for it (busy_timeout) if another
        # holds it. A deferred BEGIN reads first and asks for the lock at its first write, and when another
        # writer has committed since its read SQLite fails it at once ("database is locked": the busy timeout
        # does not apply), e.g. two agents' views audited at the same moment. Reads that need no transaction
        # run in autocommit (storage.engine.reading): no BEGIN at all, so they never wait or hold the lock.
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only, in autocommit: each statement sees the latest commit (as in READ COMMITTED)
    without the BEGIN and ROLLBACK round trips. On PostgreSQL it also keeps the pooled connection's prepared
    statements: psycopg forgets all of them (DEALLOCATE ALL) on every ROLLBACK, so one read transaction closed
    the usual way makes the next requests on that connection parse and plan every statement again."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
