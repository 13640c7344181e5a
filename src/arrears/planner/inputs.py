"""The planner's own input relations (beside the compliance inputs of `relations.py`): delinquency, scores,
promises and callbacks from the workspace, the agent roster and the champion/challenger hash keys, plus
`facts`, the per-account strategy facts.

Days are INTEGER epoch days (`*_day`: days since 1970-01-01, `date.toordinal() - EPOCH_ORDINAL`), so day
arithmetic is plain integer arithmetic on every engine. Amounts are BIGINT minor units.
"""

from __future__ import annotations

from datetime import date

from arrears.planner.relations import Relation

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def epoch_day(d: date) -> int:
    return d.toordinal() - EPOCH_ORDINAL


def from_epoch_day(n: int) -> date:
    return date.fromordinal(n + EPOCH_ORDINAL)


DELINQUENCY = Relation(
    "delinquency",
    (
        ("loan_id", "VARCHAR"),
        ("borrower_id", "VARCHAR"),
        ("product", "VARCHAR"),
        ("dpd", "INTEGER"),
        ("bucket", "VARCHAR"),
        ("overdue_minor", "BIGINT"),  # principal + interest + fee + penalty overdue
        ("non_demandable_minor", "BIGINT"),
        ("rate_flags", "VARCHAR"),  # 'CN-RATE-2:review;...' ('' when none)
        ("due_day", "INTEGER"),  # the oldest unpaid instalment's due day, or the next one before it is due
    ),
    "One row per open loan (an unpaid instalment, due or not) on the plan date.",
)

SCORES = Relation(
    "scores",
    (("loan_id", "VARCHAR"), ("score", "DOUBLE")),
    "Propensity to pay (0..1) per loan; a loan without a row has no score.",
    required=False,
)

PROMISES = Relation(
    "promises",
    (
        ("borrower_id", "VARCHAR"),
        ("loan_id", "VARCHAR"),
        ("due_day", "INTEGER"),
        ("state", "VARCHAR"),  # open | kept | broken, as of the plan date
        ("made_at_s", "BIGINT"),
        ("grace_days", "INTEGER"),  # broken once due_day + grace_days has passed unpaid
    ),
    "Promises to pay (from the agent workspace), their state evaluated as of the plan date; empty until "
    "promises are recorded.",
    required=False,
)

FOLLOW_UPS = Relation(
    "follow_ups",
    (
        ("borrower_id", "VARCHAR"),
        ("task_id", "BIGINT"),
        ("kind", "VARCHAR"),  # callback (the only kind the plan reads)
        ("due_at_s", "BIGINT"),  # the agreed time: the contact happens at or after it
        ("party_id", "VARCHAR"),  # who asked to be called back
        ("contact_point_id", "VARCHAR"),  # the point they were reached on (preferred), or NULL
        ("agent_id", "VARCHAR"),  # the agent who agreed it (routed to them when qualified), or NULL
    ),
    "Open workspace follow-up tasks (callbacks agreed with the borrower); empty on the Parquet path.",
    required=False,
)

AGENTS = Relation(
    "agents",
    (("agent_id", "VARCHAR"), ("team_id", "VARCHAR"), ("daily_capacity", "INTEGER")),
    "Active agents.",
)

AGENT_LANGUAGES = Relation(
    "agent_languages",
    (("agent_id", "VARCHAR"), ("language", "VARCHAR")),
    "Lower-case language tags an agent speaks (each tag and its primary subtag: 'zh-cn' and 'zh').",
)

AGENT_SKILLS = Relation(
    "agent_skills",
    (("agent_id", "VARCHAR"), ("skill", "VARCHAR")),
    "Channels (call, visit, ...) an agent works.",
)

ASSIGNMENTS = Relation(
    "assignments",
    (("borrower_id", "VARCHAR"), ("agent_id", "VARCHAR")),
    "The standing owner of each account.",
    required=False,
)

VARIANT_KEYS = Relation(
    "variant_keys",
    (("borrower_id", "VARCHAR"), ("variant_bp", "INTEGER")),
    "strategy.assign.bucket_bp of the accounts in segments with more than one variant (computed in NumPy).",
    required=False,
)

FACTS = Relation(
    "facts",
    (
        ("borrower_id", "VARCHAR"),
        ("bucket", "VARCHAR"),
        ("dpd", "INTEGER"),
        ("balance_minor", "BIGINT"),
        ("score", "INTEGER"),  # round(100 x score) of the main loan; NULL when unscored
        ("product", "VARCHAR"),
        ("region", "VARCHAR"),
        ("language", "VARCHAR"),
        ("lender_type", "VARCHAR"),
        ("vulnerable", "BOOLEAN"),
        ("due_day", "INTEGER"),
        ("bucket_entry_day", "INTEGER"),
        ("promise_due_day", "INTEGER"),  # the latest promise's date; for a broken one its last day of grace
        ("promise_state", "VARCHAR"),
        ("broken_promises", "INTEGER"),
        ("no_rpc_days", "INTEGER"),
        ("failed_in_row", "INTEGER"),
        ("borrower_unreachable", "BOOLEAN"),
        ("has_guarantor", "BOOLEAN"),
    ),
    "strategy.AccountFacts as columns, one row per account with an open loan.",
)

PLANNER_INPUTS: tuple[Relation, ...] = (
    DELINQUENCY,
    SCORES,
    PROMISES,
    FOLLOW_UPS,
    AGENTS,
    AGENT_LANGUAGES,
    AGENT_SKILLS,
    ASSIGNMENTS,
    VARIANT_KEYS,
)
