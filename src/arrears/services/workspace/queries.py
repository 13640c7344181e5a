"""Read side of the workspace: what one account shows (notes, outcomes, promises, plans, visits, messages,
tasks, restrictions), the user's due follow-ups and pending approvals, the outbox. Scope-checked; contact values
appear masked only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select

from arrears.services.access import scope_for
from arrears.services.auth import User
from arrears.services.masking import mask_contact
from arrears.services.workspace.common import can_read
from arrears.services.workspace.scripts import suggest_scenario
from arrears.storage.tables import contact_attempts, contact_points, loan_delinquency, loans, parties
from arrears.storage.tables_plan import plan_contacts, plan_runs
from arrears.storage.tables_work import (
    attempt_outcomes,
    contact_restrictions,
    field_visits,
    follow_ups,
    notes,
    outbox,
    payment_plans,
    plan_instalments,
    promises,
)

LIMIT = 50


def _rows(conn: Any, q: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(q).mappings()]


def account_workspace(engine: Engine, *, user: User, borrower_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        can_read(conn, user, borrower_id)
        b = borrower_id
        points = _rows(conn, select(contact_points.c.contact_point_id, contact_points.c.owner_id, contact_points.c.kind,
                                    contact_points.c.value, contact_points.c.opted_out)
                       .where(contact_points.c.borrower_id == b).order_by(contact_points.c.contact_point_id))
        for p in points:
            p["masked"] = mask_contact(p["kind"], p.pop("value"))
        third = dict(conn.execute(select(parties.c.party_id, parties.c.role).where(parties.c.borrower_id == b)).all())
        plans = _rows(conn, select(payment_plans).where(payment_plans.c.borrower_id == b)
                      .order_by(payment_plans.c.plan_id.desc()).limit(LIMIT))
        for p in plans:
            p["instalments"] = _rows(conn, select(plan_instalments.c.seq, plan_instalments.c.due_date,
                                                  plan_instalments.c.amount_minor)
                                     .where(plan_instalments.c.plan_id == p["plan_id"]).order_by(plan_instalments.c.seq))
        outcomes = _rows(conn, select(attempt_outcomes.c.attempt_id, attempt_outcomes.c.kind, attempt_outcomes.c.detail_json,
                                      attempt_outcomes.c.recorded_by, attempt_outcomes.c.recorded_at,
                                      contact_attempts.c.channel, contact_attempts.c.party_id)
                         .join(contact_attempts, contact_attempts.c.attempt_id == attempt_outcomes.c.attempt_id)
                         .where(contact_attempts.c.borrower_id == b)
                         .order_by(attempt_outcomes.c.recorded_at.desc()).limit(LIMIT))
        for o in outcomes:
            o["detail"] = json.loads(o.pop("detail_json"))
        messages = _rows(conn, select(outbox.c.message_id, outbox.c.channel, outbox.c.contact_point_id, outbox.c.body,
                                      outbox.c.status, outbox.c.provider, outbox.c.delivery_status, outbox.c.error,
                                      outbox.c.created_by, outbox.c.created_at, outbox.c.sent_at)
                         .where(outbox.c.borrower_id == b).order_by(outbox.c.created_at.desc()).limit(LIMIT))
        last = outcomes[0]["kind"] if outcomes else None
        broken = conn.execute(select(func.count()).select_from(promises).where(
            promises.c.borrower_id == b, promises.c.status == "broken")).scalar_one()
        step = conn.execute(
            select(plan_contacts.c.script, plan_contacts.c.step).join(plan_runs, plan_runs.c.run_id == plan_contacts.c.run_id)
            .where(plan_contacts.c.borrower_id == b).order_by(plan_runs.c.plan_date.desc(), plan_contacts.c.seq).limit(1)
        ).first()
        bucket = conn.execute(
            select(loan_delinquency.c.bucket).join(loans, loans.c.loan_id == loan_delinquency.c.loan_id)
            .where(loans.c.borrower_id == b).order_by(loan_delinquency.c.as_of.desc()).limit(1)).scalar()
        reached = conn.execute(select(func.count()).select_from(contact_attempts).where(
            contact_attempts.c.borrower_id == b, contact_attempts.c.party_id == b,
            contact_attempts.c.outcome == "conversation")).scalar_one() > 0
        return {
            "borrower_id": b,
            "loans": list(conn.execute(select(loans.c.loan_id).where(loans.c.borrower_id == b)
                                       .order_by(loans.c.loan_id)).scalars()),
            "points": points,
            "parties": third,
            "notes": _rows(conn, select(notes).where(notes.c.borrower_id == b).order_by(notes.c.created_at.desc()).limit(LIMIT)),
            "outcomes": outcomes,
            "promises": _rows(conn, select(promises).where(promises.c.borrower_id == b)
                              .order_by(promises.c.made_at.desc()).limit(LIMIT)),
            "tasks": _rows(conn, select(follow_ups).where(follow_ups.c.borrower_id == b, follow_ups.c.status == "open")
                           .order_by(follow_ups.c.due_at)),
            "plans": plans,
            "visits": _rows(conn, select(field_visits).where(field_visits.c.borrower_id == b)
                            .order_by(field_visits.c.visit_id.desc()).limit(LIMIT)),
            "messages": messages,
            "restrictions": _rows(conn, select(contact_restrictions).where(
                contact_restrictions.c.borrower_id == b, contact_restrictions.c.lifted_at.is_(None))),
            "suggested": suggest_scenario(template=step.script if step else None, last_outcome=last,
                                          promise_broken=broken > 0, bucket=bucket, ever_reached=reached),
        }


def due_tasks(engine: Engine, *, user: User, until: datetime) -> list[dict[str, Any]]:
    """Open follow-ups due by `until` on the accounts the user may see, soonest first (callbacks and promises)."""
    scope = scope_for(user)
    with engine.connect() as conn:
        return _rows(conn, select(follow_ups).where(
            follow_ups.c.status == "open", follow_ups.c.due_at <= until, scope.visible(follow_ups.c.borrower_id))
            .order_by(follow_ups.c.due_at).limit(200))


def pending_approvals(engine: Engine, *, user: User) -> dict[str, list[dict[str, Any]]]:
    if user.role != "team_lead":
        return {"plans": [], "visits": []}
    scope = scope_for(user)
    with engine.connect() as conn:
        return {
            "plans": _rows(conn, select(payment_plans).where(
                payment_plans.c.status == "pending_approval", scope.visible(payment_plans.c.borrower_id))
                .order_by(payment_plans.c.proposed_at)),
            "visits": _rows(conn, select(field_visits).where(
                field_visits.c.status == "requested", scope.visible(field_visits.c.borrower_id))
                .order_by(field_visits.c.requested_at)),
        }


def list_outbox(engine: Engine, *, user: User, status: str | None = None, page: int = 1, size: int = 50
                ) -> tuple[list[dict[str, Any]], int]:
    scope = scope_for(user)
    cond = [scope.visible(outbox.c.borrower_id)]
    if status:
        cond.append(outbox.c.status == status)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(outbox).where(and_(*cond))).scalar_one()
        rows = _rows(conn, select(outbox.c.message_id, outbox.c.borrower_id, outbox.c.channel, outbox.c.contact_point_id,
                                  outbox.c.body, outbox.c.status, outbox.c.provider, outbox.c.provider_message_id,
                                  outbox.c.delivery_status, outbox.c.attempts, outbox.c.error, outbox.c.created_by,
                                  outbox.c.created_at, outbox.c.sent_at)
                     .where(and_(*cond)).order_by(outbox.c.created_at.desc(), outbox.c.message_id)
                     .offset((page - 1) * size).limit(size))
    return rows, int(total)


def owner_of(engine: Engine, *, plan_id: int | None = None, visit_id: int | None = None) -> str | None:
    """The account a plan or a visit belongs to (None if there is no such record)."""
    table, key = (payment_plans, payment_plans.c.plan_id) if plan_id is not None else (field_visits, field_visits.c.visit_id)
    with engine.connect() as conn:
        b = conn.execute(select(table.c.borrower_id).where(key == (plan_id if plan_id is not None else visit_id))).scalar()
    return str(b) if b is not None else None
