"""The record of each import run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from arrears.storage.tables import import_runs


@dataclass(frozen=True, slots=True)
class ImportRun:
    id: int
    started_at: datetime
    finished_at: datetime | None
    directory: str
    status: str
    rows_read: int
    rows_rejected: int
    counts: dict[str, Any]


class ImportRunRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(
        self,
        *,
        started_at: datetime,
        finished_at: datetime,
        directory: str,
        status: str,
        rows_read: int,
        rows_rejected: int,
        counts: dict[str, Any],
    ) -> int:
        result = self.conn.execute(
            insert(import_runs)
            .values(
                started_at=started_at,
                finished_at=finished_at,
                directory=directory,
                status=status,
                rows_read=rows_read,
                rows_rejected=rows_rejected,
                counts_json=json.dumps(counts, sort_keys=True),
            )
            .returning(import_runs.c.id)
        )
        return int(result.scalar_one())

    def latest(self) -> ImportRun | None:
        r = (
            self.conn.execute(select(import_runs).order_by(import_runs.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
        if r is None:
            return None
        return ImportRun(
            id=r["id"],
            started_at=r["started_at"],
            finished_at=r["finished_at"],
            directory=r["directory"],
            status=r["status"],
            rows_read=r["rows_read"],
            rows_rejected=r["rows_rejected"],
            counts=json.loads(r["counts_json"]),
        )
