"""`arrears work evaluate` and `arrears outbox dispatch` through the command line (typer's CliRunner), on the
seeded workspace database; the CLI's clock is pinned to the seed's instant."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner
from workspace_seed import AGENT1, AGENT2, NOW, Work

from arrears.cli import work as work_cli
from arrears.cli.main import app
from arrears.domain.clock import FixedClock
from arrears.services.workspace.composer import queue_message
from arrears.services.workspace.outcomes import log_outcome
from arrears.services.workspace.plans import propose_plan
from arrears.storage.tables import holds, payments
from arrears.storage.tables_work import outbox, payment_plans, promises

pytestmark = pytest.mark.db

FINE = "张先生您好,您的借款已逾期,请尽快还款。如有困难可以联系我们协商分期。"


@pytest.fixture(autouse=True)
def cli_clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The instant the CLI reads (change `[0]` to move it)."""
    now = [NOW]
    monkeypatch.setattr(work_cli, "SystemClock", lambda: FixedClock(now[0]))
    return now


def test_work_evaluate_settles_promises_and_plans(work: Work) -> None:
    for amount in (30000, 80000):
        log_outcome(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                    kind="promise_to_pay", loan_id="L1", amount_minor=amount, due_date=date(2026, 3, 15))
    with work.engine.begin() as c:  # 50000 on the 16th: the 30000 promise is kept, the 80000 one is not
        c.execute(insert(payments).values(payment_id="P9", loan_id="L1", amount_minor=50000,
                                          paid_at=datetime(2026, 3, 16, 3, 0, tzinfo=UTC)))
    plan = propose_plan(work.engine, clock=work.clock, settings=work.settings, user=AGENT2, borrower_id="B2",
                        loan_id="L2", instalment_count=2, first_due=date(2026, 3, 11))
    url = str(work.engine.url.render_as_string(hide_password=False))

    early = CliRunner().invoke(app, ["work", "evaluate", "--as-of", "2026-03-12", "--database-url", url])
    assert early.exit_code == 0, early.output
    assert "kept 0" in early.output and "broken 0" in early.output and "open 2" in early.output

    result = CliRunner().invoke(app, ["work", "evaluate", "--as-of", "2026-03-18", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "履约 kept 1, 违约 broken 1, 进行中 open 0" in result.output
    assert "payment plans: 履约 kept 0, 违约 broken 1" in result.output
    with work.engine.connect() as c:
        assert sorted(c.execute(select(promises.c.amount_minor, promises.c.status)).all()) == [
            (30000, "kept"), (80000, "broken")]
        assert c.execute(select(payment_plans.c.status)).scalar_one() == "broken"
        assert c.execute(select(holds.c.end).where(holds.c.hold_id == plan.hold_id)).scalar_one() is not None

    bad = CliRunner().invoke(app, ["work", "evaluate", "--as-of", "18/03/2026", "--database-url", url])
    assert bad.exit_code == 2 and "--as-of" in bad.output


def test_outbox_dispatch_sends_queued_messages_once(
    work: Work, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_clock: list[datetime]
) -> None:
    sms_file = tmp_path / "sms.jsonl"
    monkeypatch.setenv("ARREARS_SMS_PROVIDER", "file")
    monkeypatch.setenv("ARREARS_SMS_FILE", str(sms_file))
    ids = [queue_message(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                         channel="sms", contact_point_id="C1", text=FINE, loan_id="L1").message_id
           for _ in range(2)]
    url = str(work.engine.url.render_as_string(hide_password=False))

    first = CliRunner().invoke(app, ["outbox", "dispatch", "--limit", "1", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "sent 1" in first.output
    soon = CliRunner().invoke(app, ["outbox", "dispatch", "--database-url", url])
    assert "sent 0" in soon.output and "deferred 1" in soon.output, soon.output  # too soon after the first
    cli_clock[0] = NOW + timedelta(hours=2)
    rest = CliRunner().invoke(app, ["outbox", "dispatch", "--database-url", url])
    assert rest.exit_code == 0 and "sent 1" in rest.output, rest.output
    assert "sent 0" in CliRunner().invoke(app, ["outbox", "dispatch", "--database-url", url]).output
    with work.engine.connect() as c:
        rows = c.execute(select(outbox.c.message_id, outbox.c.status, outbox.c.provider_message_id)).all()
    assert {r.message_id for r in rows} == set(ids) and {r.status for r in rows} == {"sent"}
    lines = [json.loads(x) for x in sms_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(x["biz_id"] for x in lines) == sorted(r.provider_message_id for r in rows)

    zero = CliRunner().invoke(app, ["outbox", "dispatch", "--limit", "0", "--database-url", url])
    assert zero.exit_code == 2
