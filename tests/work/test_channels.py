"""The channel layer on its own: SMTP against a real local server (aiosmtpd), SMS providers, phone numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from smtp_inbox import SmtpServer

from arrears.channels import OutboundMessage, TransportError
from arrears.channels.email import SmtpConfig, SmtpTransport
from arrears.channels.sms import ConsoleSmsProvider, FileSmsProvider, SmsTransport, normalise_phone


def _mail(to: str = "zhangwei@example.com") -> OutboundMessage:
    return OutboundMessage(message_id="msg-1", channel="email", to=to, subject="还款提醒", body="张伟您好,这是一封中文邮件。")


def test_smtp_sends_a_real_message(smtp_server: SmtpServer) -> None:
    t = SmtpTransport(SmtpConfig(host=smtp_server.host, port=smtp_server.port, sender="collect@lender.example"))
    result = t.send(_mail())
    [msg] = smtp_server.inbox.messages
    assert msg["Subject"] == "还款提醒" and msg["To"] == "zhangwei@example.com"
    assert msg.get_content().strip() == "张伟您好,这是一封中文邮件。"
    assert result.provider == "smtp" and result.provider_message_id == msg["Message-ID"]
    assert smtp_server.inbox.envelopes == [("collect@lender.example", ["zhangwei@example.com"])]


def test_smtp_errors_say_whether_a_retry_can_help(smtp_server: SmtpServer) -> None:
    t = SmtpTransport(SmtpConfig(host=smtp_server.host, port=smtp_server.port))
    with pytest.raises(TransportError) as e:
        t.send(_mail("reject@example.com"))
    assert e.value.permanent
    with pytest.raises(TransportError) as e:
        t.send(_mail("busy@example.com"))
    assert not e.value.permanent
    with pytest.raises(TransportError) as e:
        t.send(_mail("not-an-address"))
    assert e.value.permanent and e.value.code == "bad_address"
    down = SmtpTransport(SmtpConfig(host="127.0.0.1", port=1, timeout=2))
    with pytest.raises(TransportError) as e:
        down.send(_mail())
    assert not e.value.permanent and e.value.code == "connection"
    assert smtp_server.inbox.messages == []


def test_phone_numbers() -> None:
    assert normalise_phone("138 0000 0001") == "+8613800000001"
    assert normalise_phone("+86-138-0000-0001") == "+8613800000001"
    assert normalise_phone("+14155550100") == "+14155550100"
    for bad in ("12345", "+8612345", "abc"):
        with pytest.raises(TransportError) as e:
            normalise_phone(bad)
        assert e.value.permanent


def test_file_sms_provider_and_status_callback(tmp_path: Path) -> None:
    provider = FileSmsProvider(tmp_path / "sms.jsonl")
    t = SmsTransport(provider, "示例金融")
    r = t.send(OutboundMessage(message_id="msg-9", channel="sms", to="13800000001", body="您好,请留意还款。"))
    [line] = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(line)
    assert rec["to"] == "+8613800000001" and rec["text"] == "【示例金融】您好,请留意还款。"
    assert rec["out_id"] == "msg-9" and rec["biz_id"] == r.provider_message_id
    [rep] = provider.parse_status_callback([{"biz_id": r.provider_message_id, "out_id": "msg-9",
                                             "phone_number": "+8613800000001", "success": False, "err_code": "MK:0001"}])
    assert (rep.status, rep.error_code, rep.out_id) == ("failed", "MK:0001", "msg-9")
    with pytest.raises(ValueError, match="item 0: field biz_id"):
        provider.parse_status_callback({"success": True})


def test_console_provider_prints_one_json_line() -> None:
    out = io.StringIO()
    SmsTransport(ConsoleSmsProvider(out), "示例金融").send(
        OutboundMessage(message_id="m", channel="sms", to="13800000001", body="hi"))
    assert json.loads(out.getvalue())["text"] == "【示例金融】hi"
    with pytest.raises(TransportError):
        SmsTransport(ConsoleSmsProvider(out), "x").send(OutboundMessage(message_id="m", channel="sms", to="1", body="hi"))
