"""Pure evaluation: which segment, variant and treatment an account gets, and what each step proposes today.

`select_treatment` walks the segments in order (first match wins; the default matches everything) and picks the
variant by stable hashing (`assign.py`). `next_steps` judges every step of the treatment against the account's
facts on `as_of` and says, for each, whether it applies, whether it is due today, and why.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from arrears.strategy.assign import Assignment, assign
from arrears.strategy.model import (
    AccountFacts,
    Condition,
    Match,
    Party,
    Segment,
    Step,
    Strategy,
    Treatment,
    Variant,
    Vulnerability,
)

_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


class Selection(NamedTuple):
    segment: Segment
    variant: Variant
    treatment: Treatment
    assignment: Assignment


def matches(match: Match, facts: AccountFacts) -> bool:
    """Every set criterion holds. An account without a score never matches a score band."""
    if match.buckets is not None and facts.bucket not in match.buckets:
        return False
    if match.balance_min_minor is not None and facts.balance_minor < match.balance_min_minor:
        return False
    if match.balance_max_minor is not None and facts.balance_minor > match.balance_max_minor:
        return False
    if match.score_min is not None or match.score_max is not None:
        if facts.score is None:
            return False
        if match.score_min is not None and facts.score < match.score_min:
            return False
        if match.score_max is not None and facts.score > match.score_max:
            return False
    if match.products is not None and facts.product not in match.products:
        return False
    if match.region_prefixes is not None and not facts.region.startswith(match.region_prefixes):
        return False
    if match.languages is not None and facts.language not in match.languages:
        return False
    if match.lender_types is not None and facts.lender_type not in match.lender_types:
        return False
    if match.vulnerability is Vulnerability.NONE and facts.vulnerable:
        return False
    return not (match.vulnerability is Vulnerability.ONLY and not facts.vulnerable)


def select_segment(strategy: Strategy, facts: AccountFacts) -> Segment:
    for seg in strategy.segments:
        if seg.is_default or matches(seg.match, facts):
            return seg
    raise ValueError(f"strategy {strategy.id} has no default segment")  # the loader makes this unreachable


def select_treatment(strategy: Strategy, facts: AccountFacts) -> Selection:
    """(segment, variant, treatment, assignment record) for one account."""
    seg = select_segment(strategy, facts)
    a = assign(strategy, seg, facts.account_id)
    variant = next(v for v in seg.variants if v.id == a.variant_id)
    return Selection(seg, variant, strategy.treatment(variant.treatment), a)


# --- steps ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposedAction:
    """One step judged on one day. `applies` = its gates and conditions hold; `due_today` = it applies and
    today is one of its days. `reasons` explain both (English, machine-stable)."""

    step_id: str
    channel: str
    party: Party
    template: str
    pool: str
    applies: bool
    due_today: bool
    next_due: date | None  # the next day (today or later) the step falls due, if it applies
    supervisor_approval: bool
    min_staff: int
    recording: bool
    reasons: tuple[str, ...]


def condition_holds(cond: Condition, facts: AccountFacts) -> bool:
    if cond.op is None:
        return facts.flag(cond.fact) != cond.negate
    value = facts.number(cond.fact)
    return value is not None and _OPS[cond.op](value, cond.value)


def _offset_due(step: Step, day: int) -> int | None:
    """The first offset >= `day` on which the step falls due, or None if none is left."""
    if step.every_days is None:
        return step.day_offset if day <= step.day_offset else None
    if day <= step.day_offset:
        return step.day_offset
    k = -(-(day - step.day_offset) // step.every_days)
    nxt = step.day_offset + k * step.every_days
    return nxt if step.until_offset is None or nxt <= step.until_offset else None


def judge_step(step: Step, facts: AccountFacts, as_of: date, bucket_order: tuple[str, ...]) -> ProposedAction:
    reasons: list[str] = []
    ok = True
    if step.from_bucket is not None:
        if facts.bucket not in bucket_order:
            raise ValueError(f"account {facts.account_id}: bucket {facts.bucket!r} is not on the ladder {bucket_order}")
        if bucket_order.index(facts.bucket) < bucket_order.index(step.from_bucket):
            ok = False
            reasons.append(f"bucket {facts.bucket} is below {step.from_bucket}")
        else:
            reasons.append(f"bucket {facts.bucket} is {step.from_bucket} or later")
    for cond in step.conditions:
        held = condition_holds(cond, facts)
        ok = ok and held
        reasons.append(f"{cond}: {'yes' if held else 'no'}")
    anchor = facts.anchor_date(step.anchor)
    next_due: date | None = None
    due_today = False
    if anchor is None:
        ok = False
        reasons.append(f"no {step.anchor} date")
    elif ok:
        day = (as_of - anchor).days
        nxt = _offset_due(step, day)
        if nxt is None:
            reasons.append(f"day {day} from {step.anchor}: schedule finished")
        else:
            next_due = as_of if nxt == day else anchor.fromordinal(anchor.toordinal() + nxt)
            due_today = nxt == day
            reasons.append(f"day {day} from {step.anchor}: {'due today' if due_today else f'next on day {nxt}'}")
    return ProposedAction(
        step_id=step.id,
        channel=step.channel.value,
        party=step.party,
        template=step.template,
        pool=step.pool,
        applies=ok,
        due_today=due_today,
        next_due=next_due,
        supervisor_approval=step.requires.supervisor_approval,
        min_staff=step.requires.min_staff,
        recording=step.requires.recording,
        reasons=tuple(reasons),
    )


def next_steps(
    treatment: Treatment, facts: AccountFacts, as_of: date, bucket_order: tuple[str, ...]
) -> tuple[ProposedAction, ...]:
    """Every step of the treatment judged on `as_of`, in treatment order."""
    return tuple(judge_step(s, facts, as_of, bucket_order) for s in treatment.steps)


def due_today(strategy: Strategy, facts: AccountFacts, as_of: date) -> tuple[Selection, tuple[ProposedAction, ...]]:
    """Select the treatment and keep the steps that fall due on `as_of`."""
    sel = select_treatment(strategy, facts)
    actions = next_steps(sel.treatment, facts, as_of, strategy.bucket_order)
    return sel, tuple(a for a in actions if a.due_today)
