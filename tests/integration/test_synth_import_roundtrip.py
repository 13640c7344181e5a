"""A synthetic portfolio imports cleanly, in both formats, and reads back with the same DPD."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from arrears.domain.clock import FixedClock
from arrears.portfolio.synth import synthesize

pytestmark = pytest.mark.db

AS_OF = date(2026, 3, 10)
CLOCK = FixedClock(datetime(2026, 3, 10, 1, 0, tzinfo=UTC))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_synthesised_portfolio_imports_without_rejects(engine: Engine, tmp_path: Path, fmt: str) -> None:
    from arrears.delinquency import dpd_on, replay
    from arrears.services.importing import import_portfolio
    from arrears.storage.uow import UnitOfWork

    written = synthesize(tmp_path, accounts=300, seed=9, as_of=AS_OF, fmt=fmt)  # type: ignore[arg-type]
    report = import_portfolio(directory=tmp_path, engine_or_uow=engine, clock=CLOCK)
    assert report.status == "succeeded", report.first_errors
    for name, rows in written.rows.items():
        assert report.tables[name].inserted == rows, name

    truth = pq.read_table(tmp_path / "_truth" / "propensity.parquet").to_pylist()
    with UnitOfWork(engine) as uow:
        for row in truth[::10]:
            loan = next(x for x in uow.portfolio.loans_of(row["borrower_id"]) if x.id == row["loan_id"])
            run = replay(
                loan,
                uow.portfolio.instalments_of(loan.id),
                uow.portfolio.payments_of(loan.id),
                uow.portfolio.holds_of(loan.borrower_id),
                through=AS_OF,
            )
            dpd = dpd_on(run, AS_OF)
            assert dpd.days + dpd.paused_days == row["dpd"], loan.id

    again = import_portfolio(directory=tmp_path, engine_or_uow=engine, clock=CLOCK)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.tables.values())
