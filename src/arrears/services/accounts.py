"""Reading accounts for the workspace: the paginated list of the accounts a user may see, and the customer
view ("know the customer first"): profile, loans with schedule and payments, DPD and bucket history, score,
holds, the designated contacts (masked) and their status, contact history, and today's planned step with its
reason. Opening a customer view is written to the audit log. Every read goes through the user's `Scope`."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, select

from arrears.domain.clock import Clock
from arrears.services.access import NotVisible, Scope, require_read
from arrears.services.account_views import (
    AccountPage,
    AccountSummary,
    AttemptView,
    BucketSpell,
    ContactPointView,
    CustomerView,
    DpdPoint,
    Holdback,
    HoldView,
    Instalment,
    LoanView,
    PartyView,
    Payment,
    PlannedStep,
    Profile,
    Today,
)
from arrears.services.auth import User
from arrears.services.masking import mask_contact
from arrears.storage import audit
from arrears.storage.tables import (
    borrowers,
    bucket_history,
    contact_attempts,
    contact_points,
    holds,
    instalments,
    loan_delinquency,
    loan_scores,
    loans,
    parties,
    payments,
)
from arrears.storage.tables_plan import agents, assignments, plan_contacts, plan_holdbacks, plan_runs

ATTEMPTS_SHOWN = 100
DPD_HISTORY_SHOWN = 90


def _split(text: str | None) -> list[str]:
    return [p for p in (text or "").split(";") if p]


def local_date(clock: Clock, timezone: str) -> date:
    return clock.now().astimezone(ZoneInfo(timezone)).date()


# ---------------------------------------------------------------- list


def list_accounts(engine: Engine, *, scope: Scope, page: int = 1, size: int = 50) -> AccountPage:
    """The accounts the user may see, by borrower id, one page at a time, with their worst DPD and overdue."""
    page = max(1, page)
    size = max(1, min(size, 200))
    visible = scope.visible(borrowers.c.borrower_id)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(borrowers).where(visible)).scalar_one()
        rows = conn.execute(
            select(borrowers.c.borrower_id, borrowers.c.name, borrowers.c.region, assignments.c.agent_id,
                   agents.c.team_id)
            .select_from(
                borrowers.outerjoin(assignments, assignments.c.borrower_id == borrowers.c.borrower_id)
                .outerjoin(agents, agents.c.agent_id == assignments.c.agent_id)
            )
            .where(visible)
            .order_by(borrowers.c.borrower_id)
            .limit(size)
            .offset((page - 1) * size)
        ).all()
        ids = [r.borrower_id for r in rows]
        facts = _latest_facts(conn, ids)
    items = [
        AccountSummary(r.borrower_id, r.name, r.region, r.agent_id, r.team_id, *facts.get(r.borrower_id, (0, None, None, 0)))
        for r in rows
    ]
    return AccountPage(items, page, size, int(total))


def _latest_facts(conn: Connection, borrower_ids: list[str]) -> dict[str, tuple[int, int | None, str | None, int]]:
    """Per borrower: (loans, worst dpd, its bucket, overdue) from each loan's latest delinquency snapshot."""
    if not borrower_ids:
        return {}
    latest = (
        select(loan_delinquency.c.loan_id, func.max(loan_delinquency.c.as_of).label("as_of"))
        .join(loans, loans.c.loan_id == loan_delinquency.c.loan_id)
        .where(loans.c.borrower_id.in_(borrower_ids))
        .group_by(loan_delinquency.c.loan_id)
        .subquery()
    )
    rows = conn.execute(
        select(loans.c.borrower_id, loans.c.loan_id, loan_delinquency.c.dpd, loan_delinquency.c.bucket,
               (loan_delinquency.c.overdue_principal_minor + loan_delinquency.c.overdue_interest_minor
                + loan_delinquency.c.overdue_penalty_minor).label("overdue"))
        .select_from(
            loans.outerjoin(latest, latest.c.loan_id == loans.c.loan_id).outerjoin(
                loan_delinquency,
                and_(loan_delinquency.c.loan_id == latest.c.loan_id, loan_delinquency.c.as_of == latest.c.as_of),
            )
        )
        .where(loans.c.borrower_id.in_(borrower_ids))
    ).all()
    out: dict[str, tuple[int, int | None, str | None, int]] = {}
    for r in rows:
        n, dpd, bucket, overdue = out.get(r.borrower_id, (0, None, None, 0))
        if r.dpd is not None and (dpd is None or r.dpd > dpd):
            dpd, bucket = r.dpd, r.bucket
        out[r.borrower_id] = (n + 1, dpd, bucket, overdue + int(r.overdue or 0))
    return out


