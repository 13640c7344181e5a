"""Find the files of a portfolio directory and stream them in batches of text columns.

CSV is read with `pyarrow.csv.open_csv` (every column as text); Parquet with `iter_batches` (cast to text).
Either way the validator sees strings, so both formats are checked by the same rules.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arrears.portfolio.errors import FIRST_DATA_ROW, HEADER_ROW, RowError
from arrears.portfolio.schema import TABLES, Table

BATCH_BYTES = 4 << 20  # CSV block size; a block of instalments is ~60k rows
PARQUET_BATCH_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class SourceFile:
    table: Table
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix == ".parquet"


@dataclass(frozen=True, slots=True)
class RawBatch:
    first_row: int  # row number of the batch's first row (header = row 1)
    data: pa.RecordBatch  # string columns
    done: int  # progress so far, in `SourceFile` units (bytes for CSV, rows for Parquet)
    total: int


class UnreadableFile(Exception):
    """A file that cannot be parsed past some point (a row with too many or too few fields, bad UTF-8)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def discover(directory: Path) -> tuple[list[SourceFile], list[RowError]]:
    """The table files in `directory`, in load order, and the file-level problems."""
    files: list[SourceFile] = []
    errors: list[RowError] = []
    if not directory.is_dir():
        return [], [RowError(str(directory), 0, "", "", "目录不存在 / directory not found")]
    for table in TABLES:
        found = [
            p for p in (directory / f"{table.name}.csv", directory / f"{table.name}.parquet") if p.is_file()
        ]
        if len(found) == 2:
            errors.append(
                RowError(
                    found[0].name,
                    0,
                    "",
                    "",
                    f"同一张表有两个文件 / both {table.name}.csv and {table.name}.parquet exist; keep one",
                )
            )
        elif found:
            files.append(SourceFile(table, found[0]))
        elif table.required_file:
            errors.append(RowError(f"{table.name}.csv", 0, "", "", "缺少必需文件 / required file is missing"))
    return files, errors


def header(source: SourceFile) -> list[str]:
    if source.is_parquet:
        return list(pq.ParquetFile(source.path).schema_arrow.names)
    with source.path.open("r", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def check_header(source: SourceFile) -> list[RowError]:
    """Missing required columns, unknown columns and repeated columns are file-level errors (row 1)."""
    try:
        names = header(source)
    except (OSError, UnicodeDecodeError, pa.ArrowException) as exc:
        return [RowError(source.name, 0, "", "", f"无法读取文件 / cannot read the file: {exc}")]
    known = {c.name for c in source.table.columns}
    errors = [
        RowError(source.name, HEADER_ROW, c.name, "", "缺少必需列 / required column is missing")
        for c in source.table.columns
        if c.required and c.name not in names
    ]
    errors += [
        RowError(source.name, HEADER_ROW, n, n, "未知列 / unknown column (see docs/import-format.md)")
        for n in names
        if n not in known
    ]
    errors += [
        RowError(source.name, HEADER_ROW, n, n, "列名重复 / column appears more than once")
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    return errors


def iter_batches(source: SourceFile, columns: list[str] | None = None) -> Iterator[RawBatch]:
    """Stream the file as string batches. `columns` limits what is read (None: every schema column present)."""
    names = header(source)
    wanted = [c.name for c in source.table.columns if c.name in names] if columns is None else columns
    if source.is_parquet:
        yield from _parquet_batches(source, wanted)
    else:
        yield from _csv_batches(source, names, wanted)


def _csv_batches(source: SourceFile, names: list[str], wanted: list[str]) -> Iterator[RawBatch]:
    total = source.path.stat().st_size
    invalid: list[pacsv.InvalidRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "error"

    try:
        yield from _csv_stream(source, names, wanted, total, on_invalid)
    except pa.ArrowException as exc:
        row = invalid[0].number if invalid and invalid[0].number is not None else 0
        if invalid and not row:  # the streaming reader does not always know the row: find it
            row = _first_ragged_row(source.path, len(names))
        text = invalid[0].text[:200] if invalid else ""
        reason = (
            f"第 {row} 行字段数与表头不符 / row has {invalid[0].actual_columns} fields, the header has "
            f"{invalid[0].expected_columns}"
            if invalid
            else f"无法解析文件 / cannot parse the file: {exc}"
        )
        raise UnreadableFile(RowError(source.name, row, "", text, reason)) from exc


def _first_ragged_row(path: Path, fields: int) -> int:
    """Row number (header = 1) of the first record whose field count differs from the header's; 0 if none."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        for row, record in enumerate(csv.reader(f), start=HEADER_ROW):
            if len(record) != fields:
                return row
    return 0


def _csv_stream(
    source: SourceFile,
    names: list[str],
    wanted: list[str],
    total: int,
    on_invalid: Callable[[pacsv.InvalidRow], str],
) -> Iterator[RawBatch]:
    with pa.OSFile(str(source.path), "rb") as f:
        reader = pacsv.open_csv(
            f,
            read_options=pacsv.ReadOptions(block_size=BATCH_BYTES, encoding="utf8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        row = FIRST_DATA_ROW
        for batch in reader:
            if batch.num_rows == 0:
                continue
            yield RawBatch(row, batch, min(f.tell(), total), total)
            row += batch.num_rows


def _parquet_batches(source: SourceFile, wanted: list[str]) -> Iterator[RawBatch]:
    pf = pq.ParquetFile(source.path)
    total = pf.metadata.num_rows
    row = FIRST_DATA_ROW
    done = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
        arrays = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        done += batch.num_rows
        yield RawBatch(row, pa.RecordBatch.from_arrays(arrays, names=batch.schema.names), done, total)
        row += batch.num_rows


def _as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_large_string(arr.type) or pa.types.is_dictionary(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:  # naive: keep it naive so the validator refuses it
            return arr.cast(pa.string())
        return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S%z")
    return arr.cast(pa.string())
