"""The versioned one-year LPR table (package data `data/lpr_1y.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from arrears.delinquency.datafile import (
    DataFileError,
    read_yaml,
    reject_unknown,
    require_date,
    require_int,
    require_list,
    require_mapping,
    require_str,
)


@dataclass(frozen=True, slots=True)
class LprEntry:
    effective: date
    rate_bp: int  # 3.00% -> 300


@dataclass(frozen=True, slots=True)
class LprTable:
    version: str
    source: str
    entries: tuple[LprEntry, ...]  # strictly increasing `effective`

    def __post_init__(self) -> None:
        days = [e.effective for e in self.entries]
        if not days or days != sorted(set(days)):
            raise ValueError(f"LPR table {self.version}: entries must be non-empty with increasing dates")

    def on(self, day: date) -> LprEntry | None:
        """The LPR in force on `day`: the latest entry effective on or before it; None before the first entry."""
        found: LprEntry | None = None
        for e in self.entries:
            if e.effective > day:
                break
            found = e
        return found


def parse_lpr_table(doc: object, source: str) -> LprTable:
    root = require_mapping(doc, source, "<document>")
    reject_unknown(root, {"version", "source", "rates"}, source, "")
    entries: list[LprEntry] = []
    for i, raw in enumerate(require_list(root.get("rates"), source, "rates")):
        field = f"rates[{i}]"
        m = require_mapping(raw, source, field)
        reject_unknown(m, {"effective", "rate_bp"}, source, field)
        entry = LprEntry(
            require_date(m, "effective", source, field), require_int(m, "rate_bp", source, field, minimum=1)
        )
        if entries and entry.effective <= entries[-1].effective:
            raise DataFileError(source, f"{field}.effective", "dates must increase row by row")
        entries.append(entry)
    return LprTable(
        version=require_str(root, "version", source, ""),
        source=require_str(root, "source", source, ""),
        entries=tuple(entries),
    )


def load_lpr_table(path: str | Path | None = None) -> LprTable:
    doc, source = read_yaml(path, "lpr_1y.yaml")
    return parse_lpr_table(doc, source)
