"""Holds, roles and escalation: behaviour a collector would notice."""

from __future__ import annotations

from compliance_builders import call, decide, hist

SH = ["Asia/Shanghai"]
NY = ["America/New_York"]


def test_cease_request_applies_only_from_when_it_was_received() -> None:
    debtor = {"id": "P", "timezones": NY, "flags": {"cease_written_at": "2026-03-10T15:00:00-04:00"}}
    before = decide(call("us", "2026-03-10T10:00:00-04:00", NY, debtor=debtor))
    after = decide(call("us", "2026-03-11T10:00:00-04:00", NY, debtor=debtor))
    assert before.verdict.value == "allow"
    assert after.verdict.value == "block" and "US-REGF-1006.6(c)-CEASE" in after.rule_ids


def test_breathing_space_ends_after_its_last_day() -> None:
    debtor = {"id": "P", "timezones": ["Europe/London"], "flags": {"breathing_space_until": "2026-03-09"}}
    assert decide(call("uk", "2026-03-10T10:00:00+00:00", [], debtor=debtor)).verdict.value == "allow"


def test_third_party_contact_waits_for_borrower_attempts() -> None:
    raw = call("cn_strict", "2026-03-10T10:00:00+08:00", SH)
    raw["parties"] = [{"id": "M", "role": "parent", "emergency_contact": True}]
    raw["contact_points"].append({"id": "MA", "owner": "M", "kind": "mobile", "source": "self_reserved"})
    raw["attempt"] = {"to": "M", "point": "MA", "channel": "call", "debt": "D1", "purpose": "locate",
                      "script": "locate_only"}
    assert decide(raw).verdict.value == "block"
    # P's only number turns out not to be in service: the CBA "phone invalid" trigger
    raw["history"] = [hist("2026-03-10T09:00:00+08:00", "not_in_service")]
    dec = decide(raw)
    assert dec.verdict.value == "allow_with_constraints"
    assert dec.constraints == ("script:locate_only", "no_debt_facts")


def test_a_conversation_resets_the_failed_dial_count() -> None:
    raw = call("cn_strict", "2026-03-11T10:00:00+08:00", SH)
    raw["parties"] = [{"id": "M", "role": "parent", "emergency_contact": True}]
    raw["contact_points"].append({"id": "MA", "owner": "M", "kind": "mobile", "source": "self_reserved"})
    raw["attempt"] = {"to": "M", "point": "MA", "channel": "call", "debt": "D1", "purpose": "locate"}
    raw["history"] = [
        hist("2026-03-10T09:00:00+08:00", "rang_no_answer"),
        hist("2026-03-10T10:00:00+08:00", "rang_no_answer"),
        hist("2026-03-10T11:00:00+08:00", "rang_no_answer"),
        hist("2026-03-10T12:00:00+08:00", "conversation", direction="in"),
    ]
    assert decide(raw).verdict.value == "block"


def test_public_posts_are_blocked_in_every_jurisdiction() -> None:
    for pack, zones in (("cn_strict", SH), ("us", NY), ("uk", ["Europe/London"])):
        raw = call(pack, "2026-03-10T12:00:00Z", zones)
        raw["attempt"] = {"to": "P", "channel": "social_public", "debt": "D1", "audience": "public", "text": "hello"}
        assert decide(raw).verdict.value == "block", pack


def test_message_to_an_emergency_contact_without_debt_facts_is_locate_only() -> None:
    raw = call("cn_strict", "2026-03-10T10:00:00+08:00", SH, debtor={"id": "P", "timezones": SH,
                                                                     "flags": {"unreachable": True}})
    raw["parties"] = [{"id": "F", "role": "friend", "emergency_contact": True}]
    raw["contact_points"].append({"id": "FA", "owner": "F", "kind": "mobile", "source": "self_reserved"})
    raw["attempt"] = {"to": "F", "point": "FA", "channel": "sms", "debt": "D1", "purpose": "locate",
                      "text": "【XX银行】您好,请转告张三回电XX银行客服,谢谢。"}
    assert decide(raw).verdict.value == "allow_with_constraints"
    raw["attempt"]["text"] = "【XX银行】您好,请转告张三他的借款已逾期,请回电。"
    dec = decide(raw)
    assert dec.verdict.value == "block" and "CN-DISC-1" in dec.rule_ids
