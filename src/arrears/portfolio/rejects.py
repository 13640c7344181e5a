"""The reject report: every `RowError` of an import, streamed to a CSV file as it is found."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO

from arrears.portfolio.errors import RowError

COLUMNS = ("file", "row", "column", "value", "reason")


class RejectReport:
    """Writes errors as they come and keeps the first `keep` in memory for display."""

    def __init__(self, path: Path, *, keep: int = 50) -> None:
        self.path = path
        self.keep = keep
        self.count = 0
        self.first: list[RowError] = []
        self._fh: IO[str] | None = None

    def __enter__(self) -> RejectReport:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(COLUMNS)
        return self

    def extend(self, errors: Iterable[RowError]) -> None:
        for e in errors:
            self._writer.writerow((e.file, e.row, e.column, e.value, e.reason))
            self.count += 1
            if len(self.first) < self.keep:
                self.first.append(e)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_report(path: Path) -> list[RowError]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            RowError(r["file"], int(r["row"]), r["column"], r["value"], r["reason"])
            for r in csv.DictReader(f)
        ]
