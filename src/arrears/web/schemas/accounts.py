"""API shapes of accounts, the customer view, contact history and the worklist. Contact values are masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AccountSummaryOut(_Out):
    borrower_id: str
    name: str
    region: str
    agent_id: str | None
    team_id: str | None
    loans: int
    max_dpd: int | None
    bucket: str | None
    overdue_minor: int = Field(description="Overdue principal + interest + penalty, minor units (分).")


class AccountPageOut(_Out):
    items: list[AccountSummaryOut]
    page: int
    size: int
    total: int


class ProfileOut(_Out):
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


class InstalmentOut(_Out):
    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    total_minor: int


class PaymentOut(_Out):
    payment_id: str
    paid_at: datetime
    amount_minor: int
    channel: str | None


class DpdPointOut(_Out):
    as_of: date
    dpd: int
    bucket: str


class BucketSpellOut(_Out):
    start_date: date
    end_date: date | None
    bucket: str


class LoanOut(_Out):
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
    overdue_minor: int
    overdue_principal_minor: int
    overdue_interest_minor: int
    overdue_penalty_minor: int
    non_demandable_minor: int
    rate_flags: list[str]
    score: float | None = Field(description="Propensity to pay (0..1), latest.")
    score_as_of: date | None
    model_version: str | None
    paid_minor: int
    instalments: list[InstalmentOut]
    payments: list[PaymentOut]
    dpd_history: list[DpdPointOut] = Field(description="Newest first (at most 90 snapshots).")
    bucket_history: list[BucketSpellOut]


class HoldOut(_Out):
    hold_id: str
    loan_id: str | None
    kind: str
    start: date
    end: date | None
    reason: str
    active: bool


class ContactPointOut(_Out):
    contact_point_id: str
    kind: str
    value_masked: str
    source: str
    opted_out: bool
    employer_provided: bool


class PartyOut(_Out):
    party_id: str
    role: str
    name: str
    relation: str | None
    emergency_contact: bool
    refused_contact: bool
    relationship_evidence: bool
    points: list[ContactPointOut]


class AttemptOut(_Out):
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


class AttemptPageOut(_Out):
    items: list[AttemptOut]
    page: int
    size: int
    total: int


class PlannedStepOut(_Out):
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
    status: str = Field(description="planned | needs_approval")


class HoldbackOut(_Out):
    reason: str
    rules: list[str]
    detail: str


class TodayOut(_Out):
    plan_date: date
    run_id: int | None
    steps: list[PlannedStepOut]
    holdback: HoldbackOut | None


class CustomerViewOut(_Out):
    profile: ProfileOut
    loans: list[LoanOut]
    holds: list[HoldOut]
    contacts: list[PartyOut]
    attempts: list[AttemptOut] = Field(description="The latest 100, newest first.")
    attempts_total: int
    today: TodayOut
    overdue_minor: int
    max_dpd: int | None


RevealReason = Literal["call", "message", "visit", "verify", "dispute", "legal", "other"]


class RevealIn(BaseModel):
    contact_point_id: str = Field(min_length=1, max_length=64)
    reason: RevealReason
    note: str = Field(default="", max_length=500, description="Required when reason is `other`.")


class RevealOut(BaseModel):
    contact_point_id: str
    kind: str
    value: str = Field(description="The full value. This access is recorded in the audit log.")


class WorkItemOut(_Out):
    position: int
    borrower_id: str
    name: str
    seq: int
    loan_id: str | None
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
    callback: bool
    agent_id: str | None
    rank: int | None
    rules: list[str]
    contact_masked: str | None


class WorklistOut(_Out):
    plan_date: date
    run_id: int | None = Field(description="The plan run shown; null when no plan succeeded for the date.")
    items: list[WorkItemOut]
    total: int
    page: int
    size: int
