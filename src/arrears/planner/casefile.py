"""One candidate and its borrower's rows -> the scenario dict `arrears compliance check` accepts
(`compliance.scenario.parse_scenario`, shared/spec/compliance/scenario-format.md).

The single mapping from the planner's relations (`relations.py`) to the engine's input: the equivalence
property test and the "no worklist entry fails `arrears compliance check`" test both use it, and the
column-wise rules (`rules/`) implement the same reading. Rows are mappings keyed by the relation's column
names, or tuples in the relation's column order.

Holds active on the plan date D (start_date <= D < end_date, or no end) become debtor flags:
- cease -> flags.cease_written_at = 00:00 of the earliest start_date at UTC+14:00 (the first instant of that
  date anywhere, so it precedes every contact proposed on D);
- dispute -> dispute_open; deceased -> deceased; bankruptcy -> bankruptcy;
- breathing_space -> breathing_space_until = the latest end_date - 1 day (end is exclusive), 9999-12-31 when
  open-ended;
- hardship -> a "hardship" entry in flags.vulnerability (next to "vulnerable" when accounts.vulnerable);
- complaint -> no engine flag (the strategy decides what to do during a complaint).
Holds on one loan flag the debtor (the engine's flags are per debtor): the conservative reading.
accounts.unreachable -> flags.unreachable. Agreed windows, inconvenient times, consents, attorney and
time-bar flags: none (the planner's relations carry none). The attempt has no text, audience one_to_one,
no attachments; a visit candidate carries its visit_plans row, if any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from arrears.planner.relations import (
    ACCOUNT_ZONES,
    ACCOUNTS,
    CANDIDATES,
    HISTORY,
    HOLDS,
    LOANS,
    PARTIES,
    POINTS,
    VISIT_PLANS,
    Relation,
)

Row = Mapping[str, Any] | Sequence[Any]
UTC_PLUS_14 = timezone(timedelta(hours=14))
OPEN_END = date(9999, 12, 31)


def as_dict(relation: Relation, row: Row) -> dict[str, Any]:
    if isinstance(row, Mapping):
        missing = [c for c in relation.column_names if c not in row]
        if missing:
            raise ValueError(f"{relation.name} row lacks columns {missing}")
        return {c: row[c] for c in relation.column_names}
    if len(row) != len(relation.columns):
        raise ValueError(f"{relation.name} row has {len(row)} values, expected {len(relation.columns)}")
    return dict(zip(relation.column_names, row, strict=True))


def _iso(at_s: int) -> str:
    return datetime.fromtimestamp(at_s, UTC).isoformat()


def active_holds(holds: Iterable[Mapping[str, Any]], plan_date: date) -> list[Mapping[str, Any]]:
    return [h for h in holds if h["start_date"] <= plan_date and (h["end_date"] is None or h["end_date"] > plan_date)]


def debtor_flags(account: Mapping[str, Any], holds: Iterable[Mapping[str, Any]], plan_date: date) -> dict[str, Any]:
    act = active_holds(holds, plan_date)
    kinds = {h["kind"] for h in act}
    flags: dict[str, Any] = {}
    if account.get("unreachable"):
        flags["unreachable"] = True
    cease = [h["start_date"] for h in act if h["kind"] == "cease"]
    if cease:
        flags["cease_written_at"] = datetime.combine(min(cease), datetime.min.time(), UTC_PLUS_14).isoformat()
    if "dispute" in kinds:
        flags["dispute_open"] = True
    if "deceased" in kinds:
        flags["deceased"] = True
    if "bankruptcy" in kinds:
        flags["bankruptcy"] = True
    bs = [h["end_date"] for h in act if h["kind"] == "breathing_space"]
    if bs:
        flags["breathing_space_until"] = (
            OPEN_END.isoformat() if any(e is None for e in bs) else (max(bs) - timedelta(days=1)).isoformat()
        )
    vulnerability = (["vulnerable"] if account.get("vulnerable") else []) + (["hardship"] if "hardship" in kinds else [])
    if vulnerability:
        flags["vulnerability"] = vulnerability
    return flags


def casefile(
    *,
    pack: str,
    plan_date: date,
    account: Row,
    zones: Iterable[Row],
    loans: Iterable[Row] = (),
    parties: Iterable[Row] = (),
    points: Iterable[Row] = (),
    history: Iterable[Row] = (),
    holds: Iterable[Row] = (),
    candidate: Row,
    visit_plan: Row | None = None,
) -> dict[str, Any]:
    """The scenario dict for one candidate. Every row must belong to the candidate's borrower."""
    acc = as_dict(ACCOUNTS, account)
    cand = as_dict(CANDIDATES, candidate)
    bid = acc["borrower_id"]
    if cand["borrower_id"] != bid:
        raise ValueError(f"candidate {cand['cand_id']} belongs to {cand['borrower_id']}, not {bid}")

    def mine(rel: Relation, rows: Iterable[Row]) -> list[dict[str, Any]]:
        out = [as_dict(rel, r) for r in rows]
        for r in out:
            if r["borrower_id"] != bid:
                raise ValueError(f"{rel.name} row of borrower {r['borrower_id']} given for {bid}")
        return out

    zone_rows = sorted(mine(ACCOUNT_ZONES, zones), key=lambda z: z["zone_ord"])
    doc: dict[str, Any] = {
        "id": f"cand-{cand['cand_id']}",
        "pack": pack,
        "now": _iso(cand["at_s"]),
        "debtor": {
            "id": bid,
            "timezones": [z["tz"] for z in zone_rows],
            "is_minor": bool(acc["is_minor"]),
            "flags": debtor_flags(acc, mine(HOLDS, holds), plan_date),
        },
        "debts": [
            {
                "id": x["loan_id"],
                "lender_type": x["lender_type"],
                "contract_date": x["contract_date"].isoformat() if x["contract_date"] else None,
                "apr": None if x["apr_bp"] is None else x["apr_bp"] / 10000,
            }
            for x in mine(LOANS, loans)
        ],
        "parties": [
            {
                "id": p["party_id"],
                "role": p["role"],
                "emergency_contact": bool(p["emergency_contact"]),
                "refused_contact": bool(p["refused_contact"]),
                "relationship_evidence": bool(p["relationship_evidence"]),
            }
            for p in mine(PARTIES, parties)
        ],
        "contact_points": [
            {
                "id": c["contact_point_id"],
                "owner": c["owner_id"],
                "kind": c["kind"],
                "source": c["source"],
                "employer_provided": bool(c["employer_provided"]),
                "opted_out": bool(c["opted_out"]),
            }
            for c in mine(POINTS, points)
        ],
        "history": [
            {
                "at": _iso(h["at_s"]),
                "to": h["party_id"],
                "point": h["contact_point_id"],
                "channel": h["channel"],
                "direction": h["direction"],
                "outcome": h["outcome"],
            }
            for h in mine(HISTORY, history)
        ],
    }
    if acc["agency_id"] is not None:
        doc["agency"] = {"id": acc["agency_id"], "whitelisted": bool(acc["agency_whitelisted"])}
    attempt: dict[str, Any] = {
        "to": cand["party_id"],
        "point": cand["contact_point_id"],
        "channel": cand["channel"],
        "debt": cand["loan_id"],
        "script": cand["script"],
        "purpose": cand["purpose"],
    }
    if visit_plan is not None:
        v = as_dict(VISIT_PLANS, visit_plan)
        if v["cand_id"] != cand["cand_id"]:
            raise ValueError(f"visit plan of candidate {v['cand_id']} given for {cand['cand_id']}")
        attempt["visit"] = {
            "staff_count": int(v["staff_count"] or 0),
            "recording": bool(v["recording"]),
            "location_type": v["location_type"] or "home",
            "notice_given_at": None if v["notice_at_s"] is None else _iso(v["notice_at_s"]),
        }
    doc["attempt"] = attempt
    return doc
