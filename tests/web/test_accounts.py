"""Accounts through the UI and the API: who sees what, masking, the audited reveal, the worklist order."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from webkit import Portfolio, login

from arrears.storage import audit
from arrears.storage.tables import audit_log

pytestmark = pytest.mark.db

Bearer = Callable[[str], dict[str, str]]


def _ids(client: TestClient, h: dict[str, str]) -> set[str]:
    body = client.get("/api/v1/accounts?size=200", headers=h).json()
    assert body["total"] == len(body["items"])
    return {i["borrower_id"] for i in body["items"]}


def test_each_role_lists_only_the_accounts_it_may_see(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    assert _ids(client, bearer("agent1")) == set(portfolio.own)
    assert _ids(client, bearer("agent2")) == set(portfolio.other_team)
    assert _ids(client, bearer("lead1")) == set(portfolio.own) | set(portfolio.team_mate)
    everyone = set(portfolio.own) | set(portfolio.team_mate) | set(portfolio.other_team) | set(portfolio.unassigned)
    assert _ids(client, bearer("compliance1")) == everyone
    assert _ids(client, bearer("admin1")) == everyone


def test_pagination(client: TestClient, bearer: Bearer) -> None:
    h = bearer("compliance1")
    first = client.get("/api/v1/accounts?page=1&size=4", headers=h).json()
    second = client.get("/api/v1/accounts?page=2&size=4", headers=h).json()
    assert first["total"] == second["total"] == 7
    assert len(first["items"]) == 4 and len(second["items"]) == 3
    assert not {i["borrower_id"] for i in first["items"]} & {i["borrower_id"] for i in second["items"]}
    r = client.get("/api/v1/accounts?size=0", headers=h)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "query.size"


def test_other_teams_accounts_are_not_found_in_ui_and_api(client: TestClient, bearer: Bearer) -> None:
    h = bearer("agent1")
    for path in ("/api/v1/accounts/B101", "/api/v1/accounts/B101/attempts", "/api/v1/accounts/B900",
                 "/api/v1/accounts/NOPE"):
        r = client.get(path, headers=h)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "account_not_found"
    assert client.get("/api/v1/accounts/B004", headers=bearer("lead1")).status_code == 200  # the lead's team
    assert client.get("/api/v1/accounts/B004", headers=h).status_code == 404  # a team mate's account
    login(client, "agent1")
    r = client.get("/accounts/B101")
    assert r.status_code == 404 and "客户B101" not in r.text


def test_customer_view_shows_the_background_masked(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    v = client.get("/api/v1/accounts/B001", headers=bearer("agent1")).json()
    assert v["profile"]["agent_id"] == "agent1" and v["profile"]["national_id_masked"] == "310***********1234"
    loan = v["loans"][0]
    assert loan["dpd"] == 192 and loan["bucket"] == "M6+" and loan["overdue_minor"] == 837_000
    assert [d["as_of"] for d in loan["dpd_history"]] == ["2026-03-09", "2026-03-08"]
    assert [b["bucket"] for b in loan["bucket_history"]] == ["M1", "M2"]
    assert len(loan["instalments"]) == 3 and loan["paid_minor"] == 418_000 and loan["score"] == 0.42
    debtor, mother = v["contacts"]
    assert debtor["role"] == "debtor" and debtor["points"][0]["value_masked"] == "138****0001"
    assert mother["emergency_contact"] is True and mother["points"][0]["value_masked"] == "137****1111"
    assert v["attempts_total"] == 1 and v["attempts"][0]["contact_point_masked"] == "138****0001"
    assert v["holds"][0]["kind"] == "dispute" and v["holds"][0]["active"] is False
    step = v["today"]["steps"][0]
    assert step["step"] == "callback" and step["rules"] == ["CN-FREQ-1"] and step["segment"] == "early_dpd"
    assert portfolio.phone_of["B001"] not in str(v) and "13700001111" not in str(v)
    held = client.get("/api/v1/accounts/B102", headers=bearer("agent2")).json()["today"]
    assert held["steps"] == [] and held["holdback"]["reason"] == "capacity"


def test_customer_view_page_masks_and_is_audited(client: TestClient, engine: Engine, portfolio: Portfolio) -> None:
    login(client, "agent1")
    page = client.get("/accounts/B002")
    assert page.status_code == 200
    assert "138****0002" in page.text and portfolio.phone_of["B002"] not in page.text
    assert "13700001111" not in page.text
    for section in ("客户资料", "借款", "还款计划", "逾期天数历史", "分档历史", "暂停与保护", "指定联系人与联系方式",
                    "联系记录与结果", "今日步骤与原因", "还款倾向评分"):
        assert section in page.text, section
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject)).all()
    assert ("user:agent1", "account.view", "borrower:B002") in [tuple(r) for r in rows]


def test_reveal_needs_a_reason_and_is_audited(client: TestClient, engine: Engine, bearer: Bearer,
                                              portfolio: Portfolio) -> None:
    h = bearer("agent1")
    r = client.post("/api/v1/accounts/B001/reveal", headers=h, json={"contact_point_id": "CP-B001"})
    assert r.status_code == 422
    r = client.post("/api/v1/accounts/B001/reveal", headers=h, json={"contact_point_id": "CP-B001", "reason": "other"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "body.note"
    r = client.post("/api/v1/accounts/B001/reveal", headers=h, json={"contact_point_id": "CP-B101", "reason": "call"})
    assert r.status_code == 404  # another account's contact point, through an account the agent may see
    r = client.post("/api/v1/accounts/B101/reveal", headers=h, json={"contact_point_id": "CP-B101", "reason": "call"})
    assert r.status_code == 404 and portfolio.phone_of["B101"] not in r.text
    with engine.connect() as conn:
        assert not conn.execute(select(audit_log).where(audit_log.c.action == "personal_data.reveal")).first()
    r = client.post("/api/v1/accounts/B001/reveal", headers=h, json={"contact_point_id": "CP-B001", "reason": "call"})
    assert r.status_code == 200 and r.json()["value"] == portfolio.phone_of["B001"]
    with engine.connect() as conn:
        rec = conn.execute(select(audit_log).where(audit_log.c.action == "personal_data.reveal")).mappings().one()
        assert audit.verify(conn).ok
    assert rec["actor"] == "user:agent1" and rec["subject"] == "borrower:B001"
    assert '"contact_point_id":"CP-B001"' in rec["detail_json"] and '"reason":"call"' in rec["detail_json"]


def test_worklist_puts_promises_due_and_callbacks_first(client: TestClient, bearer: Bearer) -> None:
    wl = client.get("/api/v1/worklist", headers=bearer("agent1")).json()
    assert wl["run_id"] == 1 and wl["plan_date"] == "2026-03-10"
    assert [i["borrower_id"] for i in wl["items"]] == ["B002", "B001", "B003"]
    assert wl["items"][0]["promise_due"] and wl["items"][1]["callback"]
    assert wl["items"][0]["contact_masked"] == "138****0002"
    lead = client.get("/api/v1/worklist", headers=bearer("lead1")).json()
    assert {i["borrower_id"] for i in lead["items"]} == {"B001", "B002", "B003", "B004"}
    only3 = client.get("/api/v1/worklist?agent_id=agent3", headers=bearer("lead1")).json()
    assert [i["borrower_id"] for i in only3["items"]] == ["B004"]
    assert client.get("/api/v1/worklist?agent_id=agent2", headers=bearer("agent1")).json()["items"] == []
    assert client.get("/api/v1/worklist?date=2026-03-11", headers=bearer("agent1")).json()["run_id"] is None


def test_worklist_page_in_both_languages(client: TestClient) -> None:
    login(client, "agent1")
    page = client.get("/worklist")
    assert page.status_code == 200 and "今日工作清单" in page.text and 'lang="zh-CN"' in page.text
    order = [page.text.index(f'data-borrower="{b}"') for b in ("B002", "B001", "B003")]
    assert order == sorted(order) and 'data-borrower="B101"' not in page.text
    en = client.get("/worklist?lang=en")
    assert "Today&#39;s worklist" in en.text and 'lang="en"' in en.text and "Sign out" in en.text
    assert "Sign out" in client.get("/worklist").text  # remembered in a cookie
