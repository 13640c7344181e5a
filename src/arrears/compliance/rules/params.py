"""Shared pieces of rule parameter schemas (pydantic, validated once at load; never on the hot path)."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _parse_hhmm(v: object) -> object:
    if isinstance(v, int) and not isinstance(v, bool):  # YAML 1.1 reads 08:00 unquoted as sexagesimal
        v = f"{v // 60:02d}:{v % 60:02d}"
    if isinstance(v, str):
        m = _HHMM.match(v)
        if not m:
            raise ValueError(f"expected a local time HH:MM, got {v!r}")
        h, mi = int(m.group(1)), int(m.group(2))
        if h == 24:
            if mi:
                raise ValueError(f"expected a local time HH:MM, got {v!r}")
            return time(23, 59, 59, 999999)
        return time(h, mi)
    return v


HHMM = Annotated[time, BeforeValidator(_parse_hhmm)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    pass


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


class CompanionParams(Params):
    """A rule that fires alongside others: e.g. CN-AI-1 names that AI voice is held to the same rules."""

    with_kinds: tuple[str, ...] = ()
