"""The worklist: today's planned contacts (the newest succeeded plan run for the date) for the signed-in
agent, or an agent's team for a lead, or everyone for compliance/admin — promises due first, then callbacks,
then the planner's rank."""

from __future__ import annotations

import itertools
import json
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, and_, bindparam, case, func, nulls_last, select

from arrears.services.access import Scope
from arrears.services.accounts import latest_run_id
from arrears.services.masking import mask_contact
from arrears.storage import direct
from arrears.storage.tables import borrowers, contact_points
from arrears.storage.tables_plan import plan_contacts, plan_runs

CALLBACK_STEPS = ("callback",)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WorkItem:
    position: int  # 1.. in the order shown
    borrower_id: str
    name: str
    seq: int
    loan_id: str | None
    channel: str
    segment: str
    treatment: str
    step: str
    strategy_variant: str
    script: str | None
    window_start: datetime
    window_end: datetime
    priority: float
    expected_recovery_minor: int
    score: float | None
    promise_due: bool
    callback: bool
    agent_id: str | None
    rank: int | None
    rules: list[str]
    contact_masked: str | None


@dataclass(frozen=True, slots=True)
class Worklist:
    plan_date: date
    run_id: int | None
    items: list[WorkItem]
    total: int
    page: int
    size: int
    # What the items were built from (see `_PAGES`): equal keys, equal items. None when built otherwise.
    key: PageKey | None = field(default=None, compare=False, repr=False)


def is_callback(step: str) -> bool:
    return step.lower() in CALLBACK_STEPS or step.lower().startswith("callback")


def worklist(
    engine: Engine,
    *,
    scope: Scope,
    plan_date: date,
    page: int = 1,
    size: int = 100,
    agent_id: str | None = None,
) -> Worklist:
    """One page of the worklist for `plan_date`. `agent_id` narrows a lead's (or compliance's) view to one
    agent; it never widens an agent's."""
    with engine.connect() as conn:
        return read_worklist(conn, scope=scope, plan_date=plan_date, page=page, size=size, agent_id=agent_id)


