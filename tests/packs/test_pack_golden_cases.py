"""Golden cases beside each pack: every case passes, and every rule in every pack has at least one case."""

from __future__ import annotations

from pathlib import Path

import pytest
from compliance_paths import PACKS, PUBLIC_SCENARIOS, require

from arrears.compliance.loader import BUILTIN_PROFILES, load_builtin
from arrears.compliance.scenario import load_scenarios
from arrears.services.compliance import ComplianceService

CASE_FILES = sorted(PACKS.glob("*/cases/*.yaml"))
SERVICE = ComplianceService()


def _cases() -> list[tuple[Path, object]]:
    return [(f, sc) for f in CASE_FILES for sc in load_scenarios(f)]


@pytest.mark.parametrize(("file", "scenario"), _cases(), ids=lambda v: getattr(v, "id", "") or "")
def test_golden_case_matches_its_expectation(file: Path, scenario: object) -> None:
    from arrears.compliance.scenario import Scenario

    assert isinstance(scenario, Scenario) and scenario.expect is not None
    dec = SERVICE.decide(scenario)
    assert dec.verdict.value == scenario.expect.decision, (scenario.id, dec.rule_ids, dec.reasons("en"))
    for rid in scenario.expect.rules:
        assert rid in dec.rule_ids, (scenario.id, rid, dec.rule_ids)
    if scenario.expect.decision == "allow":
        assert dec.rule_ids == ()


def test_every_pack_rule_has_a_case_that_fires_it() -> None:
    """Golden cases plus the public scenario set must make every rule of every pack fire at least once."""
    fired_in_cases: set[tuple[str, str]] = set()
    public = [(require(PUBLIC_SCENARIOS), sc) for sc in load_scenarios(require(PUBLIC_SCENARIOS))]
    for _f, sc in _cases() + public:
        for rid in sc.expect.rules:  # type: ignore[attr-defined]
            fired_in_cases.add((sc.pack, rid))  # type: ignore[attr-defined]
    missing = []
    for profile in BUILTIN_PROFILES:
        jurisdiction_profiles = {p for p in BUILTIN_PROFILES if p[:2] == profile[:2]}
        for rule in load_builtin(profile).rules:
            if not any((p, rule.id) in fired_in_cases for p in jurisdiction_profiles):
                missing.append(f"{profile}:{rule.id}")
    assert missing == []
