"""Column builders: turn NumPy index/integer arrays into Arrow string columns without a Python loop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH_DAY = np.datetime64("1970-01-01", "D")


def ids(prefix: str, numbers: np.ndarray, width: int, suffix: np.ndarray | None = None) -> pa.Array:
    """`prefix` + zero-padded number (+ `-` + suffix number): B000000042, L000000042-2."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width=width, padding="0")
    if suffix is None:
        return pc.binary_join_element_wise(prefix, digits, "")
    tail = pc.cast(pa.array(suffix, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(prefix, digits, "-", tail, "")


def pick(choices: Sequence[str], idx: np.ndarray) -> pa.Array:
    """choices[idx] as a plain string column (via a dictionary array, so no Python objects per row)."""
    dictionary = pa.array(list(choices), type=pa.string())
    return pc.cast(pa.DictionaryArray.from_arrays(pa.array(idx, type=pa.int32()), dictionary), pa.string())


def pick_nullable(choices: Sequence[str], idx: np.ndarray, valid: np.ndarray) -> pa.Array:
    """As `pick`, null where `valid` is false."""
    dictionary = pa.array(list(choices), type=pa.string())
    indices = pa.array(idx.astype(np.int32), mask=~valid)
    return pc.cast(pa.DictionaryArray.from_arrays(indices, dictionary), pa.string())


def concat(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def dates(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 -> date32."""
    return pa.array(days.astype(np.int32), type=pa.date32())


def offset_label(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    h, m = divmod(abs(seconds) // 60, 60)
    return f"{sign}{h:02d}:{m:02d}"


class ZoneClock:
    """UTC offsets of a few zones for every day of a range, looked up column-wise.

    Offsets are taken at 12:00 UTC of each day; DST switches happen around 02:00 local, before any
    synthetic event time (all are 08:00-23:00 local), so the noon offset is the one in force.
    """

    def __init__(self, zones: Sequence[str], first_day: int, last_day: int) -> None:
        self.zones = tuple(zones)
        self.first_day = first_day
        n = last_day - first_day + 1
        table = np.empty((len(self.zones), n), dtype=np.int64)
        base = datetime(1970, 1, 1, 12, tzinfo=UTC)
        for zi, name in enumerate(self.zones):
            tz = ZoneInfo(name)
            for d in range(n):
                off = (base + timedelta(days=first_day + d)).astimezone(tz).utcoffset()
                table[zi, d] = int(off.total_seconds()) if off is not None else 0
        self.table = table
        self._offsets = np.unique(table)  # sorted
        self.labels = tuple(offset_label(int(s)) for s in self._offsets)

    def offsets(self, zone_idx: np.ndarray, day: np.ndarray) -> np.ndarray:
        """UTC offset in seconds of zone `zone_idx` on UTC day `day` (days since epoch)."""
        out: np.ndarray = self.table[zone_idx, day - self.first_day]
        return out

    def render(self, utc_seconds: np.ndarray, zone_idx: np.ndarray) -> pa.Array:
        """ISO 8601 local time with its offset, e.g. 2026-03-10T09:00:00+08:00."""
        day = utc_seconds // 86400
        off = self.offsets(zone_idx, day)
        local = pa.array(utc_seconds + off, type=pa.timestamp("s"))
        text = pc.replace_substring(pc.cast(local, pa.string()), " ", "T", max_replacements=1)
        return concat(text, pick(self.labels, np.searchsorted(self._offsets, off)))
