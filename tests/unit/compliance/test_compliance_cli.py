"""The CLI: one attempt from stdin, scenario files as a harness, clear errors with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from compliance_builders import call
from typer.testing import CliRunner

from arrears.cli.main import app

RUN = CliRunner()


def test_check_reads_one_attempt_from_stdin() -> None:
    raw = call("cn_strict", "2026-03-10T22:30:00+08:00", ["Asia/Shanghai"])
    del raw["id"]
    res = RUN.invoke(app, ["compliance", "check", "-", "--log", "none", "--lang", "en"], input=json.dumps(raw))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["decision"] == "block" and "CN-TIME-1" in out["rules"]
    assert out["next_allowed_at"] == "2026-03-11T08:00:00+08:00" and len(out["input_hash"]) == 64


def test_check_writes_the_decision_log(tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    raw = call("us", "2026-03-10T10:00:00-04:00", ["America/New_York"])
    res = RUN.invoke(app, ["compliance", "check", "-", "--log", str(log)], input=json.dumps(raw))
    assert res.exit_code == 0, res.output
    assert json.loads(log.read_text(encoding="utf-8"))["decision"] == "allow"


SCEN = """\
- id: S1
  pack: uk
  now: 2026-03-10T10:00:00+00:00
  debtor: {id: P, timezones: [Europe/London]}
  contact_points: [{id: A, owner: P, kind: mobile, source: contract}]
  attempt: {to: P, point: A, channel: call, debt: D1}
  expect: {decision: EXPECTED, rules: []}
"""


def test_scenarios_is_a_harness_and_check_fails_on_mismatch(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SCEN.replace("EXPECTED", "block"), encoding="utf-8")
    out = tmp_path / "r.jsonl"
    plain = RUN.invoke(app, ["compliance", "scenarios", str(f), "--out", str(out)])
    assert plain.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["decision"] == "allow"
    checked = RUN.invoke(app, ["compliance", "scenarios", str(f), "--out", str(out), "--check"])
    assert checked.exit_code == 1 and "S1" in checked.output


def test_unreadable_scenario_names_scenario_and_field(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SCEN.replace("EXPECTED", "allow").replace("channel: call", "channel: fax"), encoding="utf-8")
    res = RUN.invoke(app, ["compliance", "scenarios", str(f), "--out", str(tmp_path / "r.jsonl")])
    assert res.exit_code == 2
    assert "S1" in res.output and "attempt.channel" in res.output


def test_unknown_field_in_a_scenario_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SCEN.replace("EXPECTED", "allow").replace("{id: P,", "{id: P, tz: x,"), encoding="utf-8")
    res = RUN.invoke(app, ["compliance", "scenarios", str(f), "--out", str(tmp_path / "r.jsonl")])
    assert res.exit_code == 2 and "debtor.tz" in res.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    res = RUN.invoke(app, ["compliance", "scenarios", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "r")])
    assert res.exit_code == 2 and "nope.yaml" in res.output
