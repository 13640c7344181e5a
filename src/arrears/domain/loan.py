from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from arrears.domain.enums import LenderType


@dataclass(frozen=True, slots=True)
class Loan:
    id: str
    borrower_id: str
    lender: str
    lender_type: LenderType
    licence: str  # e.g. "bank", "consumer_finance", "micro_lender", "none"
    product: str
    currency: str
    principal_minor: int
    apr_all_in_bp: int  # all-in annual rate in basis points (24% -> 2400); an IRR incl. fees
    contract_date: date

    def __post_init__(self) -> None:
        if self.principal_minor <= 0:
            raise ValueError(f"loan {self.id}: principal must be positive")
        if self.apr_all_in_bp < 0:
            raise ValueError(f"loan {self.id}: APR cannot be negative")


@dataclass(frozen=True, slots=True)
class Instalment:
    """One scheduled instalment. DPD counts from `due_date` of the oldest unpaid one."""

    loan_id: str
    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    fee_minor: int = 0

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fee_minor


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    loan_id: str
    paid_at: datetime
    amount_minor: int
    channel: str = "bank_transfer"

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError(f"payment {self.id}: amount must be positive")