# ---------------------------------------------------------------- customer view


def customer_view(
    engine: Engine, *, user: User, scope: Scope, borrower_id: str, clock: Clock, timezone: str,
    audit_source: str = "web",
) -> CustomerView:
    """Everything about one account the user may see; raises `NotVisible`. Audited as `account.view`."""
    today = local_date(clock, timezone)
    with engine.begin() as conn:
        require_read(conn, scope, borrower_id)
        prof = _profile(conn, borrower_id)
        if prof is None:
            raise NotVisible(borrower_id)
        loan_views = _loans(conn, borrower_id)
        hold_rows = conn.execute(
            select(holds).where(holds.c.borrower_id == borrower_id).order_by(holds.c.start.desc())
        ).mappings().all()
        hold_views = [
            HoldView(h["hold_id"], h["loan_id"], h["kind"], h["start"], h["end"], h["reason"],
                     h["start"] <= today and (h["end"] is None or h["end"] >= today))
            for h in hold_rows
        ]
        contacts, masked_points, roles = _contacts(conn, borrower_id)
        attempts, total = _attempts(conn, borrower_id, masked_points, roles)
        today_view = _today(conn, borrower_id, today, masked_points)
        audit.append(conn, at=clock.now(), actor=user.actor, action="account.view",
                     subject=f"borrower:{borrower_id}", detail={"masked": True, "source": audit_source})
    return CustomerView(prof, loan_views, hold_views, contacts, attempts, total, today_view)


def _profile(conn: Connection, borrower_id: str) -> Profile | None:
    row = conn.execute(
        select(borrowers, assignments.c.agent_id, agents.c.name.label("agent_name"), agents.c.team_id)
        .select_from(
            borrowers.outerjoin(assignments, assignments.c.borrower_id == borrowers.c.borrower_id)
            .outerjoin(agents, agents.c.agent_id == assignments.c.agent_id)
        )
        .where(borrowers.c.borrower_id == borrower_id)
    ).mappings().first()
    if row is None:
        return None
    return Profile(row["borrower_id"], row["name"], row["region"], _split(row["timezones"]), row["language"],
                   bool(row["is_minor"]), _split(row["vulnerability"]), row["national_id_masked"],
                   row["agent_id"], row["agent_name"], row["team_id"])


