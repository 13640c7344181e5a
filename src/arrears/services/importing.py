"""Use case: import a portfolio directory into the database.

Two passes over the files, both streaming:
1. validate: cells (`portfolio.validate`), then keys and references (`portfolio.references`); every error goes
   to the reject report. Nothing is written.
2. write: re-read the files and upsert the good rows by natural key, in batches, in ONE transaction. Without
   `accept_partial` the write pass runs only when there is no error at all, so an import is all-or-nothing.

Every run, failed or not, is recorded in `import_runs` and appended to the audit log.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

from arrears.domain.clock import Clock
from arrears.portfolio.errors import RowError
from arrears.portfolio.reader import SourceFile, UnreadableFile, check_header, discover, iter_batches
from arrears.portfolio.references import REFERENCE_COLUMNS, DuplicateKeys, KeyIndex
from arrears.portfolio.rejects import RejectReport
from arrears.portfolio.schema import ColType
from arrears.portfolio.validate import check_batch
from arrears.storage import audit
from arrears.storage.bulk import bulk_upsert
from arrears.storage.uow import UnitOfWork

REPORT_NAME = "import-rejects.csv"
# Tables too big to keep their keys in memory: duplicates are found by hash (see DuplicateKeys).
_HASHED_KEYS = ("instalments", "payments", "contact_attempts", "holds", "assignments")


class Progress(Protocol):
    def __call__(self, label: str, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class TableCounts:
    read: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    status: str  # succeeded | partial | failed
    directory: Path
    report_path: Path
    tables: dict[str, TableCounts] = field(default_factory=dict)
    errors: int = 0
    first_errors: tuple[RowError, ...] = ()
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def rows_read(self) -> int:
        return sum(t.read for t in self.tables.values())

    def counts_json(self) -> dict[str, dict[str, int]]:
        return {
            name: {
                "read": c.read,
                "rejected": c.rejected,
                "inserted": c.inserted,
                "updated": c.updated,
                "unchanged": c.unchanged,
            }
            for name, c in self.tables.items()
        }


def import_portfolio(
    *,
    directory: Path,
    engine_or_uow: Engine | Callable[[], UnitOfWork],
    clock: Clock,
    accept_partial: bool = False,
    max_third_party_contacts: int = 5,
    progress: Progress | None = None,
    report_path: Path | None = None,
    actor: str = "cli",
) -> ImportReport:
    """Validate everything, then write all of it (or, with `accept_partial`, the good rows) in one transaction."""
    directory = Path(directory)
    started = clock.now()
    report_path = report_path or directory / REPORT_NAME
    if isinstance(engine_or_uow, Engine):
        engine = engine_or_uow

        def make_uow() -> UnitOfWork:
            return UnitOfWork(engine)
    else:
        make_uow = engine_or_uow
    with RejectReport(report_path) as rejects, make_uow() as uow:
        files, file_errors = discover(directory)
        rejects.extend(file_errors)
        readable: list[SourceFile] = []
        for f in files:
            errs = check_header(f)
            rejects.extend(errs)
            if not errs:
                readable.append(f)
        fatal = rejects.count > 0  # file-level problems fail the import even with accept_partial

        index = KeyIndex(uow.portfolio, max_third_party_contacts=max_third_party_contacts)
        rejected_rows: dict[str, set[int]] = {f.table.name: set() for f in readable}
        read: dict[str, int] = {}
        parties = next((f for f in readable if f.table.name == "parties"), None)
        if parties is not None:
            index.count_third_parties(_party_roles(parties))
        for f in readable:
            try:
                read[f.table.name] = _validate_file(f, index, rejects, rejected_rows[f.table.name], progress)
            except UnreadableFile as exc:
                rejects.extend([exc.error])
                read[f.table.name] = 0
                fatal = True

        del index  # the key index is the biggest thing in memory; the write pass does not need it
        gc.collect()
        status = "failed" if fatal or (rejects.count and not accept_partial) else "succeeded"
        counts: dict[str, TableCounts] = {}
        if status == "failed":
            counts = {n: TableCounts(read=r, rejected=len(rejected_rows[n])) for n, r in read.items()}
        else:
            for f in readable:
                counts[f.table.name] = _write_file(
                    f, uow, rejected_rows[f.table.name], read[f.table.name], progress
                )
            if rejects.count:
                status = "partial"
        report = ImportReport(
            status=status,
            directory=directory,
            report_path=report_path,
            tables=counts,
            errors=rejects.count,
            first_errors=tuple(rejects.first),
        )
        finished = clock.now()
        run_id = uow.import_runs.record(
            started_at=started,
            finished_at=finished,
            directory=str(directory),
            status=status,
            rows_read=report.rows_read,
            rows_rejected=rejects.count,
            counts=report.counts_json(),
        )
        audit.append(
            uow.connection,
            at=finished,
            actor=actor,
            action="portfolio.import",
            subject=str(directory),
            detail={
                "run_id": run_id,
                "status": status,
                "errors": rejects.count,
                "tables": report.counts_json(),
            },
        )
        uow.commit()
    return ImportReport(
        status=report.status,
        directory=report.directory,
        report_path=report.report_path,
        tables=report.tables,
        errors=report.errors,
        first_errors=report.first_errors,
        run_id=run_id,
    )


def _party_roles(source: SourceFile) -> Iterator[tuple[str, str, str]]:
    for raw in iter_batches(source, columns=["party_id", "borrower_id", "role"]):
        cols = [pc.utf8_trim_whitespace(raw.data.column(i)).to_numpy(zero_copy_only=False).tolist() for i in range(3)]
        yield from zip(*cols, strict=True)


def _validate_file(
    f: SourceFile, index: KeyIndex, rejects: RejectReport, rejected: set[int], progress: Progress | None
) -> int:
    table = f.table
    dups = DuplicateKeys() if table.name in _HASHED_KEYS else None
    n = 0
    label = f"校验 / validating {f.name}"
    for raw in iter_batches(f):
        n += raw.data.num_rows
        checked = check_batch(table, raw.data, file=f.name, first_row=raw.first_row)
        rejects.extend(checked.errors)
        rejected.update(e.row for e in checked.errors)
        row_numbers, cols = checked.pycolumns(REFERENCE_COLUMNS[table.name])
        good, errors = index.check(table.name, f.name, row_numbers, cols)
        rejects.extend(errors)
        rejected.update(e.row for e in errors)
        if dups is not None:
            keys = list(zip(*(cols[k] for k in table.key), strict=True))
            dups.extend(keys if len(good) == len(keys) else [keys[j] for j in good])
        if progress:
            progress(label, raw.done, raw.total)
    index.finish(table.name)
    if dups is not None:
        candidates = dups.candidates()
        if candidates:
            errors = DuplicateKeys.confirm(f.name, table.key, _keys(f, rejected), candidates)
            rejects.extend(errors)
            rejected.update(e.row for e in errors)
    return n


def _keys(f: SourceFile, rejected: set[int]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row, typed key) of the rows that passed validation, re-read from the file."""
    key_cols = [f.table.column(k) for k in f.table.key]
    for raw in iter_batches(f, columns=[c.name for c in key_cols]):
        cols = [raw.data.column(c.name).to_pylist() for c in key_cols]
        for i, values in enumerate(zip(*cols, strict=True)):
            row_no = raw.first_row + i
            if row_no in rejected:
                continue
            yield (
                row_no,
                tuple(
                    int(v) if c.type is ColType.INT else v.strip()
                    for c, v in zip(key_cols, values, strict=True)
                ),
            )


