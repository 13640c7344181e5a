"""The zone sets in use, and the lawful contact window of each zone set on each day of the history."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from arrears.portfolio.synth.arrowcols import ZoneClock
from arrears.portfolio.synth.people import ZONESETS

ZONES: tuple[str, ...] = tuple(dict.fromkeys(z for s in ZONESETS for z in s.split(";")))
PRIMARY_ZONE = np.array([ZONES.index(s.split(";")[0]) for s in ZONESETS])
CONTACT_START = time(8, 0)
CONTACT_END = time(21, 0)  # exclusive
HISTORY_DAYS = 30
LOOKBACK_DAYS = 1200  # the oldest contract date the generator can produce is well inside this


def zone_clock(as_of_day: int) -> ZoneClock:
    return ZoneClock(ZONES, as_of_day - LOOKBACK_DAYS, as_of_day + 1)


def contact_windows(as_of_day: int) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) UTC epoch seconds, shape (len(ZONESETS), HISTORY_DAYS): on local date as_of-30+j, the
    instants that are within 08:00-21:00 in every candidate zone of the set."""
    lo = np.zeros((len(ZONESETS), HISTORY_DAYS), dtype=np.int64)
    hi = np.zeros_like(lo)
    epoch = datetime(1970, 1, 1).date()
    for s, zs in enumerate(ZONESETS):
        for j in range(HISTORY_DAYS):
            day = epoch + timedelta(days=as_of_day - HISTORY_DAYS + j)
            starts = [datetime.combine(day, CONTACT_START, ZoneInfo(z)).timestamp() for z in zs.split(";")]
            ends = [datetime.combine(day, CONTACT_END, ZoneInfo(z)).timestamp() for z in zs.split(";")]
            lo[s, j], hi[s, j] = int(max(starts)), int(min(ends))
            if hi[s, j] - lo[s, j] < 3600:
                raise ValueError(f"zone set {zs} has no common contact window on {day}")
    return lo, hi
