"""The daily plan as one ordered list of statements, in two phases.

Phase 1 (`key_statements`): account facts without history, the segment of each account, and `needs_keys`,
the accounts whose segment has several variants. The caller hashes those ids in NumPy
(`variant_keys_for`) and passes `variant_keys` to phase 2, so the blake2b hash runs once per account that
needs it and never inside SQL.

Phase 2 (`plan_statements`): facts -> strategy selection and due steps -> the day's steps (plus the
workspace's callbacks and promise follow-ups, minus held accounts: `work_sql`) -> candidates -> the compliance
verdicts (`rules_sql.compliance_statements`) -> contacts, worklists, holdbacks.

Borrower partitions: every phase-2 statement before `routed` looks at one borrower at a time (its facts,
steps, candidates, verdicts, chosen contacts), so it gives the same rows when its inputs hold only a range
of borrowers. `split_statements` cuts the list there: a runner may run the first part once per range of
`borrower_id` (the `PARTITIONED_INPUTS` filtered to the range), append the `PARTITION_OUTPUTS` of each
range, and run the `CROSS_BORROWER` statements (routing, capacity, outputs) once over the union. One
exception: `due_plan` numbers the accounts with a due step in `borrower_id` order (`account_no`, the high
part of `cand_id`), so a range's `cand_id`s are shifted by `CAND_ID_STRIDE` x the number of such accounts
in the ranges before it (`partition_cand_offset`). Spark runs the list whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from arrears.compliance.pack import Pack
from arrears.planner import plan_sql
from arrears.planner.candidates_sql import CAND_ID_STRIDE, candidate_statements
from arrears.planner.facts_sql import account_base_statement, facts_statement, history_facts_statement
from arrears.planner.inputs import epoch_day
from arrears.planner.rules_sql import compliance_statements
from arrears.planner.sql import Statement, in_list
from arrears.planner.strategy_sql import (
    due_steps_statement,
    multi_variant_segments,
    segment_statement,
    selection_statement,
    step_defs_statement,
)
from arrears.planner.work_sql import work_statements
from arrears.strategy.assign import bucket_bp_many
from arrears.strategy.model import Strategy

OUTPUTS = ("plan_contacts", "plan_worklists", "plan_holdbacks", "selection")
CROSS_BORROWER = ("routed", "plan_contacts", "plan_worklists", "plan_holdbacks")
"""The statements that compare borrowers (round-robin dealing, agents' capacity), in plan order."""
PARTITION_OUTPUTS = ("selection", "proposed", "judged_accounts")
"""What the per-borrower statements hand to `CROSS_BORROWER` (and the outputs): appended range by range."""
PARTITIONED_INPUTS = (
    "account_base",
    "accounts",
    "account_zones",
    "loans",
    "parties",
    "points",
    "history",
    "holds",
    "promises",
    "follow_ups",
    "variant_keys",
)
"""The borrower-keyed relations the per-borrower statements read; a partition sees only its range of them.
(`step_defs`, `tz_offsets`, `tz_days` are the same for everyone.)"""


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """What the statements depend on besides the data."""

    plan_date: date
    strategy: Strategy
    pack: Pack
    bucket_min_dpd: Mapping[str, int]

    @property
    def plan_day(self) -> int:
        return epoch_day(self.plan_date)


def key_statements(spec: PlanSpec) -> tuple[Statement, ...]:
    multi = multi_variant_segments(spec.strategy)
    where = f"segment IN {in_list(multi)}" if multi else "FALSE"
    return (
        account_base_statement(spec.plan_day, spec.bucket_min_dpd),
        segment_statement(spec.strategy, source="account_base", name="base_segments"),
        Statement("needs_keys", f"SELECT borrower_id FROM base_segments WHERE {where}"),
    )


def variant_keys_for(spec: PlanSpec, borrower_ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """`strategy.assign.bucket_bp` of each id (NumPy path), for the `variant_keys` relation."""
    return bucket_bp_many(spec.strategy.id, spec.strategy.salt, borrower_ids)


def split_statements(
    statements: Sequence[Statement],
) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
    """(per-borrower statements, `CROSS_BORROWER` statements) of `plan_statements`, each in plan order."""
    per = tuple(s for s in statements if s.name not in CROSS_BORROWER)
    cross = tuple(s for s in statements if s.name in CROSS_BORROWER)
    if [s.name for s in cross] != list(CROSS_BORROWER):
        raise ValueError(f"the plan's cross-borrower statements are {[s.name for s in cross]}")
    first = statements.index(cross[0])
    if any(s.name in CROSS_BORROWER for s in statements[:first]) or len(per) != first:
        raise ValueError("the cross-borrower statements must come last")
    return per, cross


def partition_cand_offset(due_accounts_before: int) -> int:
    """What to add to a range's `cand_id`s: its `account_no`s start after the accounts with a due step in
    the ranges before it."""
    return CAND_ID_STRIDE * due_accounts_before


def plan_statements(spec: PlanSpec, *, visit_plans: bool = True) -> tuple[Statement, ...]:
    s = spec.strategy
    return (
        account_base_statement(spec.plan_day, spec.bucket_min_dpd),
        history_facts_statement(),
        facts_statement(spec.plan_day),
        segment_statement(s, source="facts"),
        selection_statement(s),
        step_defs_statement(s),
        due_steps_statement(s, spec.plan_day),
        *work_statements(s, spec.plan_date, spec.plan_day),
        *candidate_statements(spec.plan_date),
        *compliance_statements(spec.pack, plan_date=spec.plan_date, visit_plans=visit_plans),
        *plan_sql.plan_statements(spec.plan_date),
    )
