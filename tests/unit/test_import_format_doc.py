"""docs/import-format.md is generated from the schema; this fails when the committed copy drifts."""

from __future__ import annotations

from pathlib import Path

from arrears.portfolio.docgen import render
from arrears.portfolio.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"


def test_committed_import_format_matches_the_schema() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `python -m arrears.portfolio.docgen` and commit"


def test_every_table_and_column_is_documented() -> None:
    text = render()
    for t in TABLES:
        assert f"### `{t.name}`" in text
        for c in t.columns:
            assert f"| `{c.name}` |" in text
