"""A bench-only fast path into PostgreSQL: the synthetic portfolio's Parquet files straight into the migrated
tables with COPY (`bench/web.py --loader copy`).

The synthesiser writes files whose columns are the tables' columns (agents also carry `team_name`, which goes to
`teams`), so each file is streamed as CSV into `COPY table (columns) FROM STDIN`. Nothing is validated and
nothing is upserted: this is NOT `arrears import` (which checks every cell and every reference and is
all-or-nothing); it exists because the importer needs about an hour for 1M accounts (~30M rows) on a small
machine, and the web benchmark measures the pages, not the import. One transaction.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Engine
from sqlalchemy.sql.schema import ScalarElementColumnDefault

# parents before children (foreign keys)
ORDER = (
    "borrowers",
    "loans",
    "instalments",
    "payments",
    "parties",
    "contact_points",
    "contact_attempts",
    "holds",
    "agents",
    "assignments",
)
BATCH = 250_000


def _csv(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    # every valid value quoted, nulls bare: COPY's csv format reads "" as an empty string and a bare empty as NULL
    pacsv.write_csv(
        table, buf, pacsv.WriteOptions(include_header=False, quoting_style="all_valid", delimiter=",")
    )
    return buf.getvalue()


def copy_portfolio(engine: Engine, directory: Path, log: Callable[[str], None] = print) -> int:
    """COPY every table file of `directory` into the (empty, migrated) database. Returns the rows written."""
    from arrears.storage.tables import metadata

    total = 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for name in ORDER:
            path = directory / f"{name}.parquet"
            if not path.is_file():
                continue
            started = time.perf_counter()
            sa_table = metadata.tables[name]
            columns = [c.name for c in sa_table.columns]
            defaults = {  # a missing optional cell gets the column's default, as the importer does
                c.name: c.default.arg
                for c in sa_table.columns
                if not c.nullable and isinstance(c.default, ScalarElementColumnDefault)
            }
            pf = pq.ParquetFile(path)
            if name == "agents":
                teams = (
                    pf.read(columns=["team_id", "team_name"])
                    .group_by(["team_id"])
                    .aggregate([("team_name", "min")])
                )
                teams = pa.table({"team_id": teams["team_id"], "name": teams["team_name_min"]})
                with cur.copy("COPY teams (team_id, name) FROM STDIN (FORMAT csv)") as cp:
                    cp.write(_csv(teams))
            rows = 0
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f"COPY {name} ({quoted}) FROM STDIN (FORMAT csv)") as cp:
                for batch in pf.iter_batches(batch_size=BATCH, columns=columns):
                    table = pa.Table.from_batches([batch])
                    for i, field in enumerate(table.schema):
                        col = table.column(i)
                        if field.name in defaults and col.null_count:
                            col = pc.fill_null(col, pa.scalar(defaults[field.name], field.type))
                        if pa.types.is_timestamp(
                            field.type
                        ):  # ISO instants with offsets: PostgreSQL parses them
                            col = pc.cast(col, pa.string())
                        table = table.set_column(i, field.name, col)
                    cp.write(_csv(table))
                    rows += table.num_rows
            total += rows
            seconds = time.perf_counter() - started
            log(f"  copy {name}: {rows:,} rows in {seconds:.0f} s ({rows / max(seconds, 1e-9):,.0f} rows/s)")
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return total
