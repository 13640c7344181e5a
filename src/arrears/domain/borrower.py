from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Borrower:
    """The debtor. Personal data is minimised: a name, a region, time zones, language and flags."""

    id: str
    name: str
    region: str  # administrative region code or name, e.g. "440300" / "广东省深圳市"
    timezones: tuple[str, ...]  # candidate IANA zones; the contact must pass in all of them
    language: str = "zh-CN"
    is_minor: bool = False
    vulnerability: tuple[str, ...] = ()  # e.g. ("serious_illness", "bereavement")
    national_id_masked: str | None = None  # never the full number
