"""Field visits: request -> lead approval -> scheduling checked by CN-VISIT-1 / CN-REC-1 -> check-in/out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select
from workspace_seed import AGENT1, CST, LEAD1, Work

from arrears.services.auth import User
from arrears.services.workspace.common import Blocked, Conflict, Forbidden
from arrears.services.workspace.visits import check_in, check_out, decide_visit, request_visit, schedule_visit
from arrears.storage.tables import contact_attempts, contact_points
from arrears.storage.tables_work import field_visits

pytestmark = pytest.mark.db

START = datetime(2026, 3, 12, 10, 0, tzinfo=CST)
FIELD2 = User(5, "field2", "外访二", "agent", "A1", "T1", "zh-CN")  # a second staff member on the account's team


def _approved(w: Work) -> int:
    with w.engine.begin() as c:
        c.execute(insert(contact_points).values(contact_point_id="ADDR1", borrower_id="B1", owner_id="B1",
                                                kind="address", value="深圳市南山区某路1号", source="contract"))
    vid = request_visit(w.engine, clock=w.clock, user=AGENT1, borrower_id="B1", purpose="核实地址,协商还款",
                        contact_point_id="ADDR1", loan_id="L1")
    with pytest.raises(Forbidden):
        decide_visit(w.engine, clock=w.clock, user=AGENT1, visit_id=vid, approve=True)
    assert decide_visit(w.engine, clock=w.clock, user=LEAD1, visit_id=vid, approve=True) == "approved"
    return vid


def _schedule(w: Work, vid: int, **kw: object):  # type: ignore[no-untyped-def]
    args = {"start": START, "end": START + timedelta(hours=2), "staff": ("agent1", "field2"), "recording": True} | kw
    return schedule_visit(w.engine, clock=w.clock, settings=w.settings, user=AGENT1, visit_id=vid, **args)  # type: ignore[arg-type]


def test_scheduling_enforces_two_staff_recording_and_the_time_window(work: Work) -> None:
    vid = _approved(work)
    with pytest.raises(Blocked) as e:
        _schedule(work, vid, staff=("agent1",))
    assert "CN-VISIT-1" in e.value.rules
    with pytest.raises(Blocked) as e:
        _schedule(work, vid, staff=("agent1", "agent1"))  # the same person twice is one person
    assert "CN-VISIT-1" in e.value.rules
    with pytest.raises(Blocked) as e:
        _schedule(work, vid, recording=False)
    assert "CN-REC-1" in e.value.rules
    night = datetime(2026, 3, 12, 21, 0, tzinfo=CST)
    with pytest.raises(Blocked) as e:  # runs past 22:00
        _schedule(work, vid, start=night, end=night + timedelta(hours=2))
    assert "CN-VISIT-1" in e.value.rules
    with work.engine.connect() as c:
        assert c.execute(select(field_visits.c.status)).scalar() == "approved"
    ok = _schedule(work, vid)
    assert ok.allowed
    with work.engine.connect() as c:
        v = c.execute(select(field_visits)).mappings().one()
    assert (v["status"], v["staff_1"], v["staff_2"], v["recording"]) == ("scheduled", "agent1", "field2", True)


def test_check_in_and_out_by_the_staff_logs_the_visit(work: Work) -> None:
    vid = _approved(work)
    _schedule(work, vid)
    with pytest.raises(Conflict):  # too early
        check_in(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, visit_id=vid)
    arrive = work.at(START + timedelta(minutes=5))
    with pytest.raises(Forbidden):
        check_in(work.engine, clock=arrive, settings=work.settings, user=LEAD1, visit_id=vid)
    check_in(work.engine, clock=arrive, settings=work.settings, user=FIELD2, visit_id=vid)
    leave = work.at(START + timedelta(minutes=50))
    attempt_id = check_out(work.engine, clock=leave, user=AGENT1, visit_id=vid, outcome="promise",
                           notes="客户同意月底前还 2000 元")
    with work.engine.connect() as c:
        v = c.execute(select(field_visits)).mappings().one()
        att = c.execute(select(contact_attempts).where(contact_attempts.c.attempt_id == attempt_id)).mappings().one()
    assert v["status"] == "completed" and v["outcome"] == "promise" and "2000" in v["notes"]
    assert v["checked_in_at"] == START + timedelta(minutes=5)
    assert (att["channel"], att["outcome"], att["contact_point_id"]) == ("visit", "conversation", "ADDR1")


def test_a_rejected_visit_cannot_be_scheduled(work: Work) -> None:
    vid = request_visit(work.engine, clock=work.clock, user=AGENT1, borrower_id="B1", purpose="上门")
    decide_visit(work.engine, clock=work.clock, user=LEAD1, visit_id=vid, approve=False, note="先电话联系")
    with pytest.raises(Conflict):
        _schedule(work, vid)
