"""docs/rules-reference.md is generated from the packs; it fails when someone edits a pack and not the doc."""

from __future__ import annotations

from compliance_paths import REFERENCE_DOC

from arrears.compliance.loader import BUILTIN_PROFILES, load_builtin
from arrears.compliance.reference import render_reference


def test_rule_reference_doc_is_current() -> None:
    expected = render_reference([load_builtin(p) for p in BUILTIN_PROFILES])
    current = REFERENCE_DOC.read_text(encoding="utf-8") if REFERENCE_DOC.exists() else ""
    assert current == expected, "docs/rules-reference.md is stale: run `arrears packs docs`"


def test_reference_names_every_rule_with_its_citation() -> None:
    text = REFERENCE_DOC.read_text(encoding="utf-8")
    for p in BUILTIN_PROFILES:
        for r in load_builtin(p).rules:
            assert f"`{r.id}`" in text
            assert r.citations[0].cite.split(" ")[0] in text
