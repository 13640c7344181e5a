"""The shapes the account reads return (the customer view and its parts, the account list). Plain frozen
dataclasses: the API maps them to its Pydantic schemas, the pages render them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AccountSummary:
    borrower_id: str
    name: str
    region: str
    agent_id: str | None
    team_id: str | None
    loans: int
    max_dpd: int | None
    bucket: str | None
    overdue_minor: int


@dataclass(frozen=True, slots=True)
class AccountPage:
    items: list[AccountSummary]
    page: int
    size: int
    total: int


@dataclass(frozen=True, slots=True)
class Profile:
    borrower_id: str
    name: str
    region: str
    timezones: list[str]
    language: str
    is_minor: bool
    vulnerability: list[str]
    national_id_masked: str | None
    agent_id: str | None
    agent_name: str | None
    team_id: str | None


@dataclass(frozen=True, slots=True)
class Instalment:
    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    paid_at: datetime
    amount_minor: int
    channel: str | None


@dataclass(frozen=True, slots=True)
class DpdPoint:
    as_of: date
    dpd: int
    bucket: str


@dataclass(frozen=True, slots=True)
class BucketSpell:
    start_date: date
    end_date: date | None
    bucket: str


@dataclass(frozen=True, slots=True)
class LoanView:
    loan_id: str
    lender: str
    lender_type: str
    licence: str
    product: str
    currency: str
    principal_minor: int
    apr_all_in_bp: int
    contract_date: date
    as_of: date | None
    dpd: int | None
    bucket: str | None
    overdue_principal_minor: int
    overdue_interest_minor: int
    overdue_penalty_minor: int
    non_demandable_minor: int
    rate_flags: list[str]
    score: float | None
    score_as_of: date | None
    model_version: str | None
    paid_minor: int
    instalments: list[Instalment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    dpd_history: list[DpdPoint] = field(default_factory=list)
    bucket_history: list[BucketSpell] = field(default_factory=list)

    @property
    def overdue_minor(self) -> int:
        return self.overdue_principal_minor + self.overdue_interest_minor + self.overdue_penalty_minor


@dataclass(frozen=True, slots=True)
class HoldView:
    hold_id: str
    loan_id: str | None
    kind: str
    start: date
    end: date | None
    reason: str
    active: bool


@dataclass(frozen=True, slots=True)
class ContactPointView:
    contact_point_id: str
    kind: str
    value_masked: str
    source: str
    opted_out: bool
    employer_provided: bool


@dataclass(frozen=True, slots=True)
class PartyView:
    party_id: str
    role: str  # debtor for the borrower themself
    name: str
    relation: str | None
    emergency_contact: bool
    refused_contact: bool
    relationship_evidence: bool
    points: list[ContactPointView]


@dataclass(frozen=True, slots=True)
class AttemptView:
    attempt_id: str
    at: datetime
    loan_id: str | None
    party_id: str
    party_role: str
    contact_point_masked: str | None
    channel: str
    direction: str
    outcome: str
    collector_id: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class PlannedStep:
    seq: int
    channel: str
    segment: str
    treatment: str
    step: str
    strategy_variant: str
    script: str | None
    window_start: datetime
    window_end: datetime
    priority: float
    expected_recovery_minor: int
    score: float | None
    promise_due: bool
    agent_id: str | None
    rank: int | None
    rules: list[str]
    party_id: str
    contact_point_masked: str | None
    status: str  # planned | needs_approval


@dataclass(frozen=True, slots=True)
class Holdback:
    reason: str
    rules: list[str]
    detail: str


@dataclass(frozen=True, slots=True)
class Today:
    plan_date: date
    run_id: int | None
    steps: list[PlannedStep]
    holdback: Holdback | None


@dataclass(frozen=True, slots=True)
class CustomerView:
    profile: Profile
    loans: list[LoanView]
    holds: list[HoldView]
    contacts: list[PartyView]
    attempts: list[AttemptView]
    attempts_total: int
    today: Today
    # rows of further statements read by borrower id with the view's own reads (`prefetch=`), by statement: the
    # page's panels find theirs here instead of reading them in another round trip
    prefetched: Mapping[Any, Sequence[Any]] = field(default_factory=dict)

    @property
    def overdue_minor(self) -> int:
        return sum(ln.overdue_minor for ln in self.loans)

    @property
    def max_dpd(self) -> int | None:
        dpds = [ln.dpd for ln in self.loans if ln.dpd is not None]
        return max(dpds) if dpds else None
