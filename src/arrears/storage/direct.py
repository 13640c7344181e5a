"""Hot-path statements run straight through the driver, skipping SQLAlchemy's per-execution work.

The pages run the same dozen Core statements all day. On PostgreSQL, SQLAlchemy spends about as much CPU per
execution as psycopg itself (its execution context and result object, ~0.1 ms per statement on the bench
machine); the statements are already compiled and the values need no conversion. `rows(conn, stmt, params)`
compiles `stmt` once per dialect, then hands its SQL and parameters to the psycopg connection under `conn` and
returns psycopg's named-tuple rows (attribute access, indexing and unpacking, like SQLAlchemy's `Row`).

One source of truth: the statement is still the Core construct; only its execution is cut short. What SQLAlchemy
would do to the values is still done: bind processors run on the parameters, and result processors (found
from the first result's column types) on the rows. Statements this path cannot run faithfully go through
`conn.execute` unchanged: another dialect (SQLite keeps SQLAlchemy's path), or expanding / literal-execute
parameters (rendered per call). Errors are raised as SQLAlchemy's `DBAPIError`s, as `conn.execute` would.

Use it for reads on a connection in autocommit, or inside the connection's transaction (SQLAlchemy's
bookkeeping is kept: the transaction is begun first, as `conn.execute` would).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable

_Processor = Callable[[Any], Any]


@dataclass(slots=True)
class _Plan:
    sql: str
    constants: dict[str, Any]  # the statement's own bound values (literals), escaped names
    bind_processors: tuple[tuple[str, _Processor], ...]
    keys: tuple[str, ...]  # the result columns' keys, as SQLAlchemy's rows name them
    result_types: tuple[Any, ...]
    # per column, found at the first execution from the driver's type codes (None: not yet known)
    result_processors: tuple[_Processor | None, ...] | None = None


# Meant for statements built once (module constants, or cached per scope shape): the plans are keyed by the
# statement object itself.
PLANS_MAX = 512
_PLANS: weakref.WeakKeyDictionary[Dialect, dict[Executable, _Plan | None]] = weakref.WeakKeyDictionary()


def _plan(stmt: Executable, dialect: Dialect) -> _Plan | None:
    compiled: Any = cast(Any, stmt).compile(dialect=dialect)
    names = [col.keyname for col in compiled._result_columns]
    if (
        compiled.post_compile_params
        or compiled.literal_execute_params
        or compiled.positional
        or compiled.escaped_bind_names
        or any(b.callable is not None for b in compiled.binds.values())
        or len(set(names)) != len(names)
    ):
        # rendered per execution (IN lists, literal LIMITs), positional, renamed or computed parameters, or
        # rows whose names clash: SQLAlchemy's path
        return None
    # the statement's own values (literals); the parameters it requires come with each execution
    constants = {
        name: value
        for name, value in compiled.construct_params(_check=False).items()
        if not compiled.binds[name].required
    }
    return _Plan(
        compiled.string,
        constants,
        tuple(compiled._bind_processors.items()),
        tuple(names),
        tuple(col.type for col in compiled._result_columns),
    )


def _plan_for(stmt: Executable, dialect: Dialect) -> _Plan | None:
    by_stmt = _PLANS.get(dialect)
    if by_stmt is None:
        by_stmt = _PLANS.setdefault(dialect, {})
    try:
        return by_stmt[stmt]
    except KeyError:
        if len(by_stmt) >= PLANS_MAX:  # statements built per call would pile up: start again
            by_stmt.clear()
        plan = by_stmt[stmt] = _plan(stmt, dialect) if dialect.name == "postgresql" else None
        return plan


def rows(conn: Connection, stmt: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Any]:
    """All rows of `stmt` with `params`: named tuples on PostgreSQL, SQLAlchemy `Row`s elsewhere."""
    return pipeline(conn, [(stmt, params)])[0]


def pipeline(
    conn: Connection, calls: Sequence[tuple[Executable, Mapping[str, Any] | None]]
) -> list[Sequence[Any]]:
    """The rows of each `(stmt, params)`, in order. On PostgreSQL the statements go to the server together (psycopg's
    pipeline mode: one round trip for all of them, executed in order); elsewhere one after the other."""
    plans = [_plan_for(stmt, conn.dialect) for stmt, _ in calls]
    if any(plan is None for plan in plans):
        return [conn.execute(stmt, params or {}).all() for stmt, params in calls]
    from psycopg.pq import ExecStatus
    from psycopg.rows import namedtuple_row

    TUPLES_OK = ExecStatus.TUPLES_OK

    if not conn.in_transaction():
        conn.begin()  # what conn.execute's autobegin does (no statement is sent in autocommit)
    driver = conn.connection.driver_connection
    assert driver is not None
    cursors: list[Any] = []
    sql, values = "", {}
    try:
        # several statements: one round trip (psycopg's pipeline mode); one: a plain execute
        with driver.pipeline() if len(calls) > 1 else nullcontext():
            for plan, (_, params) in zip(plans, calls, strict=True):
                assert plan is not None
                sql, values = plan.sql, _values(plan, params)
                cur = driver.cursor(row_factory=namedtuple_row)
                cursors.append(cur)
                cur.execute(sql, values)
        found: list[Sequence[Any]] = []
        descriptions: list[Sequence[Any]] = []
        for plan, cur in zip(plans, cursors, strict=True):
            res = cur.pgresult  # rows, or [] for a command; `description` is built only while the plan needs it
            found.append(cur.fetchall() if res is not None and (res.nfields or res.status == TUPLES_OK) else [])
            assert plan is not None
            descriptions.append((cur.description or ()) if plan.result_processors is None else ())
    except Exception as err:
        import psycopg

        if not isinstance(err, psycopg.Error):
            raise
        if driver.broken or driver.closed:
            conn.invalidate()
        raise exc.DBAPIError.instance(sql, values, err, psycopg.Error) from err
    finally:
        for cur in cursors:
            cur.close()
    out: list[Sequence[Any]] = []
    for plan, description, got in zip(plans, descriptions, found, strict=True):
        assert plan is not None
        if plan.result_processors is None:
            plan.result_processors = _result_processors(plan, conn.dialect, description)
        procs = plan.result_processors
        if any(procs):
            got = [
                type(r)._make([v if p is None or v is None else p(v) for v, p in zip(r, procs, strict=True)])
                for r in got
            ]
        out.append(got)
    return out


def _values(plan: _Plan, params: Mapping[str, Any] | None) -> dict[str, Any]:
    values = {**plan.constants, **(params or {})}
    for name, proc in plan.bind_processors:
        if name in values:
            values[name] = proc(values[name])
    return values


def mappings(
    conn: Connection, stmt: Executable, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """All rows of `stmt` as dicts keyed by the statement's column keys (`conn.execute(...).mappings()`)."""
    plan = _plan_for(stmt, conn.dialect)
    if plan is None:
        return [dict(r) for r in conn.execute(stmt, params or {}).mappings()]
    found = rows(conn, stmt, params)
    return [dict(zip(plan.keys, r, strict=True)) for r in found]


def first(conn: Connection, stmt: Executable, params: Mapping[str, Any] | None = None) -> Any | None:
    found = rows(conn, stmt, params)
    return found[0] if found else None


def _result_processors(
    plan: _Plan, dialect: Dialect, description: Sequence[Any]
) -> tuple[_Processor | None, ...]:
    if len(description) != len(plan.result_types):  # e.g. a textual statement: no types known
        return (None,) * len(description)
    return tuple(
        t._cached_result_processor(dialect, d.type_code)
        for t, d in zip(plan.result_types, description, strict=True)
    )
