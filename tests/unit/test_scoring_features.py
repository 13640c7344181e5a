"""Propensity features on a tiny hand-built ledger; the expected values are worked out in the comments."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import numpy as np
import pytest

from arrears.scoring.features import FEATURE_NAMES, FEATURES, FeatureMatrix, compute_features
from arrears.scoring.ledger import NEVER, ScoringLedger, paid_in_window


def d(text: str) -> int:
    return date.fromisoformat(text).toordinal()


CUTOFF = d("2026-03-11")  # features see everything before the start of 11 March


def ledger(**changes: object) -> ScoringLedger:
    """L0 (borrower 0, licensed): ¥60 over 3 instalments of 2,000 + 200 due 1 Feb, 1 Mar, 1 Apr; paid the first
    on 31 Jan. L1 (borrower 1, private lender): one instalment due 20 Mar, nothing paid, hardship hold from
    1 Mar to 30 May. Borrower 0 was contacted six times (one of them on the cutoff day itself)."""
    base = ScoringLedger(
        loan_ids=("L0", "L1"),
        loan_borrower=np.array([0, 1]),
        private_lender=np.array([False, True]),
        principal_minor=np.array([6000, 5000]),
        apr_bp=np.array([2400, 3600]),
        contract_day=np.array([d("2026-01-01"), d("2026-02-20")]),
        inst_loan=np.array([0, 0, 0, 1]),
        inst_due=np.array([d("2026-02-01"), d("2026-03-01"), d("2026-04-01"), d("2026-03-20")]),
        inst_principal=np.array([2000, 2000, 2000, 5000]),
        inst_interest=np.array([200, 200, 200, 300]),
        inst_fee=np.array([0, 0, 0, 0]),
        pay_loan=np.array([0]),
        pay_day=np.array([d("2026-01-31")]),
        pay_amount=np.array([2200]),
        att_borrower=np.array([0, 0, 0, 0, 0, 0]),
        att_day=np.array(
            [
                d("2026-03-09"),
                d("2026-03-05"),
                d("2026-02-20"),
                d("2026-03-10"),
                d("2026-03-01"),
                d("2026-03-11"),
            ]
        ),
        att_channel=np.array(["call", "ai_voice", "call", "sms", "call", "call"]),
        att_outcome=np.array(
            ["rang_no_answer", "conversation", "conversation", "delivered", "conversation", "conversation"]
        ),
        att_inbound=np.array([False, False, False, False, True, False]),
        att_to_borrower=np.array([True, True, False, True, True, True]),
        hold_loan=np.array([1]),
        hold_kind=np.array(["hardship"]),
        hold_start=np.array([d("2026-03-01")]),
        hold_end=np.array([d("2026-05-30")]),
    )
    return dataclasses.replace(base, **changes) if changes else base


def row(m: FeatureMatrix, loan: int) -> dict[str, float]:
    return dict(zip(m.names, m.values[loan].tolist(), strict=True))


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


def test_every_feature_is_defined_with_a_description() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURES)
    assert all(f.description for f in FEATURES)
    assert compute_features(ledger(), CUTOFF).values.shape == (2, len(FEATURES))


def test_ledger_features_of_a_loan_in_arrears() -> None:
    f = row(compute_features(ledger(), CUTOFF), 0)
    assert f["dpd"] == 9  # oldest unpaid due 1 Mar, assessed at the end of 10 Mar
    # 2,000 principal + 200 interest + penalty 2,000 x 9 days (2-10 Mar) x 0.05% = 9
    assert f["overdue_minor"] == 2209
    assert f["balance_minor"] == 6600 - 2200
    assert (f["term"], f["instalments_due"], f["instalments_paid"], f["share_due_paid"]) == (3, 2, 1, 0.5)
    assert f["loan_age_days"] == 69  # 1 Jan -> 11 Mar
    assert f["days_to_next_due"] == 21  # 1 Apr
    assert f["days_since_last_payment"] == 39  # 31 Jan
    assert (f["payments_30d"], f["payments_90d"], f["paid_30d_minor"]) == (0, 1, 0)
    assert (f["principal_minor"], f["apr_bp"], f["private_lender"], f["borrower_loans"]) == (6000, 2400, 0, 1)


def test_contact_features_count_windows_before_the_cutoff() -> None:
    f = row(compute_features(ledger(), CUTOFF), 0)
    assert f["calls_7d"] == 2  # 9 Mar no answer, 5 Mar AI voice conversation (7 Mar window starts 4 Mar)
    assert f["calls_30d"] == 3  # + 20 Feb to a third party; the inbound call is not an outbound call
    assert f["answered_30d"] == 2
    assert f["conversations_7d"] == 1
    assert f["conversations_30d"] == 3  # 5 Mar, 20 Feb, inbound 1 Mar; the 11 Mar call is not yet known
    assert f["rpc_30d"] == 2  # with the borrower: 5 Mar and 1 Mar
    assert f["days_since_conversation"] == 6
    assert (f["messages_30d"], f["inbound_30d"], f["third_party_30d"], f["dead_number_30d"]) == (1, 1, 1, 0)
    assert f["hold_active"] == 0


def test_a_loan_not_yet_due_under_a_hardship_hold() -> None:
    f = row(compute_features(ledger(), CUTOFF), 1)
    assert (f["dpd"], f["overdue_minor"], f["instalments_due"]) == (0, 0, 0)
    assert math.isnan(f["share_due_paid"]) and math.isnan(f["days_since_last_payment"])
    assert f["days_to_next_due"] == 9
    assert (f["hold_active"], f["care_hold_active"], f["dispute_active"], f["private_lender"]) == (1, 1, 0, 1)
    assert f["calls_30d"] == 0  # borrower 1 was never contacted


def test_payments_contacts_and_holds_from_the_cutoff_on_do_not_change_the_features() -> None:
    before = compute_features(ledger(), CUTOFF)
    later = ledger(
        pay_loan=np.array([0, 0, 1]),
        pay_day=np.array([d("2026-01-31"), CUTOFF, CUTOFF + 3]),
        pay_amount=np.array([2200, 2209, 5300]),
        hold_loan=np.array([1, 0]),
        hold_kind=np.array(["hardship", "dispute"]),
        hold_start=np.array([d("2026-03-01"), CUTOFF]),
        hold_end=np.array([d("2026-05-30"), NEVER]),
    )
    after = compute_features(later, CUTOFF)
    for loan in (0, 1):
        assert same(row(before, loan), row(after, loan))
    # ...while the same payment a day earlier is seen: the loan is then current.
    earlier = ledger(
        pay_loan=np.array([0, 0]),
        pay_day=np.array([d("2026-01-31"), CUTOFF - 1]),
        pay_amount=np.array([2200, 2209]),
    )
    f = row(compute_features(earlier, CUTOFF), 0)
    assert (f["dpd"], f["payments_30d"], f["days_since_last_payment"]) == (0, 1, 1)


def test_a_dispute_hold_pauses_dpd_and_sets_the_flag() -> None:
    disputed = ledger(
        hold_loan=np.array([0]),
        hold_kind=np.array(["dispute"]),
        hold_start=np.array([d("2026-03-05")]),
        hold_end=np.array([NEVER]),
    )
    f = row(compute_features(disputed, CUTOFF), 0)
    assert f["dispute_active"] == 1 and f["hold_active"] == 1
    assert f["dpd"] == 3  # 2-4 Mar counted, 5-10 Mar paused


def test_label_is_a_payment_inside_the_window() -> None:
    led = ledger(
        pay_loan=np.array([0, 1]),
        pay_day=np.array([d("2026-01-31"), CUTOFF + 14]),
        pay_amount=np.array([2200, 100]),
    )
    assert paid_in_window(led, CUTOFF, CUTOFF + 14).tolist() == [False, False]
    assert paid_in_window(led, CUTOFF, CUTOFF + 15).tolist() == [False, True]
    assert paid_in_window(led, d("2026-01-31"), CUTOFF).tolist() == [True, False]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="pay_loan"):
        ledger(pay_day=np.array([1, 2]))


def test_a_status_passed_in_gives_the_same_features_as_computing_it() -> None:
    from arrears.delinquency.buckets import load_bucket_scheme
    from arrears.delinquency.columnar import assess_columnar_at

    led = ledger()
    day_before = date.fromordinal(CUTOFF - 1)
    before, _ = assess_columnar_at(
        led.columnar(), (day_before, date.fromordinal(CUTOFF)), scheme=load_bucket_scheme()
    )
    given = compute_features(led, CUTOFF, status=before)
    computed = compute_features(led, CUTOFF)
    for loan in (0, 1):
        assert same(row(given, loan), row(computed, loan))


def test_a_status_for_another_day_is_refused() -> None:
    from arrears.delinquency.buckets import load_bucket_scheme
    from arrears.delinquency.columnar import assess_columnar

    led = ledger()
    wrong = assess_columnar(led.columnar(), as_of=date.fromordinal(CUTOFF), scheme=load_bucket_scheme())
    with pytest.raises(ValueError, match="the features need"):
        compute_features(led, CUTOFF, status=wrong)


def test_labels_columns_give_the_same_features_as_string_columns() -> None:
    from arrears.scoring.ledger import Labels

    def labels(values: np.ndarray) -> Labels:
        names = tuple(sorted(set(values.tolist())))
        return Labels(np.array([names.index(v) for v in values.tolist()], dtype=np.int32), names)

    base = ledger()
    coded = ledger(
        att_channel=labels(base.att_channel),
        att_outcome=labels(base.att_outcome),
        hold_kind=labels(base.hold_kind),
    )
    for loan in (0, 1):
        assert same(row(compute_features(base, CUTOFF), loan), row(compute_features(coded, CUTOFF), loan))
