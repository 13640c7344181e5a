"""`arrears synth` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from arrears.cli.main import app

runner = CliRunner()


def test_synth_command_writes_the_portfolio_and_a_manifest(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["synth", "--accounts", "120", "--seed", "4", "--out", str(tmp_path), "--as-of", "2026-03-10",
         "--format", "parquet", "--chunk-size", "50", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "borrowers.parquet").is_file()
    manifest = json.loads((tmp_path / "_truth" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["accounts"] == 120 and manifest["seed"] == 4 and manifest["as_of"] == "2026-03-10"
    assert manifest["rows"]["borrowers"] == 120
    assert "120" in result.stdout


def test_bad_as_of_date_is_refused_with_a_bilingual_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--accounts", "5", "--out", str(tmp_path), "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "invalid --as-of" in result.output and "日期无效" in result.output
    assert not any(tmp_path.iterdir())


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--accounts", "5", "--out", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "csv or parquet" in result.output
