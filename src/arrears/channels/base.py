"""The transport contract: `send(message) -> SendResult`, or `TransportError` saying whether a retry can help."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to one recipient. `to` is the resolved address (a phone number or an e-mail address)."""

    message_id: str
    channel: str  # sms | email
    to: str
    body: str
    subject: str | None = None
    template_id: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    provider: str
    provider_message_id: str
    status: str = "sent"  # sent | accepted (delivery is reported later by a status callback)


class TransportError(Exception):
    """Sending failed. `permanent`: the same message will never go through (bad address, rejected content,
    wrong credentials); otherwise it may be retried (connection refused, timeout, 4xx)."""

    def __init__(self, message: str, *, permanent: bool, code: str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class Transport(Protocol):
    @property
    def name(self) -> str:
        """The provider name recorded with each message."""
        ...

    def send(self, message: OutboundMessage) -> SendResult: ...
