"""Checks on demand, for the API and the composer: judge one proposed attempt with the compliance engine
(logged to the decision log with its source) and run the text guard on one text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from arrears.compliance.scenario import ScenarioError
from arrears.domain.clock import Clock
from arrears.services.compliance import ComplianceService
from arrears.storage.decisions import DecisionRepository

DEFAULT_PACK = "cn_strict"
AUDIENCES = ("debtor", "third_party", "transcript")


class CheckInputError(ValueError):
    """The attempt or text cannot be judged; `field` names where (dotted path), `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class AttemptDecision:
    result: dict[str, object]  # decision, rules, reasons, next_allowed_at?, constraints?
    input_hash: str
    pack: str
    pack_version: str


def check_attempt(
    engine: Engine, *, service: ComplianceService, clock: Clock, attempt: dict[str, Any], lang: str = "zh",
    source: str = "api",
) -> AttemptDecision:
    """Judge one attempt in the scenario format (without `expect`). `pack` defaults to cn_strict and `now` to
    the clock's instant. The decision is appended to the decision log (with `source`) in one transaction."""
    raw = {k: v for k, v in attempt.items() if k != "expect"}
    raw.setdefault("pack", DEFAULT_PACK)
    raw.setdefault("now", clock.now().isoformat())
    with engine.begin() as conn:
        try:
            decision, digest = service.check(raw, log=DecisionRepository(conn), source=source)
        except ScenarioError as exc:
            raise CheckInputError(exc.field or "body", exc.message) from exc
        except (ValueError, KeyError) as exc:  # e.g. an unknown pack
            raise CheckInputError("pack" if "pack" in str(exc) else "body", str(exc)) from exc
    return AttemptDecision(decision.to_result(lang), digest, decision.pack, decision.pack_version)


def guard_check(
    text: str, *, lang: str | None = None, audience: str = "debtor", litigation_filed: bool | None = None,
    judgment: bool | None = None, suggestion_lang: str = "zh",
) -> dict[str, object]:
    """The text guard's JSON for one text (textguard.md: violation, categories, score, spans), plus the claims
    it found and a suggested rewrite when the text is blocked."""
    from arrears.textguard import CaseFacts, default_guard
    from arrears.textguard.evaluation import report_json

    if audience not in AUDIENCES:
        raise CheckInputError("audience", f"must be one of {', '.join(AUDIENCES)}")
    if lang not in (None, "zh", "en"):
        raise CheckInputError("lang", "must be zh or en")
    facts = None
    if litigation_filed is not None or judgment is not None:
        facts = CaseFacts(litigation_filed=litigation_filed, judgment=judgment)
    guard = default_guard()
    report = guard.check(text, audience=audience, lang=lang, facts=facts)
    out = report_json(None, report, with_id=False)
    out["claims"] = sorted(c.value for c in report.claims)
    out["suggestion"] = guard.suggestion(report, lang or suggestion_lang)
    return out
