"""The plan's ledger reader turns instants into local days in NumPy; it must agree with the zone database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from arrears.services.plan_ledger import local_days


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_local_days_match_zoneinfo_across_offset_changes(tz: str) -> None:
    zone = ZoneInfo(tz)
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    # Every 17 minutes for 400 days, plus the seconds around each hour: both sides of every change.
    grid = np.arange(start, start + 400 * 86400, 17 * 60, dtype=np.int64)
    hours = np.arange(start, start + 400 * 86400, 3600, dtype=np.int64)
    instants = np.sort(np.concatenate([grid, hours - 1, hours, hours + 1]))
    want = np.array(
        [datetime.fromtimestamp(int(t), UTC).astimezone(zone).date().toordinal() for t in instants],
        dtype=np.int64,
    )
    assert np.array_equal(local_days(instants, tz), want)


def test_local_days_of_a_single_instant_and_of_none() -> None:
    t = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)  # 00:30 on 10 March in Shanghai
    got = local_days(np.array([int(t.timestamp())], dtype=np.int64), "Asia/Shanghai")
    assert got.tolist() == [(t + timedelta(hours=8)).date().toordinal()]
    assert local_days(np.zeros(0, dtype=np.int64), "Asia/Shanghai").tolist() == []
