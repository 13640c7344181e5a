"""The compliance case for one account, built from the database in the scenario format
(shared/spec/compliance/scenario-format.md), so the composer and visit scheduling ask the engine exactly the
question the scenario harness asks. Holds, restrictions and consents recorded in the workspace are folded in."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, or_, select

from arrears.storage.tables import (
    borrowers,
    contact_attempts,
    contact_points,
    holds,
    loan_delinquency,
    loans,
    parties,
)
from arrears.storage.tables_work import contact_consents, contact_restrictions

UTC_PLUS_14 = timezone(timedelta(hours=14))
HISTORY_DAYS = 35  # long enough for every counter, cooldown and "unreachable for 3 days" rule in the packs


def _split(text: str | None) -> list[str]:
    return [v for v in (text or "").split(";") if v]


def build_case(
    conn: Connection, *, borrower_id: str, now: datetime, pack: str, attempt: dict[str, Any],
    collector: str | None = None, home_tz: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """A scenario dict (without `expect`) for `attempt` on this account at `now`."""
    b = conn.execute(select(borrowers).where(borrowers.c.borrower_id == borrower_id)).mappings().one()
    today = now.astimezone(ZoneInfo(home_tz)).date()
    active_holds = conn.execute(
        select(holds).where(
            holds.c.borrower_id == borrower_id, holds.c.start <= today,
            or_(holds.c.end.is_(None), holds.c.end > today),
        )
    ).mappings().all()
    kinds = {h["kind"] for h in active_holds}
    restrictions = conn.execute(
        select(contact_restrictions).where(
            contact_restrictions.c.borrower_id == borrower_id, contact_restrictions.c.lifted_at.is_(None)
        )
    ).mappings().all()
    # The same reading of holds as the planner's case file (planner/casefile.py): a cease hold counts from the
    # first instant of its start date anywhere (UTC+14); hardship joins the vulnerability flags.
    flags: dict[str, Any] = {
        "dispute_open": "dispute" in kinds,
        "deceased": "deceased" in kinds,
        "bankruptcy": "bankruptcy" in kinds,
        "vulnerability": _split(b["vulnerability"]) + (["hardship"] if "hardship" in kinds else []),
    }
    ceases = [r["received_at"] for r in restrictions if r["scope"] == "cease" and r["written"]]
    ceases += [datetime.combine(h["start"], time(0, 0), tzinfo=UTC_PLUS_14) for h in active_holds if h["kind"] == "cease"]
    if ceases:
        flags["cease_written_at"] = min(ceases).isoformat()
    bs = [h["end"] for h in active_holds if h["kind"] == "breathing_space" and h["end"] is not None]
    if bs:
        flags["breathing_space_until"] = (max(bs) - timedelta(days=1)).isoformat()

    consents = conn.execute(
        select(contact_consents).where(
            contact_consents.c.borrower_id == borrower_id, contact_consents.c.party_id == borrower_id,
            contact_consents.c.window_end >= now - timedelta(days=HISTORY_DAYS),
        )
    ).mappings().all()
    zone = ZoneInfo(home_tz)
    agreed = []
    for c in consents:
        s, e = c["window_start"].astimezone(zone), c["window_end"].astimezone(zone)
        if s.date() == e.date():
            agreed.append({"date": s.date().isoformat(), "from": s.strftime("%H:%M"), "to": e.strftime("%H:%M")})
    debtor: dict[str, Any] = {
        "id": borrower_id,
        "timezones": _split(b["timezones"]),
        "is_minor": bool(b["is_minor"]),
        "flags": flags,
        "agreed_windows": agreed,
        "consents": [
            {"given_at": c["given_at"].isoformat(), "channel": c["channel"], "for_date": c["for_date"].isoformat()}
            for c in consents
        ],
    }
    latest = (
        select(loan_delinquency.c.loan_id, func.max(loan_delinquency.c.as_of).label("as_of"))
        .group_by(loan_delinquency.c.loan_id).subquery()
    )
    debt_rows = conn.execute(
        select(loans, loan_delinquency.c.overdue_principal_minor, loan_delinquency.c.overdue_interest_minor,
               loan_delinquency.c.overdue_penalty_minor)
        .select_from(
            loans.outerjoin(latest, latest.c.loan_id == loans.c.loan_id).outerjoin(
                loan_delinquency,
                and_(loan_delinquency.c.loan_id == latest.c.loan_id, loan_delinquency.c.as_of == latest.c.as_of),
            )
        )
        .where(loans.c.borrower_id == borrower_id)
    ).mappings().all()
    debts = []
    for d in debt_rows:
        due = None
        if d["overdue_principal_minor"] is not None:
            due = int(d["overdue_principal_minor"] + d["overdue_interest_minor"] + d["overdue_penalty_minor"])
        debts.append({
            "id": d["loan_id"], "lender_type": d["lender_type"], "contract_date": d["contract_date"].isoformat(),
            "apr": d["apr_all_in_bp"] / 10000, "amount_due_minor": due, "currency": d["currency"],
        })
    refused = {r["party_id"] for r in restrictions if r["scope"] == "party_refused"}
    party_rows = conn.execute(select(parties).where(parties.c.borrower_id == borrower_id)).mappings().all()
    party_list = [
        {"id": p["party_id"], "role": p["role"], "emergency_contact": bool(p["emergency_contact"]),
         "refused_contact": bool(p["refused_contact"]) or p["party_id"] in refused,
         "relationship_evidence": bool(p["relationship_evidence"])}
        for p in party_rows
    ]
    stopped = {r["contact_point_id"] for r in restrictions
               if r["contact_point_id"] and r["scope"] in ("opt_out", "wrong_number", "party_refused")}
    points = conn.execute(select(contact_points).where(contact_points.c.borrower_id == borrower_id)).mappings().all()
    point_list = [
        {"id": c["contact_point_id"], "owner": c["owner_id"], "kind": c["kind"], "source": c["source"],
         "employer_provided": bool(c["employer_provided"]),
         "opted_out": bool(c["opted_out"]) or c["contact_point_id"] in stopped}
        for c in points
    ]
    known = {borrower_id} | {p["id"] for p in party_list}
    hist = conn.execute(
        select(contact_attempts).where(
            contact_attempts.c.borrower_id == borrower_id,
            contact_attempts.c.at >= now - timedelta(days=HISTORY_DAYS), contact_attempts.c.at <= now,
        )
    ).mappings().all()
    history = [
        {"at": h["at"].isoformat(), "to": h["party_id"], "point": h["contact_point_id"], "channel": h["channel"],
         "direction": h["direction"], "outcome": h["outcome"], "debt": h["loan_id"], "collector": h["collector_id"]}
        for h in hist if h["party_id"] in known
    ]
    return {
        "id": f"{borrower_id}@{now.isoformat()}",
        "pack": pack,
        "now": now.isoformat(),
        "collector": collector,
        "debtor": debtor,
        "debts": debts,
        "parties": party_list,
        "contact_points": point_list,
        "history": history,
        "attempt": attempt,
    }


def restriction_gates(
    conn: Connection, *, borrower_id: str, party_id: str, point_id: str | None, channel: str, now: datetime,
    home_tz: str = "Asia/Shanghai",
) -> list[tuple[str, str, str]]:
    """The workspace's own gates, checked before the engine: a contact the customer asked us to stop. Every pack
    does not model them (a CN debtor's opt-out of one number, a cease for the whole account), so the workspace
    enforces them itself. Returns (gate id, reason zh, reason en) for each that applies."""
    today = now.astimezone(ZoneInfo(home_tz)).date()
    out: list[tuple[str, str, str]] = []
    cease = conn.execute(select(holds.c.hold_id).where(
        holds.c.borrower_id == borrower_id, holds.c.kind == "cease", holds.c.start <= today,
        or_(holds.c.end.is_(None), holds.c.end > today)).limit(1)).first()
    if cease is not None and party_id == borrower_id:
        out.append(("WS-CEASE", "客户已要求停止联系(停止催收联系)", "the customer asked us to stop contacting them (cease)"))
    rows = conn.execute(select(contact_restrictions).where(
        contact_restrictions.c.borrower_id == borrower_id, contact_restrictions.c.lifted_at.is_(None))).mappings().all()
    for r in rows:
        if r["scope"] == "party_refused" and r["party_id"] == party_id and party_id != borrower_id:
            out.append(("WS-PARTY-REFUSED", "此联系人已要求不再联系", "this person asked not to be contacted again"))
        elif r["contact_point_id"] == point_id and point_id is not None and (
            r["scope"] == "wrong_number" or (r["scope"] == "opt_out" and r["channel"] in (None, channel))
        ):
            out.append(("WS-OPT-OUT", "该联系方式已退订或号码错误,不得使用", "this contact point is opted out or a wrong number"))
    if point_id is not None and not any(g[0] == "WS-OPT-OUT" for g in out):
        flagged = conn.execute(select(contact_points.c.opted_out).where(
            contact_points.c.contact_point_id == point_id)).scalar()
        if flagged:
            out.append(("WS-OPT-OUT", "该联系方式已退订,不得使用", "this contact point is opted out"))
    return list(dict.fromkeys(out))
