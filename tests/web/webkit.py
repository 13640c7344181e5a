"""Helpers of the web tests: a movable clock, the login helper, and a small portfolio seeded with the demo users: accounts of agent1 (team t1), agent2 (team t2) and an
unassigned one, with loans, schedule, payments, delinquency, scores, contacts, history, holds and a plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, insert

from arrears.domain.clock import FixedClock
from arrears.services.auth import create_demo_users
from arrears.storage.tables import (
    borrowers,
    bucket_history,
    contact_attempts,
    contact_points,
    holds,
    instalments,
    loan_delinquency,
    loan_scores,
    loans,
    parties,
    payments,
)
from arrears.storage.tables_plan import agents, assignments, plan_contacts, plan_holdbacks, plan_runs

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 3, 10)
BASE = "https://testserver"


@dataclass(frozen=True)
class Portfolio:
    own: tuple[str, ...]  # agent1's accounts (team t1)
    team_mate: tuple[str, ...]  # another agent of team t1
    other_team: tuple[str, ...]  # agent2's accounts (team t2)
    unassigned: tuple[str, ...]
    phone_of: dict[str, str]  # borrower -> full mobile number
    cp_of: dict[str, str]  # borrower -> mobile contact point id


def _account(c: Connection, bid: str, agent: str | None, phone: str, n: int) -> None:
    c.execute(insert(borrowers).values(borrower_id=bid, name=f"客户{bid}", region="上海市", timezones="Asia/Shanghai",
                                       language="zh-CN", is_minor=False, vulnerability="",
                                       national_id_masked="310***********1234"))
    lid = f"L-{bid}"
    c.execute(insert(loans).values(loan_id=lid, borrower_id=bid, lender="示例消费金融", lender_type="licensed",
                                   licence="LIC-1", product="消费贷", currency="CNY", principal_minor=1_200_000,
                                   apr_all_in_bp=1800, contract_date=date(2025, 6, 1)))
    for seq in range(1, 4):
        c.execute(insert(instalments).values(loan_id=lid, seq=seq, due_date=date(2025, 6 + seq, 1),
                                             principal_minor=400_000, interest_minor=18_000, fee_minor=0))
    c.execute(insert(payments).values(payment_id=f"P-{bid}", loan_id=lid, amount_minor=418_000,
                                      paid_at=datetime(2025, 7, 1, 4, tzinfo=UTC), channel="app"))
    for k, as_of in enumerate((date(2026, 3, 8), date(2026, 3, 9))):
        c.execute(insert(loan_delinquency).values(loan_id=lid, as_of=as_of, dpd=190 + n + k, bucket="M6+",
                                                  overdue_principal_minor=800_000, overdue_interest_minor=36_000,
                                                  overdue_penalty_minor=1_000, non_demandable_minor=0,
                                                  rate_flags=""))
    c.execute(insert(bucket_history).values(loan_id=lid, start_date=date(2025, 8, 2), bucket="M1",
                                            end_date=date(2025, 9, 1)))
    c.execute(insert(bucket_history).values(loan_id=lid, start_date=date(2025, 9, 1), bucket="M2", end_date=None))
    c.execute(insert(loan_scores).values(loan_id=lid, as_of=date(2026, 3, 9), score=0.42, model_version="m1"))
    c.execute(insert(parties).values(party_id=f"M-{bid}", borrower_id=bid, role="parent", name="李母",
                                     relation="母亲", emergency_contact=True, refused_contact=False,
                                     relationship_evidence=False))
    c.execute(insert(contact_points).values(contact_point_id=f"CP-{bid}", borrower_id=bid, owner_id=bid,
                                            kind="mobile", value=phone, source="contract", opted_out=False,
                                            employer_provided=False))
    c.execute(insert(contact_points).values(contact_point_id=f"CPM-{bid}", borrower_id=bid, owner_id=f"M-{bid}",
                                            kind="mobile", value="13700001111", source="self_reserved",
                                            opted_out=False, employer_provided=False))
    c.execute(insert(contact_attempts).values(attempt_id=f"A-{bid}", borrower_id=bid, loan_id=lid, party_id=bid,
                                              contact_point_id=f"CP-{bid}", channel="call", direction="out",
                                              outcome="conversation", at=NOW - timedelta(days=2),
                                              collector_id="agent1", text=None))
    c.execute(insert(holds).values(hold_id=f"H-{bid}", borrower_id=bid, loan_id=None, kind="dispute",
                                   start=date(2025, 10, 1), end=date(2025, 10, 20), reason="已答复"))
    if agent:
        c.execute(insert(assignments).values(borrower_id=bid, agent_id=agent, since=date(2026, 1, 1)))


def seed_portfolio(engine: Engine) -> Portfolio:
    create_demo_users(engine, clock=FixedClock(NOW))
    own = ("B001", "B002", "B003")
    mate = ("B004",)
    other = ("B101", "B102")
    unassigned = ("B900",)
    phone_of: dict[str, str] = {}
    with engine.begin() as conn:
        conn.execute(insert(agents).values(agent_id="agent3", team_id="t1", name="坐席三", languages="zh-CN",
                                           skills="call", daily_capacity=100, active=True))
        n = 0
        for group, agent in ((own, "agent1"), (mate, "agent3"), (other, "agent2"), (unassigned, None)):
            for bid in group:
                n += 1
                phone_of[bid] = f"1381234{n:04d}"
                _account(conn, bid, agent, phone_of[bid], n)
        conn.execute(insert(plan_runs).values(run_id=1, plan_date=TODAY, created_at=NOW - timedelta(hours=3),
                                              pack="cn_strict", pack_version="1", strategy="cn_default",
                                              strategy_version="1", status="succeeded", counts_json="{}"))
        # agent1's plan: B003 ranks first but B002 has a promise due and B001 a callback; B101 is agent2's.
        rows = [("B003", "agent1", 1, "reminder", False), ("B001", "agent1", 3, "callback", False),
                ("B002", "agent1", 2, "reminder", True), ("B004", "agent3", 1, "first_contact", False),
                ("B101", "agent2", 1, "reminder", False)]
        for bid, agent, rank, step, promise in rows:
            conn.execute(insert(plan_contacts).values(
                run_id=1, borrower_id=bid, seq=0, loan_id=f"L-{bid}", party_id=bid, contact_point_id=f"CP-{bid}",
                channel="call", segment="early_dpd", strategy_variant="champion", treatment="early", step=step, script=None,
                window_start=NOW, window_end=NOW + timedelta(hours=10), timezone="Asia/Shanghai", priority=1.0 / rank,
                expected_recovery_minor=50_000, score=0.4, promise_due=promise, agent_id=agent, rank=rank,
                rules_json='["CN-FREQ-1"]'))
        conn.execute(insert(plan_holdbacks).values(run_id=1, borrower_id="B102", reason="capacity",
                                                   rules_json="[]", detail=""))
    return Portfolio(own, mate, other, unassigned, phone_of, {b: f"CP-{b}" for b in phone_of})


class MovableClock:
    """A test clock that stands still until told to move."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, username: str, password: str = "demo") -> str:
    """Sign in through the login form; returns the session's CSRF token (read from the worklist page)."""
    page = client.get("/login")
    m = CSRF_RE.search(page.text)
    assert m, page.text
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": m.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/worklist")
    m = CSRF_RE.search(page.text)
    assert m, page.text
    return m.group(1)


