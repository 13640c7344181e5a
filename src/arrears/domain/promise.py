from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PromiseToPay:
    id: str
    loan_id: str
    amount_minor: int
    due_date: date
    made_at: datetime
    agent_id: str | None = None

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError(f"promise {self.id}: amount must be positive")


@dataclass(frozen=True, slots=True)
class PlannedInstalment:
    due_date: date
    amount_minor: int


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    id: str
    loan_id: str
    instalments: tuple[PlannedInstalment, ...]
    waiver_minor: int = 0
    status: str = "proposed"  # proposed | approved | active | kept | broken | cancelled
    proposed_by: str | None = None
    approved_by: str | None = None

    @property
    def total_minor(self) -> int:
        return sum(i.amount_minor for i in self.instalments)
