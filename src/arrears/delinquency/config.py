"""Engine settings: the payment waterfall, the penalty (罚息) rate, the day on which a payment counts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo


class Component(StrEnum):
    """The parts of an instalment a payment can settle."""

    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_WATERFALL: tuple[Component, ...] = (
    Component.PENALTY,
    Component.FEE,
    Component.INTEREST,
    Component.PRINCIPAL,
)


def round_minor(value: Decimal) -> int:
    """Money rounding used everywhere in the engine: ROUND_HALF_UP to a whole minor unit (分)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How the ledger is read.

    - `waterfall`: the order in which a payment settles the parts of the oldest open instalment before moving on
      to the next instalment. Each component must appear exactly once.
    - `penalty_daily_rate`: 罚息 per counted day past due, on that instalment's unpaid principal
      (0.0005 = 0.05%/day = 18.25%/year on 365 days).
    - `timezone`: the IANA zone whose calendar date of `Payment.paid_at` is the payment's day.
    - `day_basis`: days per year for annual rates (cap allowances).
    """

    waterfall: tuple[Component, ...] = DEFAULT_WATERFALL
    penalty_daily_rate: Decimal = Decimal("0.0005")
    timezone: str = "Asia/Shanghai"
    day_basis: int = 365

    def __post_init__(self) -> None:
        if sorted(self.waterfall) != sorted(Component):
            raise ValueError(
                f"EngineConfig.waterfall must list each of {[c.value for c in Component]} once, "
                f"got {[c.value for c in self.waterfall]}"
            )
        if not isinstance(self.penalty_daily_rate, Decimal):
            raise TypeError("EngineConfig.penalty_daily_rate must be a Decimal (no floats for money rates)")
        if not Decimal(0) <= self.penalty_daily_rate < Decimal(1):
            raise ValueError(
                f"EngineConfig.penalty_daily_rate must be in [0, 1), got {self.penalty_daily_rate}"
            )
        if self.day_basis not in (360, 365, 366):
            raise ValueError(f"EngineConfig.day_basis must be 360, 365 or 366, got {self.day_basis}")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_CONFIG = EngineConfig()
