"""Money in integer minor units (分 / cents / pence). Never floats."""

from __future__ import annotations

from dataclasses import dataclass

_SYMBOLS = {"CNY": "¥", "USD": "$", "GBP": "£", "EUR": "€"}


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError(f"money must be an integer number of minor units, got {self.minor!r}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        return cls(0, currency)

    def format(self) -> str:
        """`¥1,234.56`: two decimals, grouped thousands."""
        sign = "-" if self.minor < 0 else ""
        units, cents = divmod(abs(self.minor), 100)
        return f"{sign}{_SYMBOLS.get(self.currency, self.currency + ' ')}{units:,}.{cents:02d}"

    def __str__(self) -> str:
        return self.format()
