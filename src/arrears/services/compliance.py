"""Compliance use cases: check one attempt (and log it), run scenario files, replay the decision log.

Edges (CLI, web route) call these with keyword arguments and render the result. The service owns the
transaction when a database log is used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from arrears.compliance.decision import Decision
from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_pack
from arrears.compliance.pack import Pack
from arrears.compliance.scenario import Scenario, ScenarioError, load_scenarios, parse_scenario
from arrears.domain.content import ContentChecker
from arrears.storage.decisions import DecisionRecord


class DecisionSink(Protocol):
    def append(self, rec: DecisionRecord) -> int: ...

    def iterate(self, *, pack: str | None = None, batch: int = 500) -> Iterator[DecisionRecord]: ...


CHECKERS = ("phrases", "guard", "both")


def default_checker(name: str = "both") -> ContentChecker:
    """The content checker: `both` (default: the text guard's and the phrase list's findings merged, a
    violation in either counts), `guard` (the text guard alone) or `phrases` (the engine's phrase list alone)."""
    from arrears.compliance.content import CombinedChecker, PhraseChecker

    if name == "phrases":
        return PhraseChecker()
    if name not in CHECKERS:
        raise ValueError(f"unknown content checker {name!r}; choose one of {', '.join(CHECKERS)}")
    from arrears.textguard.guard import default_guard

    guard: ContentChecker = default_guard()
    return guard if name == "guard" else CombinedChecker((guard, PhraseChecker()))


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def canonical_input(raw: dict[str, Any]) -> str:
    """The attempt input as canonical JSON (sorted keys; no `expect`, no `note`)."""
    body = {k: v for k, v in raw.items() if k not in ("expect", "note")}
    return json.dumps(_jsonable(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def input_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class ComplianceService:
    checker: ContentChecker = field(default_factory=default_checker)
    _engines: dict[str, Engine] = field(default_factory=dict)

    def engine(self, pack: str | Pack) -> Engine:
        key = pack if isinstance(pack, str) else f"{pack.id}@{pack.version}"
        eng = self._engines.get(key)
        if eng is None:
            eng = Engine(load_pack(pack) if isinstance(pack, str) else pack, self.checker)
            self._engines[key] = eng
        return eng

    def decide(self, scenario: Scenario, *, pack: str | Pack | None = None) -> Decision:
        return self.engine(pack or scenario.pack).decide(scenario.request)

    def check(
        self,
        raw: dict[str, Any],
        *,
        log: DecisionSink | None = None,
        source: str = "cli",
        pack: str | None = None,
    ) -> tuple[Decision, str]:
        """Judge one attempt (scenario shape without `expect`) and log the decision with its input hash."""
        if isinstance(raw, dict) and "id" not in raw:
            raw = {"id": "attempt", **raw}
        if isinstance(raw, dict) and pack is not None and "pack" not in raw:
            raw = {**raw, "pack": pack}
        sc = parse_scenario(raw, "<attempt>")
        dec = self.decide(sc, pack=pack)
        canon = canonical_input(raw)
        h = input_hash(canon)
        if log is not None:
            log.append(record(dec, sc, canon, h, source))
        return dec, h

    def run_scenarios(
        self, files: Iterable[str | Path], *, lang: str = "zh", log: DecisionSink | None = None
    ) -> list[ScenarioResult]:
        """Every scenario of every file, in input order. Parsing errors raise `ScenarioError` before any run."""
        loaded = [(str(f), load_scenarios(f)) for f in files]
        out: list[ScenarioResult] = []
        for file, scenarios in loaded:
            for sc in scenarios:
                try:
                    dec = self.decide(sc)
                except ValueError as e:  # e.g. an unknown pack name
                    raise ScenarioError(file, sc.id, "pack", str(e)) from e
                if log is not None:
                    canon = canonical_input(sc.raw)
                    log.append(record(dec, sc, canon, input_hash(canon), "scenario"))
                out.append(ScenarioResult(file, sc, dec, lang))
        return out

    def replay(self, log: DecisionSink, *, pack: str, only_pack: str | None = None) -> list[ReplayChange]:
        """Re-evaluate logged decisions under `pack` (a name or file); list the ones whose outcome changes."""
        eng = self.engine(pack)
        changes: list[ReplayChange] = []
        for rec in log.iterate(pack=only_pack):
            raw = json.loads(rec.input_json)
            sc = parse_scenario(raw, f"decision_log#{rec.id}")
            new = eng.decide(sc.request)
            if new.verdict.value != rec.decision or tuple(new.rule_ids) != tuple(rec.rules):
                changes.append(ReplayChange(rec, new))
        return changes


@dataclass(frozen=True)
class ScenarioResult:
    file: str
    scenario: Scenario
    decision: Decision
    lang: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.scenario.id, **self.decision.to_result(self.lang)}

    @property
    def mismatch(self) -> str | None:
        exp = self.scenario.expect
        if exp is None:
            return None
        problems: list[str] = []
        if self.decision.verdict.value != exp.decision:
            problems.append(f"decision {self.decision.verdict.value} != expected {exp.decision}")
        missing = [r for r in exp.rules if r not in self.decision.rule_ids]
        if missing:
            problems.append(f"missing rules {missing}")
        return "; ".join(problems) or None


@dataclass(frozen=True)
class ReplayChange:
    before: DecisionRecord
    after: Decision

    def as_json(self) -> dict[str, Any]:
        raw = json.loads(self.before.input_json)
        return {
            "log_id": self.before.id,
            "scenario": raw.get("id"),
            "input_hash": self.before.input_hash,
            "before": {"pack": self.before.pack, "version": self.before.pack_version,
                       "decision": self.before.decision, "rules": list(self.before.rules)},
            "after": {"pack": self.after.pack, "version": self.after.pack_version,
                      "decision": self.after.verdict.value, "rules": list(self.after.rule_ids)},
        }


def record(dec: Decision, sc: Scenario, canon: str, h: str, source: str) -> DecisionRecord:
    return DecisionRecord(
        decided_at=sc.request.now,
        input_hash=h,
        input_json=canon,
        pack=dec.pack,
        pack_version=dec.pack_version,
        decision=dec.verdict.value,
        rules=dec.rule_ids,
        reasons=dec.reasons("zh"),
        next_allowed_at=dec.next_allowed_at,
        source=source,
    )
