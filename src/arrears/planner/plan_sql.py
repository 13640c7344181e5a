"""After the verdicts: the contact plan, the agents' worklists and the reason for every account held back.

1. `cand_judged`: each candidate with its verdict; `allow` and `allow_with_constraints` may be planned.
2. `proposed`: per due step, the first allowed candidate (point preference order), then at most one contact
   per (account, party, channel) a day (the first step in treatment order). One step never yields two
   contacts, so a third party is never contacted in bulk.
3. Human channels (call, visit) go to an agent: the account's owner when they work the channel and speak the
   borrower's language, else a qualified agent of the owner's team (any team when the account has no
   owner), dealt round-robin; a callback goes to the agent who agreed it when they qualify. Each agent keeps
   the best `daily_capacity` contacts, ordered by promise due first, then callbacks, then expected recovery
   (score x overdue balance), then account id. Visits are requests that need
   supervisor approval (`status = needs_approval`), never done contacts.
4. `plan_holdbacks`: every account in arrears without a contact today, with the first reason that applies:
   hold (and `hold_kind`, a plan-stopping kind first), capacity, no_agent, review, rules (rule ids of its
   first blocked candidate), no_contact_point, not_due. What the candidates said per account comes from
   `judged_accounts` (one row per account with a due step), so the holdbacks read no candidate rows.

Steps 1, 2 and `judged_accounts` look at one borrower at a time; `routed` and what follows it compare
borrowers (team round-robin, agents' capacity). `pipeline.CROSS_BORROWER` names the latter: a runner may run
the rest in borrower partitions (see `services.planning`).
"""

from __future__ import annotations

from datetime import date

from arrears.planner.sql import Statement, in_list
from arrears.planner.work_sql import HELD_KINDS

HUMAN_CHANNELS = ("call", "visit")
OK_VERDICTS = ("allow", "allow_with_constraints")
PROMISE_BONUS = 1e15  # promise follow-ups sort before any expected recovery
CALLBACK_BONUS = 5e14  # then agreed callbacks
REASONS = ("hold", "capacity", "no_agent", "review", "rules", "no_contact_point", "not_due")


def judged_statement() -> Statement:
    sql = f"""
SELECT c.*, v.verdict, COALESCE(v.rule_ids, '') AS rule_ids, v.verdict IN {in_list(OK_VERDICTS)} AS ok
FROM cand_plan c JOIN verdicts v ON v.cand_id = c.cand_id"""
    return Statement("cand_judged", sql.strip(), materialize=True)


def proposed_statement() -> Statement:
    sql = """
WITH chosen AS (
  SELECT * FROM (
    SELECT j.*, ROW_NUMBER() OVER (PARTITION BY borrower_id, step_seq ORDER BY point_rank) AS rn
    FROM cand_judged j WHERE ok) x
  WHERE rn = 1
), deduped AS (
  SELECT * FROM (
    SELECT c.*, ROW_NUMBER() OVER (PARTITION BY borrower_id, party, channel ORDER BY step_rank) AS rn2
    FROM chosen c) y
  WHERE rn2 = 1
)
SELECT d.cand_id, d.borrower_id, b.main_loan_id AS loan_id, d.party_id, d.contact_point_id, d.channel,
       d.segment, d.variant, d.treatment, d.step_id, d.step_seq, d.party, d.script, d.pool, d.at_s,
       d.win_end_s, d.tz, d.verdict, d.rule_ids, d.supervisor_approval, d.min_staff, d.recording, d.purpose,
       d.anchor = 'promise_due_date' AS promise_due, d.urgency = 0 AS callback, d.step_rank, d.agent_hint,
       b.expected_recovery_minor, b.score_raw AS score, b.balance_minor, LOWER(b.language) AS lang
FROM deduped d JOIN account_base b ON b.borrower_id = d.borrower_id"""
    return Statement("proposed", sql.strip(), materialize=True)


