"""A bad strategy file fails at load time, naming the file, the place in it and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from arrears.strategy.loader import StrategyError, load_strategy, load_strategy_file

BASE = """
strategy: test_strategy
version: "1"
salt: s1
description: {zh: 测试, en: test}
treatments:
  - id: early
    steps:
      - {id: sms_d1, anchor: instalment_due_date, day: 1, channel: sms, party: debtor, template: notice, pool: sms}
      - {id: call_d2, anchor: instalment_due_date, day: 2, channel: call, party: debtor, template: call, pool: callers}
segments:
  - {id: m1, match: {buckets: [M1]}, treatment: early}
default: {id: rest, treatment: early}
"""


def _write(tmp_path: Path, doc: dict[str, object]) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return p


def _base() -> dict[str, object]:
    doc = yaml.safe_load(BASE)
    assert isinstance(doc, dict)
    return doc


def _add_step(doc: dict[str, object], step: dict[str, object]) -> dict[str, object]:
    doc["treatments"][0]["steps"].append(step)  # type: ignore[index]
    return doc


def _load_error(tmp_path: Path, doc: dict[str, object]) -> StrategyError:
    path = _write(tmp_path, doc)
    with pytest.raises(StrategyError) as info:
        load_strategy_file(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value


VISIT = {
    "id": "visit", "anchor": "bucket_entry", "day": 14, "channel": "visit", "party": "debtor",
    "template": "visit_script", "pool": "field", "from_bucket": "M2",
    "requires": {"supervisor_approval": True, "min_staff": 2, "recording": True},
}
LOCATE = {
    "id": "locate", "anchor": "instalment_due_date", "day": 4, "channel": "call", "party": "emergency_contact",
    "template": "locate_only", "pool": "locate", "when": ["borrower_unreachable"],
}


def test_the_minimal_strategy_and_the_packaged_default_load(tmp_path: Path) -> None:
    s = load_strategy_file(_write(tmp_path, _base()))
    assert [seg.id for seg in s.segments] == ["m1", "rest"]
    assert s.segments[-1].is_default
    assert load_strategy("cn_default").version


def test_unknown_field_names_the_step_and_the_field(tmp_path: Path) -> None:
    doc = _base()
    doc["treatments"][0]["steps"][1]["colour"] = "red"  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert e.where == "treatments[0] (early) / steps[1] (call_d2)"
    assert e.field == "colour"


def test_wrong_type_names_the_field(tmp_path: Path) -> None:
    doc = _base()
    doc["treatments"][0]["steps"][0]["day"] = "tomorrow"  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert e.where == "treatments[0] (early) / steps[0] (sms_d1)" and e.field == "day"


def test_unknown_channel_is_refused(tmp_path: Path) -> None:
    doc = _base()
    doc["treatments"][0]["steps"][0]["channel"] = "carrier_pigeon"  # type: ignore[index]
    assert _load_error(tmp_path, doc).field == "channel"


def test_duplicate_segment_ids_are_refused(tmp_path: Path) -> None:
    doc = _base()
    doc["default"]["id"] = "m1"  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert e.field == "id" and "duplicate segment id 'm1'" in e.message


def test_steps_out_of_order_are_refused(tmp_path: Path) -> None:
    doc = _add_step(_base(), {"id": "late_sms", "anchor": "instalment_due_date", "day": 0, "channel": "sms",
                              "party": "debtor", "template": "t", "pool": "p"})
    e = _load_error(tmp_path, doc)
    assert e.where == "treatments[0] (early) / steps[2] (late_sms)" and e.field == "day"
    assert "out of order" in e.message


def test_steps_of_another_anchor_keep_their_own_order(tmp_path: Path) -> None:
    doc = _add_step(_base(), {"id": "ptp", "anchor": "promise_due_date", "day": -1, "channel": "sms",
                              "party": "debtor", "template": "t", "pool": "p", "when": ["promise_open"]})
    assert load_strategy_file(_write(tmp_path, doc)).treatments[0].steps[-1].id == "ptp"


def test_unknown_segment_bucket_is_refused(tmp_path: Path) -> None:
    doc = _base()
    doc["segments"][0]["match"]["buckets"] = ["M9"]  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert e.where == "segments[0] (m1)" and e.field == "match.buckets[0]"


def test_variant_shares_must_add_up_to_one_hundred_percent(tmp_path: Path) -> None:
    doc = _base()
    seg = doc["segments"][0]  # type: ignore[index]
    del seg["treatment"]
    seg["variants"] = [{"id": "a", "treatment": "early", "share_pct": 80},
                       {"id": "b", "treatment": "early", "share_pct": 15}]
    e = _load_error(tmp_path, doc)
    assert e.field == "variants" and "95" in e.message


def test_unknown_condition_names_the_condition_index(tmp_path: Path) -> None:
    doc = _base()
    doc["treatments"][0]["steps"][1]["when"] = ["promise_open", "moon_is_full"]  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert e.field == "when[1]" and "moon_is_full" in e.message


def test_a_well_formed_visit_step_loads(tmp_path: Path) -> None:
    s = load_strategy_file(_write(tmp_path, _add_step(_base(), dict(VISIT))))
    assert s.treatments[0].steps[-1].requires.min_staff == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_bucket": "M1"}, "from_bucket"),
        ({"from_bucket": None}, "from_bucket"),
        ({"requires": {"supervisor_approval": False, "min_staff": 2, "recording": True}}, "requires.supervisor_approval"),
        ({"requires": {"supervisor_approval": True, "min_staff": 1, "recording": True}}, "requires.min_staff"),
        ({"requires": {"supervisor_approval": True, "min_staff": 2, "recording": False}}, "requires.recording"),
    ],
)
def test_a_visit_below_m2_or_without_approval_two_staff_and_recording_does_not_load(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    step = {**VISIT, **change}
    e = _load_error(tmp_path, _add_step(_base(), {k: v for k, v in step.items() if v is not None}))
    assert e.where == "treatments[0] (early) / steps[2] (visit)" and e.field == field


def test_a_well_formed_emergency_contact_step_loads(tmp_path: Path) -> None:
    s = load_strategy_file(_write(tmp_path, _add_step(_base(), dict(LOCATE))))
    assert s.treatments[0].steps[-1].template == "locate_only"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "overdue_notice"}, "template"),
        ({"when": []}, "when"),
        ({"when": ["not borrower_unreachable"]}, "when"),
        ({"when": ["no_rpc_days >= 3"]}, "when"),
        ({"channel": "letter"}, "channel"),
    ],
)
def test_an_emergency_contact_step_needs_locate_only_and_an_unreachable_borrower(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    e = _load_error(tmp_path, _add_step(_base(), {**LOCATE, **change}))
    assert e.where == "treatments[0] (early) / steps[2] (locate)" and e.field == field
    assert "CN-PARTY-2" in e.message or "call, SMS or IM" in e.message


def test_a_file_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    p = tmp_path / "broken.yaml"
    p.write_text("strategy: [unclosed", encoding="utf-8")
    with pytest.raises(StrategyError, match=r"broken\.yaml: not valid YAML"):
        load_strategy_file(p)


def test_unknown_top_level_field_and_match_criterion_are_refused(tmp_path: Path) -> None:
    doc = _base()
    doc["owner"] = "someone"
    assert _load_error(tmp_path, doc).field == "owner"
    doc = _base()
    doc["segments"][0]["match"]["postcode"] = "518000"  # type: ignore[index]
    e = _load_error(tmp_path, doc)
    assert (e.where, e.field) == ("segments[0] (m1)", "match.postcode")
