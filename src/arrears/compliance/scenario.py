"""Parse the scenario YAML format (shared/spec/compliance/scenario-format.md) into engine requests.

Unknown fields are errors; every error names the file, the scenario id and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from arrears.compliance import model as m
from arrears.compliance.rules.params import HHMM
from arrears.domain.enums import (
    Audience,
    Channel,
    ContactPointKind,
    Direction,
    LenderType,
    Outcome,
    Purpose,
    Role,
    Source,
)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioError(ValueError):
    def __init__(self, file: str, scenario: str | None, field: str | None, message: str) -> None:
        self.file, self.scenario, self.field, self.message = file, scenario, field, message
        where = file
        if scenario:
            where += f": scenario {scenario}"
        if field:
            where += f": field {field}"
        super().__init__(f"{where}: {message}")


class _S(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlagsIn(_S):
    unreachable: bool = False
    cease_written_at: AwareDatetime | None = None
    dispute_open: bool = False
    validation_period_end: date | None = None
    attorney_represented: bool = False
    time_barred: bool = False
    breathing_space_until: date | None = None
    vulnerability: tuple[str, ...] = ()
    deceased: bool = False
    bankruptcy: bool = False


class WindowIn(_S):
    date: date
    from_: HHMM = Field(alias="from")
    to: HHMM


class DailyIn(_S):
    from_: HHMM = Field(alias="from")
    to: HHMM


class ConsentIn(_S):
    given_at: AwareDatetime
    channel: Channel
    for_date: date | None = None


class DebtorIn(_S):
    id: str
    timezones: tuple[str, ...] = ()
    is_minor: bool = False
    flags: FlagsIn = FlagsIn()
    agreed_windows: list[WindowIn] | None = None
    inconvenient_times: list[DailyIn] | None = None
    consents: list[ConsentIn] | None = None


class DebtIn(_S):
    id: str
    lender_type: LenderType = LenderType.LICENSED
    contract_date: date | None = None
    apr: float | None = Field(default=None, ge=0)
    litigation_filed: bool = False
    court_order: bool = False
    amount_due_minor: int | None = None
    currency: str | None = None


class PartyIn(_S):
    id: str
    role: Role
    emergency_contact: bool = False
    refused_contact: bool = False
    relationship_evidence: bool = False
    verified_identity: bool = False


class PointIn(_S):
    id: str
    owner: str
    kind: ContactPointKind
    source: Source
    employer_provided: bool = False
    used_by_debtor_for_debt: bool = False
    opted_out: bool = False
    reassignment_checked_at: AwareDatetime | None = None


class HistoryIn(_S):
    at: AwareDatetime
    to: str
    point: str | None = None
    channel: Channel
    direction: Direction = Direction.OUT
    outcome: Outcome
    debt: str | None = None
    collector: str | None = None


class AgencyIn(_S):
    id: str
    whitelisted: bool


class VisitIn(_S):
    staff_count: int = Field(ge=0)
    recording: bool = False
    location_type: str = "home"
    notice_given_at: AwareDatetime | None = None


class AttachmentIn(_S):
    kind: str
    template_id: str | None = None


class AttemptIn(_S):
    to: str
    point: str | None = None
    channel: Channel
    debt: str | None = None
    collector: str | None = None
    text: str | None = None
    script: str | None = None
    purpose: Purpose = Purpose.COLLECT
    audience: Audience = Audience.ONE_TO_ONE
    attachments: list[AttachmentIn] | None = None
    visit: VisitIn | None = None


class ExpectIn(_S):
    decision: str
    rules: list[str] | None = None


class ScenarioIn(_S):
    id: str
    pack: str
    now: AwareDatetime
    note: str | None = None
    collector: str | None = None
    agency: AgencyIn | None = None
    debtor: DebtorIn
    debts: list[DebtIn] | None = None
    parties: list[PartyIn] | None = None
    contact_points: list[PointIn] | None = None
    history: list[HistoryIn] | None = None
    attempt: AttemptIn
    expect: ExpectIn | None = None


@dataclass(frozen=True, slots=True)
class Expect:
    decision: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    pack: str
    request: m.CheckRequest
    expect: Expect | None
    raw: dict[str, Any]  # the input as read (for hashing and the decision log)


def _apr_bp(apr: float | None) -> int | None:
    return None if apr is None else int((Decimal(str(apr)) * 10000).to_integral_value())


def to_request(s: ScenarioIn) -> m.CheckRequest:
    d = s.debtor
    f = d.flags
    debtor = m.Debtor(
        id=d.id,
        timezones=tuple(d.timezones),
        is_minor=d.is_minor,
        flags=m.DebtorFlags(
            unreachable=f.unreachable,
            cease_written_at=f.cease_written_at,
            dispute_open=f.dispute_open,
            validation_period_end=f.validation_period_end,
            attorney_represented=f.attorney_represented,
            time_barred=f.time_barred,
            breathing_space_until=f.breathing_space_until,
            vulnerability=tuple(f.vulnerability),
            deceased=f.deceased,
            bankruptcy=f.bankruptcy,
        ),
        agreed_windows=tuple(m.AgreedWindow(w.date, w.from_, w.to) for w in d.agreed_windows or ()),
        inconvenient_times=tuple(m.DailyTimes(r.from_, r.to) for r in d.inconvenient_times or ()),
        consents=tuple(m.Consent(c.given_at, c.channel, c.for_date) for c in d.consents or ()),
    )
    case = m.Case(
        debtor=debtor,
        debts=tuple(
            m.Debt(
                id=x.id,
                lender_type=x.lender_type,
                contract_date=x.contract_date,
                apr_bp=_apr_bp(x.apr),
                litigation_filed=x.litigation_filed,
                court_order=x.court_order,
                amount_due_minor=x.amount_due_minor,
                currency=x.currency,
            )
            for x in s.debts or ()
        ),
        parties=tuple(
            m.Party(p.id, p.role, p.emergency_contact, p.refused_contact, p.relationship_evidence, p.verified_identity)
            for p in s.parties or ()
        ),
        contact_points=tuple(
            m.ContactPoint(
                c.id, c.owner, c.kind, c.source, c.employer_provided, c.used_by_debtor_for_debt, c.opted_out,
                c.reassignment_checked_at,
            )
            for c in s.contact_points or ()
        ),
        history=tuple(
            m.HistoryEntry(
                at=h.at, to=h.to, channel=h.channel, direction=h.direction, outcome=h.outcome, point=h.point,
                debt=h.debt, collector=h.collector,
            )
            for h in s.history or ()
        ),
        agency=m.Agency(s.agency.id, s.agency.whitelisted) if s.agency else None,
        collector=s.collector,
    )
    a = s.attempt
    attempt = m.Attempt(
        to=a.to,
        channel=a.channel,
        point=a.point,
        debt=a.debt,
        collector=a.collector or s.collector,
        text=a.text,
        script=a.script,
        purpose=a.purpose,
        audience=a.audience,
        attachments=tuple(m.Attachment(x.kind, x.template_id) for x in a.attachments or ()),
        visit=(
            m.Visit(a.visit.staff_count, a.visit.recording, a.visit.location_type, a.visit.notice_given_at)
            if a.visit
            else None
        ),
    )
    return m.CheckRequest(now=s.now, case=case, attempt=attempt)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (("." if out else "") + str(x))
    return out


def parse_scenario(raw: Any, file: str = "<input>", index: int = 0) -> Scenario:
    sid = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") is not None else f"#{index + 1}"
    if not isinstance(raw, dict):
        raise ScenarioError(file, sid, None, "expected a mapping")
    try:
        s = ScenarioIn.model_validate(raw)
    except ValidationError as err:
        e = err.errors()[0]
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        raise ScenarioError(file, sid, _loc(loc) or None, e["msg"]) from err
    try:
        req = to_request(s)
    except ValueError as e:
        raise ScenarioError(file, sid, None, str(e)) from e
    exp = Expect(s.expect.decision, tuple(s.expect.rules or ())) if s.expect else None
    return Scenario(id=s.id, pack=s.pack, request=req, expect=exp, raw=raw)


def load_scenarios(path: str | Path) -> list[Scenario]:
    p = Path(path)
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(file, None, None, f"cannot read: {e.strerror or e}") from e
    return parse_scenarios_text(text, file)


def parse_scenarios_text(text: str, file: str = "<input>") -> list[Scenario]:
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise ScenarioError(file, None, None, f"not valid YAML: {e}") from e
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise ScenarioError(file, None, None, "expected a list of scenarios")
    out: list[Scenario] = []
    ids: set[str] = set()
    for i, raw in enumerate(doc):
        sc = parse_scenario(raw, file, i)
        if sc.id in ids:
            raise ScenarioError(file, sc.id, "id", "duplicate scenario id")
        ids.add(sc.id)
        out.append(sc)
    return out


__all__ = ["Expect", "Scenario", "ScenarioError", "datetime", "load_scenarios", "parse_scenario"]
