"""Closed vocabularies shared by every layer. Values are the wire/storage spelling."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    CALL = "call"
    AI_VOICE = "ai_voice"
    SMS = "sms"
    IM = "im"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    SOCIAL_PUBLIC = "social_public"
    GROUP_CHAT = "group_chat"


VOICE_CHANNELS: frozenset[Channel] = frozenset({Channel.CALL, Channel.AI_VOICE})


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


class Outcome(StrEnum):
    BUSY = "busy"
    NOT_IN_SERVICE = "not_in_service"
    NETWORK_FAIL = "network_fail"
    RANG_NO_ANSWER = "rang_no_answer"
    VOICEMAIL = "voicemail"
    ANSWERED_NO_CONVERSATION = "answered_no_conversation"
    CONVERSATION = "conversation"
    SENT = "sent"
    DELIVERED = "delivered"
    REFUSED = "refused"


class Role(StrEnum):
    DEBTOR = "debtor"
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    OTHER_RELATIVE = "other_relative"
    FRIEND = "friend"
    COLLEAGUE = "colleague"
    EMPLOYER = "employer"
    GUARANTOR = "guarantor"
    CO_OBLIGOR = "co_obligor"
    CONSUMER_ATTORNEY = "consumer_attorney"
    UNRELATED = "unrelated"


OBLIGOR_ROLES: frozenset[Role] = frozenset({Role.DEBTOR, Role.GUARANTOR, Role.CO_OBLIGOR})


class ContactPointKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WORK_PHONE = "work_phone"
    EMAIL = "email"
    WORK_EMAIL = "work_email"
    IM = "im"
    SOCIAL = "social"
    ADDRESS = "address"


class Source(StrEnum):
    """Where a contact point came from (rule CN-DATA-1)."""

    CONTRACT = "contract"
    SELF_RESERVED = "self_reserved"
    DEBTOR_AUTHORIZED = "debtor_authorized"
    PUBLIC_LEGAL = "public_legal"
    RESERVED_CONTACT_INFORMED = "reserved_contact_informed"
    CREDIT_BUREAU_AUTHORIZED = "credit_bureau_authorized"
    DEVICE_CONTACT_LIST = "device_contact_list"
    PURCHASED = "purchased"
    UNKNOWN = "unknown"


LAWFUL_SOURCES: frozenset[Source] = frozenset(
    {
        Source.CONTRACT,
        Source.SELF_RESERVED,
        Source.DEBTOR_AUTHORIZED,
        Source.PUBLIC_LEGAL,
        Source.RESERVED_CONTACT_INFORMED,
        Source.CREDIT_BUREAU_AUTHORIZED,
    }
)


class HoldKind(StrEnum):
    CEASE = "cease"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    COMPLAINT = "complaint"
    DECEASED = "deceased"
    BANKRUPTCY = "bankruptcy"
    BREATHING_SPACE = "breathing_space"
    PAYMENT_PLAN = "payment_plan"  # collection steps held while an agreed plan is kept


class LenderType(StrEnum):
    """Licensed lenders (banks, consumer finance companies, micro-lenders) or private lending (民间借贷)."""

    LICENSED = "licensed"
    PRIVATE = "private"


class Purpose(StrEnum):
    COLLECT = "collect"
    LOCATE = "locate"
    TERMINATE = "terminate"
    MAY_INVOKE_REMEDY = "may_invoke_remedy"
    WILL_INVOKE_REMEDY = "will_invoke_remedy"
    SERVICE = "service"


class Audience(StrEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP = "group"
    PUBLIC = "public"
