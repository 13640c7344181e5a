"""Buckets are data: ordered ranges, first match wins, explicit default, errors name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.delinquency import BucketScheme, DataFileError, load_bucket_scheme


def test_default_scheme_has_the_standard_ladder(scheme: BucketScheme) -> None:
    got = {d: scheme.classify(d) for d in (0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 150, 151, 900)}
    assert got == {
        0: "M0", 1: "M1", 30: "M1", 31: "M2", 60: "M2", 61: "M3", 90: "M3",
        91: "M4", 120: "M4", 121: "M5", 150: "M5", 151: "M6+", 900: "M6+",
    }  # fmt: skip
    assert scheme.count_from == "instalment_due_date"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "buckets.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_first_matching_bucket_wins_and_gaps_fall_to_the_default(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
version: "t1"
count_from: instalment_due_date
default: WRITE_OFF
buckets:
  - {name: CURRENT, min_dpd: 0, max_dpd: 0}
  - {name: EARLY, min_dpd: 1, max_dpd: 10}
  - {name: OVERLAP, min_dpd: 5, max_dpd: 20}
  - {name: LATE, min_dpd: 30, max_dpd: 60}
""",
    )
    s = load_bucket_scheme(path)
    assert [s.classify(d) for d in (0, 7, 15, 25, 45, 61)] == ["CURRENT", "EARLY", "OVERLAP", "WRITE_OFF", "LATE", "WRITE_OFF"]
    assert s.names == ("CURRENT", "EARLY", "OVERLAP", "LATE", "WRITE_OFF")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("version: v\ncount_from: payment_date\ndefault: X\nbuckets: [{name: A, min_dpd: 0, max_dpd: 1}]", "count_from"),
        ("version: v\ncount_from: instalment_due_date\ndefault: X\nbuckets: [{name: A, min_dpd: 5, max_dpd: 1}]",
         "buckets[0].max_dpd"),
        ("version: v\ncount_from: instalment_due_date\ndefault: X\nbuckets: [{name: A, min_dpd: -1}]",
         "buckets[0].min_dpd"),
        ("version: v\ncount_from: instalment_due_date\ndefault: X\n"
         "buckets: [{name: A, min_dpd: 0, max_dpd: 0}, {name: A, min_dpd: 1, max_dpd: 2}]", "buckets[1].name"),
        ("version: v\ncount_from: instalment_due_date\nbuckets: [{name: A, min_dpd: 0}]", "default"),
        ("version: v\ncount_from: instalment_due_date\ndefault: X\nbuckets: [{name: A, min_dpd: 0, colour: red}]",
         "buckets[0].colour"),
    ],
)
def test_bad_scheme_is_refused_naming_file_and_field(tmp_path: Path, body: str, field: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(DataFileError) as err:
        load_bucket_scheme(path)
    assert err.value.field == field
    assert str(path) in str(err.value) and field in str(err.value)
