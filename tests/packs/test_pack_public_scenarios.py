"""The public scenario set passes through the real CLI harness with --check."""

from __future__ import annotations

import json
from pathlib import Path

from compliance_paths import PUBLIC_SCENARIOS, require
from typer.testing import CliRunner

from arrears.cli.main import app


def test_public_scenarios_all_pass_with_check(tmp_path: Path) -> None:
    src = require(PUBLIC_SCENARIOS)
    out = tmp_path / "results.jsonl"
    res = CliRunner().invoke(app, ["compliance", "scenarios", str(src), "--out", str(out), "--check", "--lang", "en"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 47
    by_id = {r["id"]: r for r in rows}
    # spot checks against hand-derived values from the catalogue
    assert by_id["T-CN-09a"]["next_allowed_at"] == "2026-03-11T08:00:00+08:00"
    assert by_id["T-US-06a"]["next_allowed_at"] == "2026-03-10T08:01:00-04:00"  # day 8 after the 03-03 talk
    assert by_id["T-CN-06"]["decision"] == "allow_with_constraints"
    assert all(r["reasons"] for r in rows if r["decision"] != "allow")
