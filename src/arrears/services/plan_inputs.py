"""The planner's input relations, prepared in one DuckDB connection from either source.

Raw tables are the import format's (`raw_<table>`): Arrow tables read from the database in chunks, or views
over a Parquet portfolio directory (`arrears synth --format parquet`). `create_inputs` turns them into the
relations of `planner.relations` / `planner.inputs` as temp views (DuckDB SQL is fine here: this is the edge;
the planner's own statements stay portable). Zone tables come from `planner.relations.zone_rows`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Table, inspect, select

from arrears.planner.inputs import EPOCH_ORDINAL, FOLLOW_UPS, PLANNER_INPUTS, PROMISES
from arrears.planner.relations import RELATIONS, Relation, primary_offset_s, zone_rows

RAW_TABLES = (
    "borrowers",
    "loans",
    "instalments",
    "parties",
    "contact_points",
    "contact_attempts",
    "holds",
    "agents",
    "assignments",
)
CHUNK_ROWS = 100_000


def register_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    """`raw_<table>` views over `<table>.parquet` (or a directory of parts) for each import table present."""
    for name in (*RAW_TABLES, "payments"):
        single, parts = directory / f"{name}.parquet", directory / name
        if single.is_file():
            src = str(single)
        elif parts.is_dir():
            src = str(parts / "*.parquet")
        else:
            continue
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_{name} AS SELECT * FROM read_parquet('{_esc(src)}')")


def _esc(s: str) -> str:
    return s.replace("'", "''")


def arrow_from_query(conn: Connection, query: Any, chunk_rows: int = CHUNK_ROWS) -> pa.Table:
    """Rows of a SQLAlchemy query as an Arrow table, fetched and converted `chunk_rows` at a time."""
    result = conn.execution_options(yield_per=chunk_rows).execute(query)
    names = list(result.keys())
    batches: list[pa.RecordBatch] = []
    for part in result.partitions(chunk_rows):
        cols = list(zip(*part, strict=True)) if part else [() for _ in names]
        batches.append(pa.RecordBatch.from_arrays([pa.array(list(c)) for c in cols], names=names))
    if not batches:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.Table.from_batches(batches) if len({b.schema for b in batches}) == 1 else _unify(batches)


def _unify(batches: list[pa.RecordBatch]) -> pa.Table:
    tables = [pa.Table.from_batches([b]) for b in batches]
    return pa.concat_tables(tables, promote_options="permissive")


def register_database(con: duckdb.DuckDBPyConnection, conn: Connection, tables: Mapping[str, Table]) -> None:
    """`raw_<table>` from the database, for the tables that exist there (agents may not, before a roster)."""
    present = set(inspect(conn).get_table_names())
    for name, table in tables.items():
        if table.name in present:
            con.register(f"raw_{name}", arrow_from_query(conn, select(table)))


def object_kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'VIEW' or 'TABLE' when the connection has a view or table of that name (None otherwise)."""
    rows = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? UNION ALL "
        "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ?",
        [name, name],
    ).fetchall()
    return str(rows[0][0]) if rows else None


def has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return object_kind(con, name) is not None or name in {r[0] for r in con.execute("SHOW TABLES").fetchall()}


def arrow_inputs(con: duckdb.DuckDBPyConnection, skip: Iterable[str] = ()) -> dict[str, pa.Table]:
    """Every planner input relation the connection has, as an Arrow table (for `compute.run_duckdb` or
    `run_spark`), except the names in `skip` (relations the statements make themselves)."""
    made = set(skip)
    return {
        r.name: con.sql(f"SELECT * FROM {r.name}").to_arrow_table()
        for r in ALL_INPUTS
        if r.name not in made and has(con, r.name)
    }


def empty(con: duckdb.DuckDBPyConnection, rel: Relation) -> None:
    con.execute(f"CREATE OR REPLACE TEMP VIEW {rel.name} AS {rel.empty_select()}")