def judged_accounts_statement() -> Statement:
    """`judged_accounts`: per account with a due step, whether a candidate got `review`, and the rule ids of
    its first blocked candidate (in step, then point order); `blocked` is false when none was blocked."""
    sql = """
WITH due AS (
  SELECT DISTINCT borrower_id FROM day_steps
), cands AS (
  SELECT borrower_id, MAX(CASE WHEN verdict = 'review' THEN 1 ELSE 0 END) AS any_review FROM cand_judged
  GROUP BY borrower_id
), first_bad AS (
  SELECT borrower_id, rule_ids FROM (
    SELECT borrower_id, rule_ids,
           ROW_NUMBER() OVER (PARTITION BY borrower_id ORDER BY step_rank, point_rank) AS rn
    FROM cand_judged WHERE NOT ok) x
  WHERE rn = 1
)
SELECT du.borrower_id, CAST(COALESCE(c.any_review, 0) AS INTEGER) AS any_review,
       fb.borrower_id IS NOT NULL AS blocked, fb.rule_ids
FROM due du
LEFT JOIN cands c ON c.borrower_id = du.borrower_id
LEFT JOIN first_bad fb ON fb.borrower_id = du.borrower_id"""
    return Statement("judged_accounts", sql.strip())


def routed_statement() -> Statement:
    """`routed`: human-channel contacts with their agent (NULL: nobody qualified) and rank in that agent's day."""
    human = in_list(HUMAN_CHANNELS)
    sql = f"""
WITH qualified AS (
  SELECT a.agent_id, a.team_id, a.daily_capacity, s.skill AS channel, l.language
  FROM agents a
  JOIN agent_skills s ON s.agent_id = a.agent_id
  JOIN agent_languages l ON l.agent_id = a.agent_id
), pool AS (
  SELECT agent_id, team_id AS team_key, channel, language,
         ROW_NUMBER() OVER (PARTITION BY team_id, channel, language ORDER BY agent_id) - 1 AS k,
         COUNT(*) OVER (PARTITION BY team_id, channel, language) AS n
  FROM qualified
  UNION ALL
  SELECT agent_id, '*' AS team_key, channel, language,
         ROW_NUMBER() OVER (PARTITION BY channel, language ORDER BY agent_id) - 1 AS k,
         COUNT(*) OVER (PARTITION BY channel, language) AS n
  FROM qualified
), human AS (
  SELECT p.*, COALESCE(ag.team_id, hg.team_id) AS owner_team, COALESCE(qh.agent_id, q.agent_id) AS owner_ok
  FROM proposed p
  LEFT JOIN assignments asg ON asg.borrower_id = p.borrower_id
  LEFT JOIN agents ag ON ag.agent_id = asg.agent_id
  LEFT JOIN qualified q ON q.agent_id = asg.agent_id AND q.channel = p.channel AND q.language = p.lang
  LEFT JOIN agents hg ON hg.agent_id = p.agent_hint
  LEFT JOIN qualified qh ON qh.agent_id = p.agent_hint AND qh.channel = p.channel AND qh.language = p.lang
  WHERE p.channel IN {human}
), dealt AS (
  SELECT h.*, COALESCE(h.owner_team, '*') AS team_key,
         ROW_NUMBER() OVER (PARTITION BY COALESCE(h.owner_team, '*'), h.channel, h.lang
                            ORDER BY h.borrower_id, h.step_rank) - 1 AS j
  FROM human h WHERE h.owner_ok IS NULL
), routed_all AS (
  SELECT h.cand_id, h.owner_ok AS agent_id FROM human h WHERE h.owner_ok IS NOT NULL
  UNION ALL
  SELECT d.cand_id, p.agent_id FROM dealt d
  LEFT JOIN pool p ON p.team_key = d.team_key AND p.channel = d.channel AND p.language = d.lang
                  AND p.k = d.j % p.n
), ranked AS (
  SELECT h.*, r.agent_id, a.daily_capacity,
         CASE WHEN r.agent_id IS NOT NULL THEN ROW_NUMBER() OVER (
           PARTITION BY r.agent_id
           ORDER BY h.promise_due DESC, h.callback DESC, h.expected_recovery_minor DESC, h.balance_minor DESC,
                    h.borrower_id, h.step_rank) END AS agent_rank
  FROM human h JOIN routed_all r ON r.cand_id = h.cand_id
  LEFT JOIN agents a ON a.agent_id = r.agent_id
)
SELECT cand_id, agent_id, agent_rank, agent_id IS NOT NULL AND agent_rank <= daily_capacity AS kept FROM ranked"""
    return Statement("routed", sql.strip(), materialize=True)


