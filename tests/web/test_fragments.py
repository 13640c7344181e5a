"""The customer view's cached fragments (web/templating.py `fragment`): a loan section is rendered once per
distinct loan and reused; the cache holds nothing the cyclic garbage collector keeps walking. At 1M accounts a
worker keeps up to 20,000 loan sections; keyed by class objects they kept up to 800,000 tuples tracked, and each
full collection stopped every request in the process while it walked them."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime

import pytest
from markupsafe import Markup

from arrears.services.account_views import BucketSpell, DpdPoint, Instalment, LoanView, Payment
from arrears.web import templating


def _loan(n: int, *, channel: str | None = "bank<card>") -> LoanView:
    return LoanView(
        loan_id=f"L{n}",
        lender="某某小贷",
        lender_type="microloan",
        licence="X-1",
        product="cash",
        currency="CNY",
        principal_minor=1_000_000 + n,
        apr_all_in_bp=2400,
        contract_date=date(2025, 1, 1),
        as_of=date(2026, 3, 10),
        dpd=40,
        bucket="M2",
        overdue_principal_minor=100_000,
        overdue_interest_minor=2_000,
        overdue_penalty_minor=0,
        non_demandable_minor=0,
        rate_flags=["apr_over_24"],
        score=0.42,
        score_as_of=date(2026, 3, 9),
        model_version="m1",
        paid_minor=5_000,
        instalments=[
            Instalment(seq, date(2025, 1 + seq, 1), 80_000, 2_000, 0, 82_000) for seq in range(1, 12)
        ],
        payments=[Payment(f"P{n}", datetime(2025, 3, 1, 2, 30, tzinfo=UTC), 5_000, channel)],
        dpd_history=[DpdPoint(date(2026, 3, 10), 40, "M2")],
        bucket_history=[BucketSpell(date(2026, 2, 1), None, "M2")],
    )


@pytest.fixture
def fragment():
    templating._FRAGMENTS.clear()
    yield templating._fragment_fn("zh-CN", "Asia/Shanghai")
    templating._FRAGMENTS.clear()


def test_a_loan_section_is_rendered_escaped_once_and_reused_until_the_loan_changes(fragment) -> None:
    first = fragment("_loan.html", ln=_loan(1))
    assert isinstance(first, Markup)
    assert "L1 · 某某小贷 · cash" in first and "¥10,000.01" in first and "bank&lt;card&gt;" in first
    assert "2025-03-01 10:30" in first  # the payment's time in the operation's zone
    assert fragment("_loan.html", ln=_loan(1)) == first and len(templating._FRAGMENTS) == 1
    changed = fragment("_loan.html", ln=_loan(1, channel="alipay"))
    assert "alipay" in changed and "bank&lt;card&gt;" not in changed
    assert len(templating._FRAGMENTS) == 2


def test_the_fragment_cache_leaves_nothing_for_the_garbage_collector_to_walk(fragment) -> None:
    for n in range(200):
        fragment("_loan.html", ln=_loan(n))
    for _ in range(10):  # nested key tuples are untracked level by level, one pass each
        gc.collect()
    tracked: list[object] = []

    def walk(value: object) -> None:
        if gc.is_tracked(value):
            tracked.append(value)
        if isinstance(value, tuple):
            for item in value:
                walk(item)

    for key, html in templating._FRAGMENTS.items():
        walk(key)
        walk(html)
    assert len(templating._FRAGMENTS) == 200
    assert tracked == []
