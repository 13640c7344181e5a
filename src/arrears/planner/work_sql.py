"""What the agent workspace adds to the day's steps, and what it holds back. `day_steps` is what the candidates
are built from: the strategy's `due_steps`, plus

- promise follow-ups: an open promise (state evaluated as of the plan date) whose date is today or still in its
  grace days gets the treatment's own due-day promise step (`anchor: promise_due_date`, `day: 0`, when its
  conditions hold) on every day of that window, not just on the date; a treatment without such a step gets
  the generic `promise_followup` call to the debtor. The strategy's broken-promise steps need nothing here:
  `facts` anchors a broken promise on its last day of grace (see `facts_sql`).
- callbacks: an open `callback` follow-up agreed with the debtor for today (local date in the account's
  primary zone) becomes the `callback` call at or after the agreed time, on the point the debtor was reached
  on when it is still usable, routed to the agent who agreed it when they are qualified.

and minus every step of an account under an active hold of a kind in `HELD_KINDS` (a payment plan being kept,
a dispute, a cease): the plan holds it back with reason `hold` and the hold's kind.

`urgency` orders an account's steps and the agents' days: 0 callback, 1 promise-anchored, 2 the rest.
"""

from __future__ import annotations

from datetime import date

from arrears.domain.enums import HoldKind
from arrears.planner.sql import Statement, in_list
from arrears.planner.strategy_sql import applies_sql
from arrears.strategy.model import Anchor, Strategy

HELD_KINDS = (HoldKind.PAYMENT_PLAN.value, HoldKind.DISPUTE.value, HoldKind.CEASE.value)
CALLBACK_STEP = "callback"  # the web worklist treats steps starting with "callback" as callbacks
PROMISE_STEP = "promise_followup"
CALLBACK_SEQ = -2
PROMISE_SEQ = -1
DEFAULT_OFFSET_S = 8 * 3600
DAY_S = 86400
STEP_COLUMNS = (
    "borrower_id, segment, variant, treatment, step_seq, step_id, channel, party, template, pool, "
    "supervisor_approval, min_staff, recording, anchor, anchor_day"
)
PROMISE = Anchor.PROMISE_DUE_DATE.value


def promise_steps_statement(strategy: Strategy, plan_day: int) -> Statement:
    """`promise_steps`: the follow-up of each open promise due today or in grace, unless `due_steps` has it."""
    sql = f"""
WITH win AS (
  SELECT borrower_id, MIN(due_day) AS due_day FROM promises
  WHERE state = 'open' AND due_day <= {plan_day} AND {plan_day} <= due_day + COALESCE(grace_days, 0)
  GROUP BY borrower_id
), own AS (
  SELECT f.borrower_id, s.segment, s.variant, s.treatment, d.step_seq, d.step_id, d.channel, d.party, d.template,
         d.pool, d.supervisor_approval, d.min_staff, d.recording, d.anchor, w.due_day AS anchor_day,
         {applies_sql(strategy)} AS applies
  FROM win w
  JOIN selection s ON s.borrower_id = w.borrower_id
  JOIN facts f ON f.borrower_id = w.borrower_id
  JOIN step_defs d ON d.treatment = s.treatment
  WHERE d.anchor = '{PROMISE}' AND d.day_offset = 0
), has_own AS (
  SELECT DISTINCT borrower_id FROM own
)
SELECT o.borrower_id, o.segment, o.variant, o.treatment, o.step_seq, o.step_id, o.channel, o.party, o.template,
       o.pool, o.supervisor_approval, o.min_staff, o.recording, o.anchor, o.anchor_day
FROM own o
LEFT JOIN due_steps x ON x.borrower_id = o.borrower_id AND x.step_seq = o.step_seq
WHERE o.applies AND x.borrower_id IS NULL
UNION ALL
SELECT w.borrower_id, s.segment, s.variant, s.treatment, {PROMISE_SEQ} AS step_seq, '{PROMISE_STEP}' AS step_id,
       'call' AS channel, 'debtor' AS party, 'ptp_due_check' AS template, '{PROMISE_STEP}' AS pool,
       FALSE AS supervisor_approval, 1 AS min_staff, FALSE AS recording, '{PROMISE}' AS anchor,
       w.due_day AS anchor_day
FROM win w
JOIN selection s ON s.borrower_id = w.borrower_id
LEFT JOIN has_own h ON h.borrower_id = w.borrower_id
WHERE h.borrower_id IS NULL"""
    return Statement("promise_steps", sql.strip())


