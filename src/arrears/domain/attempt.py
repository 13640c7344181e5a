from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arrears.domain.enums import Channel, Direction, Outcome


@dataclass(frozen=True, slots=True)
class ContactAttempt:
    """One contact attempt or communication, in either direction. Immutable once logged."""

    id: str
    borrower_id: str
    loan_id: str | None
    party_id: str  # who was contacted (or who contacted us, for direction=in)
    contact_point_id: str | None
    channel: Channel
    direction: Direction
    outcome: Outcome
    at: datetime
    collector_id: str | None = None
    agency_id: str | None = None
    text: str | None = None
