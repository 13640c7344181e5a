"""Every decision is logged with its input hash, pack and version, and can be replayed under another pack."""

from __future__ import annotations

import json
from pathlib import Path

from compliance_builders import call
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.services.compliance import ComplianceService, canonical_input, input_hash
from arrears.storage.decisions import JsonlDecisionLog

EVENING = call("cn_strict", "2026-03-10T20:30:00+08:00", ["Asia/Shanghai"])
MORNING = call("cn_strict", "2026-03-10T10:00:00+08:00", ["Asia/Shanghai"])

TIGHTER = """\
policy: acme
extends: cn_strict
version: 2026.04.1
effective_from: 2026-04-01
rules:
  - {id: CN-TIME-2, params: {start: "08:00", end: "20:00"}}
"""


def test_check_logs_hash_pack_version_and_result(tmp_path: Path) -> None:
    log = JsonlDecisionLog(tmp_path / "log.jsonl")
    dec, h = ComplianceService().check(EVENING, log=log, source="test")
    (rec,) = list(log.iterate())
    assert rec.input_hash == h == input_hash(canonical_input(EVENING))
    assert (rec.pack, rec.pack_version, rec.decision) == ("cn_strict", dec.pack_version, "allow")
    assert json.loads(rec.input_json)["now"] == "2026-03-10T20:30:00+08:00"
    assert rec.decided_at.isoformat() == "2026-03-10T20:30:00+08:00"


def test_the_same_input_always_hashes_the_same() -> None:
    reordered = dict(reversed(list(EVENING.items())))
    assert input_hash(canonical_input(EVENING)) == input_hash(canonical_input(reordered))
    assert input_hash(canonical_input(EVENING)) != input_hash(canonical_input(MORNING))


def test_replay_lists_only_decisions_that_change(tmp_path: Path) -> None:
    log = JsonlDecisionLog(tmp_path / "log.jsonl")
    svc = ComplianceService()
    svc.check(EVENING, log=log)
    svc.check(MORNING, log=log)
    policy = tmp_path / "acme.yaml"
    policy.write_text(TIGHTER, encoding="utf-8")
    changes = svc.replay(log, pack=str(policy))
    assert len(changes) == 1
    change = changes[0].as_json()
    assert change["before"]["decision"] == "allow" and change["after"]["decision"] == "block"
    assert change["after"]["rules"] == ["CN-TIME-2"] and change["after"]["pack"] == "cn_strict+acme"


def test_replay_command_prints_changes(tmp_path: Path) -> None:
    log_path = tmp_path / "log.jsonl"
    svc = ComplianceService()
    svc.check(EVENING, log=JsonlDecisionLog(log_path))
    policy = tmp_path / "acme.yaml"
    policy.write_text(TIGHTER, encoding="utf-8")
    res = CliRunner().invoke(app, ["compliance", "replay", "--pack", str(policy), "--log", str(log_path)])
    assert res.exit_code == 0, res.output
    assert '"decision": "block"' in res.output and "1" in res.output


def test_database_log_round_trips(engine) -> None:  # type: ignore[no-untyped-def]
    from arrears.storage.decisions import DecisionRepository

    svc = ComplianceService()
    with engine.connect() as conn:
        repo = DecisionRepository(conn)
        _dec, h = svc.check(EVENING, log=repo, source="test")
        dec2, _ = svc.check(call("cn_strict", "2026-03-10T23:00:00+08:00", ["Asia/Shanghai"]), log=repo)
        conn.commit()
        recs = list(repo.iterate())
    assert [r.decision for r in recs] == ["allow", "block"]
    assert recs[0].input_hash == h and recs[1].rules == ("CN-TIME-1", "CN-TIME-2")
    assert recs[1].next_allowed_at is not None and recs[1].next_allowed_at == dec2.next_allowed_at
