"""From the day's steps (`day_steps`: the strategy's due steps and the workspace's callbacks and promise
follow-ups) to `candidates`: who, on which contact point, by which channel, at which instant.

- The local window is [09:00, 20:00) on the plan date in every candidate zone of the borrower (latest opening,
  earliest closing, from `tz_days`), inside the 08:00-22:00 (CN-TIME-1) and 08:00-21:00 (CN-TIME-2) limits.
  An account whose zones are invalid gets the window of its primary offset (or +08:00), and the rules block it.
- Each due step of an account gets its own instant: window start + 30 minutes x its order among the account's
  due steps (`step_rank`: callbacks, then promise steps, then the rest), so two contacts of one day never
  share an instant (CN-FREQ-3's minimum gap). A callback is at its agreed time when that is later, and its
  window runs to the window's close (or 30 minutes past the agreed time); the rules judge that instant.
- Party: `debtor` -> the borrower's own points (a callback's own point first); `guarantor` -> guarantors' and
  co-obligors' points, unless they refused contact;
  `emergency_contact` -> named emergency contacts who have not refused, with the `locate_only` script and
  purpose `locate` (CN-PARTY-2). Every (party, point) of the right kind is a candidate; the plan later keeps
  at most ONE allowed candidate per step, so a third party is never contacted in bulk.
- Channel -> point kinds: call/ai_voice -> mobile, landline; sms -> mobile; im -> im; email -> email;
  letter/visit -> address (a visit without an address is still proposed, for approval).
- `cand_id` = account number x 4096 + step order x 64 + point rank (stable, unique, portable).
"""

from __future__ import annotations

from datetime import date

from arrears.planner.sql import Statement
from arrears.strategy.model import LOCATE_ONLY

WINDOW_OPEN_S = 9 * 3600
WINDOW_CLOSE_S = 20 * 3600
STEP_GAP_S = 30 * 60
CAND_ID_STRIDE = 4096  # cand_id = account_no x CAND_ID_STRIDE + step order x 64 + point rank
DEFAULT_OFFSET_S = 8 * 3600
POINT_KINDS: dict[str, tuple[str, ...]] = {
    "call": ("mobile", "landline"),
    "ai_voice": ("mobile", "landline"),
    "sms": ("mobile",),
    "im": ("im",),
    "email": ("email",),
    "letter": ("address",),
    "visit": ("address",),
}
NEEDS_POINT = frozenset({"call", "ai_voice", "sms", "im", "email", "letter"})
SOURCE_ORDER = ("contract", "self_reserved", "debtor_authorized", "reserved_contact_informed")


def _kinds_case() -> str:
    arms = []
    for ch, kinds in POINT_KINDS.items():
        for i, k in enumerate(kinds):
            arms.append(f"WHEN ds.channel = '{ch}' AND p.kind = '{k}' THEN {i}")
    return "CASE " + " ".join(arms) + " END"


def _source_rank() -> str:
    arms = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_ORDER))
    return f"CASE p.source {arms} ELSE {len(SOURCE_ORDER)} END"


def window_statement(plan_date: date) -> Statement:
    """`acct_windows(borrower_id, win_start_s, win_end_s)` for the accounts with a due step."""
    d = f"DATE '{plan_date.isoformat()}'"
    midnight_utc = int((plan_date - date(1970, 1, 1)).days) * 86400
    sql = f"""
WITH due_accounts AS (SELECT DISTINCT borrower_id FROM day_steps),
zoned AS (
  SELECT z.borrower_id, MAX(t.start_s + {WINDOW_OPEN_S}) AS win_start_s, MIN(t.start_s + {WINDOW_CLOSE_S}) AS win_end_s
  FROM due_accounts u
  JOIN account_zones z ON z.borrower_id = u.borrower_id
  JOIN tz_days t ON t.tz = z.tz AND t.local_date = {d}
  GROUP BY z.borrower_id
)
SELECT u.borrower_id,
       COALESCE(z.win_start_s, {midnight_utc + WINDOW_OPEN_S} - COALESCE(b.utc_offset_s, {DEFAULT_OFFSET_S}))
         AS win_start_s,
       COALESCE(z.win_end_s, {midnight_utc + WINDOW_CLOSE_S} - COALESCE(b.utc_offset_s, {DEFAULT_OFFSET_S}))
         AS win_end_s,
       COALESCE(b.tz, 'Asia/Shanghai') AS tz
FROM due_accounts u
JOIN account_base b ON b.borrower_id = u.borrower_id
LEFT JOIN zoned z ON z.borrower_id = u.borrower_id"""
    return Statement("acct_windows", sql.strip(), materialize=True)