def _loans(conn: Connection, borrower_id: str) -> list[LoanView]:
    loan_rows = conn.execute(
        select(loans).where(loans.c.borrower_id == borrower_id).order_by(loans.c.contract_date, loans.c.loan_id)
    ).mappings().all()
    ids = [r["loan_id"] for r in loan_rows]
    if not ids:
        return []
    sched: dict[str, list[Instalment]] = defaultdict(list)
    for r in conn.execute(select(instalments).where(instalments.c.loan_id.in_(ids))
                          .order_by(instalments.c.loan_id, instalments.c.seq)).mappings():
        fee = int(r["fee_minor"] or 0)
        sched[r["loan_id"]].append(Instalment(r["seq"], r["due_date"], r["principal_minor"], r["interest_minor"],
                                              fee, r["principal_minor"] + r["interest_minor"] + fee))
    pays: dict[str, list[Payment]] = defaultdict(list)
    for r in conn.execute(select(payments).where(payments.c.loan_id.in_(ids))
                          .order_by(payments.c.loan_id, payments.c.paid_at)).mappings():
        pays[r["loan_id"]].append(Payment(r["payment_id"], r["paid_at"], r["amount_minor"], r["channel"]))
    dpd: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in conn.execute(select(loan_delinquency).where(loan_delinquency.c.loan_id.in_(ids))
                          .order_by(loan_delinquency.c.loan_id, loan_delinquency.c.as_of.desc())).mappings():
        if len(dpd[r["loan_id"]]) < DPD_HISTORY_SHOWN:
            dpd[r["loan_id"]].append(dict(r))
    spells: dict[str, list[BucketSpell]] = defaultdict(list)
    for r in conn.execute(select(bucket_history).where(bucket_history.c.loan_id.in_(ids))
                          .order_by(bucket_history.c.loan_id, bucket_history.c.start_date)).mappings():
        spells[r["loan_id"]].append(BucketSpell(r["start_date"], r["end_date"], r["bucket"]))
    scores: dict[str, dict[str, object]] = {}
    for r in conn.execute(select(loan_scores).where(loan_scores.c.loan_id.in_(ids))
                          .order_by(loan_scores.c.loan_id, loan_scores.c.as_of)).mappings():
        scores[r["loan_id"]] = dict(r)  # the last one (latest as_of) wins
    out: list[LoanView] = []
    for ln in loan_rows:
        lid = ln["loan_id"]
        latest = dpd[lid][0] if dpd[lid] else None
        sc = scores.get(lid)
        out.append(LoanView(
            loan_id=lid, lender=ln["lender"], lender_type=ln["lender_type"], licence=ln["licence"],
            product=ln["product"], currency=ln["currency"], principal_minor=ln["principal_minor"],
            apr_all_in_bp=ln["apr_all_in_bp"], contract_date=ln["contract_date"],
            as_of=latest["as_of"] if latest else None,  # type: ignore[arg-type]
            dpd=latest["dpd"] if latest else None,  # type: ignore[arg-type]
            bucket=latest["bucket"] if latest else None,  # type: ignore[arg-type]
            overdue_principal_minor=int(latest["overdue_principal_minor"]) if latest else 0,  # type: ignore[call-overload]
            overdue_interest_minor=int(latest["overdue_interest_minor"]) if latest else 0,  # type: ignore[call-overload]
            overdue_penalty_minor=int(latest["overdue_penalty_minor"]) if latest else 0,  # type: ignore[call-overload]
            non_demandable_minor=int(latest["non_demandable_minor"]) if latest else 0,  # type: ignore[call-overload]
            rate_flags=_split(latest["rate_flags"]) if latest else [],  # type: ignore[arg-type]
            score=float(sc["score"]) if sc else None,  # type: ignore[arg-type]
            score_as_of=sc["as_of"] if sc else None,  # type: ignore[arg-type]
            model_version=sc["model_version"] if sc else None,  # type: ignore[arg-type]
            paid_minor=sum(p.amount_minor for p in pays[lid]),
            instalments=sched[lid], payments=pays[lid],
            dpd_history=[DpdPoint(d["as_of"], d["dpd"], d["bucket"]) for d in dpd[lid]],  # type: ignore[arg-type]
            bucket_history=spells[lid],
        ))
    return out


def _contacts(conn: Connection, borrower_id: str) -> tuple[list[PartyView], dict[str, str], dict[str, str]]:
    """Parties (the borrower first) with their masked contact points; also id -> masked value, id -> role."""
    points: dict[str, list[ContactPointView]] = defaultdict(list)
    masked: dict[str, str] = {}
    for r in conn.execute(select(contact_points).where(contact_points.c.borrower_id == borrower_id)
                          .order_by(contact_points.c.contact_point_id)).mappings():
        m = mask_contact(r["kind"], r["value"])
        masked[r["contact_point_id"]] = m
        points[r["owner_id"]].append(ContactPointView(r["contact_point_id"], r["kind"], m, r["source"],
                                                      bool(r["opted_out"]), bool(r["employer_provided"])))
    name = conn.execute(select(borrowers.c.name).where(borrowers.c.borrower_id == borrower_id)).scalar_one()
    roles = {borrower_id: "debtor"}
    out = [PartyView(borrower_id, "debtor", name, None, False, False, True, points.get(borrower_id, []))]
    for p in conn.execute(select(parties).where(parties.c.borrower_id == borrower_id)
                          .order_by(parties.c.party_id)).mappings():
        roles[p["party_id"]] = p["role"]
        out.append(PartyView(p["party_id"], p["role"], p["name"], p["relation"], bool(p["emergency_contact"]),
                             bool(p["refused_contact"]), bool(p["relationship_evidence"]),
                             points.get(p["party_id"], [])))
    return out, masked, roles


