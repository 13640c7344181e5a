"""The one place the web app reads the real clock (routes get it injected through `ClockDep`)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
