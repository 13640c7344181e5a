"""The workspace's periodic jobs, one call each for the scheduler (`arrears work evaluate`, `arrears outbox
dispatch`): settle promises and payment plans as of a day (run daily, before the plan), and send what the
outbox holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from arrears.domain.clock import Clock
from arrears.services.workspace.outbox import DispatchReport, dispatch_outbox, transports_from_settings
from arrears.services.workspace.plans import evaluate_plans
from arrears.services.workspace.promises import PromiseRun, evaluate_promises
from arrears.settings import Settings


@dataclass(frozen=True, slots=True)
class Evaluation:
    as_of: date
    promises: PromiseRun
    plans: dict[str, int]  # kept | broken | active


def evaluate_day(engine: Engine, *, clock: Clock, settings: Settings, as_of: date) -> Evaluation:
    """Promises kept or broken, then payment plans kept or broken (their holds end), as of `as_of`."""
    promises = evaluate_promises(engine, clock=clock, as_of=as_of, tz=settings.timezone)
    plans = evaluate_plans(engine, clock=clock, settings=settings, as_of=as_of)
    return Evaluation(as_of, promises, plans)


def dispatch_once(engine: Engine, *, clock: Clock, settings: Settings, limit: int = 100) -> DispatchReport:
    """One pass of the outbox dispatcher over at most `limit` queued messages, with the configured transports."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return dispatch_outbox(engine, clock=clock, settings=settings, transports=transports_from_settings(settings),
                           limit=limit)