def _attempts(
    conn: Connection, borrower_id: str, masked: dict[str, str], roles: dict[str, str], limit: int = ATTEMPTS_SHOWN
) -> tuple[list[AttemptView], int]:
    total = conn.execute(
        select(func.count()).select_from(contact_attempts).where(contact_attempts.c.borrower_id == borrower_id)
    ).scalar_one()
    rows = conn.execute(
        select(contact_attempts).where(contact_attempts.c.borrower_id == borrower_id)
        .order_by(contact_attempts.c.at.desc(), contact_attempts.c.attempt_id).limit(limit)
    ).mappings().all()
    out = [
        AttemptView(r["attempt_id"], r["at"], r["loan_id"], r["party_id"], roles.get(r["party_id"], "unknown"),
                    masked.get(r["contact_point_id"]) if r["contact_point_id"] else None, r["channel"],
                    r["direction"], r["outcome"], r["collector_id"], r["text"])
        for r in rows
    ]
    return out, int(total)


def list_attempts(
    engine: Engine, *, scope: Scope, borrower_id: str, page: int = 1, size: int = 50
) -> tuple[list[AttemptView], int]:
    """Contact history of one account, newest first, paginated (masked contact points)."""
    page, size = max(1, page), max(1, min(size, 200))
    with engine.connect() as conn:
        require_read(conn, scope, borrower_id)
        if conn.execute(select(borrowers.c.borrower_id).where(borrowers.c.borrower_id == borrower_id)).first() is None:
            raise NotVisible(borrower_id)
        _, masked, roles = _contacts(conn, borrower_id)
        total = conn.execute(
            select(func.count()).select_from(contact_attempts).where(contact_attempts.c.borrower_id == borrower_id)
        ).scalar_one()
        rows = conn.execute(
            select(contact_attempts).where(contact_attempts.c.borrower_id == borrower_id)
            .order_by(contact_attempts.c.at.desc(), contact_attempts.c.attempt_id)
            .limit(size).offset((page - 1) * size)
        ).mappings().all()
    items = [
        AttemptView(r["attempt_id"], r["at"], r["loan_id"], r["party_id"], roles.get(r["party_id"], "unknown"),
                    masked.get(r["contact_point_id"]) if r["contact_point_id"] else None, r["channel"],
                    r["direction"], r["outcome"], r["collector_id"], r["text"])
        for r in rows
    ]
    return items, int(total)


def latest_run_id(conn: Connection, plan_date: date) -> int | None:
    """The newest succeeded plan run for the date."""
    rid = conn.execute(
        select(func.max(plan_runs.c.run_id)).where(plan_runs.c.plan_date == plan_date,
                                                   plan_runs.c.status == "succeeded")
    ).scalar()
    return int(rid) if rid is not None else None


def _today(conn: Connection, borrower_id: str, today: date, masked: dict[str, str]) -> Today:
    run_id = latest_run_id(conn, today)
    if run_id is None:
        return Today(today, None, [], None)
    steps = [
        PlannedStep(r["seq"], r["channel"], r["segment"], r["treatment"], r["step"], r["strategy_variant"], r["script"],
                    r["window_start"], r["window_end"], float(r["priority"]), int(r["expected_recovery_minor"]),
                    r["score"], bool(r["promise_due"]), r["agent_id"], r["rank"], _rules(r["rules_json"]),
                    r["party_id"], masked.get(r["contact_point_id"]) if r["contact_point_id"] else None,
                    r["status"])
        for r in conn.execute(
            select(plan_contacts).where(plan_contacts.c.run_id == run_id, plan_contacts.c.borrower_id == borrower_id)
            .order_by(plan_contacts.c.seq)
        ).mappings()
    ]
    hb = conn.execute(
        select(plan_holdbacks).where(plan_holdbacks.c.run_id == run_id, plan_holdbacks.c.borrower_id == borrower_id)
    ).mappings().first()
    holdback = Holdback(hb["reason"], _rules(hb["rules_json"]), hb["detail"]) if hb else None
    return Today(today, run_id, steps, holdback)


def _rules(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
