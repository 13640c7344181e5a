"""The database tables (SQLAlchemy Core). Natural keys of the import format are primary keys here, so a
re-import updates rows in place. Lists (time zones, vulnerability flags) are stored as ';'-joined text."""

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
    MetaData,
    String,
    Table,
    Text,
)

from arrears.storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ID = 64  # length of external ids

borrowers = Table(
    "borrowers",
    metadata,
    Column("borrower_id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("timezones", Text, nullable=False),
    Column("language", String(16), nullable=False),
    Column("is_minor", Boolean, nullable=False, default=False),
    Column("vulnerability", Text, nullable=False, default=""),
    Column("national_id_masked", Text),
)

loans = Table(
    "loans",
    metadata,
    Column("loan_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("lender", Text, nullable=False),
    Column("lender_type", String(16), nullable=False),
    Column("licence", Text, nullable=False),
    Column("product", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("apr_all_in_bp", Integer, nullable=False),
    Column("contract_date", Date, nullable=False),
)

instalments = Table(
    "instalments",
    metadata,
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    Column("fee_minor", BigInteger, nullable=False, default=0),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(ID), primary_key=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), nullable=False, index=True),
    Column("paid_at", UTCDateTime, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("channel", Text),
)

parties = Table(
    "parties",
    metadata,
    Column("party_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("relation", Text),
    Column("emergency_contact", Boolean, nullable=False, default=False),
    Column("refused_contact", Boolean, nullable=False, default=False),
    Column("relationship_evidence", Boolean, nullable=False, default=False),
)

contact_points = Table(
    "contact_points",
    metadata,
    Column("contact_point_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("owner_id", String(ID), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("source", String(32), nullable=False),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("employer_provided", Boolean, nullable=False, default=False),
)

contact_attempts = Table(
    "contact_attempts",
    metadata,
    Column("attempt_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id")),
    Column("party_id", String(ID), nullable=False),
    Column("contact_point_id", String(ID), ForeignKey("contact_points.contact_point_id")),
    Column("channel", String(32), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("collector_id", String(ID)),
    Column("agency_id", String(ID)),
    Column("text", Text),
)

holds = Table(
    "holds",
    metadata,
    Column("hold_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id")),
    Column("kind", String(32), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date),
    Column("reason", Text, nullable=False),
)

# The import tables, keyed by the name of their file (see arrears.portfolio.schema).
IMPORT_TABLES: dict[str, Table] = {
    t.name: t
    for t in (borrowers, loans, instalments, payments, parties, contact_points, contact_attempts, holds)
}

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("directory", Text, nullable=False),
    Column("status", String(16), nullable=False),  # succeeded | partial | failed
    Column("rows_read", BigInteger, nullable=False, default=0),
    Column("rows_rejected", BigInteger, nullable=False, default=0),
    Column("counts_json", Text, nullable=False, default="{}"),  # per table: inserted/updated/unchanged
)

loan_delinquency = Table(
    "loan_delinquency",
    metadata,
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(32), nullable=False),
    Column("overdue_principal_minor", BigInteger, nullable=False),
    Column("overdue_interest_minor", BigInteger, nullable=False),
    Column("overdue_penalty_minor", BigInteger, nullable=False),
    Column("non_demandable_minor", BigInteger, nullable=False),
    Column("rate_flags", Text, nullable=False, default=""),
)

bucket_history = Table(
    "bucket_history",
    metadata,
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), primary_key=True),
    Column("start_date", Date, primary_key=True),
    Column("bucket", String(32), nullable=False),
    Column("end_date", Date),
)

decision_log = Table(
    "decision_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("decided_at", UTCDateTime, nullable=False),
    Column("input_hash", String(64), nullable=False),
    Column("input_json", Text, nullable=False),
    Column("pack", String(100), nullable=False),
    Column("pack_version", String(50), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("rules_json", Text, nullable=False),
    Column("reasons_json", Text, nullable=False),
    Column("next_allowed_at", UTCDateTime, nullable=True),
    Column("source", String(16), nullable=False),  # cli | api | planner | scenario
)
Index("ix_decision_log_input_hash", decision_log.c.input_hash)
Index("ix_decision_log_decided_at", decision_log.c.decided_at)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("detail_json", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

loan_scores = Table(
    "loan_scores",
    metadata,
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("score", Float, nullable=False),  # propensity to pay within the model's horizon, 0..1
    Column("model_version", String(64), nullable=False),
)

# The other table modules register on the same metadata; import them so `metadata` is always complete.
from arrears.storage import tables_auth as _tables_auth  # noqa: E402,F401
from arrears.storage import tables_plan as _tables_plan  # noqa: E402,F401
from arrears.storage import tables_work as _tables_work  # noqa: E402,F401
