"""Account facts as SQL: from the input relations to `facts` (strategy.AccountFacts as columns).

- `account_base`: one row per account with an open loan. The main loan is the one furthest past due (then the
  largest overdue amount, then the loan id): it gives the bucket, DPD, product, due day and score. Balance and
  expected recovery (score x overdue, summed over the loans) cover every open loan. Doubles become integers
  through FLOOR(x + 0.5): a plain CAST rounds on DuckDB but truncates on Spark.
- `facts`: `account_base` plus what history, promises and parties say: days without a right-party contact,
  failed dials in a row, the CN-PARTY-2 reachability state, promise state and the guarantor flag.
  The promise anchor (`promise_due_day`) is the latest promise's date; for a broken promise it is the last day
  of its grace, so a step at `day: 1` from `promise_due_date` falls on the day the promise broke.
Failed dials count the debtor's outbound voice attempts since the last answer, inbound contact or delivery,
like `compliance.rules.parties.debtor_unreachable`; a recorded 失联 flag (`accounts.unreachable`) also counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from arrears.compliance.rules.parties import FAILED_DIALS, REACHED
from arrears.domain.enums import VOICE_CHANNELS, Outcome
from arrears.planner.sql import Statement, in_list, quote
from arrears.strategy.model import FAILED_OUTCOMES

DAY_S = 86400
UNREACHABLE_AFTER_FAILED_DIALS = 3


def _entry_offset(bucket_min_dpd: Mapping[str, int]) -> str:
    whens = " ".join(f"WHEN {quote(b)} THEN {int(m)}" for b, m in bucket_min_dpd.items())
    return f"CASE m.bucket {whens} ELSE 0 END"


def account_base_statement(plan_day: int, bucket_min_dpd: Mapping[str, int]) -> Statement:
    """`account_base`: segment criteria, anchors and money per account (no history)."""
    sql = f"""
WITH ranked AS (
  SELECT d.loan_id, d.borrower_id, d.product, d.dpd, d.bucket, d.overdue_minor, d.non_demandable_minor,
         d.due_day, s.score,
         ROW_NUMBER() OVER (PARTITION BY d.borrower_id ORDER BY d.dpd DESC, d.overdue_minor DESC, d.loan_id) AS rn
  FROM delinquency d LEFT JOIN scores s ON s.loan_id = d.loan_id
), money AS (
  SELECT borrower_id, CAST(SUM(overdue_minor) AS BIGINT) AS balance_minor,
         CAST(FLOOR(SUM(overdue_minor * COALESCE(score, 0.0)) + 0.5) AS BIGINT) AS expected_recovery_minor,
         CAST(SUM(non_demandable_minor) AS BIGINT) AS non_demandable_minor
  FROM ranked GROUP BY borrower_id
)
SELECT a.borrower_id, m.loan_id AS main_loan_id, m.bucket, m.dpd, g.balance_minor,
       CAST(FLOOR(m.score * 100 + 0.5) AS INTEGER) AS score, m.score AS score_raw,
       m.product, a.region, a.language, a.lender_type, a.vulnerable, a.unreachable, a.tz, a.utc_offset_s,
       m.due_day,
       CASE WHEN m.dpd > 0 THEN {plan_day} - m.dpd + {_entry_offset(bucket_min_dpd)} END AS bucket_entry_day,
       g.expected_recovery_minor, g.non_demandable_minor
FROM accounts a
JOIN ranked m ON m.borrower_id = a.borrower_id AND m.rn = 1
JOIN money g ON g.borrower_id = a.borrower_id"""
    return Statement("account_base", sql.strip(), materialize=True)


def history_facts_statement() -> Statement:
    """`history_facts`: per borrower, the last right-party contact and the failed dials since the last answer."""
    voice = in_list(c.value for c in VOICE_CHANNELS)
    reset = in_list({*(o.value for o in REACHED), Outcome.DELIVERED.value})
    failed = in_list(o.value for o in FAILED_DIALS)
    run_failed = in_list(o.value for o in FAILED_OUTCOMES)
    sql = f"""
WITH own AS (
  SELECT borrower_id, channel, direction, outcome, at_s FROM history WHERE party_id = borrower_id
), last AS (
  SELECT borrower_id,
         MAX(CASE WHEN outcome = 'conversation' THEN at_s END) AS last_rpc_s,
         MAX(CASE WHEN direction = 'in' OR outcome IN {reset} THEN at_s END) AS reset_s,
         MAX(CASE WHEN direction = 'out' AND channel IN {voice} AND outcome NOT IN {run_failed} THEN at_s END)
           AS ok_dial_s
  FROM own GROUP BY borrower_id
)
SELECT l.borrower_id, l.last_rpc_s,
       SUM(CASE WHEN o.direction = 'out' AND o.channel IN {voice} AND o.outcome IN {failed}
                 AND (l.reset_s IS NULL OR o.at_s > l.reset_s) THEN 1 ELSE 0 END) AS failed_since_reset,
       SUM(CASE WHEN o.direction = 'out' AND o.channel IN {voice} AND o.outcome IN {run_failed}
                 AND (l.ok_dial_s IS NULL OR o.at_s > l.ok_dial_s) THEN 1 ELSE 0 END) AS failed_in_row
FROM last l JOIN own o ON o.borrower_id = l.borrower_id
GROUP BY l.borrower_id, l.last_rpc_s"""
    return Statement("history_facts", sql.strip(), materialize=True)


def facts_statement(plan_day: int) -> Statement:
    sql = f"""
WITH prom AS (
  SELECT borrower_id, CASE WHEN state = 'broken' THEN due_day + COALESCE(grace_days, 0) ELSE due_day END AS due_day,
         state,
         ROW_NUMBER() OVER (PARTITION BY borrower_id ORDER BY made_at_s DESC, due_day DESC) AS rn,
         SUM(CASE WHEN state = 'broken' THEN 1 ELSE 0 END) OVER (PARTITION BY borrower_id) AS broken
  FROM promises
), guar AS (
  SELECT DISTINCT borrower_id FROM parties WHERE role IN ('guarantor', 'co_obligor')
)
SELECT b.borrower_id, b.bucket, b.dpd, b.balance_minor, b.score, b.product, b.region, b.language,
       b.lender_type, b.vulnerable, b.due_day, b.bucket_entry_day,
       p.due_day AS promise_due_day, COALESCE(p.state, 'none') AS promise_state,
       CAST(COALESCE(p.broken, 0) AS INTEGER) AS broken_promises,
       CAST({plan_day} - COALESCE(
         CAST(FLOOR((h.last_rpc_s + b.utc_offset_s) / {DAY_S}) AS INTEGER), b.due_day) AS INTEGER) AS no_rpc_days,
       CAST(COALESCE(h.failed_in_row, 0) AS INTEGER) AS failed_in_row,
       (COALESCE(b.unreachable, FALSE)
        OR COALESCE(h.failed_since_reset, 0) >= {UNREACHABLE_AFTER_FAILED_DIALS}) AS borrower_unreachable,
       g.borrower_id IS NOT NULL AS has_guarantor
FROM account_base b
LEFT JOIN prom p ON p.borrower_id = b.borrower_id AND p.rn = 1
LEFT JOIN history_facts h ON h.borrower_id = b.borrower_id
LEFT JOIN guar g ON g.borrower_id = b.borrower_id"""
    return Statement("facts", sql.strip(), materialize=True)