def worklist_with(
    engine: Engine,
    *,
    scope: Scope,
    plan_date: date,
    also: Callable[[Connection], T],
    page: int = 1,
    size: int = 100,
) -> tuple[Worklist, T]:
    """The worklist page and `also(conn)` (the page's panels), on one connection, in autocommit (reads only: each
    statement sees the latest commit, as in READ COMMITTED, without the BEGIN and ROLLBACK round trips)."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        wl = read_worklist(conn, scope=scope, plan_date=plan_date, page=page, size=size)
        return wl, also(conn)


_pc = plan_contacts
_NEWEST_RUN = (
    select(func.max(plan_runs.c.run_id))
    .where(plan_runs.c.plan_date == bindparam("day"), plan_runs.c.status == "succeeded")
    .scalar_subquery()
)
_CALLBACK_FIRST = case((func.lower(_pc.c.step).like("callback%"), 0), else_=1)


_PAGE_COLS = (
    _pc.c.run_id,
    _pc.c.borrower_id,
    _pc.c.seq,
    _pc.c.loan_id,
    _pc.c.channel,
    _pc.c.segment,
    _pc.c.treatment,
    _pc.c.step,
    _pc.c.strategy_variant,
    _pc.c.script,
    _pc.c.window_start,
    _pc.c.window_end,
    _pc.c.priority,
    _pc.c.expected_recovery_minor,
    _pc.c.score,
    _pc.c.promise_due,
    _pc.c.agent_id,
    _pc.c.rank,
    _pc.c.rules_json,
)
_STATEMENTS: dict[tuple[object, ...], tuple[Any, Any, Any]] = {}


def _statements(scope: Scope, narrowed: bool) -> tuple[Any, Any, Any]:
    """(page, rows, count) statements for a scope's shape, built once (the ids are bind parameters). The page is
    chosen, counted and sorted on plan_contacts alone; `page` then joins its own rows to the borrower's name and
    the planned contact point, `rows` (used while those are remembered: `_Labels`) does not."""
    key = (*scope.shape, narrowed)
    found = _STATEMENTS.get(key)
    if found is None:
        bound = scope.bound_copy()
        where = and_(
            _pc.c.run_id == _NEWEST_RUN,
            bound.visible_agents(_pc.c.agent_id),
            bound.visible(_pc.c.borrower_id),
        )
        if narrowed:
            where = and_(where, _pc.c.agent_id == bindparam("only_agent"))
        def chosen(*extra: Any) -> Any:
            """The page's plan rows (and `extra` columns), in the page's order."""
            return (
                select(*_PAGE_COLS, _pc.c.contact_point_id, *extra, func.count().over().label("total"))
                .where(where)
                .order_by(
                    _pc.c.promise_due.desc(),
                    _CALLBACK_FIRST,
                    nulls_last(_pc.c.rank.asc()),
                    _pc.c.priority.desc(),
                    _pc.c.borrower_id,
                    _pc.c.seq,
                )
                .limit(bindparam("size"))
                .offset(bindparam("skip"))
            )

        inner = chosen(_CALLBACK_FIRST.label("callback_first")).subquery("page")
        pg = inner.c
        page = (
            select(
                *[pg[c.name] for c in _PAGE_COLS],
                pg.contact_point_id,
                borrowers.c.name,
                contact_points.c.kind,
                contact_points.c.value,
                pg.total,
            )
            .select_from(
                inner.join(borrowers, borrowers.c.borrower_id == pg.borrower_id).outerjoin(
                    contact_points, contact_points.c.contact_point_id == pg.contact_point_id
                )
            )
            .order_by(
                pg.promise_due.desc(),
                pg.callback_first,
                nulls_last(pg.rank.asc()),
                pg.priority.desc(),
                pg.borrower_id,
                pg.seq,
            )
        )
        found = (page, chosen(), select(func.count()).select_from(_pc).where(where))
        _STATEMENTS[key] = found
    return found


def read_worklist(
    conn: Connection,
    *,
    scope: Scope,
    plan_date: date,
    page: int = 1,
    size: int = 100,
    agent_id: str | None = None,
) -> Worklist:
    """The worklist on an open connection: one statement (newest run, page and total) in the common case."""
    page, size = max(1, page), max(1, min(size, 500))
    page_q, plain_q, count_q = _statements(scope, bool(agent_id))
    params: dict[str, object] = {"day": plan_date, **scope.params()}
    if agent_id:
        params["only_agent"] = agent_id
    window = {**params, "size": size, "skip": (page - 1) * size}
    first = (page - 1) * size + 1
    # storage/direct.py: straight through the driver on PostgreSQL, one fetch for the page. The plan's rows
    # alone while their names and contact points are remembered; else the statement that joins them. The
    # page's key is (its first item's number, the labels' generation, its plan rows): an unchanged page is
    # one lookup (`_PAGES`), and is labelled and built again only when its rows or the labels change
    labels = labels_of(conn.engine)
    found: tuple[PageKey, tuple[WorkItem, ...]] | None = None
    if labels.warm():
        plain = direct.rows(conn, plain_q, window)
        key = PageKey((first, labels.generation, *plain))
        found = _PAGES.get(key)
        if found is None:
            labelled = labels.label(plain)
            if labelled is not None:
                found = _remember(key, labelled)
    if found is None:
        learnt, labelled = labels.learn(direct.rows(conn, page_q, window))
        key = PageKey((first, labels.generation, *learnt))
        found = _PAGES.get(key) or _remember(key, labelled)
    key, items = found
    rows = key.rows[2:]
    if rows:
        run_id: int | None = int(rows[0][0])
        total = int(rows[0][-1])
    else:  # no plan, an empty worklist, or a page past its end
        run_id = latest_run_id(conn, plan_date)
        total = 0
        if run_id is not None and page > 1:
            total = int(conn.execute(count_q, params).scalar_one())
    return Worklist(plan_date, run_id, list(items), total, page, size, key)


_UNKNOWN = object()
_GENERATIONS = itertools.count()


class _Labels:
    """The borrowers' names and the masked planned contact points of plan rows, per process, for `TTL_S`.

    A worklist page shows a hundred plan rows, each with the borrower's name and its planned contact point: two
    index lookups per row, most of the page's statement (about 1.5 of its 3 ms at 1M accounts), for values
    that stay as they are while the agent works the list. The first read of a page joins them and they are
    remembered, keyed by (plan run, borrower) and (plan run, contact point); the next reads of the page read the
    plan's rows alone (the scope check, the order and the total are read afresh each time, so an account
    reassigned away leaves the list at once). A name or a number changed meanwhile shows in the worklist after
    at most `TTL_S` (the customer view reads them live). Only the masked form of a contact point is kept.
    """

    TTL_S = 300.0  # everything remembered is dropped this long after the first of it was learnt
    MAX = 200_000  # rows remembered per process at most (then everything is dropped and learnt again)

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._names: dict[tuple[int, str], str] = {}
        self._points: dict[tuple[int, str], str | None] = {}
        self._since = 0.0
        # changes each time everything remembered is dropped; unique in the process (pages of two databases with
        # the same plan rows never share a key)
        self.generation = next(_GENERATIONS)

    def warm(self) -> bool:
        if self._names and self._now() - self._since > self.TTL_S:
            self.clear()
        return bool(self._names)

    def clear(self) -> None:
        self._names, self._points = {}, {}
        self.generation = next(_GENERATIONS)

    def label(self, rows: Sequence[Any]) -> list[tuple[Any, ...]] | None:
        """`rows` of the plain statement (page columns, contact point id, total) as the page's rows (page
        columns, name, masked contact point, total); None when one of them is not remembered."""
        names, points = self._names, self._points
        out: list[tuple[Any, ...]] = []
        for r in rows:
            run, borrower, point = r[0], r[1], r[-2]
            name = names.get((run, borrower))
            masked = None if point is None else points.get((run, point), _UNKNOWN)
            if name is None or masked is _UNKNOWN:
                return None
            out.append((*r[:-2], name, masked, r[-1]))
        return out

    def learn(self, rows: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """`rows` of the joined statement (page columns, contact point id, name, contact kind and value, total)
        as the plain statement's rows and as the page's rows, remembering their names and masked contact
        points."""
        if not rows:
            return [], []
        if len(self._names) + len(rows) > self.MAX:
            self.clear()
        if not self._names:
            self._since = self._now()
        names, points = self._names, self._points
        plain: list[tuple[Any, ...]] = []
        out: list[tuple[Any, ...]] = []
        for r in rows:
            *cols, point, name, kind, value, total = r
            masked = mask_contact(kind, value) if kind else None
            names[(cols[0], cols[1])] = name
            if point is not None:
                points[(cols[0], point)] = masked
            plain.append((*cols, point, total))
            out.append((*cols, name, masked, total))
        return plain, out


_LABELS: weakref.WeakKeyDictionary[Engine, _Labels] = weakref.WeakKeyDictionary()


def labels_of(engine: Engine) -> _Labels:
    """The names and contact points remembered for `engine`'s database (one per database: ids repeat across
    databases)."""
    found = _LABELS.get(engine)
    if found is None:
        found = _LABELS.setdefault(engine, _Labels())
    return found


class PageKey:
    """What a page's items are built from, (number of its first item, the labels' generation, *its plan rows),
    hashed once. A page is a hundred rows of twenty values: hashing and comparing them is most of an unchanged
    page's lookups, and two caches look it up (the items here, the rendered rows in templating.fragment)."""

    __slots__ = ("_hash", "rows")

    def __init__(self, rows: tuple[Any, ...]) -> None:
        self.rows = rows
        self._hash = hash(rows)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (
            type(other) is PageKey and self._hash == other._hash and self.rows == other.rows
        )


