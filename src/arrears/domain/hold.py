from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.domain.enums import HoldKind


@dataclass(frozen=True, slots=True)
class Hold:
    """A pause on collection. `end` is exclusive; None means open-ended."""

    id: str
    borrower_id: str
    kind: HoldKind
    start: date
    end: date | None
    reason: str
    loan_id: str | None = None  # None: every loan of the borrower

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"hold {self.id}: end {self.end} is before start {self.start}")

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)
