"""SMTP e-mail transport: builds a MIME message (email.message) and hands it to the server with smtplib.

Errors are classified for the outbox: 5xx replies, refused recipients and failed authentication are permanent;
connection failures, timeouts and 4xx replies are worth retrying.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from arrears.channels.base import OutboundMessage, SendResult, TransportError


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    sender: str = "collections@example.com"
    username: str = ""
    password: str = ""
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0


def build_email(message: OutboundMessage, sender: str) -> EmailMessage:
    if "@" not in message.to or any(c in message.to for c in "\r\n <>"):
        raise TransportError(f"not an e-mail address: {message.to!r}", permanent=True, code="bad_address")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = message.to
    msg["Subject"] = message.subject or "账户提醒 / Account notice"
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1] or None
    msg["Message-ID"] = make_msgid(idstring=message.message_id, domain=domain)
    msg.set_content(message.body, charset="utf-8")
    return msg


class SmtpTransport:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    @property
    def name(self) -> str:
        return "smtp"

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.use_ssl:
            return smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        if c.starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: OutboundMessage) -> SendResult:
        msg = build_email(message, self.config.sender)
        try:
            with self._connect() as smtp:
                if self.config.username:
                    smtp.login(self.config.username, self.config.password)
                refused = smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as e:
            raise TransportError(f"SMTP authentication failed: {e.smtp_code}", permanent=True, code="auth") from e
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            permanent = all(500 <= c < 600 for c in codes)
            raise TransportError(f"recipient refused: {message.to} ({', '.join(map(str, codes))})",
                                 permanent=permanent, code=str(codes[0]) if codes else "recipient_refused") from e
        except smtplib.SMTPResponseException as e:
            permanent = 500 <= e.smtp_code < 600
            text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
            raise TransportError(f"SMTP {e.smtp_code}: {text}", permanent=permanent, code=str(e.smtp_code)) from e
        except (smtplib.SMTPException, OSError) as e:
            raise TransportError(f"SMTP server unreachable: {e}", permanent=False, code="connection") from e
        if refused:
            raise TransportError(f"recipient refused: {message.to}", permanent=True, code="recipient_refused")
        return SendResult(provider=self.name, provider_message_id=str(msg["Message-ID"]))
