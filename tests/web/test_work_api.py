"""The workspace API: outcomes, promises, notes, the composer (check and send), the outbox, scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webkit import Portfolio

from arrears.channels.sms import FileSmsProvider, SmsTransport

pytestmark = pytest.mark.db

Bearer = Callable[[str], dict[str, str]]
FINE = "您好,我是示例消费金融的客服。您的借款已逾期,请尽快还款。如有困难可以联系我们协商分期。"


@pytest.fixture
def sms_file(app: FastAPI, tmp_path: Path) -> Path:
    path = tmp_path / "sms.jsonl"
    app.state.transports = {"sms": SmsTransport(FileSmsProvider(path), "示例金融")}
    return path


def test_log_a_promise_to_pay_and_read_it_back(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    r = client.post(f"/api/v1/accounts/{b}/outcomes", headers=bearer("agent1"), json={
        "kind": "promise_to_pay", "contact_point_id": portfolio.cp_of[b], "loan_id": f"L-{b}",
        "amount_minor": 50000, "due_date": "2026-03-15", "note": "发薪日还"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["kind"] == "promise_to_pay" and out["promise_id"] and len(out["task_ids"]) == 1
    promises = client.get(f"/api/v1/accounts/{b}/promises", headers=bearer("agent1")).json()["items"]
    assert [(p["amount_minor"], p["due_date"], p["status"]) for p in promises] == [(50000, "2026-03-15", "open")]
    tasks = client.get(f"/api/v1/accounts/{b}/tasks", headers=bearer("agent1")).json()["items"]
    assert tasks[0]["kind"] == "promise_due"
    notes = client.get(f"/api/v1/accounts/{b}/notes", headers=bearer("agent1")).json()["items"]
    assert notes[0]["body"] == "发薪日还"


def test_validation_errors_use_the_one_error_shape(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    r = client.post(f"/api/v1/accounts/{b}/outcomes", headers=bearer("agent1"),
                    json={"kind": "promise_to_pay", "loan_id": f"L-{b}", "amount_minor": 100, "due_date": "2020-01-01"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["fields"][0]["field"] == "body.due_date" and err["message"] and err["message_en"]
    r = client.post(f"/api/v1/accounts/{b}/outcomes?lang=en", headers=bearer("agent1"), json={"kind": "nonsense"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_failed"


def test_other_teams_accounts_are_not_found(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    other = portfolio.other_team[0]
    for method, path, body in [
        ("post", f"/api/v1/accounts/{other}/outcomes", {"kind": "right_party_contact"}),
        ("get", f"/api/v1/accounts/{other}/promises", None),
        ("post", f"/api/v1/accounts/{other}/notes", {"body": "x"}),
        ("post", f"/api/v1/accounts/{other}/messages/check",
         {"channel": "sms", "contact_point_id": portfolio.cp_of[other], "text": FINE}),
        ("post", f"/api/v1/accounts/{other}/messages",
         {"channel": "sms", "contact_point_id": portfolio.cp_of[other], "text": FINE}),
    ]:
        r = client.request(method, path, headers=bearer("agent1"), json=body)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "account_not_found"
    r = client.post(f"/api/v1/accounts/{portfolio.own[0]}/notes", headers=bearer("compliance1"), json={"body": "x"})
    assert r.status_code == 403


def test_abusive_sms_is_blocked_with_rule_ids_and_never_queued(
    client: TestClient, bearer: Bearer, portfolio: Portfolio, sms_file: Path
) -> None:
    b = portfolio.own[0]
    body = {"channel": "sms", "contact_point_id": portfolio.cp_of[b], "text": "不还钱就爆你通讯录", "loan_id": f"L-{b}"}
    r = client.post(f"/api/v1/accounts/{b}/messages/check", headers=bearer("agent1"), json=body)
    assert r.status_code == 200, r.text
    chk = r.json()
    assert chk["allowed"] is False and {"CN-CONTENT-1", "CN-DISC-1"} <= set(chk["rules"])
    assert chk["reasons"]["zh"] and chk["reasons"]["en"] and chk["rewrite"]["zh"]
    assert chk["spans"][0]["evidence"] == "爆你通讯录"
    r = client.post(f"/api/v1/accounts/{b}/messages", headers=bearer("agent1"), json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "work_blocked"
    rules = next(f["message"] for f in r.json()["error"]["fields"] if f["field"] == "rules")
    assert "CN-CONTENT-1" in rules
    assert client.get("/api/v1/outbox", headers=bearer("agent1")).json()["total"] == 0
    assert not sms_file.exists()


def test_compliant_sms_is_sent_and_appears_in_the_outbox(
    client: TestClient, bearer: Bearer, portfolio: Portfolio, sms_file: Path
) -> None:
    b = portfolio.own[0]
    r = client.post(f"/api/v1/accounts/{b}/messages", headers=bearer("agent1"), json={
        "channel": "sms", "contact_point_id": portfolio.cp_of[b], "text": FINE, "loan_id": f"L-{b}"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "sent" and r.json()["check"]["allowed"]
    page = client.get("/api/v1/outbox", headers=bearer("agent1")).json()
    assert page["total"] == 1 and page["items"][0]["status"] == "sent" and page["items"][0]["body"] == FINE
    [line] = sms_file.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["to"] == "+86" + portfolio.phone_of[b]
    assert client.get("/api/v1/outbox", headers=bearer("agent2")).json()["total"] == 0  # not agent2's account


def test_scripts_library_and_suggestion(client: TestClient, bearer: Bearer, portfolio: Portfolio, engine: object) -> None:
    from webkit import NOW

    from arrears.domain.clock import FixedClock
    from arrears.services.workspace.scripts import seed_scripts

    seed_scripts(engine, clock=FixedClock(NOW))  # type: ignore[arg-type]
    listed = client.get("/api/v1/scripts?lang=zh", headers=bearer("agent1")).json()
    assert len(listed) == 9
    s = client.get(f"/api/v1/accounts/{portfolio.own[0]}/scripts/suggested", headers=bearer("agent1")).json()
    assert s["scenario"] and all(x["scenario"] == s["scenario"] for x in s["scripts"])
    r = client.post("/api/v1/scripts/reminder", headers=bearer("agent1"), json={"lang": "zh", "body": "您好"})
    assert r.status_code == 403
    r = client.post("/api/v1/scripts/reminder", headers=bearer("lead1"),
                    json={"lang": "zh", "body": "今天不还就爆你通讯录"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "work_blocked"
    r = client.post("/api/v1/scripts/reminder", headers=bearer("lead1"),
                    json={"lang": "zh", "body": "{name}您好,我是{company}的{agent},提醒您按时还款。"})
    assert r.status_code == 201 and r.json()["version"] == 2
    versions = client.get("/api/v1/scripts/reminder?script_lang=zh", headers=bearer("agent1")).json()
    assert [v["version"] for v in versions] == [2, 1]


def test_admin_dispatches_queued_messages(client: TestClient, bearer: Bearer, portfolio: Portfolio, sms_file: Path,
                                          engine: object) -> None:
    from webkit import NOW

    from arrears.domain.clock import FixedClock
    from arrears.services.auth import User
    from arrears.services.workspace.composer import queue_message
    from arrears.settings import Settings

    b = portfolio.own[0]
    agent1 = User(0, "agent1", "", "agent", "agent1", "t1", "zh-CN")
    queue_message(engine, clock=FixedClock(NOW), settings=Settings(), user=agent1, borrower_id=b,  # type: ignore[arg-type]
                  channel="sms", contact_point_id=portfolio.cp_of[b], text=FINE)
    assert client.post("/api/v1/outbox/dispatch", headers=bearer("agent1")).status_code == 403
    r = client.post("/api/v1/outbox/dispatch", headers=bearer("admin1"))
    assert r.status_code == 200 and r.json()["sent"] == 1
    assert len(sms_file.read_text(encoding="utf-8").splitlines()) == 1
