"""Workspace objects on another team's account (B101), for the authorisation suite's walk over every route."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, insert

from arrears.storage.tables_work import field_visits, payment_plans, plan_instalments


def seed_foreign_workspace(engine: Engine) -> dict[str, str]:
    at = datetime(2026, 3, 9, 2, tzinfo=UTC)
    with engine.begin() as c:
        plan_id = c.execute(insert(payment_plans).values(
            borrower_id="B101", loan_id="L-B101", status="pending_approval", outstanding_minor=836000,
            waiver_minor=200000, instalment_count=3, interval_days=30, first_due=date(2026, 3, 20),
            proposed_by="agent2", proposed_at=at)).inserted_primary_key[0]
        c.execute(insert(plan_instalments).values(plan_id=plan_id, seq=1, due_date=date(2026, 3, 20),
                                                  amount_minor=636000))
        visit_id = c.execute(insert(field_visits).values(
            borrower_id="B101", location_type="home", purpose="上门核实", status="requested", requested_by="agent2",
            requested_at=at)).inserted_primary_key[0]
    return {"plan_id": str(plan_id), "visit_id": str(visit_id)}