def _zones(con: duckdb.DuckDBPyConnection, plan_date: date) -> None:
    names = [r[0] for r in con.execute("SELECT DISTINCT tz FROM account_zones").fetchall()]
    offsets, days = zone_rows(names, plan_date)
    con.register(
        "tz_offsets_arrow",
        pa.table(
            {
                "tz": pa.array([r[0] for r in offsets], pa.string()),
                "from_s": pa.array([r[1] for r in offsets], pa.int64()),
                "to_s": pa.array([r[2] for r in offsets], pa.int64()),
                "utc_offset_s": pa.array([r[3] for r in offsets], pa.int32()),
            }
        ),
    )
    con.register(
        "tz_days_arrow",
        pa.table(
            {
                "tz": pa.array([r[0] for r in days], pa.string()),
                "local_date": pa.array([r[1] for r in days], pa.date32()),
                "start_s": pa.array([r[2] for r in days], pa.int64()),
                "end_s": pa.array([r[3] for r in days], pa.int64()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE tz_offsets AS SELECT * FROM tz_offsets_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE tz_days AS SELECT * FROM tz_days_arrow")
    primaries = [r[0] for r in con.execute("SELECT DISTINCT primary_tz FROM raw_zone_lists").fetchall()]
    con.register(
        "primary_offsets",
        pa.table(
            {
                "primary_tz": pa.array(primaries, pa.string()),
                "utc_offset_s": pa.array(
                    [primary_offset_s([p], plan_date) if p else None for p in primaries], pa.int32()
                ),
            }
        ),
    )


def create_inputs(con: duckdb.DuckDBPyConnection, plan_date: date) -> None:
    """The compliance and planner input relations (except delinquency and scores) over the raw tables."""
    con.execute("""
CREATE OR REPLACE TEMP TABLE raw_zone_lists AS
SELECT borrower_id, zs, CASE WHEN len(zs) > 0 THEN zs[1] END AS primary_tz FROM (
  SELECT borrower_id,
         list_filter(list_transform(string_split(COALESCE(timezones, ''), ';'), lambda x: trim(x)), lambda x: x <> '') AS zs
  FROM raw_borrowers)""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE account_zones AS
SELECT borrower_id, CAST(UNNEST(range(len(zs))) AS INTEGER) AS zone_ord, UNNEST(zs) AS tz
FROM raw_zone_lists WHERE len(zs) > 0""")
    _zones(con, plan_date)
    con.execute("""
CREATE OR REPLACE TEMP TABLE accounts AS
WITH lt AS (SELECT borrower_id, MAX(lender_type) AS lender_type FROM raw_loans GROUP BY borrower_id)
SELECT b.borrower_id, z.primary_tz AS tz, o.utc_offset_s, b.language, b.region, COALESCE(b.is_minor, FALSE) AS is_minor,
       COALESCE(b.vulnerability, '') <> '' AS vulnerable, COALESCE(lt.lender_type, 'licensed') AS lender_type,
       FALSE AS unreachable, CAST(NULL AS VARCHAR) AS agency_id, CAST(NULL AS BOOLEAN) AS agency_whitelisted
FROM raw_borrowers b
JOIN raw_zone_lists z ON z.borrower_id = b.borrower_id
LEFT JOIN primary_offsets o ON o.primary_tz = z.primary_tz
LEFT JOIN lt ON lt.borrower_id = b.borrower_id""")
    views = {
        "loans": "SELECT loan_id, borrower_id, lender_type, CAST(apr_all_in_bp AS INTEGER) AS apr_bp, "
        "CAST(contract_date AS DATE) AS contract_date FROM raw_loans",
        "parties": "SELECT party_id, borrower_id, role, COALESCE(emergency_contact, FALSE) AS emergency_contact, "
        "COALESCE(refused_contact, FALSE) AS refused_contact, "
        "COALESCE(relationship_evidence, FALSE) AS relationship_evidence FROM raw_parties",
        "points": "SELECT contact_point_id, borrower_id, owner_id, kind, source, COALESCE(opted_out, FALSE) AS opted_out, "
        "COALESCE(employer_provided, FALSE) AS employer_provided FROM raw_contact_points",
        "history": "SELECT borrower_id, party_id, contact_point_id, channel, direction, outcome, "
        'CAST(epoch(CAST("at" AS TIMESTAMPTZ)) AS BIGINT) AS at_s FROM raw_contact_attempts',
        "holds": 'SELECT borrower_id, loan_id, kind, CAST("start" AS DATE) AS start_date, '
        'CAST("end" AS DATE) AS end_date FROM raw_holds',
    }
    for name, sql in views.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
    empty(con, FOLLOW_UPS)  # the database path replaces it (`workspace_inputs`)
    _roster(con)


def _roster(con: duckdb.DuckDBPyConnection) -> None:
    rels = {r.name: r for r in PLANNER_INPUTS}
    if not has(con, "raw_agents"):
        for n in ("agents", "agent_languages", "agent_skills", "assignments"):
            empty(con, rels[n])
        return
    con.execute("""
CREATE OR REPLACE TEMP TABLE agents AS
SELECT agent_id, team_id, CAST(daily_capacity AS INTEGER) AS daily_capacity FROM raw_agents
WHERE COALESCE(active, TRUE)""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE agent_languages AS
WITH tags AS (
  SELECT DISTINCT a.agent_id, lower(trim(UNNEST(string_split(r.languages, ';')))) AS tag
  FROM agents a JOIN raw_agents r ON r.agent_id = a.agent_id)
SELECT DISTINCT agent_id, language FROM (
  SELECT agent_id, tag AS language FROM tags WHERE tag <> ''
  UNION ALL SELECT agent_id, split_part(tag, '-', 1) FROM tags WHERE tag <> '')""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE agent_skills AS
SELECT DISTINCT agent_id, skill FROM (
  SELECT a.agent_id, lower(trim(UNNEST(string_split(r.skills, ';')))) AS skill
  FROM agents a JOIN raw_agents r ON r.agent_id = a.agent_id) WHERE skill <> ''""")
    if has(con, "raw_assignments"):
        con.execute(
            "CREATE OR REPLACE TEMP VIEW assignments AS SELECT borrower_id, agent_id FROM raw_assignments"
        )
    else:
        empty(con, rels["assignments"])


def register_arrow(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def check_relations(con: duckdb.DuckDBPyConnection, relations: Iterable[Relation]) -> None:
    """Each relation exists with its contract's columns (a clear error instead of a binder error later)."""
    for rel in relations:
        try:
            cols = [d[0] for d in con.execute(f"SELECT * FROM {rel.name} LIMIT 0").description]
        except duckdb.Error as exc:
            raise ValueError(f"planner input {rel.name!r} is missing: {exc}") from exc
        missing = [c for c in rel.column_names if c not in cols]
        if missing:
            raise ValueError(f"planner input {rel.name!r} lacks columns {missing}")


# --- the agent workspace's records (database path) ----------------------------------------------------------

RESTRICTED_POINT_SCOPES = ("opt_out", "wrong_number", "party_refused")


def workspace_inputs(con: duckdb.DuckDBPyConnection, plan_date: date, home_tz: str) -> None:
    """`promises`, `follow_ups`, and the contact restrictions in force over `points` / `parties`.

    Reads `raw_promises`, `raw_promise_payments`, `raw_follow_ups` and `raw_contact_restrictions` (each may be
    missing: no workspace yet). An open promise's state is evaluated as of the plan date with the workspace's
    own rule (`services.workspace.promises.promise_status`, payment dates local to `home_tz`), so the plan does
    not depend on the evaluation job having run. A restriction in force (`lifted_at IS NULL`) marks its point
    opted out and its party as refusing, even when a later import has overwritten those flags."""
    _promises(con, plan_date, home_tz)
    if has(con, "raw_follow_ups"):
        con.execute("""CREATE OR REPLACE TEMP VIEW follow_ups AS
SELECT borrower_id, CAST(task_id AS BIGINT) AS task_id, kind,
       CAST(epoch(CAST(due_at AS TIMESTAMPTZ)) AS BIGINT) AS due_at_s, party_id, contact_point_id, agent_id
FROM raw_follow_ups""")
    if has(con, "raw_contact_restrictions"):
        scopes = ", ".join(f"'{x}'" for x in RESTRICTED_POINT_SCOPES)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE ws_restrictions AS
SELECT borrower_id, scope, party_id, contact_point_id FROM raw_contact_restrictions WHERE scope IN ({scopes})""")
        con.execute("""CREATE OR REPLACE TEMP VIEW points AS
SELECT p.contact_point_id, p.borrower_id, p.owner_id, p.kind, p.source,
       COALESCE(p.opted_out, FALSE) OR r.contact_point_id IS NOT NULL AS opted_out,
       COALESCE(p.employer_provided, FALSE) AS employer_provided
FROM raw_contact_points p
LEFT JOIN (SELECT DISTINCT contact_point_id FROM ws_restrictions WHERE contact_point_id IS NOT NULL) r
  ON r.contact_point_id = p.contact_point_id""")
        con.execute("""CREATE OR REPLACE TEMP VIEW parties AS
SELECT q.party_id, q.borrower_id, q.role, COALESCE(q.emergency_contact, FALSE) AS emergency_contact,
       COALESCE(q.refused_contact, FALSE) OR r.party_id IS NOT NULL AS refused_contact,
       COALESCE(q.relationship_evidence, FALSE) AS relationship_evidence
FROM raw_parties q
LEFT JOIN (SELECT DISTINCT party_id FROM ws_restrictions WHERE scope = 'party_refused') r
  ON r.party_id = q.party_id""")


def _promises(con: duckdb.DuckDBPyConnection, plan_date: date, home_tz: str) -> None:
    from arrears.services.workspace.promises import promise_status

    if not has(con, "raw_promises"):
        empty(con, PROMISES)
        return
    zone = ZoneInfo(home_tz)
    paid: dict[int, list[tuple[date, int]]] = defaultdict(list)
    if has(con, "raw_promise_payments"):
        for pid, at, amount in con.execute("SELECT promise_id, paid_at, amount_minor FROM raw_promise_payments").fetchall():
            paid[int(pid)].append((_aware(at).astimezone(zone).date(), int(amount)))
    rows = con.execute(
        "SELECT promise_id, borrower_id, loan_id, CAST(due_date AS DATE), CAST(grace_days AS INTEGER), status, "
        "amount_minor, made_at FROM raw_promises"
    ).fetchall()
    cols: dict[str, list[Any]] = {c: [] for c in PROMISES.column_names}
    for pid, borrower, loan, due, grace, status, amount, made_at in rows:
        if status == "open":
            status = promise_status(
                amount_minor=int(amount), due_date=due, grace_days=int(grace), paid=paid[int(pid)], as_of=plan_date
            ).status
        cols["borrower_id"].append(borrower)
        cols["loan_id"].append(loan)
        cols["due_day"].append(due.toordinal() - EPOCH_ORDINAL)
        cols["state"].append(status)
        cols["made_at_s"].append(int(_aware(made_at).timestamp()))
        cols["grace_days"].append(int(grace))
    types = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64()}
    register_arrow(con, PROMISES.name, pa.table({c: pa.array(cols[c], types[t]) for c, t in PROMISES.columns}))


def _aware(at: Any) -> datetime:
    """A timestamp from the database as an aware datetime (naive ones are UTC, as stored)."""
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {at!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


ALL_INPUTS: tuple[Relation, ...] = (*RELATIONS, *PLANNER_INPUTS)
EPOCH = EPOCH_ORDINAL
