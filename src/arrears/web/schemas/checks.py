"""API shapes of the compliance check and the guard check."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ATTEMPT_EXAMPLE: dict[str, Any] = {
    "pack": "cn_strict",
    "now": "2026-03-10T10:30:00+08:00",
    "debtor": {"id": "P", "timezones": ["Asia/Shanghai"]},
    "debts": [{"id": "D1", "lender_type": "licensed", "contract_date": "2025-06-01", "apr": 0.18,
               "amount_due_minor": 123456, "currency": "CNY"}],
    "contact_points": [{"id": "A", "owner": "P", "kind": "mobile", "source": "contract"}],
    "attempt": {"to": "P", "point": "A", "channel": "sms", "debt": "D1",
                "text": "您好，您的借款已逾期，请及时还款。如有困难可申请还款计划。"},
}


class DecisionOut(BaseModel):
    decision: Literal["allow", "allow_with_constraints", "review", "block"]
    rules: list[str] = Field(description="Every rule id that fired.")
    reasons: list[str] = Field(description="In the request's language.")
    next_allowed_at: str | None = None
    constraints: list[str] = Field(default_factory=list)
    input_hash: str = Field(description="sha256 of the canonical input; the key of the decision log entry.")
    pack: str
    pack_version: str


class GuardIn(BaseModel):
    text: str = Field(min_length=1, max_length=10000)
    lang: Literal["zh", "en"] | None = None
    audience: Literal["debtor", "third_party", "transcript"] = "debtor"
    litigation_filed: bool | None = Field(default=None, description="Case state, when known.")
    judgment: bool | None = None


class SpanOut(BaseModel):
    start: int
    end: int
    category: str
    evidence: str


class GuardOut(BaseModel):
    violation: bool
    categories: list[str]
    score: float
    spans: list[SpanOut]
    claims: list[str]
    suggestion: str | None
