"""Golden cases beside each strategy (`packs/cases/<strategy>.yaml`): account facts on a day -> the expected
segment, variant, treatment and the step ids due that day. `arrears strategy check` and the tests run them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from arrears.domain.enums import LenderType, Outcome
from arrears.strategy.loader import StrategyError, error_location, packs_dir, read_yaml
from arrears.strategy.model import AccountFacts, PromiseState, Strategy
from arrears.strategy.select import due_today


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactsSpec(_Strict):
    account_id: StrictStr
    bucket: StrictStr
    dpd: StrictInt = Field(ge=0)
    balance_minor: StrictInt = Field(ge=0)
    instalment_due_date: date
    score: StrictInt | None = None
    product: StrictStr = ""
    region: StrictStr = ""
    language: StrictStr = "zh"
    lender_type: LenderType = LenderType.LICENSED
    vulnerable: StrictBool = False
    bucket_entry_date: date | None = None
    promise_due_date: date | None = None
    promise_state: PromiseState = PromiseState.NONE
    broken_promises: StrictInt = Field(default=0, ge=0)
    no_rpc_days: StrictInt = Field(default=0, ge=0)
    last_outcomes: list[Outcome] = Field(default_factory=list)
    borrower_unreachable: StrictBool = False
    has_guarantor: StrictBool = False

    def to_facts(self) -> AccountFacts:
        data = self.model_dump()
        data["last_outcomes"] = tuple(self.last_outcomes)
        return AccountFacts(**data)


class ExpectSpec(_Strict):
    segment: StrictStr
    variant: StrictStr | None = None
    treatment: StrictStr | None = None
    due_today: list[StrictStr]


class CaseSpec(_Strict):
    id: StrictStr
    note: StrictStr | None = None
    as_of: date
    facts: FactsSpec
    expect: ExpectSpec


class CaseFileSpec(_Strict):
    strategy: StrictStr
    cases: list[CaseSpec] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class GoldenCase:
    id: str
    as_of: date
    facts: AccountFacts
    segment: str
    variant: str | None
    treatment: str | None
    due_today: tuple[str, ...]


def load_cases(path: str | Path) -> tuple[str, tuple[GoldenCase, ...]]:
    """(strategy name, cases) from one case file."""
    p = Path(path)
    raw = read_yaml(p)
    try:
        spec = CaseFileSpec.model_validate(raw)
    except ValidationError as err:
        e = err.errors()[0]
        where, field = error_location(raw, tuple(e["loc"]))
        raise StrategyError(str(p), where, field, e["msg"]) from err
    cases = tuple(
        GoldenCase(c.id, c.as_of, c.facts.to_facts(), c.expect.segment, c.expect.variant, c.expect.treatment,
                   tuple(c.expect.due_today))
        for c in spec.cases
    )
    return spec.strategy, cases


def case_files(strategy_name: str) -> tuple[Path, ...]:
    return tuple(sorted((packs_dir() / "cases").glob(f"{strategy_name}*.yaml")))


def run_case(strategy: Strategy, case: GoldenCase) -> tuple[str, ...]:
    """Differences between what the strategy does and what the case expects (empty = pass)."""
    sel, actions = due_today(strategy, case.facts, case.as_of)
    diffs: list[str] = []
    if sel.segment.id != case.segment:
        diffs.append(f"segment: expected {case.segment}, got {sel.segment.id}")
    if case.variant is not None and sel.variant.id != case.variant:
        diffs.append(f"variant: expected {case.variant}, got {sel.variant.id} (bp {sel.assignment.bp})")
    if case.treatment is not None and sel.treatment.id != case.treatment:
        diffs.append(f"treatment: expected {case.treatment}, got {sel.treatment.id}")
    got = tuple(a.step_id for a in actions)
    if got != case.due_today:
        diffs.append(f"due today: expected {list(case.due_today)}, got {list(got)}")
    return tuple(diffs)
