"""The SMS provider interface, shaped like the common gateway APIs (Aliyun/Tencent `SendSms`: PhoneNumbers,
SignName, TemplateCode, TemplateParam, OutId -> BizId; Twilio: To, Body -> MessageSid, StatusCallback).

A provider submits one `SmsRequest` and returns an `SmsReceipt` (the provider's message id); delivery arrives
later as a status callback, which the provider parses into `DeliveryReport`s. `SmsTransport` adapts a provider to
the channel `Transport` contract.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from arrears.channels.base import OutboundMessage, SendResult, TransportError

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalise_phone(raw: str) -> str:
    """E.164 (+8613800000001). A Chinese 11-digit mobile gets +86. Anything else is a permanent error."""
    s = re.sub(r"[\s\-()]", "", raw)
    if s.startswith("00"):
        s = "+" + s[2:]
    if _CN_MOBILE.match(s):
        return "+86" + s
    if s.startswith("+86") and not _CN_MOBILE.match(s[3:]):
        raise TransportError(f"not a Chinese mobile number: {raw!r}", permanent=True, code="bad_number")
    if _E164.match(s):
        return s
    raise TransportError(f"not a phone number: {raw!r}", permanent=True, code="bad_number")


@dataclass(frozen=True, slots=True)
class SmsRequest:
    to: str  # E.164
    sign_name: str  # 签名, shown as 【...】
    out_id: str  # our message id, echoed in status callbacks
    template_code: str | None = None
    template_params: Mapping[str, str] = field(default_factory=dict)
    content: str | None = None  # free text, for providers that accept it

    def rendered(self) -> str:
        """What the handset shows."""
        body = self.content or ""
        if self.template_code and not body:
            body = f"[{self.template_code}] " + ", ".join(f"{k}={v}" for k, v in sorted(self.template_params.items()))
        return f"【{self.sign_name}】{body}"


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    provider_message_id: str  # BizId / MessageSid
    accepted: bool
    code: str = "OK"
    message: str = ""
    permanent: bool = True  # when not accepted: whether a retry can help


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    provider_message_id: str
    out_id: str | None
    to: str
    status: str  # delivered | failed
    error_code: str | None = None
    reported_at: str | None = None


class SmsProvider(Protocol):
    @property
    def name(self) -> str: ...

    def submit(self, request: SmsRequest) -> SmsReceipt: ...

    def parse_status_callback(self, payload: Any) -> list[DeliveryReport]:
        """The provider's status-callback body (JSON already decoded) -> delivery reports."""
        ...


class SmsTransport:
    """`Transport` over an `SmsProvider`: normalises the number, signs the text, classifies refusals."""

    def __init__(self, provider: SmsProvider, sign_name: str) -> None:
        self.provider = provider
        self.sign_name = sign_name

    @property
    def name(self) -> str:
        return self.provider.name

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.body and not message.template_id:
            raise TransportError("empty SMS", permanent=True, code="empty")
        req = SmsRequest(
            to=normalise_phone(message.to),
            sign_name=self.sign_name,
            out_id=message.message_id,
            template_code=message.template_id,
            template_params=dict(message.params),
            content=message.body or None,
        )
        receipt = self.provider.submit(req)
        if not receipt.accepted:
            raise TransportError(
                f"{self.provider.name} refused the SMS: {receipt.code} {receipt.message}".strip(),
                permanent=receipt.permanent,
                code=receipt.code,
            )
        return SendResult(provider=self.provider.name, provider_message_id=receipt.provider_message_id, status="accepted")
