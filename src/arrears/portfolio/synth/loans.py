"""Loans and their repayment schedules: equal monthly instalments (等额本息) at the loan's APR.

Interest of instalment k = round(balance before k x APR / 12), in integer 分 (half up). Each instalment is
the annuity amount; the last one takes the remaining balance, so the principal column sums to the principal.
Instalment k is due k months after the contract date (contract days are 1-28, so every month has the day).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.lenders import (
    LICENSED_ABOVE_24,
    LICENSED_ABOVE_36,
    PRIVATE_ABOVE_CAP,
    PRODUCTS,
    private_cap_bp,
)

MAX_TERM = 24
PRE_DUE_SHARE = 0.08  # loans younger than their first due date


@dataclass(frozen=True, slots=True)
class Loans:
    table: pa.Table
    instalments: pa.Table
    owner: np.ndarray  # row of the borrower in the chunk
    loan_id: pa.Array
    product: np.ndarray
    term: np.ndarray
    principal: np.ndarray
    apr_bp: np.ndarray
    contract_day: np.ndarray  # days since epoch
    due: np.ndarray  # (n_loans, MAX_TERM) due day, padded with a large value past the term
    amount: np.ndarray  # (n_loans, MAX_TERM) instalment total, 0 past the term
    principal_part: np.ndarray  # (n_loans, MAX_TERM) principal of each instalment


def _due_days(contract_day: np.ndarray) -> np.ndarray:
    cd = ac.EPOCH_DAY + contract_day
    month = cd.astype("datetime64[M]")
    dom = (cd - month.astype("datetime64[D]")).astype(np.int64)
    k = np.arange(1, MAX_TERM + 1)
    due_month = month[:, None] + k[None, :]
    days: np.ndarray = (due_month.astype("datetime64[D]") - ac.EPOCH_DAY).astype(np.int64) + dom[:, None]
    return days


def schedule(principal: np.ndarray, apr_bp: np.ndarray, term: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(principal part, interest part), each (n, MAX_TERM) int64 分; zero past the term."""
    n = len(principal)
    i = apr_bp / 120000.0
    # annuity per period, rounded up to the 分 (a float step only to find the instalment size)
    annuity = np.ceil(principal * i / (1.0 - (1.0 + i) ** (-term.astype(np.float64)))).astype(np.int64)
    prin = np.zeros((n, MAX_TERM), dtype=np.int64)
    intr = np.zeros((n, MAX_TERM), dtype=np.int64)
    bal = principal.astype(np.int64).copy()
    for k in range(MAX_TERM):  # past the term the balance is 0, so both parts come out 0
        interest = (bal * apr_bp + 60000) // 120000
        part = np.where(k == term - 1, bal, np.minimum(np.maximum(annuity - interest, 0), bal))
        prin[:, k] = part
        intr[:, k] = interest
        bal -= part
    return prin, intr


def make_loans(rng: np.random.Generator, index: np.ndarray, borrower_id: pa.Array, as_of_day: int) -> Loans:
    nb = len(index)
    per = rng.choice(np.array([1, 2, 3]), size=nb, p=[0.82, 0.14, 0.04])
    owner = np.repeat(np.arange(nb), per)
    ordinal = np.arange(len(owner)) - np.repeat(np.cumsum(per) - per, per) + 1
    n = len(owner)
    pw = np.array([p.weight for p in PRODUCTS], dtype=np.float64)
    product = rng.choice(len(PRODUCTS), size=n, p=pw / pw.sum())
    terms = np.zeros((len(PRODUCTS), 4), dtype=np.int64)
    n_terms = np.array([len(p.terms) for p in PRODUCTS])
    for j, p in enumerate(PRODUCTS):
        terms[j, : len(p.terms)] = p.terms
    term = terms[product, (rng.random(n) * n_terms[product]).astype(np.int64)]

    median = np.array([p.principal_median_yuan for p in PRODUCTS], dtype=np.float64)[product]
    yuan = np.clip(np.round(median * rng.lognormal(0.0, 0.6, size=n) / 100.0) * 100.0, 500, 500000)
    principal = yuan.astype(np.int64) * 100

    pre_due = rng.random(n) < PRE_DUE_SHARE
    tail = np.where(rng.random(n) < 0.15, 240, 30)  # a few loans long past their last due date
    age = np.where(
        pre_due, rng.integers(0, 28, size=n), 30 + (rng.random(n) * (term * 30.4 + tail)).astype(np.int64)
    )
    contract_day = as_of_day - age
    dom = (ac.EPOCH_DAY + contract_day - (ac.EPOCH_DAY + contract_day).astype("datetime64[M]")).astype(
        np.int64
    ) + 1
    contract_day = contract_day - np.maximum(dom - 28, 0)

    lo = np.array([p.apr_lo_bp for p in PRODUCTS])[product]
    hi = np.array([p.apr_hi_bp for p in PRODUCTS])[product]
    private = np.array([p.lender_type == "private" for p in PRODUCTS])[product]
    cap = private_cap_bp(contract_day)
    hi = np.where(private, np.minimum(hi, cap), hi)
    apr = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    u = rng.random(n)
    above36 = ~private & (u < LICENSED_ABOVE_36)
    above24 = ~private & (u >= LICENSED_ABOVE_36) & (u < LICENSED_ABOVE_36 + LICENSED_ABOVE_24)
    above_cap = private & (u < PRIVATE_ABOVE_CAP)
    apr = np.where(above24, rng.integers(2401, 3601, size=n), apr)
    apr = np.where(above36, rng.integers(3601, 6001, size=n), apr)
    apr = np.where(above_cap, cap + rng.integers(1, 2401, size=n), apr)

    prin, intr = schedule(principal, apr, term)
    due = _due_days(contract_day)
    live = np.arange(MAX_TERM)[None, :] < term[:, None]
    due_padded = np.where(live, due, np.iinfo(np.int64).max // 4)

    loan_id = ac.ids("L", index[owner], 9, ordinal)
    table = pa.table(
        {
            "loan_id": loan_id,
            "borrower_id": pc.take(borrower_id, pa.array(owner)),
            "lender": ac.pick([p.lender for p in PRODUCTS], product),
            "lender_type": ac.pick([p.lender_type for p in PRODUCTS], product),
            "licence": ac.pick([p.licence for p in PRODUCTS], product),
            "product": ac.pick([p.product for p in PRODUCTS], product),
            "currency": ac.pick(("CNY",), np.zeros(n, dtype=np.int64)),
            "principal_minor": pa.array(principal),
            "apr_all_in_bp": pa.array(apr.astype(np.int64)),
            "contract_date": ac.dates(contract_day),
        }
    )
    rows, cols = np.nonzero(live)  # row-major: loan by loan, seq ascending
    instalments = pa.table(
        {
            "loan_id": pc.take(loan_id, pa.array(rows)),
            "seq": pa.array(cols.astype(np.int64) + 1),
            "due_date": ac.dates(due[rows, cols]),
            "principal_minor": pa.array(prin[rows, cols]),
            "interest_minor": pa.array(intr[rows, cols]),
            "fee_minor": pa.array(np.zeros(len(rows), dtype=np.int64)),
        }
    )
    return Loans(
        table=table,
        instalments=instalments,
        owner=owner,
        loan_id=loan_id,
        product=product,
        term=term,
        principal=principal,
        apr_bp=apr.astype(np.int64),
        contract_day=contract_day,
        due=due_padded,
        amount=prin + intr,
        principal_part=prin,
    )
