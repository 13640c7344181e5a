"""Every rule id in the catalogue is implemented in a pack or documented as not checkable from data."""

from __future__ import annotations

import re

from compliance_paths import COVERAGE_DOC, RULES_MD, require

from arrears.compliance.loader import BUILTIN_PROFILES, load_builtin

ID_ROW = re.compile(r"^\| ((?:CN|US|UK)-[^ |]+) \|", re.MULTILINE)


def catalogue_ids() -> list[str]:
    ids = ID_ROW.findall(require(RULES_MD).read_text(encoding="utf-8"))
    assert len(ids) >= 70, "rules.md changed shape: fewer rule rows than expected"
    return ids


def documented_ids() -> set[str]:
    text = COVERAGE_DOC.read_text(encoding="utf-8")
    return set(ID_ROW.findall(text))


def implemented_ids() -> set[str]:
    return {r.id for p in BUILTIN_PROFILES for r in load_builtin(p).rules}


def test_every_catalogue_rule_is_implemented_or_documented() -> None:
    missing = [i for i in catalogue_ids() if i not in implemented_ids() and i not in documented_ids()]
    assert missing == [], f"implement these or explain them in docs/compliance-coverage.md: {missing}"


def test_packs_use_catalogue_ids_verbatim() -> None:
    catalogue = set(catalogue_ids())
    firm_rules = {i for i in implemented_ids() if i.startswith("ARREARS-")}
    assert implemented_ids() - firm_rules <= catalogue


def test_documented_ids_exist_in_the_catalogue() -> None:
    assert documented_ids() <= set(catalogue_ids())
