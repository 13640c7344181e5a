"""Contact hours are judged in the debtor's local time, in every candidate zone, failing closed."""

from __future__ import annotations

from compliance_builders import call, decide

NY = ["America/New_York"]


def test_us_hours_follow_daylight_saving_not_a_fixed_offset() -> None:
    # 2026-03-07 is EST (UTC-5): 13:00Z is 08:00 local, not after 08:00 -> blocked.
    assert decide(call("us", "2026-03-07T13:00:00Z", NY)).verdict.value == "block"
    # 2026-03-09 is EDT (UTC-4): 13:00Z is 09:00 local -> allowed.
    assert decide(call("us", "2026-03-09T13:00:00Z", NY)).verdict.value == "allow"


def test_call_must_pass_in_every_candidate_zone() -> None:
    dec = decide(call("us", "2026-03-10T10:30:00-04:00", ["America/New_York", "America/Los_Angeles"]))
    assert dec.verdict.value == "block"
    assert "07:30" in dec.reasons("en")[0] and "America/Los_Angeles" in dec.reasons("en")[0]


def test_next_allowed_waits_for_the_latest_opening_across_zones() -> None:
    # 07:00 Beijing; Urumqi (UTC+6) opens at 08:00 local = 10:00 Beijing, later than Shanghai's 08:00.
    dec = decide(call("cn_floor", "2026-03-10T07:00:00+08:00", ["Asia/Shanghai", "Asia/Urumqi"]))
    assert dec.verdict.value == "block"
    assert dec.next_allowed_at is not None
    assert dec.next_allowed_at.isoformat() == "2026-03-10T10:00:00+08:00"


def test_unknown_zone_fails_closed_with_no_next_time() -> None:
    dec = decide(call("cn_strict", "2026-03-10T10:00:00+08:00", ["Mars/Olympus_Mons"]))
    assert dec.verdict.value == "block" and "CN-TIME-1" in dec.rule_ids
    assert "Mars/Olympus_Mons" in dec.reasons("en")[0]
    assert dec.next_allowed_at is None


def test_one_bad_zone_among_good_ones_still_fails_closed() -> None:
    dec = decide(call("uk", "2026-03-10T10:00:00+00:00", ["Europe/London", "UTC+1"]))
    assert dec.verdict.value == "block" and "UK-CONC-7.9.4R-TIME" in dec.rule_ids


def test_agreed_window_crossing_midnight_covers_the_next_morning() -> None:
    debtor = {"id": "P", "timezones": ["Asia/Shanghai"],
              "agreed_windows": [{"date": "2026-03-10", "from": "23:00", "to": "00:30"}]}
    inside = decide(call("cn_floor", "2026-03-11T00:15:00+08:00", [], debtor=debtor))
    after = decide(call("cn_floor", "2026-03-11T00:45:00+08:00", [], debtor=debtor))
    assert inside.verdict.value == "allow"
    assert after.verdict.value == "block" and "CN-TIME-1" in after.rule_ids


def test_next_allowed_after_an_inconvenient_time_is_its_end() -> None:
    debtor = {"id": "P", "timezones": NY, "inconvenient_times": [{"from": "06:00", "to": "12:00"}]}
    dec = decide(call("us", "2026-03-10T10:00:00-04:00", [], debtor=debtor))
    assert dec.next_allowed_at is not None
    assert dec.next_allowed_at.isoformat() == "2026-03-10T12:00:00-04:00"


def test_content_block_has_no_next_allowed_time() -> None:
    raw = call("us", "2026-03-10T22:00:00-04:00", NY)
    raw["attempt"]["text"] = "Pay today or you will be arrested."
    dec = decide(raw)
    assert dec.verdict.value == "block" and dec.next_allowed_at is None
