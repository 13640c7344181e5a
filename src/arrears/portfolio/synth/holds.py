"""A few holds (pauses on collection). Outbound contact stops on the day a hold starts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.portfolio.synth import arrowcols as ac

HOLD_SHARE = 0.03
KINDS = ("dispute", "hardship", "complaint", "deceased", "bankruptcy")
KIND_WEIGHTS = (0.30, 0.32, 0.25, 0.06, 0.07)
REASONS = (
    "借款人对欠款金额提出异议,核实中 / Borrower disputes the amount; under review",
    "借款人失业,申请延期还款 / Borrower lost their job and asked for more time",
    "借款人投诉催收方式,暂停处理 / Borrower complained about collection conduct; paused",
    "家属告知借款人已故,待核实 / Family reported the borrower deceased; to be verified",
    "借款人进入个人破产程序 / Borrower entered personal insolvency proceedings",
)
END_AFTER = (None, 90, 30, None, None)  # days; None = open-ended
NO_HOLD = np.iinfo(np.int64).max // 4


@dataclass(frozen=True, slots=True)
class Holds:
    table: pa.Table
    start_day: np.ndarray  # per borrower; NO_HOLD when none
    end_day: np.ndarray  # per borrower, exclusive; NO_HOLD when open-ended or none


def make_holds(rng: np.random.Generator, index: np.ndarray, first_loan_id: pa.Array, as_of_day: int) -> Holds:
    nb = len(index)
    has = rng.random(nb) < HOLD_SHARE
    rows = np.flatnonzero(has)
    k = len(rows)
    kind = rng.choice(len(KINDS), size=k, p=KIND_WEIGHTS)
    start = as_of_day - rng.integers(0, 90, size=k)
    end_after = np.array([e if e is not None else -1 for e in END_AFTER])[kind]
    end = start + end_after
    has_end = end_after > 0
    loan_specific = kind == 0  # a dispute is about one loan
    loan_id = pc.if_else(
        pa.array(loan_specific), pc.take(first_loan_id, pa.array(rows)), pa.nulls(k, pa.string())
    )
    table = pa.table(
        {
            "hold_id": ac.ids("H", index[rows], 9),
            "borrower_id": ac.ids("B", index[rows], 9),
            "loan_id": loan_id,
            "kind": ac.pick(KINDS, kind),
            "start": ac.dates(start),
            "end": pa.array(end.astype(np.int32), type=pa.date32(), mask=~has_end),
            "reason": ac.pick(REASONS, kind),
        }
    )
    start_day = np.full(nb, NO_HOLD, dtype=np.int64)
    start_day[rows] = start
    end_day = np.full(nb, NO_HOLD, dtype=np.int64)
    end_day[rows] = np.where(has_end, end, NO_HOLD)
    return Holds(table=table, start_day=start_day, end_day=end_day)
