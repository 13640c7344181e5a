"""Masking of personal data for display: phone numbers keep their first 3 and last 4 digits (138****1234),
emails their first letter and domain, handles their ends, addresses their first words. Pure functions."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_phone(value: str) -> str:
    digits = "".join(_DIGITS.findall(value))
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    return "*" * max(len(digits), 4)


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return mask_handle(value)
    return f"{local[:1]}***@{domain}"


def mask_handle(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value) or "*"
    return f"{value[0]}***{value[-1]}"


def mask_address(value: str) -> str:
    keep = max(2, min(6, len(value) // 3))
    return value[:keep] + "****"


def mask_id_number(value: str) -> str:
    v = value.strip()
    if len(v) <= 7:
        return "*" * len(v)
    return f"{v[:3]}{'*' * (len(v) - 7)}{v[-4:]}"


def mask_contact(kind: str, value: str) -> str:
    """The masked form of a contact point by its kind (mobile, landline, work_phone, email, work_email, im,
    social, address)."""
    if kind in ("mobile", "landline", "work_phone"):
        return mask_phone(value)
    if kind in ("email", "work_email"):
        return mask_email(value)
    if kind == "address":
        return mask_address(value)
    return mask_handle(value)
