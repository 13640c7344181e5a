"""The one place the CLI reads the real clock. Services and the core are handed a `Clock`."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
