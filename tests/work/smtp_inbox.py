"""A local SMTP server's inbox for the e-mail tests (aiosmtpd handler)."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast


class Inbox:
    """An aiosmtpd handler that keeps every message; RCPT to a `reject` address gets 550, to `busy` 451."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server: object, session: object, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address.startswith("reject@"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("busy@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(cast(EmailMessage, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox
