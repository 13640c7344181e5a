"""The scoring input: a portfolio's ledger and contact history as NumPy columns (no database, no clock).

Days are proleptic ordinals (`date.toordinal()`) of the operation's calendar (payments: the delinquency
engine's payment day; contacts: the same zone). Amounts are int64 minor units. Loans are numbered
0..n_loans-1; every other table refers to a loan (or, for contacts, a borrower) by that number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from arrears.delinquency.columnar import NEVER, ColumnarLedger

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

CALL_CHANNELS = ("call", "ai_voice")
MESSAGE_CHANNELS = ("sms", "im", "email", "letter")
ANSWERED = ("conversation", "answered_no_conversation")
DEAD = ("not_in_service",)
CARE_HOLDS = ("hardship", "deceased", "bankruptcy", "breathing_space")


def _i64(values: object) -> I64:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Labels:
    """A column of strings as integer codes into `names` (a dictionary-encoded column): as small as the codes,
    and a membership test costs one lookup per row instead of string comparisons."""

    codes: npt.NDArray[np.int32]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: Bools) -> Labels:
        return Labels(self.codes[rows], self.names)

    def isin(self, values: Iterable[str]) -> Bools:
        wanted = set(values)
        hit = np.asarray([n in wanted for n in self.names], dtype=bool)
        return hit[self.codes] if len(hit) else np.zeros(len(self.codes), dtype=bool)


Text = npt.NDArray[np.str_] | Labels
"""A string column: a NumPy unicode array or `Labels`."""


def is_in(column: Text, values: Iterable[str]) -> Bools:
    """Per row: the value is one of `values`."""
    if isinstance(column, Labels):
        return column.isin(values)
    return np.isin(column, list(values))


@dataclass(frozen=True, slots=True)
class ScoringLedger:
    """Columns of the tables the features read.

    - loans (index = loan number): `loan_ids`, `loan_borrower` (borrower number), `private_lender`,
      `principal_minor`, `apr_bp`, `contract_day`;
    - instalments sorted by (loan, due day, seq): `inst_loan`, `inst_due`, `inst_principal`, `inst_interest`,
      `inst_fee`;
    - payments sorted by (loan, day): `pay_loan`, `pay_day`, `pay_amount`;
    - contact attempts (any order): `att_borrower`, `att_day`, `att_channel`, `att_outcome` (strings: NumPy
      unicode arrays or `Labels`), `att_inbound`, `att_to_borrower` (the party is the borrower);
    - holds resolved to loans (borrower-wide holds repeated per loan): `hold_loan`, `hold_kind`,
      `hold_start`, `hold_end` (exclusive; NEVER when open-ended).
    """

    loan_ids: tuple[str, ...]
    loan_borrower: I64
    private_lender: Bools
    principal_minor: I64
    apr_bp: I64
    contract_day: I64
    inst_loan: I64
    inst_due: I64
    inst_principal: I64
    inst_interest: I64
    inst_fee: I64
    pay_loan: I64
    pay_day: I64
    pay_amount: I64
    att_borrower: I64 = field(default_factory=lambda: _i64([]))
    att_day: I64 = field(default_factory=lambda: _i64([]))
    att_channel: Text = field(default_factory=lambda: np.asarray([], dtype=str))
    att_outcome: Text = field(default_factory=lambda: np.asarray([], dtype=str))
    att_inbound: Bools = field(default_factory=lambda: np.zeros(0, dtype=bool))
    att_to_borrower: Bools = field(default_factory=lambda: np.zeros(0, dtype=bool))
    hold_loan: I64 = field(default_factory=lambda: _i64([]))
    hold_kind: Text = field(default_factory=lambda: np.asarray([], dtype=str))
    hold_start: I64 = field(default_factory=lambda: _i64([]))
    hold_end: I64 = field(default_factory=lambda: _i64([]))

    def __post_init__(self) -> None:
        n = len(self.loan_ids)
        for name in ("loan_borrower", "private_lender", "principal_minor", "apr_bp", "contract_day"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"ScoringLedger.{name} has {len(getattr(self, name))} values for {n} loans")
        groups = {
            "inst": ("inst_loan", "inst_due", "inst_principal", "inst_interest", "inst_fee"),
            "pay": ("pay_loan", "pay_day", "pay_amount"),
            "att": (
                "att_borrower",
                "att_day",
                "att_channel",
                "att_outcome",
                "att_inbound",
                "att_to_borrower",
            ),
            "hold": ("hold_loan", "hold_kind", "hold_start", "hold_end"),
        }
        for cols in groups.values():
            sizes = {c: len(getattr(self, c)) for c in cols}
            if len(set(sizes.values())) > 1:
                raise ValueError(f"ScoringLedger columns differ in length: {sizes}")
        if len(self.pay_loan) > 1 and np.any(np.diff(self.pay_loan) < 0):
            raise ValueError("ScoringLedger payments must be sorted by loan")
        if len(self.inst_loan) > 1 and np.any(np.diff(self.inst_loan) < 0):
            raise ValueError("ScoringLedger instalments must be sorted by loan")

    @property
    def n_loans(self) -> int:
        return len(self.loan_ids)

    def before(self, cutoff: int) -> ScoringLedger:
        """What was known at the start of day `cutoff`: payments, contacts and holds that began before it."""
        p = self.pay_day < cutoff
        a = self.att_day < cutoff
        h = self.hold_start < cutoff
        return ScoringLedger(
            loan_ids=self.loan_ids,
            loan_borrower=self.loan_borrower,
            private_lender=self.private_lender,
            principal_minor=self.principal_minor,
            apr_bp=self.apr_bp,
            contract_day=self.contract_day,
            inst_loan=self.inst_loan,
            inst_due=self.inst_due,
            inst_principal=self.inst_principal,
            inst_interest=self.inst_interest,
            inst_fee=self.inst_fee,
            pay_loan=self.pay_loan[p],
            pay_day=self.pay_day[p],
            pay_amount=self.pay_amount[p],
            att_borrower=self.att_borrower[a],
            att_day=self.att_day[a],
            att_channel=self.att_channel[a],
            att_outcome=self.att_outcome[a],
            att_inbound=self.att_inbound[a],
            att_to_borrower=self.att_to_borrower[a],
            hold_loan=self.hold_loan[h],
            hold_kind=self.hold_kind[h],
            hold_start=self.hold_start[h],
            hold_end=self.hold_end[h],
        )

    def columnar(self) -> ColumnarLedger:
        """The delinquency engine's column form (holds that end before they start are dropped)."""
        keep = self.hold_end > self.hold_start
        order = np.lexsort((self.hold_start[keep], self.hold_loan[keep]))
        return ColumnarLedger(
            loan_ids=self.loan_ids,
            inst_loan=self.inst_loan,
            inst_due=self.inst_due,
            inst_principal=self.inst_principal,
            inst_interest=self.inst_interest,
            inst_fee=self.inst_fee,
            pay_loan=self.pay_loan,
            pay_day=self.pay_day,
            pay_amount=self.pay_amount,
            hold_loan=self.hold_loan[keep][order],
            hold_start=self.hold_start[keep][order],
            hold_end=self.hold_end[keep][order],
        )


def paid_in_window(ledger: ScoringLedger, start: int, end: int) -> Bools:
    """Per loan: at least one payment on a day in [start, end) — the training label."""
    hit = (ledger.pay_day >= start) & (ledger.pay_day < end)
    out = np.zeros(ledger.n_loans, dtype=bool)
    out[ledger.pay_loan[hit]] = True
    return out


__all__ = ["NEVER", "Labels", "ScoringLedger", "Text", "is_in", "paid_in_window"]
