"""Seed data for the workspace tests (imported by conftest and the tests). A small workspace: two teams, an agent on each, a lead of team T1, two borrowers (B1 assigned to agent1,
B2 to agent2), loans with schedules, one payment, a third party, contact points, a delinquency row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import Engine, insert

from arrears.domain.clock import FixedClock
from arrears.services.auth import User
from arrears.settings import Settings
from arrears.storage.tables import (
    borrowers,
    contact_points,
    instalments,
    loan_delinquency,
    loans,
    parties,
    payments,
)
from arrears.storage.tables_plan import agents, assignments, teams

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=CST)

AGENT1 = User(1, "agent1", "坐席一", "agent", "A1", "T1", "zh-CN")
AGENT2 = User(2, "agent2", "坐席二", "agent", "A2", "T2", "zh-CN")
LEAD1 = User(3, "lead1", "组长一", "team_lead", None, "T1", "zh-CN")
COMPLIANCE1 = User(4, "compliance1", "合规一", "compliance", None, None, "zh-CN")


@dataclass
class Work:
    engine: Engine
    clock: FixedClock
    settings: Settings

    def at(self, when: datetime) -> FixedClock:
        self.clock = FixedClock(when)
        return self.clock


def seed(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(insert(teams), [{"team_id": "T1", "name": "一组"}, {"team_id": "T2", "name": "二组"}])
        c.execute(insert(agents), [
            {"agent_id": "A1", "team_id": "T1", "name": "坐席一"},
            {"agent_id": "A2", "team_id": "T2", "name": "坐席二"},
        ])
        c.execute(insert(borrowers), [
            {"borrower_id": "B1", "name": "张伟", "region": "广东省深圳市", "timezones": "Asia/Shanghai",
             "language": "zh-CN", "is_minor": False, "vulnerability": ""},
            {"borrower_id": "B2", "name": "李娜", "region": "北京市", "timezones": "Asia/Shanghai",
             "language": "zh-CN", "is_minor": False, "vulnerability": ""},
        ])
        c.execute(insert(assignments), [
            {"borrower_id": "B1", "agent_id": "A1", "since": date(2026, 1, 1)},
            {"borrower_id": "B2", "agent_id": "A2", "since": date(2026, 1, 1)},
        ])
        c.execute(insert(loans), [
            {"loan_id": "L1", "borrower_id": "B1", "lender": "示例消费金融", "lender_type": "licensed",
             "licence": "consumer_finance", "product": "分期", "currency": "CNY", "principal_minor": 1200000,
             "apr_all_in_bp": 2400, "contract_date": date(2025, 9, 10)},
            {"loan_id": "L2", "borrower_id": "B2", "lender": "示例银行", "lender_type": "licensed",
             "licence": "bank", "product": "信用贷", "currency": "CNY", "principal_minor": 500000,
             "apr_all_in_bp": 1200, "contract_date": date(2025, 6, 15)},
        ])
        c.execute(insert(instalments), [
            {"loan_id": "L1", "seq": 1, "due_date": date(2025, 12, 10), "principal_minor": 600000,
             "interest_minor": 24000, "fee_minor": 0},
            {"loan_id": "L1", "seq": 2, "due_date": date(2026, 1, 10), "principal_minor": 600000,
             "interest_minor": 12000, "fee_minor": 0},
            {"loan_id": "L2", "seq": 1, "due_date": date(2026, 1, 15), "principal_minor": 500000,
             "interest_minor": 5000, "fee_minor": 0},
        ])
        c.execute(insert(payments), [
            {"payment_id": "P1", "loan_id": "L1", "paid_at": datetime(2025, 12, 9, 12, tzinfo=UTC),
             "amount_minor": 236000},
        ])
        c.execute(insert(parties), [
            {"party_id": "Q1", "borrower_id": "B1", "role": "parent", "name": "张母", "relation": "母亲",
             "emergency_contact": True, "refused_contact": False, "relationship_evidence": False},
        ])
        c.execute(insert(contact_points), [
            {"contact_point_id": "C1", "borrower_id": "B1", "owner_id": "B1", "kind": "mobile",
             "value": "13800000001", "source": "contract", "opted_out": False, "employer_provided": False},
            {"contact_point_id": "C2", "borrower_id": "B1", "owner_id": "Q1", "kind": "mobile",
             "value": "13800000002", "source": "reserved_contact_informed", "opted_out": False,
             "employer_provided": False},
            {"contact_point_id": "C3", "borrower_id": "B1", "owner_id": "B1", "kind": "email",
             "value": "zhangwei@example.com", "source": "self_reserved", "opted_out": False,
             "employer_provided": False},
            {"contact_point_id": "C4", "borrower_id": "B2", "owner_id": "B2", "kind": "mobile",
             "value": "13900000004", "source": "contract", "opted_out": False, "employer_provided": False},
        ])
        c.execute(insert(loan_delinquency), [
            {"loan_id": "L1", "as_of": date(2026, 3, 9), "dpd": 89, "bucket": "M3",
             "overdue_principal_minor": 1000000, "overdue_interest_minor": 0, "overdue_penalty_minor": 0,
             "non_demandable_minor": 0, "rate_flags": ""},
        ])
