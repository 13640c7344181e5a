"""Contact history looks like lawful collection work: inside 08:00-21:00 local in every candidate zone,
in the 30 days before as-of, within daily caps, and a third party only after the borrower was unreachable."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pyarrow as pa

from arrears.portfolio.synth import generate
from arrears.portfolio.synth.zones import ZONESETS, contact_windows

AS_OF = date(2026, 3, 10)  # the US switched to summer time on 2026-03-08: inside the window
FAILED = {"rang_no_answer", "busy", "voicemail", "network_fail", "not_in_service"}


@cache
def portfolio() -> dict[str, list[dict[str, object]]]:
    chunks = list(generate(5000, 3, AS_OF, chunk_size=5000))
    return {name: pa.concat_tables([c.tables[name] for c in chunks]).to_pylist() for name in chunks[0].tables}


def test_every_attempt_is_within_lawful_hours_in_all_candidate_zones_and_the_last_30_days() -> None:
    data = portfolio()
    zones = {b["borrower_id"]: str(b["timezones"]).split(";") for b in data["borrowers"]}
    attempts = data["contact_attempts"]
    assert len(attempts) > 5000
    for a in attempts:
        at = datetime.fromisoformat(str(a["at"]))
        assert at.utcoffset() is not None
        for zone in zones[str(a["borrower_id"])]:
            local = at.astimezone(ZoneInfo(zone))
            assert time(8, 0) <= local.time() < time(21, 0), (a, zone)
            assert AS_OF - timedelta(days=30) <= local.date() < AS_OF, (a, zone)


def test_the_contact_window_of_a_two_zone_borrower_is_the_overlap() -> None:
    # Urumqi is UTC+6, Shanghai UTC+8: 08:00 Urumqi = 10:00 Shanghai is the earliest lawful instant, and
    # 21:00 Shanghai the latest.
    lo, hi = contact_windows((AS_OF - date(1970, 1, 1)).days)
    s = ZONESETS.index("Asia/Urumqi;Asia/Shanghai")
    sh = ZoneInfo("Asia/Shanghai")
    assert datetime.fromtimestamp(int(lo[s, -1]), sh) == datetime(2026, 3, 9, 10, 0, tzinfo=sh)
    assert datetime.fromtimestamp(int(hi[s, -1]), sh) == datetime(2026, 3, 9, 21, 0, tzinfo=sh)


def test_daily_contact_counts_stay_within_cn_limits() -> None:
    calls: Counter[tuple[object, str]] = Counter()
    talks: Counter[tuple[object, str]] = Counter()
    sms: Counter[tuple[object, str]] = Counter()
    for a in portfolio()["contact_attempts"]:
        key = (a["contact_point_id"], str(a["at"])[:10])
        if a["direction"] == "out" and a["channel"] in ("call", "ai_voice"):
            calls[key] += 1
            talks[key] += a["outcome"] == "conversation"
        if a["channel"] == "sms":
            sms[key] += 1
    assert max(calls.values()) <= 3  # CN-FREQ-2 allows 6 unanswered a number a day; we stay well below
    assert max(talks.values()) <= 1  # a collector stops after the first answer (CN-FREQ-1: at most 3)
    assert max(sms.values()) <= 4
    outcomes = Counter(a["outcome"] for a in portfolio()["contact_attempts"])
    assert {"rang_no_answer", "busy", "conversation", "delivered", "not_in_service"} <= set(outcomes)
    directions = Counter(a["direction"] for a in portfolio()["contact_attempts"])
    assert 0 < directions["in"] < 0.1 * directions["out"]


def test_third_parties_are_rare_and_only_called_after_the_borrower_was_unreachable() -> None:
    data = portfolio()
    parties = {p["party_id"]: p for p in data["parties"]}
    points = {c["contact_point_id"]: c for c in data["contact_points"]}
    by_borrower: dict[object, list[dict[str, object]]] = defaultdict(list)
    for a in data["contact_attempts"]:
        by_borrower[a["borrower_id"]].append(a)
    third = [a for a in data["contact_attempts"] if a["party_id"] != a["borrower_id"]]
    assert 0 < len(third) < 0.02 * len(data["contact_attempts"])
    for a in third:
        party = parties[a["party_id"]]
        assert party["borrower_id"] == a["borrower_id"] and party["emergency_contact"]
        assert not party["refused_contact"]
        point = points[a["contact_point_id"]]
        assert point["owner_id"] == a["party_id"] and not point["opted_out"]
        assert a["text"] is None and a["channel"] == "call"
        earlier = [
            b for b in by_borrower[a["borrower_id"]]
            if b["party_id"] == a["borrower_id"] and b["channel"] in ("call", "ai_voice") and b["direction"] == "out"
            and datetime.fromisoformat(str(b["at"])) < datetime.fromisoformat(str(a["at"]))
        ]  # fmt: skip
        assert all(b["outcome"] in FAILED for b in earlier)
        assert len({str(b["at"])[:10] for b in earlier}) >= 3


def test_attempts_name_existing_borrowers_loans_and_lawful_contact_points() -> None:
    data = portfolio()
    loans = {(lo["loan_id"], lo["borrower_id"]) for lo in data["loans"]}
    points = {c["contact_point_id"]: c for c in data["contact_points"]}
    for a in data["contact_attempts"]:
        assert (a["loan_id"], a["borrower_id"]) in loans
        assert points[a["contact_point_id"]]["borrower_id"] == a["borrower_id"]
    ids = [a["attempt_id"] for a in data["contact_attempts"]]
    assert len(set(ids)) == len(ids)
