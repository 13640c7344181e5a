"""The LPR table is versioned package data; a malformed table is refused naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.delinquency import DataFileError, LprTable, load_lpr_table


def test_packaged_table_is_versioned_and_starts_with_the_reformed_lpr(lpr: LprTable) -> None:
    assert lpr.version and "[U]" in lpr.source
    first, last = lpr.entries[0], lpr.entries[-1]
    assert (str(first.effective), first.rate_bp) == ("2019-08-20", 425)
    assert (str(last.effective), last.rate_bp) == ("2025-05-20", 300)


@pytest.mark.parametrize(
    ("rates", "field"),
    [
        ("[{effective: 2020-01-01, rate_bp: 400}, {effective: 2019-01-01, rate_bp: 400}]", "rates[1].effective"),
        ("[{effective: 2020-01-01, rate_bp: 0}]", "rates[0].rate_bp"),
        ("[{effective: soon, rate_bp: 400}]", "rates[0].effective"),
        ("[{effective: 2020-01-01, rate_bp: 400, note: x}]", "rates[0].note"),
        ("[]", "rates"),
    ],
)
def test_bad_lpr_table_names_the_field(tmp_path: Path, rates: str, field: str) -> None:
    path = tmp_path / "lpr.yaml"
    path.write_text(f"version: t\nsource: test\nrates: {rates}\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_lpr_table(path)
    assert err.value.field == field and str(path) in str(err.value)
