"""SMS: a provider interface shaped like common SMS gateway APIs, with console and file providers for development."""

from arrears.channels.sms.dev import ConsoleSmsProvider, FileSmsProvider
from arrears.channels.sms.provider import (
    DeliveryReport,
    SmsProvider,
    SmsReceipt,
    SmsRequest,
    SmsTransport,
    normalise_phone,
)

__all__ = [
    "ConsoleSmsProvider",
    "DeliveryReport",
    "FileSmsProvider",
    "SmsProvider",
    "SmsReceipt",
    "SmsRequest",
    "SmsTransport",
    "normalise_phone",
]
