"""Delinquency buckets as data: ordered DPD ranges, first match wins, explicit default (Kill Bill style ladder)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arrears.delinquency.datafile import (
    DataFileError,
    read_yaml,
    reject_unknown,
    require_int,
    require_list,
    require_mapping,
    require_str,
)

COUNT_FROM = "instalment_due_date"  # the only date DPD counts from; named in the file so nobody guesses


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    min_dpd: int
    max_dpd: int | None  # inclusive; None = no upper bound

    def holds(self, dpd: int) -> bool:
        return self.min_dpd <= dpd and (self.max_dpd is None or dpd <= self.max_dpd)


@dataclass(frozen=True, slots=True)
class BucketScheme:
    version: str
    buckets: tuple[Bucket, ...]
    default: str
    count_from: str = COUNT_FROM

    def __post_init__(self) -> None:
        names = [b.name for b in self.buckets]
        if len(set(names)) != len(names):
            raise ValueError(f"bucket scheme {self.version}: duplicate bucket names {names}")

    def classify(self, dpd: int) -> str:
        """The first bucket whose range holds `dpd`, else the default."""
        if dpd < 0:
            raise ValueError(f"DPD cannot be negative, got {dpd}")
        for b in self.buckets:
            if b.holds(dpd):
                return b.name
        return self.default

    @property
    def names(self) -> tuple[str, ...]:
        """Bucket names in ladder order, with the default last if it is not one of them."""
        names = tuple(b.name for b in self.buckets)
        return names if self.default in names else (*names, self.default)

    @property
    def breakpoints(self) -> tuple[int, ...]:
        """Positive DPD values at which `classify` may change: every range's start and one past its end."""
        points = {b.min_dpd for b in self.buckets} | {
            b.max_dpd + 1 for b in self.buckets if b.max_dpd is not None
        }
        return tuple(sorted(p for p in points if p > 0))


def parse_bucket_scheme(doc: object, source: str) -> BucketScheme:
    root = require_mapping(doc, source, "<document>")
    reject_unknown(root, {"version", "count_from", "default", "buckets"}, source, "")
    version = require_str(root, "version", source, "")
    count_from = require_str(root, "count_from", source, "")
    if count_from != COUNT_FROM:
        raise DataFileError(source, "count_from", f"must be {COUNT_FROM!r}, got {count_from!r}")
    default = require_str(root, "default", source, "")
    buckets: list[Bucket] = []
    for i, raw in enumerate(require_list(root.get("buckets"), source, "buckets")):
        field = f"buckets[{i}]"
        m: Mapping[str, Any] = require_mapping(raw, source, field)
        reject_unknown(m, {"name", "min_dpd", "max_dpd"}, source, field)
        name = require_str(m, "name", source, field)
        lo = require_int(m, "min_dpd", source, field)
        hi = None if m.get("max_dpd") is None else require_int(m, "max_dpd", source, field, minimum=lo)
        if name in {b.name for b in buckets}:
            raise DataFileError(source, f"{field}.name", f"duplicate bucket name {name!r}")
        buckets.append(Bucket(name, lo, hi))
    return BucketScheme(version=version, buckets=tuple(buckets), default=default, count_from=count_from)


def load_bucket_scheme(path: str | Path | None = None) -> BucketScheme:
    """Load a bucket scheme; the packaged default (M0, M1..M5, M6+) when `path` is None."""
    doc, source = read_yaml(path, "buckets.yaml")
    return parse_bucket_scheme(doc, source)
