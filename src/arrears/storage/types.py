"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Set (True) on the dialect of an engine whose every session runs in UTC: see storage.engine.make_engine.
UTC_SESSIONS = "arrears_utc_sessions"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant. Stored in UTC, returned aware (UTC).

    PostgreSQL gets `timestamptz`; SQLite has no time zones, so the value is normalised to UTC before it is
    stored and marked UTC again when read. Naive datetimes are refused: every instant carries its offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; give it an offset")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # On an engine whose sessions run in UTC (storage.engine.make_engine on PostgreSQL) psycopg already returns
        # instants with `datetime.UTC` as their zone: no per-value call at all (a worklist page reads 200 of them).
        if getattr(dialect, UTC_SESSIONS, False):
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
