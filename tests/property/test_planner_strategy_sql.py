"""The compiled strategy SQL selects the same segment, variant, treatment and due steps as the Python oracle
(`strategy.select.select_treatment` / `next_steps`), account by account, on generated accounts.

The variant hash bucket is computed in NumPy (`assign.bucket_bp_many`) and passed in as `variant_keys`, as the
planner service does; the SQL compares it with the variants' basis-point ranges."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.compute import run_duckdb
from arrears.domain.enums import LenderType, Outcome
from arrears.planner.inputs import FACTS, VARIANT_KEYS, epoch_day
from arrears.planner.strategy_sql import multi_variant_segments, strategy_statements
from arrears.strategy.assign import bucket_bp_many
from arrears.strategy.loader import load_strategy, load_strategy_file
from arrears.strategy.model import AccountFacts, PromiseState, Strategy
from arrears.strategy.select import due_today

AS_OF = date(2026, 3, 10)
LADDER = ("M0", "M1", "M2", "M3", "M4", "M5", "M6+")

# A second strategy that uses every segment criterion and a three-arm test.
RICH_YAML = """
strategy: rich_test
version: "1"
salt: "s1"
description: {zh: 测试, en: test}
treatments:
  - id: a
    steps:
      - {id: a_sms, anchor: instalment_due_date, day: -2, channel: sms, party: debtor, template: t, pool: p}
      - {id: a_call, anchor: instalment_due_date, day: 1, every_days: 3, until_day: 40, channel: call,
         party: debtor, template: t, pool: p, when: [not promise_open, "score >= 40"]}
      - {id: a_ptp, anchor: promise_due_date, day: 0, channel: call, party: debtor, template: t, pool: p,
         when: [promise_open]}
  - id: b
    steps:
      - {id: b_call, anchor: bucket_entry, day: 0, every_days: 2, channel: call, party: debtor, template: t,
         pool: p, when: ["failed_in_row < 3", "dpd != 45"]}
      - {id: b_ec, anchor: bucket_entry, day: 1, every_days: 4, channel: call, party: emergency_contact,
         template: locate_only, pool: p, when: [borrower_unreachable]}
      - {id: b_g, anchor: bucket_entry, day: 3, channel: call, party: guarantor, template: t, pool: p,
         when: [has_guarantor, "no_rpc_days > 5", "broken_promises == 0"]}
      - {id: b_visit, anchor: bucket_entry, day: 5, every_days: 10, channel: visit, party: debtor, template: t,
         pool: p, from_bucket: M2, when: [not promise_kept],
         requires: {supervisor_approval: true, min_staff: 2, recording: true}}
      - {id: b_broken, anchor: promise_due_date, day: 1, channel: sms, party: debtor, template: t, pool: p,
         when: [promise_broken, "broken_promises <= 2"]}
  - id: c
    steps:
      - {id: c_sms, anchor: instalment_due_date, day: 0, every_days: 7, channel: sms, party: debtor,
         template: t, pool: p, when: [not vulnerable]}
segments:
  - {id: rich, match: {balance_minor: {min: 100000, max: 900000}, score: {min: 30, max: 80},
                      lender_types: [licensed]}, treatment: b}
  - {id: region, match: {region_prefixes: ["广东", "Beij"], languages: [en]}, treatment: c}
  - {id: prod, match: {products: [cash, bnpl], buckets: [M1, M2, M3], vulnerability: none},
     variants: [{id: x, treatment: a, share_pct: 33.33}, {id: y, treatment: b, share_pct: 33.33},
                {id: z, treatment: c, share_pct: 33.34}]}
  - {id: private_low, match: {lender_types: [private], score: {max: 20}}, treatment: c}
