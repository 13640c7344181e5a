"""The clock is injected. The core never reads the system clock: it is handed `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """A timezone-aware instant."""
        ...


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock frozen at one instant, for tests, replays and reproducible runs."""

    instant: datetime

    def __post_init__(self) -> None:
        require_aware(self.instant, "FixedClock.instant")

    def now(self) -> datetime:
        return self.instant


def require_aware(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes: every instant in Arrears carries its offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value