def callback_steps_statement(plan_day: int) -> Statement:
    """`callback_steps`: today's first open callback agreed with the debtor, one per account."""
    sql = f"""
WITH cb AS (
  SELECT u.borrower_id, u.due_at_s, u.contact_point_id, u.agent_id,
         ROW_NUMBER() OVER (PARTITION BY u.borrower_id ORDER BY u.due_at_s, u.task_id) AS rn
  FROM follow_ups u
  JOIN account_base b ON b.borrower_id = u.borrower_id
  WHERE u.kind = 'callback' AND (u.party_id IS NULL OR u.party_id = u.borrower_id)
    AND CAST(FLOOR((u.due_at_s + COALESCE(b.utc_offset_s, {DEFAULT_OFFSET_S})) / {DAY_S}) AS INTEGER) = {plan_day}
)
SELECT cb.borrower_id, s.segment, s.variant, s.treatment, {CALLBACK_SEQ} AS step_seq, '{CALLBACK_STEP}' AS step_id,
       'call' AS channel, 'debtor' AS party, '{CALLBACK_STEP}' AS template, '{CALLBACK_STEP}' AS pool,
       FALSE AS supervisor_approval, 1 AS min_staff, FALSE AS recording, '{CALLBACK_STEP}' AS anchor,
       {plan_day} AS anchor_day, cb.due_at_s AS not_before_s, cb.contact_point_id AS pref_point_id,
       cb.agent_id AS agent_hint
FROM cb JOIN selection s ON s.borrower_id = cb.borrower_id
WHERE cb.rn = 1"""
    return Statement("callback_steps", sql.strip())


def day_steps_statement(plan_date: date) -> Statement:
    """`day_steps`: strategy, promise and callback steps of the accounts not held, with `urgency` and
    `step_rank` (the order of an account's steps), the callback's agreed time, point and agent."""
    d = f"DATE '{plan_date.isoformat()}'"
    none = "CAST(NULL AS BIGINT) AS not_before_s, CAST(NULL AS VARCHAR) AS pref_point_id, " \
        "CAST(NULL AS VARCHAR) AS agent_hint"
    sql = f"""
WITH held AS (
  SELECT DISTINCT borrower_id FROM holds
  WHERE kind IN {in_list(HELD_KINDS)} AND start_date <= {d} AND (end_date IS NULL OR end_date > {d})
), steps AS (
  SELECT {STEP_COLUMNS}, {none} FROM due_steps
  UNION ALL
  SELECT {STEP_COLUMNS}, {none} FROM promise_steps
  UNION ALL
  SELECT {STEP_COLUMNS}, not_before_s, pref_point_id, agent_hint FROM callback_steps
), ranked AS (
  SELECT s.*, CASE WHEN s.step_id = '{CALLBACK_STEP}' AND s.anchor = '{CALLBACK_STEP}' THEN 0
                   WHEN s.anchor = '{PROMISE}' THEN 1 ELSE 2 END AS urgency
  FROM steps s
)
SELECT r.*, CAST(r.urgency * 100000 + r.step_seq AS INTEGER) AS step_rank
FROM ranked r LEFT JOIN held h ON h.borrower_id = r.borrower_id
WHERE h.borrower_id IS NULL"""
    return Statement("day_steps", sql.strip(), materialize=True)


def work_statements(strategy: Strategy, plan_date: date, plan_day: int) -> tuple[Statement, ...]:
    return (
        promise_steps_statement(strategy, plan_day),
        callback_steps_statement(plan_day),
        day_steps_statement(plan_date),
    )
