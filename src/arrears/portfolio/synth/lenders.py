"""Lenders, products and rates for synthetic loans, and the LPR table that sets the private-lending cap.

All lender names are invented. Rates are all-in annual rates in basis points. Each product has a base
rate range; a share of licensed loans is pushed above 24% and a few above 36%, and a share of private loans
above 4 x the one-year LPR at the contract date (CN-RATE-1 / CN-RATE-2), so the rate checks have work to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from arrears.delinquency.lpr import load_lpr_table


@lru_cache(maxsize=1)
def _lpr_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The versioned 1Y LPR table of `arrears.delinquency` (one source of truth for the rate checks)."""
    table = load_lpr_table()
    starts = np.array([(e.effective - date(1970, 1, 1)).days for e in table.entries], dtype=np.int64)
    return starts, np.array([e.rate_bp for e in table.entries], dtype=np.int64)


def private_cap_bp(contract_days: np.ndarray) -> np.ndarray:
    """4 x the 1Y LPR in force on each contract date (days since 1970-01-01), in basis points."""
    starts, rates = _lpr_arrays()
    idx = np.searchsorted(starts, contract_days, side="right") - 1
    return 4 * rates[np.clip(idx, 0, len(rates) - 1)]


@dataclass(frozen=True, slots=True)
class Product:
    lender: str
    lender_type: str  # LenderType value
    licence: str
    product: str
    weight: float
    apr_lo_bp: int
    apr_hi_bp: int
    principal_median_yuan: int
    terms: tuple[int, ...]
    tier_effect: float  # added to the willingness logit (bank customers repay more)


PRODUCTS: tuple[Product, ...] = (
    Product("华信示范银行", "licensed", "bank", "信用消费贷", 14, 450, 1800, 60000, (12, 24), 0.6),
    Product("东港示范银行", "licensed", "bank", "信用卡分期", 12, 900, 1800, 12000, (3, 6, 12, 24), 0.5),
    Product(
        "星河消费金融", "licensed", "consumer_finance", "随借随还", 16, 1000, 2400, 15000, (3, 6, 12, 24), 0.2
    ),
    Product(
        "远航消费金融", "licensed", "consumer_finance", "购物分期", 10, 1200, 2400, 6000, (3, 6, 12), 0.1
    ),
    Product("云桥小额贷款", "licensed", "micro_lender", "小额信用贷", 12, 1800, 2400, 5000, (3, 6, 12), -0.2),
    Product("快融网络小贷", "licensed", "online_platform", "极速借", 18, 1800, 2400, 3000, (3, 6, 12), -0.3),
    Product("个人出借人", "private", "none", "民间借贷", 6, 600, 1200, 30000, (3, 6, 12, 24), -0.1),
    Product("聚鑫投资咨询有限公司", "private", "none", "民间借贷", 4, 800, 1200, 20000, (3, 6, 12), -0.4),
    Product("兴业示范融资担保", "licensed", "micro_lender", "经营贷", 8, 900, 2400, 80000, (12, 24), 0.3),
)

# Share of loans pushed above the caps.
LICENSED_ABOVE_24 = 0.10  # all-in 24%..36%
LICENSED_ABOVE_36 = 0.02  # all-in 36%..60%
PRIVATE_ABOVE_CAP = 0.35  # above 4 x LPR1Y at the contract date
