"""Write generated chunks as the import format: one `<table>.csv` or `<table>.parquet` per table.

Files are streamed into a staging folder inside `out` and moved into place only when every chunk has been
written, so a failed run leaves no half-written portfolio. The hidden truth goes to `out/_truth/`
(`propensity.parquet` and `manifest.json`), which the importer does not read.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arrears.portfolio.schema import TABLES, ColType, Table
from arrears.portfolio.synth.generate import TRUTH_SCHEMA, Chunk
from arrears.portfolio.synth.roster import RosterBuilder, roster_size

Format = Literal["csv", "parquet"]
TRUTH_DIR = "_truth"
_STAGING = ".synth-staging"
_ARROW_TYPES = {ColType.INT: pa.int64(), ColType.BOOL: pa.bool_(), ColType.DATE: pa.date32()}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema written for a table: columns in schema order; text for every non-numeric type."""
    return pa.schema([pa.field(c.name, _ARROW_TYPES.get(c.type, pa.string())) for c in table.columns])


@dataclass
class WriteSummary:
    out: Path
    format: Format
    accounts: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Sink:
    def __init__(self, path: Path, schema: pa.Schema, fmt: Format) -> None:
        self.schema = schema
        self._writer: Any
        if fmt == "csv":
            self._writer = pacsv.CSVWriter(
                str(path), schema, write_options=pacsv.WriteOptions(quoting_style="needed")
            )
        else:
            self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table.select(self.schema.names).cast(self.schema))

    def close(self) -> None:
        self._writer.close()


def write_portfolio(
    chunks: Iterable[Chunk],
    out: Path,
    *,
    fmt: Format = "csv",
    seed: int,
    as_of: date,
    chunk_size: int,
    contact_rate: float = 1.0,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> WriteSummary:
    """Write every chunk, then the roster (agents, assignments: it needs every chunk's accounts in arrears).

    Returns the row counts. `seed`, `as_of`, `chunk_size` and `contact_rate` go into the manifest."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}: use csv or parquet / 格式只能是 csv 或 parquet")
    out.mkdir(parents=True, exist_ok=True)
    staging = out / _STAGING
    shutil.rmtree(staging, ignore_errors=True)
    (staging / TRUTH_DIR).mkdir(parents=True)
    summary = WriteSummary(out=out, format=fmt, rows={t.name: 0 for t in TABLES})
    roster = RosterBuilder(seed, (as_of - date(1970, 1, 1)).days)
    sinks: dict[str, _Sink] = {}
    truth_writer: pq.ParquetWriter | None = None
    try:
        sinks = {t.name: _Sink(staging / f"{t.name}.{fmt}", arrow_schema(t), fmt) for t in TABLES}
        truth_writer = pq.ParquetWriter(str(staging / TRUTH_DIR / "propensity.parquet"), TRUTH_SCHEMA)
        assert truth_writer is not None
        tw = truth_writer

        def write(chunk: Chunk) -> None:
            for name, table in chunk.tables.items():
                sinks[name].write(table)
            tw.write_table(chunk.truth)

        def done(chunk: Chunk) -> None:
            for name, table in chunk.tables.items():
                summary.rows[name] += table.num_rows
            summary.accounts += chunk.accounts
            roster.add(chunk.in_arrears)
            if on_chunk is not None:
                on_chunk(chunk)

        # Chunk i is written on a thread (pyarrow releases the GIL) while chunk i+1 is generated:
        # at most two chunks in memory.
        with ThreadPoolExecutor(1, thread_name_prefix="synth-writer") as io:
            pending: tuple[Chunk, Future[None]] | None = None
            for chunk in chunks:
                if pending is not None:
                    pending[1].result()
                    done(pending[0])
                pending = (chunk, io.submit(write, chunk))
                del chunk
            if pending is not None:
                pending[1].result()
                done(pending[0])
            pending = None
        for name, table in roster.tables().items():
            sinks[name].write(table)
            summary.rows[name] += table.num_rows
        for sink in sinks.values():
            sink.close()
        truth_writer.close()
        manifest = {
            "generator": "arrears.portfolio.synth",
            "seed": seed,
            "as_of": as_of.isoformat(),
            "accounts": summary.accounts,
            "chunk_size": chunk_size,
            "contact_rate": contact_rate,
            "format": fmt,
            "rows": summary.rows,
            "roster": {
                "agents": summary.rows["agents"],
                "teams": roster_size(summary.rows["assignments"])[1],
            },
            "truth": "propensity.parquet: one row per loan; see src/arrears/portfolio/README.md",
        }
        (staging / TRUTH_DIR / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
    except BaseException:
        for sink in sinks.values():  # already failing: close what we can, then drop the staging folder
            with contextlib.suppress(Exception):
                sink.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # publish: remove the other format's files so the importer never sees two files for one table
    other = "parquet" if fmt == "csv" else "csv"
    for t in TABLES:
        (out / f"{t.name}.{other}").unlink(missing_ok=True)
        os.replace(staging / f"{t.name}.{fmt}", out / f"{t.name}.{fmt}")
    shutil.rmtree(out / TRUTH_DIR, ignore_errors=True)
    os.replace(staging / TRUTH_DIR, out / TRUTH_DIR)
    staging.rmdir()
    return summary
