"""Request and response models of the workspace API (outcomes, notes, promises, plans, visits, scripts,
messages, outbox)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from arrears.services.workspace.outcomes import OutcomeKind


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutcomeIn(_In):
    kind: OutcomeKind
    party_id: str | None = Field(default=None, max_length=64, description="Who answered; default the borrower.")
    contact_point_id: str | None = Field(default=None, max_length=64)
    channel: Literal["call", "sms", "im", "email", "visit", "letter"] = "call"
    direction: Literal["out", "in"] = "out"
    loan_id: str | None = Field(default=None, max_length=64)
    amount_minor: int | None = Field(default=None, gt=0, le=10**12, description="Promise to pay: amount in 分.")
    due_date: date | None = Field(default=None, description="Promise to pay: the promised date.")
    callback_at: AwareDatetime | None = Field(default=None, description="Callback requested: the agreed time.")
    callback_minutes: int = Field(default=30, ge=5, le=240)
    stop_scope: Literal["contact_point", "borrower"] = "contact_point"
    written: bool = False
    note: str = Field(default="", max_length=4000)


class OutcomeOut(BaseModel):
    attempt_id: str
    kind: str
    promise_id: int | None = None
    task_ids: list[int] = []
    consent_id: int | None = None
    restriction_id: int | None = None
    hold_id: str | None = None


class NoteIn(_In):
    body: str = Field(min_length=1, max_length=4000)
    loan_id: str | None = Field(default=None, max_length=64)


class Created(BaseModel):
    id: int | str


class Rows(BaseModel):
    """A list of records (field names as in the tables of storage/tables_work.py)."""

    items: list[dict[str, Any]]


class PlanIn(_In):
    loan_id: str = Field(max_length=64)
    instalment_count: int = Field(ge=1, le=36)
    first_due: date
    interval_days: int = Field(default=30, ge=7, le=31)
    waiver_minor: int = Field(default=0, ge=0, le=10**12)
    note: str = Field(default="", max_length=1000)


class PlanDecisionIn(_In):
    note: str = Field(default="", max_length=1000)


class PlanOut(BaseModel):
    plan_id: int
    status: str
    schedule: list[tuple[date, int]]
    hold_id: str | None


class VisitIn(_In):
    purpose: str = Field(min_length=1, max_length=1000)
    contact_point_id: str | None = Field(default=None, max_length=64)
    loan_id: str | None = Field(default=None, max_length=64)
    location_type: Literal["home", "workplace", "public", "other"] = "home"


class VisitScheduleIn(_In):
    start: AwareDatetime
    end: AwareDatetime
    staff: list[str] = Field(min_length=1, max_length=4)
    recording: bool
    notice_given_at: AwareDatetime | None = None


class VisitCheckOutIn(_In):
    outcome: Literal["met_debtor", "promise", "refused_entry", "not_home", "wrong_address"]
    notes: str = Field(default="", max_length=4000)


class VisitCheckOut(BaseModel):
    allowed: bool
    rules: list[str]
    reasons: dict[str, list[str]]


class StatusOut(BaseModel):
    status: str


class ScriptIn(_In):
    lang: Literal["zh", "en"]
    body: str = Field(min_length=1, max_length=2000)
    title: str | None = Field(default=None, max_length=200)
    scenario: str | None = Field(default=None, max_length=32)
    audience: Literal["debtor", "third_party"] | None = None


class ScriptOut(BaseModel):
    script_id: str
    lang: str
    version: int
    scenario: str
    audience: str
    title: str
    body: str
    author: str
    created_at: datetime


class Suggestion(BaseModel):
    scenario: str
    scripts: list[ScriptOut]


class MessageIn(_In):
    channel: Literal["sms", "email"]
    contact_point_id: str = Field(max_length=64)
    text: str = Field(min_length=1, max_length=2000)
    subject: str | None = Field(default=None, max_length=200)
    loan_id: str | None = Field(default=None, max_length=64)
    script_id: str | None = Field(default=None, max_length=64)


class Rewrite(BaseModel):
    zh: str | None
    en: str | None


class CheckOut(BaseModel):
    allowed: bool
    decision: str
    rules: list[str]
    reasons: dict[str, list[str]]
    categories: list[str]
    spans: list[dict[str, Any]]
    rewrite: Rewrite | None
    constraints: list[str]
    next_allowed_at: str | None
    decision_id: int | None


class SentOut(BaseModel):
    message_id: str
    status: str
    check: CheckOut


class OutboxPage(BaseModel):
    items: list[dict[str, Any]]
    page: int
    size: int
    total: int


class DispatchOut(BaseModel):
    sent: int
    failed: int
    retry: int
    deferred: int
    skipped: int
