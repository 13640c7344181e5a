"""Rule kinds: each maps a pack rule's `params` schema to a compiled check. One module per family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arrears.compliance.rules import (
    content,
    electronic,
    frequency,
    holds,
    lineage,
    parties,
    rates,
    time_window,
    us_7in7,
    visits,
)
from arrears.compliance.rules.base import Compiled, RuleMeta
from arrears.compliance.rules.params import CompanionParams, NoParams, Params


@dataclass(frozen=True, slots=True)
class Kind:
    params: type[Params]
    compile: Callable[[RuleMeta, Any], Compiled]
    tighten: dict[str, str]  # param -> how a policy layer may change it (le, ge, subset, superset, ...)
    temporal: bool = False  # can a later instant change the answer?
    doc: str = ""


KINDS: dict[str, Kind] = {
    "time_window": Kind(time_window.TimeWindowParams, time_window.compile_rule, time_window.TIGHTEN, True, "contact hours in every candidate zone"),
    "frequency": Kind(frequency.FrequencyParams, frequency.compile_rule, frequency.TIGHTEN, True, "daily caps and minimum gaps"),
    "us_7in7": Kind(us_7in7.SevenInSevenParams, us_7in7.compile_rule, us_7in7.TIGHTEN, True, "Reg F 7-in-7 presumption"),
    "party_gate": Kind(parties.PartyGateParams, parties.compile_party_gate, parties.RECIPIENT_TIGHTEN, doc="who may be collected from"),
    "relationship_evidence": Kind(parties.EvidenceParams, parties.compile_evidence, {"roles": "superset"}, doc="debt-related relatives need evidence"),
    "third_party_demand": Kind(parties.DemandParams, parties.compile_demand, parties.RECIPIENT_TIGHTEN, doc="no demands to non-obligors"),
    "third_party_contact": Kind(parties.ThirdPartyContactParams, parties.compile_third_party, {**parties.RECIPIENT_TIGHTEN, "consecutive_failed_dials": "ge"}, doc="locate-only escalation ladder"),
    "content_category": Kind(content.CategoryParams, content.compile_category, {"categories": "superset", "claims": "superset"}, doc="forbidden content categories"),
    "claims": Kind(content.ClaimsParams, content.compile_claims, content.CLAIMS_TIGHTEN, doc="claims checked against the case state"),
    "phrases": Kind(content.PhrasesParams, content.compile_phrases, {"phrases": "superset", "claims": "superset", "negatable": "false_stays"}, doc="forbidden phrases"),
    "required": Kind(content.RequiredParams, content.compile_required, {"claims_any": "subset", "phrases_any": "subset"}, doc="required message elements"),
    "disclosure": Kind(content.DisclosureParams, content.compile_disclosure, {**parties.RECIPIENT_TIGHTEN, "threat_categories": "superset", "threat_claims": "superset", "fact_claims": "superset", "public_fires": "true_stays", "collect_purpose_fires": "true_stays"}, doc="no debt facts to third parties"),
    "audience": Kind(content.AudienceParams, content.compile_audience, {"audiences": "superset", "channels": "superset"}, doc="no group or public audience"),
    "images": Kind(content.ImagesParams, content.compile_images, {"kinds": "superset", "approved_templates": "registry", "claims": "superset"}, doc="approved image templates only"),
    "data_lineage": Kind(lineage.LineageParams, lineage.compile_lineage, lineage.TIGHTEN, doc="lawful contact-point sources"),
    "agency": Kind(lineage.AgencyParams, lineage.compile_agency, {"require_whitelisted": "true_stays"}, doc="whitelisted agencies only"),
    "visit": Kind(visits.VisitParams, visits.compile_visit, visits.TIGHTEN, True, doc="visit plan checks"),
    "hold": Kind(holds.HoldParams, holds.compile_hold, holds.TIGHTEN, doc="account holds"),
    "rate": Kind(rates.RateParams, rates.compile_rate, rates.TIGHTEN, doc="legal-rate caps on demands"),
    "esafe": Kind(electronic.EsafeParams, electronic.compile_esafe, {"reassignment_max_days": "le"}, doc="text/email safe harbour"),
    "work_email": Kind(NoParams, electronic.compile_work_email, {}, doc="no employer-provided email"),
    "medium_optout": Kind(electronic.OptOutParams, electronic.compile_medium_optout, {"reply_once": "false_stays"}, doc="opted-out media"),
    "time_bar": Kind(electronic.TimeBarParams, electronic.compile_time_bar, {"claims": "superset", "purposes": "superset"}, doc="time-barred debts"),
    "verify": Kind(electronic.VerifyParams, electronic.compile_verify, {"phrases": "superset", "fact_claims": "superset"}, doc="verify identity before disclosure"),
    "companion": Kind(CompanionParams, lambda meta, p: Compiled(lambda ev: ()), {"with_kinds": "superset"}, doc="fires alongside other rules (e.g. CN-AI-1)"),
}
