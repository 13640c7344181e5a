"""Where the shared spec lives: `../shared` beside the repository (CI clones it there). Never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
RULES_MD = SHARED / "spec" / "compliance" / "rules.md"
PUBLIC_SCENARIOS = SHARED / "spec" / "compliance" / "scenarios" / "public.yaml"
PACKS = REPO / "src" / "arrears" / "compliance" / "packs"
COVERAGE_DOC = REPO / "docs" / "compliance-coverage.md"
REFERENCE_DOC = REPO / "docs" / "rules-reference.md"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared spec must sit at ../shared beside the repository", pytrace=False)
    return path