def _team_names(columns: dict[str, pa.Array]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for team, name in zip(columns["team_id"].to_pylist(), columns["team_name"].to_pylist(), strict=True):
        if names.get(team) is None:
            names[team] = name
    return names


def _write_file(
    f: SourceFile, uow: UnitOfWork, rejected: set[int], read: int, progress: Progress | None
) -> TableCounts:
    name = f.table.name
    before = uow.portfolio.count(name)
    affected = 0
    written = 0
    label = f"写入 / writing {f.name}"
    for raw in iter_batches(f):
        checked = check_batch(f.table, raw.data, file=f.name, first_row=raw.first_row)
        mask = None
        if rejected:
            n = raw.data.num_rows
            mask = pa.array([raw.first_row + i not in rejected for i in range(n)], pa.bool_())
        columns = checked.keep(mask)
        if name == "agents":  # an agent's team is created (or renamed) first
            uow.portfolio.ensure_teams(_team_names(columns))
        affected += bulk_upsert(uow.connection, name, columns)
        written += len(next(iter(columns.values())))
        if progress:
            progress(label, raw.done, raw.total)
    inserted = uow.portfolio.count(name) - before
    return TableCounts(
        read=read,
        rejected=len(rejected),
        inserted=inserted,
        updated=affected - inserted,
        unchanged=written - affected,
    )