# Pages of work items, per process: agents reload the same page all day, and the page's key (its plan rows, read
# fresh on every request, and the generation of the names remembered for them) says when it must be built again,
# so an unchanged page costs a lookup instead of a hundred objects, labels and parsed rule lists.
# `Worklist.key` also lets the page's rendered rows be cached on it (templating.fragment's `_key`).
ITEMS_MAX = 1_000  # pages kept per process (an agent has one or two); when full, all are dropped
_PAGES: dict[PageKey, tuple[PageKey, tuple[WorkItem, ...]]] = {}


def _remember(key: PageKey, rows: Sequence[tuple[Any, ...]]) -> tuple[PageKey, tuple[WorkItem, ...]]:
    if len(_PAGES) >= ITEMS_MAX:
        _PAGES.clear()
    found = _PAGES[key] = (key, _items(key.rows[0], rows))
    return found


def _items(first: int, rows: Sequence[tuple[Any, ...]]) -> tuple[WorkItem, ...]:
    """The items of a page from its rows (page columns, name, masked contact point, total)."""
    return tuple(
        WorkItem(
            first + i,
            borrower_id,
            name,
            seq,
            loan_id,
            channel,
            segment,
            treatment,
            step,
            variant,
            script,
            window_start,
            window_end,
            float(priority),
            int(expected),
            score,
            bool(promise_due),
            is_callback(step),
            agent,
            rank,
            _rules(rules_json),
            contact_masked,
        )
        for i, (
            _run,
            borrower_id,
            seq,
            loan_id,
            channel,
            segment,
            treatment,
            step,
            variant,
            script,
            window_start,
            window_end,
            priority,
            expected,
            score,
            promise_due,
            agent,
            rank,
            rules_json,
            name,
            contact_masked,
            _total,
        ) in enumerate(rows)
    )


@lru_cache(maxsize=256)
def _rules_of(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _rules(text: str | None) -> list[str]:
    return list(_rules_of(text or "[]"))
