"""The hidden propensity to pay drives the payments a scoring model will see, and it depends on features
a model can observe."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arrears.portfolio.synth import generate

AS_OF = date(2026, 3, 10)


@cache
def truth() -> dict[str, np.ndarray]:
    t = pa.concat_tables([c.truth for c in generate(20000, 21, AS_OF, chunk_size=10000)])
    return {name: t.column(name).to_numpy(zero_copy_only=False) for name in t.column_names}


def _by_quintile(values: np.ndarray, key: np.ndarray) -> list[float]:
    edges = np.quantile(key, [0.2, 0.4, 0.6, 0.8])
    q = np.searchsorted(edges, key)
    return [float(values[q == i].mean()) for i in range(5)]


def test_share_of_arrears_loans_paying_rises_with_propensity() -> None:
    t = truth()
    arrears = t["dpd"] > 0
    shares = _by_quintile(t["paid_last_30d"][arrears].astype(float), t["propensity"][arrears])
    assert all(a < b for a, b in itertools.pairwise(shares)), shares
    assert shares[-1] - shares[0] > 0.3, shares


def test_hidden_label_is_calibrated_to_the_propensity() -> None:
    t = truth()
    label = t["pays_next_30d"].astype(float)
    assert abs(label.mean() - t["propensity"].mean()) < 0.02
    shares = _by_quintile(label, t["propensity"])
    assert shares == sorted(shares)


def test_propensity_falls_with_days_past_due() -> None:
    t = truth()
    buckets = t["bucket"]
    means = [float(t["propensity"][buckets == b].mean()) for b in ("M0", "M1", "M3", "M6+")]
    assert means == sorted(means, reverse=True), means


def test_truth_sidecar_has_one_row_per_loan() -> None:
    chunk = next(iter(generate(500, 21, AS_OF)))
    assert chunk.truth.num_rows == chunk.tables["loans"].num_rows
    assert pc.all(pc.equal(chunk.truth["loan_id"], chunk.tables["loans"]["loan_id"])).as_py()
    p = chunk.truth["propensity"].to_numpy()
    assert ((p > 0) & (p < 1)).all()