def due_plan_statement() -> Statement:
    """`due_plan`: the day's steps with their order in the account, account number, instant and window."""
    sql = """
WITH numbered AS (
  SELECT borrower_id, ROW_NUMBER() OVER (ORDER BY borrower_id) AS account_no FROM acct_windows
)
SELECT ds.*, n.account_no,
       DENSE_RANK() OVER (PARTITION BY ds.borrower_id ORDER BY ds.step_rank) - 1 AS step_order,
       w.win_start_s, w.win_end_s, w.tz
FROM day_steps ds
JOIN numbered n ON n.borrower_id = ds.borrower_id
JOIN acct_windows w ON w.borrower_id = ds.borrower_id"""
    return Statement("due_plan", sql.strip(), materialize=True)


def cand_plan_statement() -> Statement:
    """`cand_plan`: one row per candidate with everything the plan needs afterwards."""
    sql = f"""
WITH people AS (
  SELECT borrower_id, borrower_id AS party_id, 'debtor' AS party FROM account_base
  UNION ALL
  SELECT borrower_id, party_id, 'guarantor' AS party FROM parties
  WHERE role IN ('guarantor', 'co_obligor') AND NOT refused_contact
  UNION ALL
  SELECT borrower_id, party_id, 'emergency_contact' AS party FROM parties
  WHERE emergency_contact AND NOT refused_contact
),
matched AS (
  SELECT ds.*, pp.party_id, p.contact_point_id, p.kind AS point_kind,
         {_kinds_case()} AS kind_rank, {_source_rank()} AS source_rank,
         CASE WHEN p.contact_point_id = ds.pref_point_id THEN 0 ELSE 1 END AS pref_rank
  FROM due_plan ds
  JOIN people pp ON pp.borrower_id = ds.borrower_id AND pp.party = ds.party
  JOIN points p ON p.borrower_id = ds.borrower_id AND p.owner_id = pp.party_id AND NOT p.opted_out
),
pointed AS (
  SELECT * FROM matched WHERE kind_rank IS NOT NULL
),
ranked AS (
  SELECT pointed.*,
         ROW_NUMBER() OVER (PARTITION BY borrower_id, step_seq
                            ORDER BY pref_rank, kind_rank, source_rank, party_id, contact_point_id) - 1
           AS point_rank
  FROM pointed
),
unpointed AS (
  SELECT ds.*, ds.borrower_id AS party_id, CAST(NULL AS VARCHAR) AS contact_point_id,
         CAST(NULL AS VARCHAR) AS point_kind, 0 AS kind_rank, 0 AS source_rank, 1 AS pref_rank, 0 AS point_rank
  FROM due_plan ds
  LEFT JOIN (SELECT DISTINCT borrower_id FROM points
             WHERE owner_id = borrower_id AND kind = 'address' AND NOT opted_out) a
    ON a.borrower_id = ds.borrower_id
  WHERE ds.channel = 'visit' AND ds.party = 'debtor' AND a.borrower_id IS NULL
)
SELECT CAST(account_no * {CAND_ID_STRIDE} + step_order * 64 + point_rank AS BIGINT) AS cand_id, borrower_id, party_id,
       contact_point_id, channel, segment, variant, treatment, step_seq, step_id, party, template, pool,
       supervisor_approval, min_staff, recording, anchor, anchor_day, urgency, step_rank, agent_hint, step_order,
       point_rank, win_start_s,
       CASE WHEN not_before_s IS NULL THEN win_end_s ELSE GREATEST(win_end_s, at_s + {STEP_GAP_S}) END AS win_end_s,
       tz, at_s,
       CASE WHEN party = 'emergency_contact' THEN '{LOCATE_ONLY}' ELSE template END AS script,
       CASE WHEN party = 'emergency_contact' THEN 'locate' ELSE 'collect' END AS purpose
FROM (
  SELECT u.*,
         CAST(GREATEST(win_start_s + step_order * {STEP_GAP_S}, COALESCE(not_before_s, 0)) AS BIGINT) AS at_s
  FROM (SELECT * FROM ranked WHERE point_rank < 64 UNION ALL SELECT * FROM unpointed) u
) c"""
    return Statement("cand_plan", sql.strip(), materialize=True)


def candidates_statement() -> Statement:
    """`candidates` (relations.CANDIDATES) and the loan of the attempt: the account's main loan."""
    sql = """
SELECT c.cand_id, c.borrower_id, b.main_loan_id AS loan_id, c.party_id, c.contact_point_id, c.channel,
       c.purpose, c.script, c.at_s
FROM cand_plan c JOIN account_base b ON b.borrower_id = c.borrower_id"""
    return Statement("candidates", sql.strip())


def visit_plans_statement() -> Statement:
    """A proposed visit is planned for two recorded staff at home (the strategy's `requires`)."""
    sql = """
SELECT cand_id, CAST(GREATEST(min_staff, 2) AS INTEGER) AS staff_count, TRUE AS recording,
       'home' AS location_type, CAST(NULL AS BIGINT) AS notice_at_s
FROM cand_plan WHERE channel = 'visit'"""
    return Statement("visit_plans", sql.strip())


def candidate_statements(plan_date: date) -> tuple[Statement, ...]:
    return (
        window_statement(plan_date),
        due_plan_statement(),
        cand_plan_statement(),
        candidates_statement(),
        visit_plans_statement(),
    )
