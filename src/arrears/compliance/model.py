"""The engine's input: one proposed contact attempt and its context, as frozen dataclasses.

Parsed once (from a scenario, the API or the database) and then read many times on the hot path, so derived
values that every rule needs (UTC epoch seconds of each history entry) are computed at construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from arrears.domain.enums import (
    Audience,
    Channel,
    ContactPointKind,
    Direction,
    LenderType,
    Outcome,
    Purpose,
    Role,
    Source,
)


@dataclass(frozen=True, slots=True)
class DebtorFlags:
    unreachable: bool = False  # 失联: cannot be reached on any known contact point
    cease_written_at: datetime | None = None  # written cease-communication / refusal to pay received
    dispute_open: bool = False
    validation_period_end: date | None = None
    attorney_represented: bool = False
    time_barred: bool = False
    breathing_space_until: date | None = None  # UK Debt Respite Scheme; inclusive last day
    vulnerability: tuple[str, ...] = ()
    deceased: bool = False
    bankruptcy: bool = False


@dataclass(frozen=True, slots=True)
class AgreedWindow:
    """A contact window the debtor asked for or agreed to, on one local date. `end` before `start` crosses midnight."""

    day: date
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DailyTimes:
    """A daily local time range the debtor said is inconvenient. `end` before `start` crosses midnight."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Consent:
    """Prior consent given directly to the collector (Reg F 1006.6(b)(4), 1006.14(b)(3))."""

    given_at: datetime
    channel: Channel
    for_date: date | None = None


@dataclass(frozen=True, slots=True)
class Debtor:
    id: str
    timezones: tuple[str, ...]
    is_minor: bool = False
    flags: DebtorFlags = DebtorFlags()
    agreed_windows: tuple[AgreedWindow, ...] = ()
    inconvenient_times: tuple[DailyTimes, ...] = ()
    consents: tuple[Consent, ...] = ()


@dataclass(frozen=True, slots=True)
class Debt:
    id: str
    lender_type: LenderType = LenderType.LICENSED
    contract_date: date | None = None
    apr_bp: int | None = None  # all-in annual rate in basis points: 0.18 -> 1800
    litigation_filed: bool = False
    court_order: bool = False
    amount_due_minor: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """A person other than the debtor."""

    id: str
    role: Role
    emergency_contact: bool = False
    refused_contact: bool = False
    relationship_evidence: bool = False
    verified_identity: bool = False


@dataclass(frozen=True, slots=True)
class ContactPoint:
    id: str
    owner: str
    kind: ContactPointKind
    source: Source
    employer_provided: bool = False
    used_by_debtor_for_debt: bool = False
    opted_out: bool = False
    reassignment_checked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    to: str
    channel: Channel
    direction: Direction
    outcome: Outcome
    point: str | None = None
    debt: str | None = None
    collector: str | None = None
    ts: float = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"history entry at {self.at.isoformat()} must carry a UTC offset")
        object.__setattr__(self, "ts", self.at.timestamp())

    @property
    def sort_key(self) -> tuple[float, str, str, str, str]:
        """A total order independent of list order (ties broken by content)."""
        return (self.ts, self.to, self.channel.value, self.direction.value, self.outcome.value)


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    whitelisted: bool


@dataclass(frozen=True, slots=True)
class Visit:
    staff_count: int
    recording: bool = False
    location_type: str = "home"
    notice_given_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # image | document | audio ...
    template_id: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    to: str
    channel: Channel
    point: str | None = None
    debt: str | None = None
    collector: str | None = None
    text: str | None = None
    script: str | None = None
    purpose: Purpose = Purpose.COLLECT
    audience: Audience = Audience.ONE_TO_ONE
    attachments: tuple[Attachment, ...] = ()
    visit: Visit | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """Everything known about the debtor at decision time."""

    debtor: Debtor
    debts: tuple[Debt, ...] = ()
    parties: tuple[Party, ...] = ()
    contact_points: tuple[ContactPoint, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    agency: Agency | None = None
    collector: str | None = None
    # Derived once per case: the history in time order and its epoch seconds, for bisecting time ranges.
    timeline: tuple[HistoryEntry, ...] = field(init=False, compare=False, repr=False)
    timeline_ts: tuple[float, ...] = field(init=False, compare=False, repr=False)
    first_refusal: tuple[tuple[str, float], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.history, key=lambda h: h.sort_key))
        object.__setattr__(self, "timeline", ordered)
        object.__setattr__(self, "timeline_ts", tuple(h.ts for h in ordered))
        first: dict[str, float] = {}
        for h in ordered:
            if h.outcome is Outcome.REFUSED and h.to not in first:
                first[h.to] = h.ts
        object.__setattr__(self, "first_refusal", tuple(first.items()))

    def refused_before(self, person: str, ts: float) -> bool:
        """Did `person` refuse or ask us to stop at or before `ts`?"""
        return any(p == person and t <= ts for p, t in self.first_refusal)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """One question for the engine: may `attempt` happen at `now`, given `case`?"""

    now: datetime
    case: Case
    attempt: Attempt

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError(f"now must be timezone-aware, got {self.now.isoformat()}")