default: {id: rest, treatment: a}
"""


def _strategies(tmp: Path) -> tuple[Strategy, ...]:
    path = tmp / "rich_test.yaml"
    path.write_text(RICH_YAML, encoding="utf-8")
    return (load_strategy("cn_default"), load_strategy_file(path))


DAY = st.integers(min_value=-60, max_value=60).map(lambda n: AS_OF + timedelta(days=n))
OUTCOMES = st.sampled_from(list(Outcome))


@st.composite
def account(draw: st.DrawFn, i: int) -> AccountFacts:
    bucket = draw(st.sampled_from(LADDER))
    state = draw(st.sampled_from(list(PromiseState)))
    return AccountFacts(
        account_id=f"B{i:04d}-{draw(st.integers(0, 10**6))}",
        bucket=bucket,
        dpd=draw(st.integers(0, 200)),
        balance_minor=draw(st.integers(0, 2_000_000)),
        instalment_due_date=draw(DAY),
        score=draw(st.none() | st.integers(0, 100)),
        product=draw(st.sampled_from(("cash", "bnpl", "auto", ""))),
        region=draw(st.sampled_from(("广东省深圳市", "北京市", "Beijing", "Be", ""))),
        language=draw(st.sampled_from(("zh-CN", "en", "zh"))),
        lender_type=draw(st.sampled_from(list(LenderType))),
        vulnerable=draw(st.booleans()),
        bucket_entry_date=draw(st.none() | DAY),
        promise_due_date=draw(st.none() | DAY),
        promise_state=state,
        broken_promises=draw(st.integers(0, 4)),
        no_rpc_days=draw(st.integers(0, 40)),
        last_outcomes=tuple(draw(st.lists(OUTCOMES, max_size=6))),
        borrower_unreachable=draw(st.booleans()),
        has_guarantor=draw(st.booleans()),
    )


@st.composite
def portfolios(draw: st.DrawFn) -> list[AccountFacts]:
    n = draw(st.integers(1, 25))
    return [draw(account(i)) for i in range(n)]


def _opt_day(d: date | None) -> int | None:
    return None if d is None else epoch_day(d)


def facts_table(accounts: list[AccountFacts]) -> pa.Table:
    rows = {
        "borrower_id": [a.account_id for a in accounts],
        "bucket": [a.bucket for a in accounts],
        "dpd": [a.dpd for a in accounts],
        "balance_minor": [a.balance_minor for a in accounts],
        "score": [a.score for a in accounts],
        "product": [a.product for a in accounts],
        "region": [a.region for a in accounts],
        "language": [a.language for a in accounts],
        "lender_type": [a.lender_type.value for a in accounts],
        "vulnerable": [a.vulnerable for a in accounts],
        "due_day": [epoch_day(a.instalment_due_date) for a in accounts],
        "bucket_entry_day": [_opt_day(a.bucket_entry_date) for a in accounts],
        "promise_due_day": [_opt_day(a.promise_due_date) for a in accounts],
        "promise_state": [a.promise_state.value for a in accounts],
        "broken_promises": [a.broken_promises for a in accounts],
        "no_rpc_days": [a.no_rpc_days for a in accounts],
        "failed_in_row": [a.failed_in_row for a in accounts],
        "borrower_unreachable": [a.borrower_unreachable for a in accounts],
        "has_guarantor": [a.has_guarantor for a in accounts],
    }
    types = dict(FACTS.columns)
    arrow = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_()}
    return pa.table({k: pa.array(v, type=arrow[types[k]]) for k, v in rows.items()})


def run_sql(
    strategy: Strategy, accounts: list[AccountFacts]
) -> tuple[dict[str, tuple[str, str, str]], set[tuple[str, str]]]:
    ids = [a.account_id for a in accounts]
    keys = pa.table(
        {
            "borrower_id": pa.array(ids, pa.string()),
            "variant_bp": pa.array(bucket_bp_many(strategy.id, strategy.salt, ids), pa.int32()),
        }
    )
    assert VARIANT_KEYS.column_names == tuple(keys.column_names)
    out = run_duckdb(
        strategy_statements(strategy, epoch_day(AS_OF)),
        {"facts": facts_table(accounts), "variant_keys": keys},
        outputs=["selection", "due_steps"],
        threads=1,
    )
    sel = {
        r["borrower_id"]: (r["segment"], r["variant"], r["treatment"]) for r in out["selection"].to_pylist()
    }
    due = {(r["borrower_id"], r["step_id"]) for r in out["due_steps"].to_pylist()}
    return sel, due


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(accounts=portfolios(), which=st.integers(0, 1))
def test_sql_selection_and_due_steps_equal_the_oracle(accounts: list[AccountFacts], which: int) -> None:
    strategy = _STRATEGIES[which]
    accounts = list({a.account_id: a for a in accounts}.values())
    sel, due = run_sql(strategy, accounts)
    expected_due: set[tuple[str, str]] = set()
    for a in accounts:
        selection, actions = due_today(strategy, a, AS_OF)
        assert sel[a.account_id] == (selection.segment.id, selection.variant.id, selection.treatment.id), a
        expected_due |= {(a.account_id, x.step_id) for x in actions}
    assert due == expected_due


def test_variant_keys_are_needed_only_for_multi_arm_segments(tmp_path: Path) -> None:
    cn, rich = _strategies(tmp_path)
    assert multi_variant_segments(cn) == ("m1",)
    assert multi_variant_segments(rich) == ("prod",)


def _load() -> tuple[Strategy, ...]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return _strategies(Path(d))


_STRATEGIES = _load()
