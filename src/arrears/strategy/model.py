"""Strategies as immutable values: segments (first match wins, explicit default), variants and treatments.

A `Strategy` is what `loader.py` builds from a YAML pack once it has passed every schema rule. Nothing here
reads files or the clock; `select.py` evaluates these values against `AccountFacts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from arrears.domain.enums import Channel, LenderType, Outcome


class Anchor(StrEnum):
    """The named date a step's `day_offset` counts from."""

    INSTALMENT_DUE_DATE = "instalment_due_date"
    PROMISE_DUE_DATE = "promise_due_date"
    BUCKET_ENTRY = "bucket_entry"


class Party(StrEnum):
    DEBTOR = "debtor"
    GUARANTOR = "guarantor"
    EMERGENCY_CONTACT = "emergency_contact"


class PromiseState(StrEnum):
    NONE = "none"
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class Vulnerability(StrEnum):
    """Segment criterion: `any` (ignore), `none` (only non-vulnerable), `only` (only vulnerable)."""

    ANY = "any"
    NONE = "none"
    ONLY = "only"


LOCATE_ONLY = "locate_only"  # the only script an emergency contact may hear (CN-PARTY-2)
VISIT_FROM_BUCKET = "M2"  # field visits never below M2
THIRD_PARTY_CHANNELS: frozenset[Channel] = frozenset({Channel.CALL, Channel.SMS, Channel.IM})

# Outcomes that mean nobody was reached (used for `failed_in_row`).
FAILED_OUTCOMES: frozenset[Outcome] = frozenset(
    {Outcome.BUSY, Outcome.NOT_IN_SERVICE, Outcome.NETWORK_FAIL, Outcome.RANG_NO_ANSWER, Outcome.VOICEMAIL}
)

FLAG_FACTS: frozenset[str] = frozenset(
    {"borrower_unreachable", "promise_open", "promise_kept", "promise_broken", "vulnerable", "has_guarantor"}
)
NUMERIC_FACTS: frozenset[str] = frozenset({"dpd", "no_rpc_days", "failed_in_row", "broken_promises", "score"})
OPERATORS = (">=", "<=", "==", "!=", ">", "<")
_CONDITION = re.compile(r"^\s*(?:(not)\s+)?([a-z_]+)\s*(?:(>=|<=|==|!=|>|<)\s*(-?\d+))?\s*$")


@dataclass(frozen=True, slots=True)
class Condition:
    """One test on earlier outcomes or account state: a flag (`promise_broken`, `not promise_open`) or a
    comparison of a numeric fact with an integer (`no_rpc_days >= 3`)."""

    fact: str
    op: str | None = None  # None for a flag
    value: int = 0
    negate: bool = False

    @staticmethod
    def parse(text: str) -> Condition:
        m = _CONDITION.match(text)
        if not m:
            raise ValueError(f"cannot parse condition {text!r}; expected `flag`, `not flag` or `fact OP integer`")
        neg, fact, op, value = m.groups()
        if op is None:
            if fact not in FLAG_FACTS:
                raise ValueError(f"unknown flag {fact!r}; known: {', '.join(sorted(FLAG_FACTS))}")
            return Condition(fact, None, 0, neg is not None)
        if neg:
            raise ValueError(f"`not` applies to flags only: {text!r}")
        if fact not in NUMERIC_FACTS:
            raise ValueError(f"unknown numeric fact {fact!r}; known: {', '.join(sorted(NUMERIC_FACTS))}")
        return Condition(fact, op, int(value), False)

    def __str__(self) -> str:
        if self.op is None:
            return f"not {self.fact}" if self.negate else self.fact
        return f"{self.fact} {self.op} {self.value}"


