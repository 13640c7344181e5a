"""Outbound channels: the transport contract and one folder per channel kind (email, sms).

Nothing here knows about the database or the compliance engine: the outbox dispatcher (services.workspace.outbox)
claims a queued message, resolves the address and hands an `OutboundMessage` to a `Transport`.
"""

from arrears.channels.base import OutboundMessage, SendResult, Transport, TransportError

__all__ = ["OutboundMessage", "SendResult", "Transport", "TransportError"]
