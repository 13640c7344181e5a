"""The workspace in the browser (HTMX partials): outcome form, composer feedback, send, outbox, scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webkit import NOW, Portfolio, login

from arrears.channels.sms import FileSmsProvider, SmsTransport
from arrears.domain.clock import FixedClock
from arrears.services.workspace.scripts import seed_scripts

pytestmark = pytest.mark.db
FINE = "您好,我是示例消费金融的客服。您的借款已逾期,请尽快还款。如有困难可以联系我们协商分期。"


@pytest.fixture
def agent(client: TestClient, app: FastAPI, engine: object, tmp_path: Path) -> dict[str, str]:
    seed_scripts(engine, clock=FixedClock(NOW))  # type: ignore[arg-type]
    app.state.transports = {"sms": SmsTransport(FileSmsProvider(tmp_path / "sms.jsonl"), "示例金融")}
    return {"X-CSRF-Token": login(client, "agent1"), "HX-Request": "true"}


def test_customer_view_has_the_workspace_panel(client: TestClient, agent: dict[str, str], portfolio: Portfolio) -> None:
    page = client.get(f"/accounts/{portfolio.own[0]}")
    assert page.status_code == 200
    for marker in ('id="work-panel"', 'id="composer"', 'id="outcome-form"', "记录联系结果", "推荐话术"):
        assert marker in page.text
    assert portfolio.phone_of[portfolio.own[0]] not in page.text  # numbers stay masked


def test_log_a_promise_through_the_form(client: TestClient, agent: dict[str, str], portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    r = client.post(f"/accounts/{b}/work/outcome", headers=agent, data={
        "kind": "promise_to_pay", "contact_point_id": portfolio.cp_of[b], "loan_id": f"L-{b}", "amount": "500.00",
        "due_date": "2026-03-15", "note": "客户承诺"})
    assert r.status_code == 200 and 'id="work-panel"' in r.text
    assert "已保存：承诺还款" in r.text and "¥500.00" in r.text and "2026-03-15" in r.text
    bad = client.post(f"/accounts/{b}/work/outcome", headers=agent, data={
        "kind": "promise_to_pay", "loan_id": f"L-{b}", "amount": "abc", "due_date": "2026-03-15"})
    assert 'role="alert"' in bad.text and "金额格式不正确" in bad.text


def test_composer_blocks_the_abusive_sms_and_disables_send(client: TestClient, agent: dict[str, str],
                                                          portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    form = {"channel": "sms", "contact_point_id": portfolio.cp_of[b], "text": "不还钱就爆你通讯录"}
    r = client.post(f"/accounts/{b}/work/compose/check", headers=agent, data=form)
    assert r.status_code == 200
    assert "CN-CONTENT-1" in r.text and "CN-DISC-1" in r.text and "<mark>爆你通讯录</mark>" in r.text
    assert re.search(r'<button id="send-btn"[^>]*disabled', r.text)
    assert 'id="rewrite"' in r.text
    sent = client.post(f"/accounts/{b}/work/compose/send", headers=agent, data=form)
    assert "发送被拒绝" in sent.text and "CN-CONTENT-1" in sent.text
    assert "爆你通讯录" not in client.get("/outbox").text


def test_composer_sends_a_compliant_sms_which_appears_in_the_outbox(client: TestClient, agent: dict[str, str],
                                                                    portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    form = {"channel": "sms", "contact_point_id": portfolio.cp_of[b], "text": FINE}
    ok = client.post(f"/accounts/{b}/work/compose/check", headers=agent, data=form)
    assert "合规检查通过" in ok.text and not re.search(r'<button id="send-btn"[^>]*disabled', ok.text)
    sent = client.post(f"/accounts/{b}/work/compose/send", headers=agent, data=form)
    assert 'id="sent-status"' in sent.text and "已发送" in sent.text
    outbox = client.get("/outbox")
    assert FINE in outbox.text and "已发送" in outbox.text
    assert FINE in client.get(f"/accounts/{b}").text  # the account's message history


def test_template_fills_the_composer(client: TestClient, agent: dict[str, str], portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    r = client.get(f"/accounts/{b}/work/compose/template", params={"script_id": "first_contact"}, headers=agent)
    assert r.status_code == 200 and f"客户{b}您好,我是示例消费金融" in r.text


def test_script_library_and_lead_edit_refused_by_the_guard(client: TestClient, engine: object) -> None:
    seed_scripts(engine, clock=FixedClock(NOW))  # type: ignore[arg-type]
    csrf = login(client, "lead1")
    page = client.get("/scripts")
    assert page.status_code == 200 and "第三方转告回电" in page.text
    r = client.post("/scripts/reminder", data={"csrf_token": csrf, "script_lang": "zh",
                                               "body": "再不还钱就爆你通讯录,通知你所有亲友"})
    assert r.status_code == 422 and "threat_exposure" in r.text
    ok = client.post("/scripts/reminder", data={"csrf_token": csrf, "script_lang": "zh",
                                                "body": "{name}您好,我是{company}的{agent},提醒您按时还款。"},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert "v2" in client.get("/scripts/reminder").text


def test_read_only_roles_see_the_panel_without_forms(client: TestClient, portfolio: Portfolio) -> None:
    login(client, "compliance1")
    page = client.get(f"/accounts/{portfolio.own[0]}")
    assert page.status_code == 200 and 'id="work-panel"' in page.text
    assert 'id="outcome-form"' not in page.text
    assert re.search(r'<button id="send-btn"[^>]*disabled', page.text)


def test_lead_sees_pending_approvals_on_the_worklist(client: TestClient, bearer: object, portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    headers = bearer("agent1")  # type: ignore[operator]
    r = client.post(f"/api/v1/accounts/{b}/plans", headers=headers, json={
        "loan_id": f"L-{b}", "instalment_count": 12, "first_due": "2026-03-20"})
    assert r.json()["status"] == "pending_approval"
    csrf = login(client, "lead1")
    page = client.get("/worklist")
    assert 'id="approvals"' in page.text and f"#{r.json()['plan_id']}" in page.text
    ok = client.post(f"/work/plans/{r.json()['plan_id']}/approve", data={"csrf_token": csrf},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert 'id="approvals"' not in client.get("/worklist").text
