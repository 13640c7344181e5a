from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from arrears.domain import ContactPoint, ContactPointKind, FixedClock, Hold, HoldKind, Money, Source
from arrears.domain.content import Claim, ContentCategory, ContentFinding, ContentReport


def test_money_adds_in_minor_units_and_formats_yuan() -> None:
    total = Money(123_456) + Money(44)  # ¥1,234.56 + ¥0.44
    assert total == Money(123_500)
    assert total.format() == "¥1,235.00"
    assert Money(-5, "USD").format() == "-$0.05"


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CNY with USD"):
        Money(1, "CNY") + Money(1, "USD")


def test_fixed_clock_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 3, 10, 9, 0))
    aware = datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert FixedClock(aware).now() == aware


def test_hold_end_is_exclusive_and_open_ended_holds_never_end() -> None:
    hold = Hold("H1", "B1", HoldKind.DISPUTE, date(2026, 3, 1), date(2026, 3, 5), "written dispute")
    assert hold.active_on(date(2026, 3, 1))
    assert hold.active_on(date(2026, 3, 4))
    assert not hold.active_on(date(2026, 3, 5))
    assert not hold.active_on(date(2026, 2, 28))
    forever = Hold("H2", "B1", HoldKind.DECEASED, date(2026, 3, 1), None, "notified")
    assert forever.active_on(date(2099, 1, 1))


def test_hold_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before start"):
        Hold("H1", "B1", HoldKind.HARDSHIP, date(2026, 3, 5), date(2026, 3, 1), "x")


def test_phone_book_and_purchased_contact_points_are_not_lawful() -> None:
    def point(source: Source) -> ContactPoint:
        return ContactPoint("C1", "B1", ContactPointKind.MOBILE, "13800000000", source)

    assert point(Source.CONTRACT).lawful
    assert point(Source.RESERVED_CONTACT_INFORMED).lawful
    for bad in (Source.DEVICE_CONTACT_LIST, Source.PURCHASED, Source.UNKNOWN):
        assert not point(bad).lawful


def test_content_report_ignores_negated_mentions() -> None:
    report = ContentReport(
        violation=False,
        score=0.02,
        findings=(
            ContentFinding(ContentCategory.THREAT_EXPOSURE, Claim.CONTACT_LIST, None, negated=True),
            ContentFinding(None, Claim.DEBT_FACTS, None),
        ),
    )
    assert report.categories == ()
    assert report.claims == frozenset({Claim.DEBT_FACTS})
