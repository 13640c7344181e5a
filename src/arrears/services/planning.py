"""Use case: the daily plan. Inputs -> DuckDB -> the planner's statements -> Parquet files and the database.

`plan_day(engine, plan_date, ...)` reads the portfolio from the database (chunked, SQLAlchemy -> Arrow ->
DuckDB), uses that day's `loan_delinquency` (computed first when missing) and `loan_scores` (applied first from
`model_path` when missing; without either the plan ranks by overdue balance), runs the plan and writes
`plan_runs`, `plan_contacts`, `plan_holdbacks` and `strategy_assignments` in one transaction, appends an audit
record, and writes contacts.parquet, worklists.parquet, holdbacks.parquet and assignments.parquet to `out_dir`.
`plan_parquet(directory, plan_date, ...)` plans a Parquet portfolio (the synth output) without a database,
within a memory budget (`MEMORY_BUDGET`: DuckDB's `memory_limit`, spilling to a temporary directory).
Both run the per-borrower statements in ranges of `borrower_id` (`run_partitioned`), so memory follows the
range, not the portfolio; the plan is the same row for row whatever the range size.
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, func, inspect, select

from arrears.compliance.loader import load_pack
from arrears.compute.duck import connect, run_duckdb
from arrears.compute.statements import StatementError
from arrears.delinquency.buckets import BucketScheme, load_bucket_scheme
from arrears.domain.clock import Clock
from arrears.planner.inputs import DELINQUENCY, SCORES, VARIANT_KEYS
from arrears.planner.pipeline import (
    OUTPUTS,
    PARTITION_OUTPUTS,
    PARTITIONED_INPUTS,
    PlanSpec,
    key_statements,
    partition_cand_offset,
    plan_statements,
    split_statements,
    variant_keys_for,
)
from arrears.planner.relations import CANDIDATES, VISIT_PLANS, Relation
from arrears.planner.sql import Statement, quote
from arrears.services import plan_inputs as pin
from arrears.services.plan_ledger import delinquency_chunks
from arrears.services.plan_store import audit_run, start_run, write_run
from arrears.storage.uow import UnitOfWork
from arrears.strategy.loader import load_strategy

Progress = Callable[[str, int, int], None]  # (stage, done, total)
KEY_BATCH = 200_000  # accounts hashed per slice for the variant keys
PARTITION_ACCOUNTS = 1_000_000  # accounts per borrower range (`run_partitioned`) unless the caller sizes them
PARQUET_CONFIG: dict[str, str | int | bool] = {"preserve_insertion_order": False}
"""DuckDB settings of `plan_parquet`: insertion order is not preserved (no output's meaning depends on row
order; worklists carry their ranks), which lets large materialisations stream with less memory. Spills go
to a temporary directory removed afterwards."""
MEMORY_BUDGET = 5 * 2**30
"""Bytes the plan process aims to stay within (`plan_parquet(memory_budget=...)`): DuckDB gets
`DUCKDB_SHARE` of it as `memory_limit` (it spills to disk beyond), the rest is for the ledger's chunks, the
Arrow outputs and Python. The borrower ranges are sized from it (`partition_size`)."""
DUCKDB_SHARE = 0.6
BYTES_PER_ACCOUNT = 2_500
"""Memory one account of a borrower range takes in the per-borrower statements (candidates, rule facts,
history rows of the plan's span): at 1M accounts in two ranges of 434k, the process grew by 1.1 GB while
they ran (see the planner README)."""
HOME_TZ = "Asia/Shanghai"
PARQUET_FILES = {
    "plan_contacts": "contacts.parquet",
    "plan_worklists": "worklists.parquet",
    "plan_holdbacks": "holdbacks.parquet",
    "selection": "assignments.parquet",
}


class PlanError(ValueError):
    """The plan cannot run (missing inputs, an unknown pack or strategy); nothing was written."""


@dataclass(frozen=True, slots=True)
class PlanReport:
    plan_date: date
    pack: str
    pack_version: str
    strategy: str
    strategy_version: str
    accounts: int  # accounts with an open loan
    contacts: int
    worklist_entries: int
    holdbacks: int
    by_channel: dict[str, int]
    by_step: dict[str, int]
    by_agent: dict[str, int]
    holdbacks_by_reason: dict[str, int]
    holdbacks_by_rule: dict[str, int]
    variants: dict[str, int]
    out_dir: Path | None
    run_id: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, object]:
        return {
            "accounts": self.accounts,
            "contacts": self.contacts,
            "worklist_entries": self.worklist_entries,
            "holdbacks": self.holdbacks,
            "by_channel": self.by_channel,
            "by_step": self.by_step,
            "by_agent": self.by_agent,
            "holdbacks_by_reason": self.holdbacks_by_reason,
            "holdbacks_by_rule": self.holdbacks_by_rule,
            "variants": self.variants,
        }


@dataclass(frozen=True, slots=True)
class PlanResult:
    report: PlanReport
    tables: dict[str, pa.Table]  # plan_contacts, plan_worklists, plan_holdbacks, selection


def make_spec(plan_date: date, pack: str, strategy: str, scheme: BucketScheme | None = None) -> PlanSpec:
    try:
        p = load_pack(pack)
        s = load_strategy(strategy)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        raise PlanError(
            f"无法加载规则包或策略 / cannot load pack {pack!r} or strategy {strategy!r}: {exc}"
        ) from exc
    scheme = scheme or load_bucket_scheme()
    return PlanSpec(plan_date, s, p, {b.name: b.min_dpd for b in scheme.buckets})


def _execute(
    con: duckdb.DuckDBPyConnection, statements: Sequence[Statement], progress: Progress | None, label: str
) -> None:
    for i, s in enumerate(statements):
        kind = "TABLE" if s.materialize else "VIEW"
        try:
            con.execute(f"CREATE OR REPLACE TEMP {kind} {s.name} AS {s.sql}")
        except duckdb.Error as exc:
            raise StatementError(s.name, "duckdb", exc, s.sql) from exc
        if progress:
            progress(label, i + 1, len(statements))


def run_plan(
    con: duckdb.DuckDBPyConnection,
    spec: PlanSpec,
    progress: Progress | None = None,
    *,
    partition_accounts: int | None = None,
) -> dict[str, pa.Table]:
    """Run both phases on a connection holding every input relation; return the output tables.

    The per-borrower statements run once per range of about `partition_accounts` accounts (default
    `PARTITION_ACCOUNTS`; see `run_partitioned`); the plan is the same for any range size."""
    pin.check_relations(con, [r for r in pin.ALL_INPUTS if r not in (CANDIDATES, VISIT_PLANS, VARIANT_KEYS)])
    _execute(con, key_statements(spec), progress, "segments")
    ids = con.sql("SELECT borrower_id FROM needs_keys").to_arrow_table().column(0)
    bp = [
        pa.array(variant_keys_for(spec, ids.slice(at, KEY_BATCH).to_pylist()), pa.int32())
        for at in range(0, len(ids), KEY_BATCH)
    ]  # in slices: never a Python string for every account at once
    keys = pa.table(
        {
            "borrower_id": ids.cast(pa.string()),
            "variant_bp": pa.chunked_array(bp, pa.int32()),
        }
    )
    pin.register_arrow(con, "variant_keys", keys)
    del ids, bp, keys
    run_partitioned(
        con,
        [s for s in plan_statements(spec) if s.name != "account_base"],
        partition_accounts=partition_accounts or PARTITION_ACCOUNTS,
        progress=progress,
    )
    out: dict[str, pa.Table] = {}
    for name in OUTPUTS:
        out[name] = con.sql(f"SELECT * FROM {name}").to_arrow_table()
    return out


def statement_inputs(con: duckdb.DuckDBPyConnection, spec: PlanSpec) -> dict[str, pa.Table]:
    """Every input of `key_statements` + `plan_statements` as Arrow tables, `variant_keys` included: what
    `compute.run_duckdb` or `compute.run_spark` needs to run the statement list whole (no borrower ranges)."""
    produced = {s.name for s in (*key_statements(spec), *plan_statements(spec))}
    inputs = pin.arrow_inputs(con, skip=produced | {VARIANT_KEYS.name})
    ids = run_duckdb(key_statements(spec), inputs, outputs=["needs_keys"])["needs_keys"].column("borrower_id")
    inputs[VARIANT_KEYS.name] = pa.table(
        {
            "borrower_id": ids.cast(pa.string()),
            "variant_bp": pa.array(variant_keys_for(spec, ids.to_pylist()), pa.int32()),
        }
    )
    return inputs


def partition_bounds(con: duckdb.DuckDBPyConnection, per_part: int) -> list[tuple[str | None, str | None]]:
    """Ranges [lo, hi) of `borrower_id` over `account_base`, about `per_part` accounts each, in order (None: no
    bound). One range (None, None) when everything fits in one."""
    if per_part < 1:
        raise ValueError(f"partition_accounts must be at least 1, got {per_part}")
    rows = con.execute(f"""SELECT borrower_id FROM (
  SELECT borrower_id, ROW_NUMBER() OVER (ORDER BY borrower_id) - 1 AS k FROM account_base)
WHERE k % {int(per_part)} = 0 AND k > 0 ORDER BY borrower_id""").fetchall()
    cuts: list[str | None] = [None, *(str(r[0]) for r in rows), None]
    return list(itertools.pairwise(cuts))


def _range_sql(lo: str | None, hi: str | None) -> str:
    parts = [
        f"borrower_id >= {quote(lo)}" if lo is not None else "",
        f"borrower_id < {quote(hi)}" if hi is not None else "",
    ]
    return " AND ".join(p for p in parts if p) or "TRUE"


def _object_kind(con: duckdb.DuckDBPyConnection, name: str) -> str:
    kind = pin.object_kind(con, name)
    if kind is None:
        raise PlanError(f"planner input {name!r} is not a table or view of this connection")
    return kind


def run_partitioned(
    con: duckdb.DuckDBPyConnection,
    statements: Sequence[Statement],
    *,
    partition_accounts: int,
    progress: Progress | None = None,
) -> None:
    """Create `statements` (phase 2, after `account_base`) so that the per-borrower ones run once per range of
    `borrower_id` (`pipeline.split_statements`), then the cross-borrower ones once over the union.

    Each range: the `PARTITIONED_INPUTS` become views of the range over the whole relations (renamed
    `<name>__all` for the time), the per-borrower statements are (re)created, and the range's
    `PARTITION_OUTPUTS` are appended to `<name>__parts` (`proposed`'s `cand_id` shifted, see
    `pipeline.partition_cand_offset`). Then the per-borrower tables are dropped, the inputs get their names
    back, the unions take the outputs' names, and `CROSS_BORROWER` runs. Peak memory is one range's working
    set plus the unions (the chosen contacts and one row per account), not the whole portfolio's candidates."""
    per, cross = split_statements(statements)
    bounds = partition_bounds(con, partition_accounts)
    inputs = [n for n in PARTITIONED_INPUTS if pin.has(con, n)] if len(bounds) > 1 else []
    kinds = {n: _object_kind(con, n) for n in inputs}
    for n in inputs:
        con.execute(f"ALTER {kinds[n]} {n} RENAME TO {n}__all")
    done = 0
    try:
        for k, (lo, hi) in enumerate(bounds):
            where = _range_sql(lo, hi)
            for n in inputs:
                con.execute(f"CREATE OR REPLACE TEMP VIEW {n} AS SELECT * FROM {n}__all WHERE {where}")
            _execute(con, per, progress, "plan")
            shift = partition_cand_offset(done)
            for n in PARTITION_OUTPUTS:
                cols = f"* REPLACE (cand_id + {shift} AS cand_id)" if n == "proposed" else "*"
                select = f"SELECT {cols} FROM {n}"
                if k == 0:
                    con.execute(f"CREATE OR REPLACE TEMP TABLE {n}__parts AS {select}")
                else:
                    con.execute(f"INSERT INTO {n}__parts {select}")
            row = con.execute("SELECT COUNT(*) FROM acct_windows").fetchone()
            done += int(row[0]) if row else 0
            if progress:
                progress("ranges", k + 1, len(bounds))
        _drop(con, per)
    finally:
        for n in inputs:
            con.execute(f"DROP VIEW IF EXISTS {n}")
            con.execute(f"ALTER {kinds[n]} {n}__all RENAME TO {n}")
    for n in PARTITION_OUTPUTS:
        con.execute(f"ALTER TABLE {n}__parts RENAME TO {n}")
    _execute(con, cross, progress, "cross")


def _drop(con: duckdb.DuckDBPyConnection, statements: Sequence[Statement]) -> None:
    """Drop the statements' relations, last first (frees the last range's tables)."""
    for s in reversed(statements):
        con.execute(f"DROP {'TABLE' if s.materialize else 'VIEW'} IF EXISTS {s.name}")


def summarise(
    spec: PlanSpec,
    tables: dict[str, pa.Table],
    accounts: int,
    out_dir: Path | None,
    notes: Sequence[str] = (),
) -> PlanReport:
    contacts = tables["plan_contacts"]
    holdbacks = tables["plan_holdbacks"]

    def groups(t: pa.Table, cols: list[str]) -> list[tuple[tuple[Any, ...], int]]:
        """(values of `cols`, rows) per distinct combination: counted in Arrow, not row by row in Python."""
        g = t.select(cols).group_by(cols, use_threads=False).aggregate([([], "count_all")])
        return list(zip(zip(*(g.column(c).to_pylist() for c in cols), strict=True),
                        g.column("count_all").to_pylist(), strict=True))  # fmt: skip

    def count(t: pa.Table, col: str) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (v,), n in groups(t, [col]):
            if v is not None:
                counts[str(v)] += n
        return dict(sorted(counts.items()))

    rules: Counter[str] = Counter()
    for (ids,), n in groups(holdbacks, ["rule_ids"]):
        for r in (ids or "").split(";"):
            if r:
                rules[r] += n
    variants: Counter[str] = Counter()
    for (s, v), n in groups(tables["selection"], ["segment", "variant"]):
        variants[f"{s}/{v}"] += n
    return PlanReport(
        plan_date=spec.plan_date,
        pack=spec.pack.id,
        pack_version=spec.pack.version,
        strategy=spec.strategy.id,
        strategy_version=spec.strategy.version,
        accounts=accounts,
        contacts=contacts.num_rows,
        worklist_entries=tables["plan_worklists"].num_rows,
        holdbacks=holdbacks.num_rows,
        by_channel=count(contacts, "channel"),
        by_step=count(contacts, "step"),
        by_agent=count(contacts, "agent_id"),
        holdbacks_by_reason=count(holdbacks, "reason"),
        holdbacks_by_rule=dict(sorted(rules.items())),
        variants=dict(sorted(variants.items())),
        out_dir=out_dir,
        notes=tuple(notes),
    )


def write_parquet(tables: dict[str, pa.Table], out_dir: Path) -> None:
    """Write the files into a staging folder, then move them into place (no half-written plan)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / ".plan-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name, file in PARQUET_FILES.items():
        pq.write_table(tables[name], staging / file)
    for file in PARQUET_FILES.values():
        (staging / file).replace(out_dir / file)
    staging.rmdir()


def partition_size(memory_budget: int) -> int:
    """Accounts per borrower range for a process budget of `memory_budget` bytes: half of DuckDB's share
    for one range's working set (the other half holds the inputs, the unions and the outputs)."""
    return max(50_000, int(memory_budget * DUCKDB_SHARE / 2 / BYTES_PER_ACCOUNT))


def plan_parquet(
    directory: Path,
    plan_date: date,
    *,
    pack: str = "cn_floor",
    strategy: str = "cn_default",
    out_dir: Path | None = None,
    model_path: Path | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    memory_budget: int = MEMORY_BUDGET,
    partition_accounts: int | None = None,
    progress: Progress | None = None,
) -> PlanResult:
    """Plan a Parquet portfolio directory (import format, e.g. `arrears synth --format parquet`) without a database.

    `memory_budget` (bytes) sets DuckDB's `memory_limit` (unless `memory_limit` is given) and the size of the
    borrower ranges (unless `partition_accounts` is given); neither changes the plan."""
    spec = make_spec(plan_date, pack, strategy)
    if not (directory / "borrowers.parquet").exists() and not (directory / "borrowers").is_dir():
        raise PlanError(f"{directory}: 没有 borrowers.parquet / not a Parquet portfolio directory")
    spill = tempfile.mkdtemp(prefix="arrears-plan-spill-")
    con = connect(
        threads=threads,
        memory_limit=memory_limit or f"{max(1, int(memory_budget * DUCKDB_SHARE) // 2**20)}MB",
        config={**PARQUET_CONFIG, "temp_directory": spill},
    )
    try:
        pin.register_parquet(con, directory)
        pin.create_inputs(con, plan_date)
        _create_table(con, DELINQUENCY)
        _create_table(con, SCORES)
        for dq, sc in delinquency_chunks(
            con,
            plan_date=plan_date,
            scheme=load_bucket_scheme(),
            model_path=model_path,
            progress=(lambda d, t: progress("ledger", d, t)) if progress else None,
        ):
            _append(con, DELINQUENCY, dq)
            if sc is not None:
                _append(con, SCORES, sc)
            del dq, sc
        pin.empty(con, _rel("promises"))
        tables = run_plan(
            con, spec, progress, partition_accounts=partition_accounts or partition_size(memory_budget)
        )
        accounts = con.execute("SELECT COUNT(*) FROM account_base").fetchone()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    notes = (
        () if model_path is not None else ("no model: expected recovery uses a zero score (ranked by id)",)
    )
    if out_dir is not None:
        write_parquet(tables, out_dir)
    report = summarise(spec, tables, int(accounts[0]) if accounts else 0, out_dir, notes)
    return PlanResult(report, tables)


def _create_table(con: duckdb.DuckDBPyConnection, rel: Relation) -> None:
    cols = ", ".join(f"{name} {kind}" for name, kind in rel.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {rel.name} ({cols})")


def _append(con: duckdb.DuckDBPyConnection, rel: Relation, rows: pa.Table) -> None:
    """Append one chunk's rows to a table made by `_create_table` (by column name)."""
    con.register("_chunk_arrow", rows)
    try:
        names = ", ".join(rel.column_names)
        con.execute(f"INSERT INTO {rel.name} ({names}) SELECT {names} FROM _chunk_arrow")
    finally:
        con.unregister("_chunk_arrow")


def _rel(name: str) -> Relation:
    return next(r for r in pin.ALL_INPUTS if r.name == name)


def counts_json(report: PlanReport) -> str:
    return json.dumps(report.counts(), ensure_ascii=False, sort_keys=True)


# --- the database path ------------------------------------------------------------------------------------------


def _db_queries(plan_date: date) -> dict[str, Any]:
    from arrears.storage import tables as t
    from arrears.storage import tables_plan as tp
    from arrears.storage import tables_work as tw

    fu = tw.follow_ups
    return {
        "borrowers": select(t.borrowers),
        "loans": select(t.loans),
        "instalments": select(t.instalments.c.loan_id, t.instalments.c.due_date),
        "parties": select(t.parties),
        "contact_points": select(t.contact_points),
        "contact_attempts": select(
            *(
                c
                for c in t.contact_attempts.c
                if c.name not in ("text", "attempt_id", "collector_id", "agency_id")
            )
        ),
        "holds": select(t.holds),
        "agents": select(tp.agents),
        "assignments": select(tp.assignments),
        "loan_delinquency": select(t.loan_delinquency).where(t.loan_delinquency.c.as_of == plan_date),
        "loan_scores": select(t.loan_scores.c.loan_id, t.loan_scores.c.score).where(
            t.loan_scores.c.as_of == plan_date
        ),
        "promises": select(tw.promises).where(tw.promises.c.status.in_(("open", "kept", "broken"))),
        "promise_payments": select(tw.promises.c.promise_id, t.payments.c.paid_at, t.payments.c.amount_minor)
        .join(t.payments, t.payments.c.loan_id == tw.promises.c.loan_id)
        .where(tw.promises.c.status == "open", t.payments.c.paid_at >= tw.promises.c.made_at),
        "follow_ups": select(
            fu.c.borrower_id,
            fu.c.task_id,
            fu.c.kind,
            fu.c.due_at,
            fu.c.assigned_to.label("agent_id"),
            t.contact_attempts.c.party_id,
            t.contact_attempts.c.contact_point_id,
        )
        .outerjoin(t.contact_attempts, t.contact_attempts.c.attempt_id == fu.c.attempt_id)
        .where(
            fu.c.status == "open",
            fu.c.kind == "callback",
            fu.c.due_at >= _utc_midnight(plan_date - timedelta(days=1)),
            fu.c.due_at < _utc_midnight(plan_date + timedelta(days=2)),
        ),
        "contact_restrictions": select(tw.contact_restrictions).where(
            tw.contact_restrictions.c.lifted_at.is_(None)
        ),
    }


WORKSPACE_TABLES = {
    "promises": "promises",
    "promise_payments": "promises",
    "follow_ups": "follow_ups",
    "contact_restrictions": "contact_restrictions",
}
"""Workspace sources and the table each needs: a database from before the workspace migration has none."""


def _utc_midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _db_relations(con: duckdb.DuckDBPyConnection, plan_date: date, home_tz: str) -> None:
    """delinquency and scores from the stored rows of the plan date; the workspace's promises, callbacks and
    restrictions (`plan_inputs.workspace_inputs`)."""
    d = f"DATE '{plan_date.isoformat()}'"
    day = f"DATE_DIFF('day', DATE '1970-01-01', {d})"
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE delinquency AS
WITH nxt AS (SELECT loan_id, MIN(CAST(due_date AS DATE)) AS next_due FROM raw_instalments
             WHERE CAST(due_date AS DATE) >= {d} GROUP BY loan_id)
SELECT q.loan_id, l.borrower_id, l.product, CAST(q.dpd AS INTEGER) AS dpd, q.bucket,
       CAST(q.overdue_principal_minor + q.overdue_interest_minor + q.overdue_penalty_minor AS BIGINT) AS overdue_minor,
       CAST(q.non_demandable_minor AS BIGINT) AS non_demandable_minor, COALESCE(q.rate_flags, '') AS rate_flags,
       CAST(CASE WHEN q.dpd > 0 THEN {day} - q.dpd ELSE DATE_DIFF('day', DATE '1970-01-01', n.next_due) END AS INTEGER)
         AS due_day
FROM raw_loan_delinquency q JOIN raw_loans l ON l.loan_id = q.loan_id LEFT JOIN nxt n ON n.loan_id = q.loan_id
WHERE q.dpd > 0 OR n.next_due IS NOT NULL""")
    if pin.has(con, "raw_loan_scores"):
        con.execute(
            "CREATE OR REPLACE TEMP VIEW scores AS SELECT loan_id, CAST(score AS DOUBLE) AS score FROM raw_loan_scores"
        )
    else:
        pin.empty(con, SCORES)
    pin.workspace_inputs(con, plan_date, home_tz)


def load_inputs(
    engine: Engine, plan_date: date, *, home_tz: str = HOME_TZ, progress: Progress | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding every planner input from the database, as the plan sees them (the caller
    closes it). Delinquency and scores must be stored for the plan date."""
    con = connect()
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            for name, query in _db_queries(plan_date).items():
                if name in ("agents", "assignments") and name not in tables:
                    continue
                if name in WORKSPACE_TABLES and WORKSPACE_TABLES[name] not in tables:
                    continue
                con.register(f"raw_{name}", pin.arrow_from_query(conn, query))
                if progress:
                    progress("load", 1, 1)
        pin.create_inputs(con, plan_date)
        _db_relations(con, plan_date, home_tz)
    except BaseException:
        con.close()
        raise
    return con


def _stored(engine: Engine, table: Any, as_of: date) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(table).where(table.c.as_of == as_of)).scalar() or 0
        )