@dataclass(frozen=True, slots=True)
class Requirements:
    """What must be in place before the step may run (the planner and the agent workspace enforce them)."""

    supervisor_approval: bool = False
    min_staff: int = 1
    recording: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    anchor: Anchor
    day_offset: int
    channel: Channel
    party: Party
    template: str
    pool: str
    conditions: tuple[Condition, ...] = ()
    every_days: int | None = None  # repeat every N days from day_offset ...
    until_offset: int | None = None  # ... up to and including this offset (None = while the step applies)
    from_bucket: str | None = None  # the step applies from this bucket on (ladder order)
    requires: Requirements = Requirements()
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True, slots=True)
class Treatment:
    id: str
    steps: tuple[Step, ...]
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True, slots=True)
class Variant:
    """One arm of a champion/challenger test: its share in basis points (all arms of a segment sum to 10000)."""

    id: str
    treatment: str
    share_bp: int


@dataclass(frozen=True, slots=True)
class Match:
    """Segment criteria; an unset criterion matches everything. Ranges are inclusive."""

    buckets: tuple[str, ...] | None = None
    balance_min_minor: int | None = None
    balance_max_minor: int | None = None
    score_min: int | None = None
    score_max: int | None = None
    products: tuple[str, ...] | None = None
    region_prefixes: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    lender_types: tuple[LenderType, ...] | None = None
    vulnerability: Vulnerability = Vulnerability.ANY


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    match: Match
    variants: tuple[Variant, ...]
    description_zh: str = ""
    description_en: str = ""
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    version: str
    salt: str  # champion/challenger hashing salt; change it to re-randomise a new experiment
    segments: tuple[Segment, ...]  # checked in order; the default is last
    treatments: tuple[Treatment, ...]
    bucket_order: tuple[str, ...]  # the delinquency ladder, for `from_bucket` comparisons
    description_zh: str = ""
    description_en: str = ""
    origin: str = ""

    def treatment(self, treatment_id: str) -> Treatment:
        for t in self.treatments:
            if t.id == treatment_id:
                return t
        raise KeyError(treatment_id)

    def bucket_rank(self, bucket: str) -> int:
        return self.bucket_order.index(bucket)


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What selection and step evaluation need to know about one account on one day."""

    account_id: str
    bucket: str
    dpd: int
    balance_minor: int
    instalment_due_date: date  # the oldest unpaid instalment's due date (or the next one, before it is due)
    score: int | None = None
    product: str = ""
    region: str = ""
    language: str = "zh"
    lender_type: LenderType = LenderType.LICENSED
    vulnerable: bool = False
    bucket_entry_date: date | None = None
    promise_due_date: date | None = None
    promise_state: PromiseState = PromiseState.NONE
    broken_promises: int = 0
    no_rpc_days: int = 0  # days since the last right-party contact (or since the due date, if never)
    last_outcomes: tuple[Outcome, ...] = ()  # most recent last
    borrower_unreachable: bool = False  # CN-PARTY-2 state, decided by the compliance side
    has_guarantor: bool = False

    def anchor_date(self, anchor: Anchor) -> date | None:
        if anchor is Anchor.INSTALMENT_DUE_DATE:
            return self.instalment_due_date
        if anchor is Anchor.PROMISE_DUE_DATE:
            return self.promise_due_date
        return self.bucket_entry_date

    @property
    def failed_in_row(self) -> int:
        n = 0
        for o in reversed(self.last_outcomes):
            if o not in FAILED_OUTCOMES:
                break
            n += 1
        return n

    def flag(self, name: str) -> bool:
        values = {
            "borrower_unreachable": self.borrower_unreachable,
            "promise_open": self.promise_state is PromiseState.OPEN,
            "promise_kept": self.promise_state is PromiseState.KEPT,
            "promise_broken": self.promise_state is PromiseState.BROKEN,
            "vulnerable": self.vulnerable,
            "has_guarantor": self.has_guarantor,
        }
        return values[name]

    def number(self, name: str) -> int | None:
        values: dict[str, int | None] = {
            "dpd": self.dpd,
            "no_rpc_days": self.no_rpc_days,
            "failed_in_row": self.failed_in_row,
            "broken_promises": self.broken_promises,
            "score": self.score,
        }
        return values[name]
