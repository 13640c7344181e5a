"""Values and entities of the collections domain. Pure: no I/O, no clock, no framework."""

from arrears.domain.agents import Agency, Agent, Team
from arrears.domain.attempt import ContactAttempt
from arrears.domain.borrower import Borrower
from arrears.domain.clock import Clock, FixedClock
from arrears.domain.contact import ContactPoint, Party
from arrears.domain.enums import (
    LAWFUL_SOURCES,
    Audience,
    Channel,
    ContactPointKind,
    Direction,
    HoldKind,
    LenderType,
    Outcome,
    Purpose,
    Role,
    Source,
)
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment
from arrears.domain.money import Money
from arrears.domain.promise import PaymentPlan, PlannedInstalment, PromiseToPay

__all__ = [
    "LAWFUL_SOURCES",
    "Agency",
    "Agent",
    "Audience",
    "Borrower",
    "Channel",
    "Clock",
    "ContactAttempt",
    "ContactPoint",
    "ContactPointKind",
    "Direction",
    "FixedClock",
    "Hold",
    "HoldKind",
    "Instalment",
    "LenderType",
    "Loan",
    "Money",
    "Outcome",
    "Party",
    "Payment",
    "PaymentPlan",
    "PlannedInstalment",
    "PromiseToPay",
    "Purpose",
    "Role",
    "Source",
    "Team",
]