def plan_day(
    engine: Engine,
    plan_date: date,
    *,
    clock: Clock,
    pack: str = "cn_floor",
    strategy: str = "cn_default",
    out_dir: Path | None = None,
    model_path: Path | None = None,
    actor: str = "planner",
    progress: Progress | None = None,
    home_tz: str = HOME_TZ,
) -> PlanResult:
    """Plan `plan_date` from the database; write the run (one transaction) and the Parquet files.

    `home_tz`: the operation's zone (setting `timezone`), for the local dates of payments against promises."""
    from arrears.services.delinquency import compute_delinquency
    from arrears.services.scoring import apply_scores
    from arrears.storage.migrate import current_revision
    from arrears.storage.tables import loan_delinquency, loan_scores

    spec = make_spec(plan_date, pack, strategy)
    if current_revision(engine) is None:
        raise PlanError(
            "数据库为空，请先导入组合 / the database has no schema yet: run `arrears import DIR` first"
        )
    notes: list[str] = []
    if _stored(engine, loan_delinquency, plan_date) == 0:
        if progress:
            progress("delinquency", 0, 1)
        compute_delinquency(engine_or_uow=engine, as_of=plan_date)
        notes.append(f"delinquency computed for {plan_date}")
    if _stored(engine, loan_scores, plan_date) == 0:
        if model_path is not None:
            if progress:
                progress("scores", 0, 1)
            apply_scores(engine_or_uow=engine, as_of=plan_date, model_path=model_path)
            notes.append(f"scores applied from {model_path}")
        else:
            notes.append(
                "no scores for the plan date: expected recovery is 0 and worklists rank by overdue balance"
            )
    con = load_inputs(engine, plan_date, home_tz=home_tz, progress=progress)
    try:
        tables = run_plan(con, spec, progress)
        accounts_row = con.execute("SELECT COUNT(*) FROM account_base").fetchone()
    finally:
        con.close()
    report = summarise(spec, tables, int(accounts_row[0]) if accounts_row else 0, out_dir, notes)
    if out_dir is not None:
        write_parquet(tables, out_dir)
    at = clock.now()
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        run_id = start_run(
            conn,
            plan_date=plan_date,
            at=at,
            pack=spec.pack.id,
            pack_version=spec.pack.version,
            strategy=spec.strategy.id,
            strategy_version=spec.strategy.version,
        )
        write_run(
            conn,
            run_id,
            tables,
            plan_date=plan_date,
            strategy=spec.strategy.id,
            counts_json=counts_json(report),
        )
        audit_run(
            conn,
            at=at,
            actor=actor,
            run_id=run_id,
            plan_date=plan_date,
            detail={"pack": spec.pack.id, "strategy": spec.strategy.id, **report.counts()},
        )
        uow.commit()
    return PlanResult(replace(report, run_id=run_id), tables)
