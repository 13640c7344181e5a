"""The composer: compliance + guard feedback; a blocked message cannot be queued; allowed ones go to the outbox."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from workspace_seed import AGENT1, AGENT2, COMPLIANCE1, Work

from arrears.services.access import NotVisible, ReadOnly
from arrears.services.workspace.common import Blocked, WorkspaceError
from arrears.services.workspace.composer import check_message, queue_message, render_script
from arrears.services.workspace.scripts import seed_scripts
from arrears.storage.audit import verify
from arrears.storage.tables import audit_log, decision_log
from arrears.storage.tables_work import outbox

pytestmark = pytest.mark.db

ABUSIVE = "不还钱就爆你通讯录"
FINE = "张先生您好,您的借款已逾期,请尽快还款。如有困难可以联系我们协商分期。"


def _check(w: Work, text: str, point: str = "C1", **kw: object):  # type: ignore[no-untyped-def]
    return check_message(w.engine, clock=w.clock, settings=w.settings, user=kw.pop("user", AGENT1),  # type: ignore[arg-type]
                         borrower_id="B1", channel=kw.pop("channel", "sms"), contact_point_id=point, text=text,  # type: ignore[arg-type]
                         loan_id="L1")


def test_abusive_sms_is_blocked_with_rule_ids_reasons_spans_and_a_rewrite(work: Work) -> None:
    r = _check(work, ABUSIVE)
    assert not r.allowed and r.verdict == "block"
    assert {"CN-CONTENT-1", "CN-DISC-1"} <= set(r.rules)
    assert any(x.startswith("CN-CONTENT-1:") for x in r.reasons_zh)
    assert any(x.startswith("CN-CONTENT-1:") for x in r.reasons_en)
    assert r.categories == ("threat_exposure",)
    assert [s["evidence"] for s in r.spans] == ["爆你通讯录"]
    assert r.rewrite_zh and "通讯录" in r.rewrite_zh and r.rewrite_en
    rewritten = _check(work, r.rewrite_zh)
    assert rewritten.allowed, rewritten.rules
    with work.engine.connect() as c:
        logged = c.execute(select(decision_log.c.decision, decision_log.c.rules_json, decision_log.c.source)
                           .where(decision_log.c.id == r.decision_id)).one()
        assert logged.decision == "block" and "CN-CONTENT-1" in json.loads(logged.rules_json)
        assert logged.source == "api"


def test_a_blocked_message_cannot_be_queued(work: Work) -> None:
    with pytest.raises(Blocked) as e:
        queue_message(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                      channel="sms", contact_point_id="C1", text=ABUSIVE, loan_id="L1")
    assert {"CN-CONTENT-1", "CN-DISC-1"} <= set(e.value.rules)
    with work.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(outbox)).scalar() == 0
        assert "workspace.message_blocked" in c.execute(select(audit_log.c.action)).scalars().all()
        assert verify(c).ok


def test_a_compliant_message_is_queued(work: Work) -> None:
    q = queue_message(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                      channel="sms", contact_point_id="C1", text=FINE, loan_id="L1")
    with work.engine.connect() as c:
        row = c.execute(select(outbox).where(outbox.c.message_id == q.message_id)).mappings().one()
    assert (row["status"], row["party_id"], row["channel"], row["body"], row["created_by"]) == (
        "queued", "B1", "sms", FINE, "agent1")
    assert row["decision_id"] == q.check.decision_id


def test_third_party_messages_with_debt_facts_are_blocked(work: Work) -> None:
    r = _check(work, "请转告张伟,他欠我司5000元已逾期", point="C2")
    assert not r.allowed and "CN-DISC-1" in r.rules and "third_party_disclosure" in r.categories


def test_quiet_hours_block_with_next_allowed_time(work: Work) -> None:
    from datetime import datetime

    from workspace_seed import CST
    work.at(datetime(2026, 3, 10, 22, 30, tzinfo=CST))
    r = _check(work, FINE)
    assert not r.allowed and any(x.startswith("CN-TIME") for x in r.rules)
    assert r.next_allowed_at is not None and r.next_allowed_at.astimezone(CST).hour == 8


def test_channel_must_fit_the_contact_point_and_scope_holds(work: Work) -> None:
    with pytest.raises(WorkspaceError) as e:
        _check(work, FINE, point="C3", channel="sms")
    assert e.value.field == "contact_point_id"
    with pytest.raises(NotVisible):
        _check(work, FINE, user=AGENT2)
    _check(work, FINE, user=COMPLIANCE1)  # compliance may check ...
    with pytest.raises(ReadOnly):  # ... but not send
        queue_message(work.engine, clock=work.clock, settings=work.settings, user=COMPLIANCE1, borrower_id="B1",
                      channel="sms", contact_point_id="C1", text=FINE)


def test_render_a_script_template_from_the_case(work: Work) -> None:
    seed_scripts(work.engine, clock=work.clock)
    text = render_script(work.engine, user=AGENT1, borrower_id="B1", script_id="first_contact", loan_id="L1")
    assert text.startswith("张伟您好,我是示例消费金融的客服坐席一") and "10,000.00" in text
    assert _check(work, text).allowed


def test_an_opted_out_number_cannot_be_messaged(work: Work) -> None:
    from arrears.services.workspace.outcomes import log_outcome

    log_outcome(work.engine, clock=work.clock, settings=work.settings, user=AGENT1, borrower_id="B1",
                kind="asked_not_to_contact", contact_point_id="C1", channel="sms")
    r = _check(work, FINE)
    assert not r.allowed and r.rules[0] == "WS-OPT-OUT"
    assert _check(work, FINE, point="C3", channel="email").allowed  # the e-mail address was not opted out
