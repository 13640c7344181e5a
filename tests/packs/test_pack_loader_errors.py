"""Packs are data checked against a typed schema: bad files fail at load, naming the file, rule and field.
Policy layers may only tighten the pack they extend."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.compliance.engine import Engine
from arrears.compliance.loader import PackError, builtin_pack_paths, load_pack_file
from arrears.compliance.scenario import parse_scenario

RULE = """\
pack: test
profile: test_pack
jurisdiction: CN
version: 0.0.1
effective_from: 2026-01-01
description: {zh: 测试, en: test}
rules:
  - id: CN-TIME-1
    kind: time_window
    strength: GUIDANCE
    title: {zh: 夜间, en: night}
    channels: [call]
    params: {start: "08:00", end: "22:00"}
    sources: [{cite: "GB/T 45251-2025", conf: S}]
"""


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_valid_minimal_pack_loads(tmp_path: Path) -> None:
    pack = load_pack_file(write(tmp_path, RULE))
    assert pack.id == "test_pack" and [r.id for r in pack.rules] == ["CN-TIME-1"]


def test_misspelt_param_names_file_rule_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace('start: "08:00"', 'strat: "08:00"'))
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert (e.value.file, e.value.rule, e.value.field) == (str(path), "CN-TIME-1", "params.start")
    assert str(path) in str(e.value) and "CN-TIME-1" in str(e.value)


def test_unknown_rule_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace("    strength: GUIDANCE\n", "    strength: GUIDANCE\n    severity: high\n"))
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert (e.value.rule, e.value.field) == ("CN-TIME-1", "severity")


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace('end: "22:00"', "end: late"))
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert (e.value.rule, e.value.field) == ("CN-TIME-1", "params.end")


def test_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    rules = RULE.split("rules:\n")[1]
    path = write(tmp_path, RULE + rules)
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert (e.value.rule, e.value.field) == ("CN-TIME-1", "id")
    assert "duplicate" in e.value.message


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace("kind: time_window", "kind: time_windw"))
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert e.value.field == "kind"


def test_packs_check_passes_for_the_shipped_packs() -> None:
    res = CliRunner().invoke(app, ["packs", "check"])
    assert res.exit_code == 0, res.output
    for profile in ("cn_floor", "cn_strict", "us", "uk"):
        assert profile in res.output


def test_packs_check_fails_on_a_misspelt_field(tmp_path: Path) -> None:
    path = write(tmp_path, RULE.replace("channels: [call]", "chanels: [call]"))
    res = CliRunner().invoke(app, ["packs", "check", str(path)])
    assert res.exit_code == 1
    assert "chanels" in res.output and "CN-TIME-1" in res.output


def test_packs_show_prints_every_rule(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["packs", "show", "us", "--lang", "en"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "US-REGF-1006.14-7IN7" in res.output and "PRESUMPTION" in res.output


# --- policy layers ---------------------------------------------------------------------------------------

POLICY = """\
policy: acme
extends: cn_strict
version: 2026.04.1
effective_from: 2026-04-01
rules:
"""


def _night_call(now: str) -> dict[str, object]:
    return {
        "id": "x",
        "pack": "cn_strict",
        "now": now,
        "debtor": {"id": "P", "timezones": ["Asia/Shanghai"]},
        "contact_points": [{"id": "A", "owner": "P", "kind": "mobile", "source": "contract"}],
        "attempt": {"to": "P", "point": "A", "channel": "call", "debt": "D1"},
    }


def test_policy_layer_tightens_window_and_caps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        POLICY
        + '  - {id: CN-TIME-2, params: {start: "09:00", end: "20:00"}}\n'
        + "  - id: CN-FREQ-3\n    params: {min_gap_minutes: 90}\n",
        "acme.yaml",
    )
    pack = load_pack_file(path)
    assert pack.id == "cn_strict+acme" and pack.version.endswith("+2026.04.1")
    eng = Engine(pack)
    late = eng.decide(parse_scenario(_night_call("2026-03-10T20:30:00+08:00")).request)
    assert late.verdict.value == "block" and "CN-TIME-2" in late.rule_ids
    # the base pack would allow the same call
    base = Engine(load_pack_file(builtin_pack_paths()["cn_strict"]))
    assert base.decide(parse_scenario(_night_call("2026-03-10T20:30:00+08:00")).request).verdict.value == "allow"


def test_policy_layer_adds_a_firm_phrase_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        POLICY
        + "  - id: ACME-PHRASE-1\n    kind: phrases\n    strength: POLICY\n"
        + "    title: {zh: 公司禁用语, en: firm banned phrases}\n"
        + "    sources: [{cite: ACME compliance manual 3.2, conf: P}]\n"
        + '    params: {phrases: ["最后通牒"]}\n',
        "acme.yaml",
    )
    eng = Engine(load_pack_file(path))
    raw = _night_call("2026-03-10T10:00:00+08:00")
    raw["attempt"] = {"to": "P", "point": "A", "channel": "sms", "debt": "D1", "text": "【XX消费金融】这是最后通牒"}
    dec = eng.decide(parse_scenario(raw).request)
    assert dec.verdict.value == "block" and "ACME-PHRASE-1" in dec.rule_ids


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ('  - {id: CN-TIME-2, params: {end: "22:30"}}\n', "params.end"),
        ("  - {id: CN-FREQ-1, params: {caps: [{scope: debtor, channels: [call, ai_voice], outcomes: [conversation], limit: 5, tz: Asia/Shanghai, label_zh: x, label_en: x}]}}\n", "params.caps"),
        ("  - {id: CN-FREQ-3, params: {min_gap_minutes: 5}}\n", "params.min_gap_minutes"),
        ("  - {id: CN-DATA-1, params: {allowed_sources: [contract, purchased]}}\n", "params.allowed_sources"),
        ("  - {id: CN-RATE-2, on_violation: review, channels: [call]}\n", "channels"),
    ],
)
def test_policy_layer_refuses_loosening(tmp_path: Path, entry: str, field: str) -> None:
    path = write(tmp_path, POLICY + entry, "loose.yaml")
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert e.value.field == field
    assert e.value.file == str(path) and e.value.rule is not None


def test_policy_layer_cannot_weaken_a_block_to_review(tmp_path: Path) -> None:
    path = write(tmp_path, POLICY + "  - {id: CN-TIME-1, on_violation: review}\n", "loose.yaml")
    with pytest.raises(PackError) as e:
        load_pack_file(path)
    assert (e.value.rule, e.value.field) == ("CN-TIME-1", "on_violation")
