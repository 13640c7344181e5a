"""The acceptance path, through the real commands: `arrears synth ... && arrears import X`, twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from arrears.cli.main import app
from arrears.storage.engine import make_engine
from arrears.storage.tables import metadata

IMPORT_TABLES = ("borrowers", "loans", "instalments", "payments", "parties", "contact_points", "contact_attempts", "holds")


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.execute(select(func.count()).select_from(metadata.tables[t])).scalar_one() for t in IMPORT_TABLES}
    engine.dispose()
    return counts


@pytest.mark.db
def test_synth_then_import_into_a_fresh_database_then_again_adds_nothing(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    out = tmp_path / "portfolio"
    res = runner.invoke(app, ["synth", "--accounts", "120", "--seed", "1", "--out", str(out), "--as-of", "2026-03-10"])
    assert res.exit_code == 0, res.output

    monkeypatch.setenv("ARREARS_DATABASE_URL", database_url)
    first = runner.invoke(app, ["import", str(out), "--quiet"])
    assert first.exit_code == 0, first.output
    after_first = _counts(database_url)
    assert after_first["borrowers"] == 120 and after_first["loans"] >= 120 and after_first["instalments"] > 0

    second = runner.invoke(app, ["import", str(out), "--quiet"])
    assert second.exit_code == 0, second.output
    assert _counts(database_url) == after_first