def contacts_statement() -> Statement:
    sql = f"""
WITH planned AS (
  SELECT p.*, r.agent_id, r.agent_rank
  FROM proposed p LEFT JOIN routed r ON r.cand_id = p.cand_id
  WHERE p.channel NOT IN {in_list(HUMAN_CHANNELS)} OR r.kept
)
SELECT cand_id, borrower_id,
       CAST(ROW_NUMBER() OVER (PARTITION BY borrower_id ORDER BY step_rank) - 1 AS INTEGER) AS seq,
       loan_id, party_id, contact_point_id, channel, segment, variant, treatment, step_id AS step, party,
       script, purpose, pool, at_s AS window_start_s, win_end_s AS window_end_s, tz,
       CAST(expected_recovery_minor AS DOUBLE) + CASE WHEN promise_due THEN {PROMISE_BONUS} ELSE 0 END
         + CASE WHEN callback THEN {CALLBACK_BONUS} ELSE 0 END AS priority,
       expected_recovery_minor, score, promise_due, callback, agent_id, CAST(agent_rank AS INTEGER) AS agent_rank,
       verdict, rule_ids,
       CASE WHEN supervisor_approval THEN 'needs_approval' ELSE 'planned' END AS status,
       supervisor_approval, min_staff, recording
FROM planned"""
    return Statement("plan_contacts", sql.strip(), materialize=True)


def worklists_statement() -> Statement:
    sql = """
SELECT agent_id, agent_rank AS rank, borrower_id, seq, channel, step, party, party_id, contact_point_id,
       window_start_s, window_end_s, tz, priority, expected_recovery_minor, score, promise_due, callback, status,
       rule_ids
FROM plan_contacts WHERE agent_id IS NOT NULL"""
    return Statement("plan_worklists", sql.strip())


def _hold_order() -> str:
    """The hold a holdback names first: the kinds that stop the plan (`work_sql.HELD_KINDS`), then the rest."""
    arms = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(HELD_KINDS))
    return f"CASE kind {arms} ELSE {len(HELD_KINDS)} END"


def holdbacks_statement(plan_date: date) -> Statement:
    d = f"DATE '{plan_date.isoformat()}'"
    sql = f"""
WITH held AS (
  SELECT borrower_id, kind AS hold_kind FROM (
    SELECT borrower_id, kind,
           ROW_NUMBER() OVER (PARTITION BY borrower_id ORDER BY {_hold_order()}, kind) AS rn
    FROM holds WHERE start_date <= {d} AND (end_date IS NULL OR end_date > {d})) x
  WHERE rn = 1
), contacted AS (
  SELECT DISTINCT borrower_id FROM plan_contacts
), human AS (
  SELECT p.borrower_id,
         MAX(CASE WHEN r.agent_id IS NOT NULL AND NOT r.kept THEN 1 ELSE 0 END) AS cut,
         MAX(CASE WHEN r.agent_id IS NULL THEN 1 ELSE 0 END) AS unrouted
  FROM proposed p JOIN routed r ON r.cand_id = p.cand_id GROUP BY p.borrower_id
)
SELECT b.borrower_id,
       CASE WHEN hd.borrower_id IS NOT NULL THEN 'hold'
            WHEN hu.cut = 1 THEN 'capacity'
            WHEN hu.unrouted = 1 THEN 'no_agent'
            WHEN ja.any_review = 1 THEN 'review'
            WHEN ja.blocked THEN 'rules'
            WHEN ja.borrower_id IS NOT NULL THEN 'no_contact_point'
            ELSE 'not_due' END AS reason,
       COALESCE(ja.rule_ids, '') AS rule_ids, hd.hold_kind,
       b.dpd, b.bucket, b.balance_minor
FROM account_base b
LEFT JOIN contacted ct ON ct.borrower_id = b.borrower_id
LEFT JOIN held hd ON hd.borrower_id = b.borrower_id
LEFT JOIN judged_accounts ja ON ja.borrower_id = b.borrower_id
LEFT JOIN human hu ON hu.borrower_id = b.borrower_id
WHERE b.dpd > 0 AND ct.borrower_id IS NULL"""
    return Statement("plan_holdbacks", sql.strip())


def plan_statements(plan_date: date) -> tuple[Statement, ...]:
    return (
        judged_statement(),
        proposed_statement(),
        judged_accounts_statement(),
        routed_statement(),
        contacts_statement(),
        worklists_statement(),
        holdbacks_statement(plan_date),
    )
