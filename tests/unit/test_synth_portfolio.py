"""What a user sees in a synthetic portfolio: the import columns, every DPD bucket, rates above the legal
caps, borrowers in other time zones, lawful contact sources only, at most five third parties each."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from arrears.delinquency.lpr import load_lpr_table
from arrears.domain.enums import LAWFUL_SOURCES
from arrears.portfolio.schema import TABLES_BY_NAME
from arrears.portfolio.synth import Chunk, generate

AS_OF = date(2026, 3, 10)


@cache
def portfolio() -> tuple[dict[str, pa.Table], pa.Table]:
    chunks: list[Chunk] = list(generate(5000, 11, AS_OF, chunk_size=2500))
    tables = {name: pa.concat_tables([c.tables[name] for c in chunks]) for name in chunks[0].tables}
    return tables, pa.concat_tables([c.truth for c in chunks])


def test_tables_have_exactly_the_schema_columns_in_order() -> None:
    tables, _ = portfolio()
    for name, table in tables.items():
        assert table.column_names == [c.name for c in TABLES_BY_NAME[name].columns], name


def test_every_dpd_bucket_is_present_including_current_and_pre_due_loans() -> None:
    tables, truth = portfolio()
    buckets = Counter(truth.column("bucket").to_pylist())
    assert set(buckets) == {"M0", "M1", "M2", "M3", "M4", "M5", "M6+"}
    assert all(n >= 50 for n in buckets.values()), buckets
    # pre-due loans: the first instalment falls due on or after as-of
    due1 = tables["instalments"].filter(pc.equal(tables["instalments"]["seq"], 1))
    assert pc.sum(pc.greater_equal(due1["due_date"], pa.scalar(AS_OF))).as_py() > 50


def test_some_loans_break_each_rate_cap() -> None:
    tables, _ = portfolio()
    loans = tables["loans"].to_pylist()
    lpr = load_lpr_table()
    licensed = [x for x in loans if x["lender_type"] == "licensed"]
    private = [x for x in loans if x["lender_type"] == "private"]
    assert sum(x["apr_all_in_bp"] > 2400 for x in licensed) > 0.05 * len(licensed)
    assert 0 < sum(x["apr_all_in_bp"] > 3600 for x in licensed) < 0.05 * len(licensed)
    above = [x for x in private if x["apr_all_in_bp"] > 4 * lpr.on(x["contract_date"]).rate_bp]  # type: ignore[union-attr]
    below = [x for x in private if x["apr_all_in_bp"] <= 4 * lpr.on(x["contract_date"]).rate_bp]  # type: ignore[union-attr]
    assert above and below
    assert all(x["licence"] == "none" for x in private)


def test_lpr_cap_follows_the_contract_date() -> None:
    # hand-checked: 4 x 3.10% = 12.40% for a contract on 2024-11-01, 4 x 3.00% = 12.00% from 2025-05-20
    from arrears.portfolio.synth.lenders import private_cap_bp

    days = [(date(2024, 11, 1) - date(1970, 1, 1)).days, (date(2025, 5, 20) - date(1970, 1, 1)).days]
    assert private_cap_bp(pa.array(days).to_numpy()).tolist() == [1240, 1200]


def test_a_few_percent_of_borrowers_are_outside_shanghai_time() -> None:
    tables, _ = portfolio()
    zones = tables["borrowers"]["timezones"].to_pylist()
    other = [z for z in zones if z != "Asia/Shanghai"]
    assert 0.01 * len(zones) < len(other) < 0.10 * len(zones)
    assert any("Asia/Urumqi" in z for z in other)
    assert any(";" in z for z in other)  # some with two candidate zones
    assert any(z.startswith("America/") for z in other)


def test_names_are_chinese_and_numbers_are_mainland_mobile_shaped() -> None:
    tables, _ = portfolio()
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in tables["borrowers"]["name"].to_pylist())
    cps = tables["contact_points"].filter(pc.equal(tables["contact_points"]["kind"], "mobile"))
    assert all(re.fullmatch(r"1[3-9]\d{9}", v) for v in cps["value"].to_pylist())


def test_only_lawful_contact_sources() -> None:
    tables, _ = portfolio()
    sources = set(tables["contact_points"]["source"].to_pylist())
    assert sources <= {s.value for s in LAWFUL_SOURCES}
    assert {"contract", "self_reserved", "reserved_contact_informed"} <= sources


def test_at_most_five_third_parties_per_borrower_and_a_few_guarantors() -> None:
    tables, _ = portfolio()
    parties = tables["parties"].to_pylist()
    per_borrower = Counter(p["borrower_id"] for p in parties)
    assert max(per_borrower.values()) == 5
    roles = Counter(p["role"] for p in parties)
    assert 0 < roles["guarantor"] < 0.06 * 5000
    assert {"parent", "spouse", "friend", "colleague"} <= set(roles)
    assert all(p["emergency_contact"] == (p["role"] != "guarantor") for p in parties)


def test_a_few_holds_and_vulnerability_flags() -> None:
    tables, _ = portfolio()
    kinds = Counter(tables["holds"]["kind"].to_pylist())
    assert set(kinds) == {"dispute", "hardship", "complaint", "deceased", "bankruptcy"}
    assert 0.01 * 5000 < sum(kinds.values()) < 0.06 * 5000
    flags = [v for v in tables["borrowers"]["vulnerability"].to_pylist() if v]
    assert 0.005 * 5000 < len(flags) < 0.05 * 5000
    assert any(";" in v for v in flags)
