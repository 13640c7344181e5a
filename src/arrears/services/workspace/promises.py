"""Promises to pay: kept once the loan has received the promised amount since the promise was made; broken once
the due date plus the grace days have passed without it. `evaluate_promises` settles every open promise as of a
date (run it daily, before planning); `promise_status` is the rule itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update

from arrears.domain.clock import Clock
from arrears.storage import audit
from arrears.storage.tables import payments
from arrears.storage.tables_work import follow_ups, promises


@dataclass(frozen=True, slots=True)
class PromiseState:
    status: str  # open | kept | broken
    paid_minor: int
    resolved_on: date | None


def promise_status(
    *, amount_minor: int, due_date: date, grace_days: int, paid: Iterable[tuple[date, int]], as_of: date
) -> PromiseState:
    """`paid`: (local payment date, amount) of payments made since the promise, any order.

    Kept on the day the running total reaches the amount, if that day is within due date + grace; broken the day
    after due date + grace when the total (counted up to that last day) falls short; open otherwise."""
    last_day = due_date + timedelta(days=grace_days)
    total = 0
    for day, amount in sorted(paid):
        if day > as_of or day > last_day:
            break
        total += amount
        if total >= amount_minor:
            return PromiseState("kept", total, day)
    if as_of > last_day:
        return PromiseState("broken", total, last_day + timedelta(days=1))
    return PromiseState("open", total, None)


@dataclass(frozen=True, slots=True)
class PromiseRun:
    kept: int
    broken: int
    still_open: int


def evaluate_promises(engine: Engine, *, clock: Clock, as_of: date, tz: str, actor: str = "system:promises") -> PromiseRun:
    """Settle the open promises as of `as_of` (local dates in `tz`); close their follow-up tasks when settled."""
    zone = ZoneInfo(tz)
    kept = broken = still = 0
    now = clock.now()
    with engine.begin() as conn:
        rows = conn.execute(select(promises).where(promises.c.status == "open")).mappings().all()
        for p in rows:
            pays = conn.execute(
                select(payments.c.paid_at, payments.c.amount_minor).where(
                    payments.c.loan_id == p["loan_id"], payments.c.paid_at >= p["made_at"]
                )
            ).all()
            state = promise_status(
                amount_minor=p["amount_minor"], due_date=p["due_date"], grace_days=p["grace_days"],
                paid=[(_day(at, zone), int(amt)) for at, amt in pays], as_of=as_of,
            )
            if state.status == "open":
                still += 1
                if state.paid_minor != p["paid_minor"]:
                    conn.execute(update(promises).where(promises.c.promise_id == p["promise_id"])
                                 .values(paid_minor=state.paid_minor))
                continue
            kept += state.status == "kept"
            broken += state.status == "broken"
            conn.execute(
                update(promises).where(promises.c.promise_id == p["promise_id"], promises.c.status == "open")
                .values(status=state.status, paid_minor=state.paid_minor, resolved_on=state.resolved_on)
            )
            if state.status == "kept":
                conn.execute(
                    update(follow_ups)
                    .where(follow_ups.c.promise_id == p["promise_id"], follow_ups.c.status == "open")
                    .values(status="done", closed_at=now)
                )
            audit.append(conn, at=now, actor=actor, action=f"workspace.promise_{state.status}",
                         subject=f"borrower:{p['borrower_id']}",
                         detail={"promise_id": p["promise_id"], "paid_minor": state.paid_minor,
                                 "as_of": as_of.isoformat()})
    return PromiseRun(kept, broken, still)


def _day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()
