"""Tables of the daily plan: the agent roster, standing account assignments, plan runs, planned contacts
(the worklists), accounts held back with the reason, and the champion/challenger assignment record."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from arrears.storage.tables import ID, metadata
from arrears.storage.types import UTCDateTime

teams = Table(
    "teams",
    metadata,
    Column("team_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("agency_id", String(ID)),
)

agents = Table(
    "agents",
    metadata,
    Column("agent_id", String(ID), primary_key=True),
    Column("team_id", String(ID), ForeignKey("teams.team_id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("languages", Text, nullable=False, default="zh-CN"),  # ';'-joined BCP 47 tags
    Column("skills", Text, nullable=False, default=""),  # ';'-joined channels / skills (call, sms, visit, legal ...)
    Column("daily_capacity", Integer, nullable=False, default=150),
    Column("active", Boolean, nullable=False, default=True),
)

# The standing owner of each account (borrower). Agents see the accounts assigned to them; leads their team's.
assignments = Table(
    "assignments",
    metadata,
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), primary_key=True),
    Column("agent_id", String(ID), ForeignKey("agents.agent_id"), nullable=False),
    Column("since", Date, nullable=False),
)
# An agent's accounts from the index alone (the scope check of worklists and follow-ups)
Index("ix_assignments_agent_borrower", assignments.c.agent_id, assignments.c.borrower_id)

plan_runs = Table(
    "plan_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_date", Date, nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("pack", String(100), nullable=False),
    Column("pack_version", String(50), nullable=False),
    Column("strategy", String(100), nullable=False),
    Column("strategy_version", String(50), nullable=False),
    Column("status", String(16), nullable=False),  # running | succeeded | failed
    Column("counts_json", Text, nullable=False, default="{}"),
)

# One row per planned contact; the agent's worklist is the rows with their agent_id, ordered by `rank`.
plan_contacts = Table(
    "plan_contacts",
    metadata,
    Column("run_id", Integer, ForeignKey("plan_runs.run_id"), primary_key=True),
    Column("borrower_id", String(ID), primary_key=True),
    Column("seq", Integer, primary_key=True),  # 0.. within the account on this day
    Column("loan_id", String(ID)),
    Column("party_id", String(ID), nullable=False),
    Column("contact_point_id", String(ID)),
    Column("channel", String(32), nullable=False),
    Column("segment", String(100), nullable=False),
    Column("strategy_variant", String(100), nullable=False),
    Column("treatment", String(100), nullable=False),
    Column("step", String(100), nullable=False),
    Column("script", String(100)),
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("priority", Float, nullable=False),
    Column("expected_recovery_minor", BigInteger, nullable=False),
    Column("score", Float),
    Column("promise_due", Boolean, nullable=False, default=False),
    Column("agent_id", String(ID), index=True),
    Column("rank", Integer),
    Column("rules_json", Text, nullable=False, default="[]"),  # rule ids that constrained this contact
    Column("status", String(16), nullable=False, default="planned"),  # planned | needs_approval (visits)
)
Index("ix_plan_contacts_agent_rank", plan_contacts.c.run_id, plan_contacts.c.agent_id, plan_contacts.c.rank)

# Each delinquent account with no contact today, and why (rule ids or a planning reason such as capacity).
plan_holdbacks = Table(
    "plan_holdbacks",
    metadata,
    Column("run_id", Integer, ForeignKey("plan_runs.run_id"), primary_key=True),
    Column("borrower_id", String(ID), primary_key=True),
    Column("reason", String(64), nullable=False),
    Column("rules_json", Text, nullable=False, default="[]"),
    Column("detail", Text, nullable=False, default=""),
)

# Champion/challenger: which variant each account was given, so results can be compared.
strategy_assignments = Table(
    "strategy_assignments",
    metadata,
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), primary_key=True),
    Column("strategy", String(100), primary_key=True),
    Column("segment", String(100), nullable=False),
    Column("variant", String(100), nullable=False),
    Column("bucket_key", BigInteger),  # the hash basis point; NULL in a segment with one variant
    Column("first_run_id", Integer, nullable=False),
    Column("last_seen", Date, nullable=False),
)
