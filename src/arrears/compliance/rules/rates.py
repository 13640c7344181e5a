"""Legal-rate caps on what may be demanded (CN-RATE-1, CN-RATE-2) and illegal debts (CN-CRIM-1)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Literal

from arrears.compliance.decision import Fired, Verdict
from arrears.compliance.rules.base import NONE, Compiled, Eval, RuleMeta
from arrears.compliance.rules.params import Params
from arrears.delinquency.lpr import LprTable, load_lpr_table
from arrears.domain.content import Claim
from arrears.domain.enums import LenderType, Purpose

AMOUNT = re.compile(
    r"(?:[¥￥$£€]\s?\d|\d[\d,.]*\s?(?:元|块|万|千|w|W)|\d\s?(?:USD|GBP|CNY|RMB)|(?:人民币|RMB|USD|GBP)\s?\d|[一二两三四五六七八九十百千]+万)"
)


def states_amount(ev: Eval) -> bool:
    text = ev.attempt.text
    if not text:
        return False
    return bool(AMOUNT.search(text)) or Claim.PAYMENT_DEMAND in ev.content.claims


class RateParams(Params):
    mode: Literal["private_lpr_cap", "licensed_review", "illegal_debt"]
    lpr_multiplier: int = 4
    old_rule_before: date = date(2020, 8, 20)  # contracts before the 2020 revision: 24% protected line
    old_cap_bp: int = 2400
    review_bp: int = 2400
    excess_bp: int = 3600


TIGHTEN = {"lpr_multiplier": "le", "old_cap_bp": "le", "review_bp": "le", "excess_bp": "le"}


@lru_cache(maxsize=1)
def _lpr_table() -> LprTable:
    """The shared, versioned 1-year LPR table (package data of `arrears.delinquency`)."""
    return load_lpr_table()


def _pct(bp: int) -> str:
    return f"{bp / 100:.2f}%"


def compile_rate(meta: RuleMeta, p: RateParams) -> Compiled:
    table = _lpr_table()

    def cap_bp(d: date | None) -> int | None:
        if d is None:
            return None
        if d < p.old_rule_before:
            return p.old_cap_bp
        e = table.on(d)
        return None if e is None else e.rate_bp * p.lpr_multiplier

    def check(ev: Eval) -> tuple[Fired, ...]:
        d = ev.debt
        if d is None or d.apr_bp is None or ev.attempt.purpose is Purpose.SERVICE:
            return NONE
        apr = d.apr_bp
        if p.mode == "illegal_debt":
            if d.lender_type is LenderType.PRIVATE and apr > p.excess_bp:
                return (
                    meta.fire(
                        f"非持牌放贷且综合年化 {_pct(apr)} 超过 36%,疑似非法债务,停止催收并转法务",
                        f"unlicensed lending at {_pct(apr)} APR (> 36%): suspected illegal debt; stop and escalate to legal",
                    ),
                )
            return NONE
        if p.mode == "private_lpr_cap":
            if d.lender_type is not LenderType.PRIVATE:
                return NONE
            cap = cap_bp(d.contract_date)
            if cap is None or apr <= cap:
                return NONE
            if states_amount(ev):
                return (
                    meta.fire(
                        f"民间借贷年化 {_pct(apr)} 超过受保护上限 {_pct(cap)},不得主张超出部分",
                        f"private loan at {_pct(apr)} exceeds the protected cap {_pct(cap)}; the excess may not be demanded",
                    ),
                )
            return (
                meta.fire(
                    f"只能主张不超过 {_pct(cap)} 的利息",
                    f"demand only interest within {_pct(cap)}",
                    verdict=Verdict.ALLOW_WITH_CONSTRAINTS,
                    constraints=(f"interest_cap_bp:{cap}",),
                ),
            )
        if d.lender_type is not LenderType.LICENSED:
            return NONE
        if apr > p.excess_bp or (apr > p.review_bp and states_amount(ev)):
            return (
                meta.fire(
                    f"综合年化 {_pct(apr)} 超过 {_pct(p.review_bp)},金额主张需人工复核",
                    f"all-in APR {_pct(apr)} exceeds {_pct(p.review_bp)}; the amount claim needs review",
                    verdict=Verdict.REVIEW,
                ),
            )
        return NONE

    return Compiled(check)
