"""`contact_rate` thickens the synthetic contact history (the planner benchmark wants ~6 attempts an account)
without breaking the daily caps the history keeps."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from arrears.portfolio.synth import generate

AS_OF = date(2026, 3, 10)


def _attempts(rate: float) -> tuple[int, pa.Table]:
    chunks = list(generate(4000, 2, AS_OF, chunk_size=4000, contact_rate=rate))
    return sum(c.accounts for c in chunks), pa.concat_tables([c.tables["contact_attempts"] for c in chunks])


def test_a_higher_rate_gives_about_six_attempts_an_account_within_the_caps() -> None:
    n, base = _attempts(1.0)
    _, dense = _attempts(1.4)
    assert 4.0 < base.num_rows / n < 5.0
    assert 5.5 < dense.num_rows / n < 6.5
    calls = dense.filter(pc.is_in(dense.column("channel"), pa.array(["call", "ai_voice"])))
    calls = calls.filter(pc.equal(calls.column("direction"), "out"))
    day = pc.utf8_slice_codeunits(calls.column("at"), 0, 10)
    per_day = (
        pa.table({"b": calls.column("party_id"), "d": day})
        .group_by(["b", "d"])
        .aggregate([([], "count_all")])
    )
    assert pc.max(per_day.column("count_all")).as_py() <= 3


@pytest.mark.parametrize("rate", [0.0, -1.0, 3.5])
def test_a_rate_out_of_range_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="contact rate"):
        next(generate(10, 1, AS_OF, contact_rate=rate))
