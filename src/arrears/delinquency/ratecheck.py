"""Legal-rate check: CN-RATE-1 (private lending, 4 x LPR), CN-RATE-2 (licensed lenders, 24% / 36%), CN-CRIM-1.

Formula (README.md, "Legal-rate check"):
- `charged` = interest + fees of instalments due on or before `as_of` (plus whatever was paid early on later
  ones) + all penalty accrued through `as_of`. Penalty counts toward the all-in cost.
- `principal_days` = sum over days `d` from `contract_date + 1` to `as_of` of the principal outstanding at the
  start of `d` (loan principal less principal repaid by the end of `d - 1`).
- `allowance(cap_bp)` = floor(cap_bp x principal_days / (10000 x day_basis)) -- rounded DOWN, in the borrower's
  favour: the most that may be charged at the cap rate for the money actually lent and the time it was lent.
- `non_demandable` = max(0, charged - allowance(cap)): never demand it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from arrears.delinquency.config import DEFAULT_CONFIG, EngineConfig
from arrears.delinquency.ledger import LedgerRun
from arrears.delinquency.lpr import LprTable
from arrears.domain.enums import LenderType

LICENSED_REVIEW_BP = 2400  # above: courts may cut on request (法发〔2017〕22号) -> REVIEW
VOID_LINE_BP = 3600  # above: not demandable; criminal line for illegal lending -> REVIEW CN-CRIM-1
PRE_LPR_PRIVATE_CAP_BP = 2400  # private loans contracted before the LPR table starts: 2015 two-lines regime
LPR_MULTIPLE = 4


class Regime(StrEnum):
    FOUR_X_LPR = "4x_lpr"  # private lending, contract on/after the first LPR entry
    PRE_2020 = "pre_2020"  # private lending, contract before the table: 24% protected / 36% void
    LICENSED = "licensed"  # banks, consumer finance companies, micro-lenders: 24% review / 36% cap


class RateAction(StrEnum):
    REVIEW = "review"
    DO_NOT_DEMAND_EXCESS = "do_not_demand_excess"


@dataclass(frozen=True, slots=True)
class RateFlag:
    rule_id: str  # CN-RATE-1 | CN-RATE-2 | CN-CRIM-1
    action: RateAction
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class RateCheck:
    regime: Regime
    apr_all_in_bp: int
    cap_bp: int  # the rate above which charges are not demandable
    lpr_bp: int | None  # the 1Y LPR at the contract date (4x_lpr regime only)
    lpr_effective: date | None
    lpr_table_version: str
    principal_days: int
    charged_minor: int  # interest + fees + penalty charged through as_of
    allowance_minor: int  # what the cap allows on the principal outstanding over time
    non_demandable_minor: int  # max(0, charged - allowance)
    charges_outstanding_minor: int  # interest + fees + penalty charged and not yet paid
    flags: tuple[RateFlag, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.flags))

    @property
    def demandable_charges_outstanding_minor(self) -> int:
        """Unpaid charges that may still be asked for: the non-demandable part comes off first."""
        return max(0, self.charges_outstanding_minor - self.non_demandable_minor)


def principal_days_since_contract(run: LedgerRun, as_of: date) -> int:
    """Sum over `d` in `[contract_date + 1, as_of]` of the principal outstanding at the start of `d`."""
    start = run.loan.contract_date + timedelta(days=1)
    balance = run.loan.principal_minor
    total = 0
    for step_day, new_balance in (*run.principal_steps, (date.max, 0)):
        last = min(step_day, as_of)  # days up to and including step_day start with the old balance
        if last >= start:
            total += balance * ((last - start).days + 1)
            start = last + timedelta(days=1)
        if step_day >= as_of:
            break
        balance = new_balance
    return total


def _allowance(cap_bp: int, principal_days: int, day_basis: int) -> int:
    return (cap_bp * principal_days) // (10000 * day_basis)


def _pct(bp: int) -> str:
    return f"{bp / 100:.2f}%"


def check_rate(
    run: LedgerRun, *, as_of: date, lpr: LprTable, config: EngineConfig = DEFAULT_CONFIG
) -> RateCheck:
    """Check a replayed loan (`run.through` must be `as_of`) against the legal rate lines."""
    if run.through != as_of:
        raise ValueError(f"loan {run.loan.id}: the ledger was replayed through {run.through}, not {as_of}")
    loan = run.loan
    charged = 0
    outstanding = 0
    for p in run.positions:
        penalty = p.penalty_accrued_minor
        if p.instalment.due_date <= as_of:
            charged += p.instalment.interest_minor + p.instalment.fee_minor + penalty
            outstanding += p.interest_due_minor + p.fee_due_minor + p.penalty_due_minor
        else:
            charged += p.interest_paid_minor + p.fee_paid_minor + penalty
            outstanding += p.penalty_due_minor
    pdays = principal_days_since_contract(run, as_of)
    apr = loan.apr_all_in_bp

    def over(line_bp: int) -> bool:
        return apr > line_bp or charged > _allowance(line_bp, pdays, config.day_basis)

    flags: list[RateFlag] = []
    lpr_entry = lpr.on(loan.contract_date)
    if loan.lender_type is LenderType.PRIVATE:
        if lpr_entry is not None:
            regime, cap = Regime.FOUR_X_LPR, LPR_MULTIPLE * lpr_entry.rate_bp
            basis_zh = f"合同成立时一年期LPR {_pct(lpr_entry.rate_bp)} 的4倍"
            basis_en = f"4 x the 1-year LPR of {_pct(lpr_entry.rate_bp)} at the contract date"
        else:
            regime, cap = Regime.PRE_2020, PRE_LPR_PRIVATE_CAP_BP
            basis_zh, basis_en = "2020年前民间借贷24%保护线", "the pre-2020 24% line for private lending"
        if over(cap):
            flags.append(
                RateFlag(
                    "CN-RATE-1",
                    RateAction.DO_NOT_DEMAND_EXCESS,
                    f"综合费用超过{basis_zh}（上限 {_pct(cap)}），超出部分不得催收。",
                    f"All-in cost exceeds {basis_en} (cap {_pct(cap)}); never demand the excess.",
                )
            )
    else:
        regime, cap = Regime.LICENSED, VOID_LINE_BP
        if over(LICENSED_REVIEW_BP):
            flags.append(
                RateFlag(
                    "CN-RATE-2",
                    RateAction.REVIEW,
                    "综合年化成本超过24%，借款人可请求法院调减：催收金额须复核。",
                    "All-in annual cost exceeds 24%; a court may cut it on request: review the amount claimed.",
                )
            )
        if over(VOID_LINE_BP):
            flags.append(
                RateFlag(
                    "CN-RATE-2",
                    RateAction.DO_NOT_DEMAND_EXCESS,
                    "综合年化成本超过36%，超出部分不得催收。",
                    "All-in annual cost exceeds 36%; never demand the excess.",
                )
            )
    if over(VOID_LINE_BP):
        flags.append(
            RateFlag(
                "CN-CRIM-1",
                RateAction.REVIEW,
                "年化超过36%：可能属高利放贷形成的非法债务，须法务复核后方可催收。",
                "Above 36% a year: the debt may stem from illegal lending; legal must review before any collection.",
            )
        )
    allowance = _allowance(cap, pdays, config.day_basis)
    return RateCheck(
        regime=regime,
        apr_all_in_bp=apr,
        cap_bp=cap,
        lpr_bp=lpr_entry.rate_bp if regime is Regime.FOUR_X_LPR and lpr_entry else None,
        lpr_effective=lpr_entry.effective if regime is Regime.FOUR_X_LPR and lpr_entry else None,
        lpr_table_version=lpr.version,
        principal_days=pdays,
        charged_minor=charged,
        allowance_minor=allowance,
        non_demandable_minor=max(0, charged - allowance),
        charges_outstanding_minor=outstanding,
        flags=tuple(flags),
    )
