"""Plans and visits over the API: authority, lead approval, visit rules, check-in/out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from webkit import Portfolio

pytestmark = pytest.mark.db
Bearer = Callable[[str], dict[str, str]]
OWED = 3 * 418_000 - 418_000


def test_plan_beyond_agent_authority_needs_the_lead(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    r = client.post(f"/api/v1/accounts/{b}/plans", headers=bearer("agent1"), json={
        "loan_id": f"L-{b}", "instalment_count": 3, "first_due": "2026-03-20", "waiver_minor": OWED // 5})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "pending_approval" and plan["hold_id"] is None
    assert client.post(f"/api/v1/plans/{plan['plan_id']}/approve", headers=bearer("agent1"), json={}).status_code == 403
    a = client.post(f"/api/v1/plans/{plan['plan_id']}/approve", headers=bearer("lead1"), json={"note": "同意"})
    assert a.status_code == 200, a.text
    assert a.json()["status"] == "active" and a.json()["hold_id"]
    assert sum(x[1] for x in a.json()["schedule"]) == OWED - OWED // 5
    plans = client.get(f"/api/v1/accounts/{b}/plans", headers=bearer("agent1")).json()["items"]
    assert plans[0]["approved_by"] == "lead1" and len(plans[0]["instalments"]) == 3
    holds = client.get(f"/api/v1/accounts/{b}", headers=bearer("agent1")).text
    assert "payment_plan" in holds


def test_visit_workflow_and_rules(client: TestClient, bearer: Bearer, portfolio: Portfolio) -> None:
    b = portfolio.own[0]
    vid = client.post(f"/api/v1/accounts/{b}/visits", headers=bearer("agent1"), json={"purpose": "协商还款"}).json()["id"]
    assert client.post(f"/api/v1/visits/{vid}/approve", headers=bearer("agent1"), json={}).status_code == 403
    assert client.post(f"/api/v1/visits/{vid}/approve", headers=bearer("lead1"), json={}).json()["status"] == "approved"
    plan = {"start": "2026-03-10T14:00:00+08:00", "end": "2026-03-10T15:00:00+08:00", "staff": ["agent1"],
            "recording": True}
    r = client.post(f"/api/v1/visits/{vid}/schedule", headers=bearer("agent1"), json=plan)
    assert r.status_code == 422 and r.json()["error"]["code"] == "work_blocked"
    assert any("CN-VISIT-1" in f["message"] for f in r.json()["error"]["fields"])
    r = client.post(f"/api/v1/visits/{vid}/schedule", headers=bearer("agent1"),
                    json={**plan, "staff": ["agent1", "agent3"]})
    assert r.status_code == 200 and r.json()["allowed"] is True
    assert client.post(f"/api/v1/visits/{vid}/check-in", headers=bearer("agent1")).status_code == 409  # 10:00, too early
