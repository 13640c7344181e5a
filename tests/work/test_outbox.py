"""The outbox dispatcher: conditional claim, real sends (SMTP, file SMS), retries, deferral, delivery reports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from smtp_inbox import SmtpServer
from sqlalchemy import select, update
from workspace_seed import AGENT1, CST, Work

from arrears.channels import OutboundMessage, SendResult, TransportError
from arrears.channels.sms import DeliveryReport, FileSmsProvider, SmsTransport
from arrears.services.workspace.composer import queue_message
from arrears.services.workspace.outbox import (
    claim,
    dispatch_outbox,
    record_delivery,
    transports_from_settings,
)
from arrears.storage.audit import verify
from arrears.storage.tables import audit_log, contact_attempts
from arrears.storage.tables_work import outbox

pytestmark = pytest.mark.db

FINE = "张先生您好,您的借款已逾期,请尽快还款。如有困难可以联系我们协商分期。"


def _queue(w: Work, channel: str = "sms", point: str = "C1", subject: str | None = None) -> str:
    return queue_message(w.engine, clock=w.clock, settings=w.settings, user=AGENT1, borrower_id="B1",
                         channel=channel, contact_point_id=point, text=FINE, subject=subject, loan_id="L1").message_id


def _row(w: Work, mid: str) -> dict[str, object]:
    with w.engine.connect() as c:
        return dict(c.execute(select(outbox).where(outbox.c.message_id == mid)).mappings().one())


class Flaky:
    """A transport that fails the way it is told to."""

    def __init__(self, permanent: bool) -> None:
        self.permanent, self.calls = permanent, 0

    @property
    def name(self) -> str:
        return "flaky"

    def send(self, message: OutboundMessage) -> SendResult:
        self.calls += 1
        raise TransportError("gateway said no", permanent=self.permanent)


def test_a_message_is_claimed_once(work: Work) -> None:
    mid = _queue(work)
    assert claim(work.engine, mid, work.clock.now()) is True
    assert claim(work.engine, mid, work.clock.now()) is False  # the second worker's UPDATE changes no row
    assert _row(work, mid)["status"] == "sending"


def test_sms_goes_out_through_the_file_provider_and_is_logged_as_an_attempt(work: Work, tmp_path: Path) -> None:
    mid = _queue(work)
    sms = SmsTransport(FileSmsProvider(tmp_path / "sms.jsonl"), "示例金融")
    report = dispatch_outbox(work.engine, clock=work.clock, settings=work.settings, transports={"sms": sms})
    assert (report.sent, report.failed) == (1, 0)
    row = _row(work, mid)
    assert row["status"] == "sent" and row["provider"] == "file" and row["attempts"] == 1
    [line] = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["biz_id"] == row["provider_message_id"]
    assert json.loads(line)["to"] == "+8613800000001"
    with work.engine.connect() as c:
        att = c.execute(select(contact_attempts).where(contact_attempts.c.attempt_id == row["attempt_id"])).mappings().one()
        assert (att["channel"], att["outcome"], att["party_id"], att["text"]) == ("sms", "sent", "B1", FINE)
        actions = c.execute(select(audit_log.c.action)).scalars().all()
        assert "personal_data.use" in actions and "workspace.message_sent" in actions
        assert verify(c).ok
    # nothing left to send
    again = dispatch_outbox(work.engine, clock=work.clock, settings=work.settings, transports={"sms": sms})
    assert again.sent == 0
    n = record_delivery(work.engine, clock=work.clock, provider="file", reports=[
        DeliveryReport(provider_message_id=str(row["provider_message_id"]), out_id=mid, to="+8613800000001",
                       status="delivered")])
    assert n == 1 and _row(work, mid)["delivery_status"] == "delivered"


def test_email_is_really_sent_over_smtp(work: Work, smtp_server: SmtpServer) -> None:
    mid = _queue(work, channel="email", point="C3", subject="还款提醒")
    settings = work.settings.model_copy(update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port,
                                                "mail_from": "collect@lender.example"})
    report = dispatch_outbox(work.engine, clock=work.clock, settings=settings,
                             transports=transports_from_settings(settings))
    assert report.sent == 1, (report, _row(work, mid)["error"])
    [msg] = smtp_server.inbox.messages
    assert msg["To"] == "zhangwei@example.com" and msg["Subject"] == "还款提醒"
    assert msg.get_content().strip() == FINE
    assert _row(work, mid)["provider_message_id"] == msg["Message-ID"]


def test_transient_errors_retry_then_fail_permanent_errors_fail_at_once(work: Work) -> None:
    settings = work.settings.model_copy(update={"outbox_max_attempts": 2})
    mid = _queue(work)
    flaky = Flaky(permanent=False)
    assert dispatch_outbox(work.engine, clock=work.clock, settings=settings, transports={"sms": flaky}).retry == 1
    assert _row(work, mid)["status"] == "queued"
    assert dispatch_outbox(work.engine, clock=work.clock, settings=settings, transports={"sms": flaky}).failed == 1
    row = _row(work, mid)
    assert (row["status"], row["attempts"], flaky.calls) == ("failed", 2, 2)
    assert "gateway said no" in str(row["error"])
    mid2 = _queue(work)
    assert dispatch_outbox(work.engine, clock=work.clock, settings=settings,
                           transports={"sms": Flaky(permanent=True)}).failed == 1
    assert _row(work, mid2)["status"] == "failed"


def test_send_time_check_defers_a_message_that_became_untimely(work: Work, tmp_path: Path) -> None:
    work.at(datetime(2026, 3, 10, 20, 50, tzinfo=CST))
    mid = _queue(work)
    late = work.at(datetime(2026, 3, 10, 22, 30, tzinfo=CST))
    sms = SmsTransport(FileSmsProvider(tmp_path / "sms.jsonl"), "示例金融")
    assert dispatch_outbox(work.engine, clock=late, settings=work.settings, transports={"sms": sms}).deferred == 1
    row = _row(work, mid)
    assert row["status"] == "queued" and row["attempts"] == 0
    nb = row["not_before"]
    assert isinstance(nb, datetime) and nb.astimezone(CST).hour == 8
    assert not (tmp_path / "sms.jsonl").exists()
    morning = work.at(datetime(2026, 3, 11, 9, 0, tzinfo=CST))
    assert dispatch_outbox(work.engine, clock=morning, settings=work.settings, transports={"sms": sms}).sent == 1


def test_a_message_blocked_by_the_time_it_is_sent_fails(work: Work, tmp_path: Path) -> None:
    mid = _queue(work)
    with work.engine.begin() as c:  # the borrower opts out of the number after the message was queued
        c.execute(update(outbox).where(outbox.c.message_id == mid).values(status="queued"))
    from arrears.services.workspace.outcomes import log_outcome
    log_outcome(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                kind="asked_not_to_contact", contact_point_id="C1", channel="sms")
    sms = SmsTransport(FileSmsProvider(tmp_path / "sms.jsonl"), "示例金融")
    rep = dispatch_outbox(work.engine, clock=work.clock, settings=work.settings, transports={"sms": sms})
    assert rep.failed == 1, _row(work, mid)["error"]
    assert "blocked at send time" in str(_row(work, mid)["error"])
    assert not (tmp_path / "sms.jsonl").exists()
