"""Tables of the agent's workspace: notes, outcome details, promises to pay, follow-up tasks, recorded consents,
contact restrictions (cease / opt-out), payment plans and their instalments, field visits, the versioned script
library and the channel outbox. Registered on the one metadata.

Readers outside the workspace (the planner, the compliance case file):
- `contact_restrictions`: a row with `lifted_at IS NULL` is in force. `scope` = `cease` (the whole borrower),
  `opt_out` (one contact point, optionally one channel), `wrong_number` (the contact point is not the person's),
  `party_refused` (a third party asked not to be contacted again). The workspace also sets
  `contact_points.opted_out` / `parties.refused_contact` and writes a `holds` row (kind `cease`) so existing
  readers honour it at once.
- `contact_consents`: consent given directly for a later contact ("call me back Thursday 3pm"): the US 7-in-7
  exclusion (`for_date`) and the CN agreed window (`window_start`..`window_end`).
- `payment_plans` with status `active` have an open `holds` row (kind `payment_plan`, id in `hold_id`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from arrears.storage.tables import ID, metadata
from arrears.storage.types import UTCDateTime

ACTOR = 100  # user names / ids of staff

notes = Table(
    "notes",
    metadata,
    Column("note_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id")),
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id")),
    Column("author", String(ACTOR), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),
)

# The workspace outcome of a logged contact attempt (the attempt row itself carries the engine's outcome).
attempt_outcomes = Table(
    "attempt_outcomes",
    metadata,
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id"), primary_key=True),
    Column("kind", String(32), nullable=False),  # see services.workspace.outcomes.OutcomeKind
    Column("detail_json", Text, nullable=False, default="{}"),
    Column("recorded_by", String(ACTOR), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

promises = Table(
    "promises",
    metadata,
    Column("promise_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), nullable=False),
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id")),
    Column("amount_minor", BigInteger, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | kept | broken | cancelled
    Column("made_at", UTCDateTime, nullable=False),
    Column("made_by", String(ACTOR), nullable=False),
    Column("paid_minor", BigInteger, nullable=False, default=0),  # paid on the loan from made_at, at evaluation
    Column("resolved_on", Date),
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("task_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),  # promise_due | callback | plan_instalment | visit
    Column("due_at", UTCDateTime, nullable=False),
    Column("assigned_to", String(ACTOR), index=True),
    Column("status", String(16), nullable=False),  # open | done | cancelled
    Column("promise_id", Integer, ForeignKey("promises.promise_id")),
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id")),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
)
Index("ix_follow_ups_status_due", follow_ups.c.status, follow_ups.c.due_at)

contact_consents = Table(
    "contact_consents",
    metadata,
    Column("consent_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("party_id", String(ID), nullable=False),
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id")),
    Column("channel", String(32), nullable=False),
    Column("given_at", UTCDateTime, nullable=False),
    Column("for_date", Date, nullable=False),  # local date the consent is for (US 7-in-7 exclusion)
    Column("window_start", UTCDateTime, nullable=False),  # the agreed time (CN-TIME-1 override)
    Column("window_end", UTCDateTime, nullable=False),
    Column("recorded_by", String(ACTOR), nullable=False),
)

contact_restrictions = Table(
    "contact_restrictions",
    metadata,
    Column("restriction_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("scope", String(16), nullable=False),  # cease | opt_out | wrong_number | party_refused
    Column("party_id", String(ID)),
    Column("contact_point_id", String(ID), ForeignKey("contact_points.contact_point_id")),
    Column("channel", String(32)),  # opt_out of one medium only; None = every medium of the point
    Column("written", Boolean, nullable=False, default=False),  # received in writing (US cease)
    Column("received_at", UTCDateTime, nullable=False),
    Column("attempt_id", String(ID), ForeignKey("contact_attempts.attempt_id")),
    Column("hold_id", String(ID)),
    Column("recorded_by", String(ACTOR), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("lifted_at", UTCDateTime),
)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("plan_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id"), nullable=False),
    # proposed | pending_approval | approved | active | kept | broken | cancelled
    Column("status", String(20), nullable=False),
    Column("outstanding_minor", BigInteger, nullable=False),  # owed when proposed
    Column("waiver_minor", BigInteger, nullable=False, default=0),
    Column("instalment_count", Integer, nullable=False),
    Column("interval_days", Integer, nullable=False),
    Column("first_due", Date, nullable=False),
    Column("proposed_by", String(ACTOR), nullable=False),
    Column("proposed_at", UTCDateTime, nullable=False),
    Column("approved_by", String(ACTOR)),
    Column("approved_at", UTCDateTime),
    Column("decision_note", Text, nullable=False, default=""),
    Column("hold_id", String(ID)),
    Column("closed_on", Date),
)

plan_instalments = Table(
    "plan_instalments",
    metadata,
    Column("plan_id", Integer, ForeignKey("payment_plans.plan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("due_date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)

field_visits = Table(
    "field_visits",
    metadata,
    Column("visit_id", Integer, primary_key=True, autoincrement=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id")),
    Column("contact_point_id", String(ID), ForeignKey("contact_points.contact_point_id")),  # the address
    Column("location_type", String(32), nullable=False),
    Column("purpose", Text, nullable=False),
    # requested | approved | rejected | scheduled | checked_in | completed | cancelled
    Column("status", String(16), nullable=False),
    Column("requested_by", String(ACTOR), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("approved_by", String(ACTOR)),
    Column("approved_at", UTCDateTime),
    Column("scheduled_start", UTCDateTime),
    Column("scheduled_end", UTCDateTime),
    Column("staff_1", String(ACTOR)),
    Column("staff_2", String(ACTOR)),
    Column("recording", Boolean, nullable=False, default=False),
    Column("notice_given_at", UTCDateTime),
    Column("rules_json", Text, nullable=False, default="[]"),  # the scheduling check's rule ids
    Column("checked_in_at", UTCDateTime),
    Column("checked_out_at", UTCDateTime),
    Column("notes", Text, nullable=False, default=""),
    Column("outcome", String(32)),
)

# Versioned scripts (话术): one row per (script, language, version); the highest version is in force.
scripts = Table(
    "scripts",
    metadata,
    Column("script_id", String(ID), primary_key=True),
    Column("lang", String(16), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("scenario", String(32), nullable=False, index=True),
    Column("audience", String(16), nullable=False),  # debtor | third_party
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(ACTOR), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", String(ID), primary_key=True),
    Column("borrower_id", String(ID), ForeignKey("borrowers.borrower_id"), nullable=False, index=True),
    Column("loan_id", String(ID), ForeignKey("loans.loan_id")),
    Column("party_id", String(ID), nullable=False),
    Column("channel", String(32), nullable=False),  # sms | email
    Column("contact_point_id", String(ID), ForeignKey("contact_points.contact_point_id"), nullable=False),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Column("script_id", String(ID)),
    Column("status", String(16), nullable=False),  # queued | sending | sent | failed
    Column("provider", String(32)),
    Column("provider_message_id", String(128), index=True),
    Column("delivery_status", String(32)),  # from the provider's status callback
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("rules_json", Text, nullable=False, default="[]"),  # rule ids of the compose-time check
    Column("decision_id", Integer),  # decision_log row of the compose-time check
    Column("created_by", String(ACTOR), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("not_before", UTCDateTime),  # deferred by the send-time check (e.g. quiet hours)
    Column("claimed_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("attempt_id", String(ID)),  # the contact_attempts row logged when sent
)
Index("ix_outbox_status_created", outbox.c.status, outbox.c.created_at)
