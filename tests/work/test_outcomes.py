"""Logging outcomes: the contact log row, the outcome detail and everything each outcome implies."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from workspace_seed import AGENT1, AGENT2, COMPLIANCE1, CST, LEAD1, NOW, Work

from arrears.services.access import NotVisible, ReadOnly
from arrears.services.workspace.casefile import build_case
from arrears.services.workspace.common import WorkspaceError
from arrears.services.workspace.outcomes import add_note, log_outcome
from arrears.storage.audit import verify
from arrears.storage.tables import audit_log, contact_attempts, contact_points, holds, parties
from arrears.storage.tables_work import (
    attempt_outcomes,
    contact_consents,
    contact_restrictions,
    follow_ups,
    notes,
    promises,
)

pytestmark = pytest.mark.db


def _log(w: Work, **kw: object):  # type: ignore[no-untyped-def]
    return log_outcome(w.engine, clock=w.clock, settings=w.settings, **kw)  # type: ignore[arg-type]


def test_promise_to_pay_creates_promise_and_follow_up_on_due_date(work: Work) -> None:
    out = _log(work, user=AGENT1, borrower_id="B1", kind="promise_to_pay", contact_point_id="C1", loan_id="L1",
               amount_minor=50000, due_date=date(2026, 3, 15), note="客户说发工资后还")
    with work.engine.connect() as c:
        att = c.execute(select(contact_attempts).where(contact_attempts.c.attempt_id == out.attempt_id)).mappings().one()
        assert (att["outcome"], att["channel"], att["party_id"], att["collector_id"]) == ("conversation", "call", "B1", "A1")
        assert c.execute(select(attempt_outcomes.c.kind)).scalar_one() == "promise_to_pay"
        p = c.execute(select(promises)).mappings().one()
        assert (p["amount_minor"], p["due_date"], p["status"], p["grace_days"]) == (50000, date(2026, 3, 15), "open", 2)
        task = c.execute(select(follow_ups)).mappings().one()
        assert task["kind"] == "promise_due" and task["promise_id"] == p["promise_id"]
        assert task["due_at"] == datetime(2026, 3, 15, 10, 0, tzinfo=CST)
        assert c.execute(select(notes.c.body)).scalar_one() == "客户说发工资后还"
        actions = c.execute(select(audit_log.c.action)).scalars().all()
        assert "workspace.outcome" in actions
        assert verify(c).ok


def test_promise_validation_names_the_field_and_writes_nothing(work: Work) -> None:
    with pytest.raises(WorkspaceError) as e:
        _log(work, user=AGENT1, borrower_id="B1", kind="promise_to_pay", loan_id="L1", amount_minor=50000,
             due_date=NOW.date() - timedelta(days=1))
    assert e.value.field == "due_date"
    with pytest.raises(WorkspaceError) as e:
        _log(work, user=AGENT1, borrower_id="B1", kind="promise_to_pay", loan_id="L1", amount_minor=0,
             due_date=NOW.date())
    assert e.value.field == "amount_minor"
    with work.engine.connect() as c:
        assert c.execute(select(contact_attempts)).first() is None
        assert c.execute(select(promises)).first() is None


def test_callback_records_consent_used_by_the_compliance_case(work: Work) -> None:
    at = datetime(2026, 3, 12, 15, 0, tzinfo=CST)
    out = _log(work, user=AGENT1, borrower_id="B1", kind="callback_requested", contact_point_id="C1",
               callback_at=at, callback_minutes=30)
    assert out.consent_id is not None and len(out.task_ids) == 1
    with work.engine.connect() as c:
        consent = c.execute(select(contact_consents)).mappings().one()
        assert consent["for_date"] == date(2026, 3, 12) and consent["window_start"] == at
        assert c.execute(select(follow_ups.c.kind, follow_ups.c.due_at)).one() == ("callback", at)
        case = build_case(c, borrower_id="B1", now=NOW, pack="us", attempt={"to": "B1", "channel": "call"})
    [given] = case["debtor"]["consents"]
    assert datetime.fromisoformat(given["given_at"]) == NOW
    assert (given["channel"], given["for_date"]) == ("call", "2026-03-12")
    assert case["debtor"]["agreed_windows"] == [{"date": "2026-03-12", "from": "15:00", "to": "15:30"}]


def test_asked_not_to_contact_on_a_number_opts_it_out(work: Work) -> None:
    out = _log(work, user=AGENT1, borrower_id="B1", kind="asked_not_to_contact", contact_point_id="C1",
               stop_scope="contact_point")
    with work.engine.connect() as c:
        assert c.execute(select(contact_points.c.opted_out).where(contact_points.c.contact_point_id == "C1")).scalar()
        r = c.execute(select(contact_restrictions)).mappings().one()
        assert (r["scope"], r["contact_point_id"], r["channel"], r["lifted_at"]) == ("opt_out", "C1", "call", None)
        assert c.execute(select(contact_attempts.c.outcome).where(
            contact_attempts.c.attempt_id == out.attempt_id)).scalar() == "refused"


def test_cease_for_the_borrower_opens_a_cease_hold_and_sets_the_engine_flag(work: Work) -> None:
    out = _log(work, user=AGENT1, borrower_id="B1", kind="asked_not_to_contact", stop_scope="borrower", written=True)
    assert out.hold_id is not None
    with work.engine.connect() as c:
        h = c.execute(select(holds).where(holds.c.hold_id == out.hold_id)).mappings().one()
        assert (h["kind"], h["start"], h["end"]) == ("cease", NOW.date(), None)
        case = build_case(c, borrower_id="B1", now=NOW + timedelta(hours=1), pack="us", attempt={"to": "B1", "channel": "call"})
    # read like the planner reads a cease hold: from the first instant of its start date anywhere
    assert datetime.fromisoformat(case["debtor"]["flags"]["cease_written_at"]) == datetime(
        2026, 3, 10, tzinfo=timezone(timedelta(hours=14)))


def test_third_party_asking_to_stop_is_refused_for_good(work: Work) -> None:
    _log(work, user=AGENT1, borrower_id="B1", kind="asked_not_to_contact", party_id="Q1", contact_point_id="C2")
    with work.engine.connect() as c:
        assert c.execute(select(parties.c.refused_contact).where(parties.c.party_id == "Q1")).scalar()
        assert c.execute(select(contact_restrictions.c.scope)).scalar() == "party_refused"


def test_wrong_number_and_dispute(work: Work) -> None:
    _log(work, user=AGENT1, borrower_id="B1", kind="wrong_number", contact_point_id="C1")
    d = _log(work, user=AGENT1, borrower_id="B1", kind="dispute", loan_id="L1", note="金额不对")
    with work.engine.connect() as c:
        assert c.execute(select(contact_restrictions.c.scope)).scalar() == "wrong_number"
        assert c.execute(select(holds.c.kind).where(holds.c.hold_id == d.hold_id)).scalar() == "dispute"
        case = build_case(c, borrower_id="B1", now=NOW, pack="cn_strict", attempt={"to": "B1", "channel": "call"})
    assert case["debtor"]["flags"]["dispute_open"] is True
    assert {p["id"]: p["opted_out"] for p in case["contact_points"]}["C1"] is True


def test_scope_is_enforced(work: Work) -> None:
    with pytest.raises(NotVisible):
        _log(work, user=AGENT2, borrower_id="B1", kind="right_party_contact")
    with pytest.raises(ReadOnly):
        _log(work, user=COMPLIANCE1, borrower_id="B1", kind="right_party_contact")
    _log(work, user=LEAD1, borrower_id="B1", kind="right_party_contact")  # the lead's team account
    with pytest.raises(NotVisible):
        add_note(work.engine, clock=work.clock, user=LEAD1, borrower_id="B2", body="x")


def test_third_party_outcome_needs_a_third_party(work: Work) -> None:
    with pytest.raises(WorkspaceError) as e:
        _log(work, user=AGENT1, borrower_id="B1", kind="third_party")
    assert e.value.field == "party_id"
    out = _log(work, user=AGENT1, borrower_id="B1", kind="third_party", party_id="Q1", contact_point_id="C2")
    with work.engine.connect() as c:
        assert c.execute(select(contact_attempts.c.party_id).where(
            contact_attempts.c.attempt_id == out.attempt_id)).scalar() == "Q1"
