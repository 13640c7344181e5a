"""Read side of the workspace: what one account shows (notes, outcomes, promises, plans, visits, messages,
tasks, restrictions), the user's due follow-ups and pending approvals, the outbox. Scope-checked; contact values
appear masked only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, Engine, and_, bindparam, exists, func, literal, select

from arrears.services.access import scope_for
from arrears.services.account_views import CustomerView
from arrears.services.auth import User
from arrears.services.masking import mask_contact
from arrears.services.workspace.common import can_read
from arrears.services.workspace.scripts import suggest_scenario
from arrears.storage import direct
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
    scripts,
)

LIMIT = 50


def _rows(conn: Any, q: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(q).mappings()]


def account_workspace(engine: Engine, *, user: User, borrower_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        can_read(conn, user, borrower_id)
        return read_account_workspace(conn, user=user, borrower_id=borrower_id)[0]


_b: BindParameter[str] = bindparam("b")


def _any(table: Any, *where: Any) -> Any:
    return exists(select(literal(1)).select_from(table).where(*where))


# What the account has, in ONE statement (`FLAGS`; the customer view page reads it with the view's own reads):
# a fresh account (the common case) needs no other query. Also the
# newest planned step (for the suggested scenario) and the script library's fingerprint (for its cache).
_STEP = (
    select(plan_contacts.c.script, plan_contacts.c.step)
    .join(plan_runs, plan_runs.c.run_id == plan_contacts.c.run_id)
    .where(plan_contacts.c.borrower_id == _b)
    .order_by(plan_runs.c.plan_date.desc(), plan_contacts.c.seq)
    .limit(1)
)
FLAGS = select(
    _any(notes, notes.c.borrower_id == _b).label("notes"),
    _any(
        attempt_outcomes.join(
            contact_attempts, contact_attempts.c.attempt_id == attempt_outcomes.c.attempt_id
        ),
        contact_attempts.c.borrower_id == _b,
    ).label("outcomes"),
    _any(promises, promises.c.borrower_id == _b).label("promises"),
    _any(promises, promises.c.borrower_id == _b, promises.c.status == "broken").label("broken"),
    _any(follow_ups, follow_ups.c.borrower_id == _b, follow_ups.c.status == "open").label("tasks"),
    _any(payment_plans, payment_plans.c.borrower_id == _b).label("plans"),
    _any(field_visits, field_visits.c.borrower_id == _b).label("visits"),
    _any(outbox, outbox.c.borrower_id == _b).label("messages"),
    _any(
        contact_restrictions,
        contact_restrictions.c.borrower_id == _b,
        contact_restrictions.c.lifted_at.is_(None),
    ).label("restrictions"),
    _any(
        contact_attempts,
        contact_attempts.c.borrower_id == _b,
        contact_attempts.c.party_id == _b,
        contact_attempts.c.outcome == "conversation",
    ).label("reached"),
    _STEP.with_only_columns(plan_contacts.c.script).scalar_subquery().label("step_script"),
    _STEP.with_only_columns(plan_contacts.c.step).scalar_subquery().label("step_step"),
    select(func.count()).select_from(scripts).scalar_subquery().label("scripts_n"),
    select(func.max(scripts.c.version)).scalar_subquery().label("scripts_v"),
)


def read_account_workspace(
    conn: Connection, *, user: User, borrower_id: str, view: CustomerView | None = None
) -> tuple[dict[str, Any], tuple[object, ...]]:
    """The workspace part of one account (the caller has checked the user may read it) and the script
    library's fingerprint. With `view` (the customer view read on the same connection), its contact points,
    parties, loans and buckets are reused instead of read again."""
    b = borrower_id
    prefetched = view.prefetched.get(FLAGS) if view is not None else None
    f = (prefetched if prefetched is not None else direct.rows(conn, FLAGS, {"b": b}))[0]
    points: list[dict[str, Any]]
    if view is not None:
        points = sorted(
            (
                {
                    "contact_point_id": cp.contact_point_id,
                    "owner_id": party.party_id,
                    "kind": cp.kind,
                    "opted_out": cp.opted_out,
                    "masked": cp.value_masked,
                }
                for party in view.contacts
                for cp in party.points
            ),
            key=lambda p: str(p["contact_point_id"]),
        )
        third = {party.party_id: party.role for party in view.contacts[1:]}
        loan_ids = sorted(ln.loan_id for ln in view.loans)
        dated = [ln for ln in view.loans if ln.as_of is not None]
        bucket = max(dated, key=lambda ln: ln.as_of or date.min).bucket if dated else None
    else:
        points = _rows(
            conn,
            select(
                contact_points.c.contact_point_id,
                contact_points.c.owner_id,
                contact_points.c.kind,
                contact_points.c.value,
                contact_points.c.opted_out,
            )
            .where(contact_points.c.borrower_id == b)
            .order_by(contact_points.c.contact_point_id),
        )
        for p in points:
            p["masked"] = mask_contact(p["kind"], p.pop("value"))
        third = dict(
            conn.execute(select(parties.c.party_id, parties.c.role).where(parties.c.borrower_id == b)).all()
        )
        loan_ids = list(
            conn.execute(
                select(loans.c.loan_id).where(loans.c.borrower_id == b).order_by(loans.c.loan_id)
            ).scalars()
        )
        bucket = conn.execute(
            select(loan_delinquency.c.bucket)
            .join(loans, loans.c.loan_id == loan_delinquency.c.loan_id)
            .where(loans.c.borrower_id == b)
            .order_by(loan_delinquency.c.as_of.desc())
            .limit(1)
        ).scalar()
    plans: list[dict[str, Any]] = []
    if f.plans:
        plans = _rows(
            conn,
            select(payment_plans)
            .where(payment_plans.c.borrower_id == b)
            .order_by(payment_plans.c.plan_id.desc())
            .limit(LIMIT),
        )
        for p in plans:
            p["instalments"] = _rows(
                conn,
                select(plan_instalments.c.seq, plan_instalments.c.due_date, plan_instalments.c.amount_minor)
                .where(plan_instalments.c.plan_id == p["plan_id"])
                .order_by(plan_instalments.c.seq),
            )
    outcomes: list[dict[str, Any]] = []
    if f.outcomes:
        outcomes = _rows(
            conn,
            select(
                attempt_outcomes.c.attempt_id,
                attempt_outcomes.c.kind,
                attempt_outcomes.c.detail_json,
                attempt_outcomes.c.recorded_by,
                attempt_outcomes.c.recorded_at,
                contact_attempts.c.channel,
                contact_attempts.c.party_id,
            )
            .join(contact_attempts, contact_attempts.c.attempt_id == attempt_outcomes.c.attempt_id)
            .where(contact_attempts.c.borrower_id == b)
            .order_by(attempt_outcomes.c.recorded_at.desc())
            .limit(LIMIT),
        )
        for o in outcomes:
            o["detail"] = json.loads(o.pop("detail_json"))
    messages: list[dict[str, Any]] = []
    if f.messages:
        messages = _rows(
            conn,
            select(
                outbox.c.message_id,
                outbox.c.channel,
                outbox.c.contact_point_id,
                outbox.c.body,
                outbox.c.status,
                outbox.c.provider,
                outbox.c.delivery_status,
                outbox.c.error,
                outbox.c.created_by,
                outbox.c.created_at,
                outbox.c.sent_at,
            )
            .where(outbox.c.borrower_id == b)
            .order_by(outbox.c.created_at.desc())
            .limit(LIMIT),
        )
    last = outcomes[0]["kind"] if outcomes else None
    ws = {
        "borrower_id": b,
        "loans": loan_ids,
        "points": points,
        "parties": third,
        "notes": _rows(
            conn,
            select(notes).where(notes.c.borrower_id == b).order_by(notes.c.created_at.desc()).limit(LIMIT),
        )
        if f.notes
        else [],
        "outcomes": outcomes,
        "promises": _rows(
            conn,
            select(promises)
            .where(promises.c.borrower_id == b)
            .order_by(promises.c.made_at.desc())
            .limit(LIMIT),
        )
        if f.promises
        else [],
        "tasks": _rows(
            conn,
            select(follow_ups)
            .where(follow_ups.c.borrower_id == b, follow_ups.c.status == "open")
            .order_by(follow_ups.c.due_at),
        )
        if f.tasks
        else [],
        "plans": plans,
        "visits": _rows(
            conn,
            select(field_visits)
            .where(field_visits.c.borrower_id == b)
            .order_by(field_visits.c.visit_id.desc())
            .limit(LIMIT),
        )
        if f.visits
        else [],
        "messages": messages,
        "restrictions": _rows(
            conn,
            select(contact_restrictions).where(
                contact_restrictions.c.borrower_id == b, contact_restrictions.c.lifted_at.is_(None)
            ),
        )
        if f.restrictions
        else [],
        "suggested": suggest_scenario(
            template=f.step_script if f.step_step is not None else None,
            last_outcome=last,
            promise_broken=bool(f.broken),
            bucket=bucket,
            ever_reached=bool(f.reached),
        ),
    }
    return ws, (f.scripts_n, f.scripts_v)


_DUE_TASKS: dict[tuple[object, ...], Any] = {}


def due_tasks(engine: Engine | Connection, *, user: User, until: datetime) -> list[dict[str, Any]]:
    """Open follow-ups due by `until` on the accounts the user may see, soonest first (callbacks and promises).
    Takes the engine, or an open connection to read on."""
    scope = scope_for(user)
    q = _DUE_TASKS.get(scope.shape)
    if q is None:  # built once per scope shape (the ids are bind parameters)
        q = _DUE_TASKS[scope.shape] = (
            select(follow_ups)
            .where(
                follow_ups.c.status == "open",
                follow_ups.c.due_at <= bindparam("until"),
                scope.bound_copy().visible(follow_ups.c.borrower_id),
            )
            .order_by(follow_ups.c.due_at)
            .limit(200)
        )
    with _connected(engine) as conn:
        return direct.mappings(conn, q, {"until": until, **scope.params()})


@contextmanager
def _connected(engine: Engine | Connection) -> Iterator[Connection]:
    if isinstance(engine, Connection):
        yield engine
        return
    with engine.connect() as conn:
        yield conn


def pending_approvals(engine: Engine | Connection, *, user: User) -> dict[str, list[dict[str, Any]]]:
    if user.role != "team_lead":
        return {"plans": [], "visits": []}
    scope = scope_for(user)
    with _connected(engine) as conn:
        return {
            "plans": _rows(
                conn,
                select(payment_plans)
                .where(
                    payment_plans.c.status == "pending_approval", scope.visible(payment_plans.c.borrower_id)
                )
                .order_by(payment_plans.c.proposed_at),
            ),
            "visits": _rows(
                conn,
                select(field_visits)
                .where(field_visits.c.status == "requested", scope.visible(field_visits.c.borrower_id))
                .order_by(field_visits.c.requested_at),
            ),
        }


def list_outbox(
    engine: Engine, *, user: User, status: str | None = None, page: int = 1, size: int = 50
) -> tuple[list[dict[str, Any]], int]:
    scope = scope_for(user)
    cond = [scope.visible(outbox.c.borrower_id)]
    if status:
        cond.append(outbox.c.status == status)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(outbox).where(and_(*cond))).scalar_one()
        rows = _rows(
            conn,
            select(
                outbox.c.message_id,
                outbox.c.borrower_id,
                outbox.c.channel,
                outbox.c.contact_point_id,
                outbox.c.body,
                outbox.c.status,
                outbox.c.provider,
                outbox.c.provider_message_id,
                outbox.c.delivery_status,
                outbox.c.attempts,
                outbox.c.error,
                outbox.c.created_by,
                outbox.c.created_at,
                outbox.c.sent_at,
            )
            .where(and_(*cond))
            .order_by(outbox.c.created_at.desc(), outbox.c.message_id)
            .offset((page - 1) * size)
            .limit(size),
        )
    return rows, int(total)


def owner_of(engine: Engine, *, plan_id: int | None = None, visit_id: int | None = None) -> str | None:
    """The account a plan or a visit belongs to (None if there is no such record)."""
    table, key = (
        (payment_plans, payment_plans.c.plan_id)
        if plan_id is not None
        else (field_visits, field_visits.c.visit_id)
    )
    with engine.connect() as conn:
        b = conn.execute(
            select(table.c.borrower_id).where(key == (plan_id if plan_id is not None else visit_id))
        ).scalar()
    return str(b) if b is not None else None
