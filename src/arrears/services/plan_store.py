"""Write a plan run to the database: plan_runs, plan_contacts, plan_holdbacks and strategy_assignments, and an
audit record, all in the caller's transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, delete, insert, select, update

from arrears.storage import audit
from arrears.storage.tables_plan import plan_contacts, plan_holdbacks, plan_runs, strategy_assignments

BATCH = 5_000


def _rules(ids: str | None) -> str:
    return json.dumps([r for r in (ids or "").split(";") if r])


def _ts(s: int) -> datetime:
    return datetime.fromtimestamp(int(s), UTC)


def _by_worklist(c: dict[str, Any]) -> tuple[bool, str, int, str, int]:
    return (c["agent_id"] is None, c["agent_id"] or "", c["rank"] or 0, c["borrower_id"], c["seq"])


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i : i + BATCH])


def start_run(
    conn: Connection,
    *,
    plan_date: date,
    at: datetime,
    pack: str,
    pack_version: str,
    strategy: str,
    strategy_version: str,
) -> int:
    res = conn.execute(
        insert(plan_runs).values(
            plan_date=plan_date,
            created_at=at,
            pack=pack,
            pack_version=pack_version,
            strategy=strategy,
            strategy_version=strategy_version,
            status="running",
            counts_json="{}",
        )
    )
    key = res.inserted_primary_key
    assert key is not None
    return int(key[0])


def write_run(
    conn: Connection,
    run_id: int,
    tables: dict[str, pa.Table],
    *,
    plan_date: date,
    strategy: str,
    counts_json: str,
) -> None:
    contacts = [
        {
            "run_id": run_id,
            "borrower_id": r["borrower_id"],
            "seq": r["seq"],
            "loan_id": r["loan_id"],
            "party_id": r["party_id"],
            "contact_point_id": r["contact_point_id"],
            "channel": r["channel"],
            "segment": r["segment"],
            "strategy_variant": r["variant"],
            "treatment": r["treatment"],
            "step": r["step"],
            "script": r["script"],
            "window_start": _ts(r["window_start_s"]),
            "window_end": _ts(r["window_end_s"]),
            "timezone": r["tz"],
            "priority": float(r["priority"]),
            "expected_recovery_minor": int(r["expected_recovery_minor"] or 0),
            "score": r["score"],
            "promise_due": bool(r["promise_due"]),
            "agent_id": r["agent_id"],
            "rank": r["agent_rank"],
            "rules_json": _rules(r["rule_ids"]),
            "status": r["status"],
        }
        for r in tables["plan_contacts"].to_pylist()
    ]
    # Each agent's worklist side by side in the table, in rank order: the worklist page then reads its rows from
    # a few blocks instead of one block per row (the contacts no agent works come last)
    contacts.sort(key=_by_worklist)
    _insert(conn, plan_contacts, contacts)
    holdbacks = [
        {
            "run_id": run_id,
            "borrower_id": r["borrower_id"],
            "reason": r["reason"],
            "rules_json": _rules(r["rule_ids"]),
            "detail": json.dumps(
                {
                    "dpd": r["dpd"],
                    "bucket": r["bucket"],
                    "balance_minor": r["balance_minor"],
                    **({"hold_kind": r["hold_kind"]} if r.get("hold_kind") else {}),
                }
            ),
        }
        for r in tables["plan_holdbacks"].to_pylist()
    ]
    _insert(conn, plan_holdbacks, holdbacks)
    sa = strategy_assignments.c
    first = dict(conn.execute(select(sa.borrower_id, sa.first_run_id).where(sa.strategy == strategy)).all())
    conn.execute(delete(strategy_assignments).where(sa.strategy == strategy))
    rows = [
        {
            "borrower_id": r["borrower_id"],
            "strategy": strategy,
            "segment": r["segment"],
            "variant": r["variant"],
            "bucket_key": r["variant_bp"],
            "first_run_id": first.get(r["borrower_id"], run_id),
            "last_seen": plan_date,
        }
        for r in tables["selection"].to_pylist()
    ]
    _insert(conn, strategy_assignments, rows)
    conn.execute(
        update(plan_runs)
        .where(plan_runs.c.run_id == run_id)
        .values(status="succeeded", counts_json=counts_json)
    )


def audit_run(
    conn: Connection, *, at: datetime, actor: str, run_id: int, plan_date: date, detail: dict[str, Any]
) -> None:
    audit.append(
        conn,
        at=at,
        actor=actor,
        action="plan.run",
        subject=f"plan_run:{run_id}:{plan_date.isoformat()}",
        detail=detail,
    )
