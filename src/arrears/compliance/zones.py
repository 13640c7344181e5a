"""Candidate time zones. IANA names only: an empty set, an unknown name or a raw UTC offset fails closed."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RAW_OFFSET = re.compile(r"^(?:[+-]\d|(?:UTC|GMT|Z|Etc/)|.*\d)", re.IGNORECASE)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo | None:
    """The zone for an IANA name, or None when the name is unknown or only a fixed offset."""
    if not name or _RAW_OFFSET.match(name) or name.upper() in {"UTC", "GMT", "Z", "UCT", "ZULU"}:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=4096)
def resolve(names: tuple[str, ...]) -> tuple[tuple[ZoneInfo, ...], str | None]:
    """All candidate zones, or an error naming why the set fails closed."""
    if not names:
        return (), "empty"
    found: list[ZoneInfo] = []
    for n in names:
        z = zone(n)
        if z is None:
            return (), n
        if z not in found:
            found.append(z)
    return tuple(found), None
