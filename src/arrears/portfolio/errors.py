"""Import errors are values: collected, reported, never raised."""

from __future__ import annotations

from dataclasses import dataclass

# Row numbers count the header as row 1, so the first data row is row 2 (as a spreadsheet shows it).
HEADER_ROW = 1
FIRST_DATA_ROW = 2


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected cell (or row, or file). `row` is 1-based with the header as row 1; 0 means the whole file."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row == 0 else f"{self.file}:{self.row}"
        col = f" [{self.column}]" if self.column else ""
        val = f" {self.value!r}" if self.value else ""
        return f"{where}{col}{val}: {self.reason}"
