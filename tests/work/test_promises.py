"""A promise is kept when the money arrives by due date + grace, and broken once that day has passed without it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select
from workspace_seed import AGENT1, Work

from arrears.services.workspace.outcomes import log_outcome
from arrears.services.workspace.promises import evaluate_promises, promise_status
from arrears.storage.tables import payments
from arrears.storage.tables_work import follow_ups, promises

DUE = date(2026, 3, 15)


def test_promise_status_rule() -> None:
    def st(paid: list[tuple[date, int]], as_of: date) -> str:
        return promise_status(amount_minor=1000, due_date=DUE, grace_days=2, paid=paid, as_of=as_of).status

    assert st([], date(2026, 3, 17)) == "open"  # last day of grace
    assert st([], date(2026, 3, 18)) == "broken"
    assert st([(date(2026, 3, 17), 1000)], date(2026, 3, 20)) == "kept"  # paid within grace
    assert st([(date(2026, 3, 18), 1000)], date(2026, 3, 20)) == "broken"  # paid after grace: too late
    assert st([(date(2026, 3, 12), 400), (date(2026, 3, 16), 600)], date(2026, 3, 16)) == "kept"
    assert st([(date(2026, 3, 12), 400)], date(2026, 3, 18)) == "broken"
    s = promise_status(amount_minor=1000, due_date=DUE, grace_days=2, paid=[(date(2026, 3, 12), 400)],
                       as_of=date(2026, 3, 13))
    assert (s.status, s.paid_minor) == ("open", 400)


@pytest.mark.db
def test_evaluate_promises_against_the_payments_table(work: Work) -> None:
    for amount in (30000, 80000):
        log_outcome(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                    kind="promise_to_pay", loan_id="L1", amount_minor=amount, due_date=DUE)
    with work.engine.begin() as c:  # 50000 arrives on the 16th (Beijing time), within grace
        c.execute(insert(payments).values(payment_id="P9", loan_id="L1", amount_minor=50000,
                                          paid_at=datetime(2026, 3, 16, 3, 0, tzinfo=UTC)))
    tz = work.settings.timezone
    assert evaluate_promises(work.engine, clock=work.clock, as_of=date(2026, 3, 16), tz=tz).kept == 1
    run = evaluate_promises(work.engine, clock=work.clock, as_of=date(2026, 3, 18), tz=tz)
    assert (run.kept, run.broken, run.still_open) == (0, 1, 0)
    with work.engine.connect() as c:
        rows = c.execute(select(promises.c.amount_minor, promises.c.status, promises.c.paid_minor,
                                promises.c.resolved_on).order_by(promises.c.amount_minor)).all()
        assert [tuple(r) for r in rows] == [(30000, "kept", 50000, date(2026, 3, 16)),
                                           (80000, "broken", 50000, date(2026, 3, 18))]
        tasks = dict(c.execute(select(follow_ups.c.promise_id, follow_ups.c.status)).all())
    assert sorted(tasks.values()) == ["done", "open"]
