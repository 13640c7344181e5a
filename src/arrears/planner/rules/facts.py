"""The facts every rule reads, one row per candidate (or per candidate and zone), as SQL statements.

Names start with `rz_` (rules, internal). Each fact mirrors one thing `compliance.rules.base.Eval` derives:
the recipient's role, the contact point, the attempt's loan, the debtor flags from holds, local time in every
candidate zone, and (`history.py`) the history aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from arrears.planner.relations import ZONE_MARGIN_DAYS
from arrears.planner.sql import Statement, quote

DAY_S = 86400
EPOCH_DATE = "DATE '1970-01-01'"


def day_no(expr: str) -> str:
    """Days since 1970-01-01 of an epoch-seconds (or wall-clock-seconds) expression (floor, also for < 0)."""
    return f"CAST(FLOOR(({expr}) / {DAY_S}) AS BIGINT)"


def date_no(expr: str) -> str:
    """Days since 1970-01-01 of a DATE expression."""
    return f"DATE_DIFF('day', {EPOCH_DATE}, {expr})"


def date_lit(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def epoch(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def span(plan_date: date) -> tuple[int, int]:
    """Epoch bounds of the history the time-dependent facts may read: the coverage of `zone_rows` plus the
    engine's 27-hour look-back."""
    lo = epoch(plan_date - timedelta(days=ZONE_MARGIN_DAYS + 2))
    hi = epoch(plan_date + timedelta(days=ZONE_MARGIN_DAYS + 2))
    return lo, hi


def hold_statements(plan_date: date) -> list[Statement]:
    """Debtor flags from the holds active on the plan date (see casefile.py for the same mapping).

    cease -> cease_written_at = 00:00 of start_date at UTC+14 (the earliest instant of that date anywhere);
    dispute/deceased/bankruptcy -> the flag; breathing_space -> until the day before end_date (open-ended: for
    ever); hardship -> a vulnerability flag. complaint has no engine flag (the strategy handles it)."""
    d = date_lit(plan_date)
    sql = f"""
SELECT borrower_id,
  MIN(CASE WHEN kind = 'cease' THEN {date_no('start_date')} * {DAY_S} - 50400 END) AS cease_s,
  MAX(CASE WHEN kind = 'dispute' THEN 1 ELSE 0 END) AS dispute,
  MAX(CASE WHEN kind = 'deceased' THEN 1 ELSE 0 END) AS deceased,
  MAX(CASE WHEN kind = 'bankruptcy' THEN 1 ELSE 0 END) AS bankruptcy,
  MAX(CASE WHEN kind = 'hardship' THEN 1 ELSE 0 END) AS hardship,
  MAX(CASE WHEN kind = 'breathing_space' THEN 1 ELSE 0 END) AS bs_any,
  MAX(CASE WHEN kind = 'breathing_space' AND end_date IS NULL THEN 1 ELSE 0 END) AS bs_open,
  MAX(CASE WHEN kind = 'breathing_space' THEN {date_no('end_date')} END) AS bs_end_no
FROM holds
WHERE start_date <= {d} AND (end_date IS NULL OR end_date > {d})
GROUP BY borrower_id"""
    return [Statement("rz_holds", sql)]


def zone_statements() -> list[Statement]:
    """Each borrower's distinct zone names (first position kept), and whether the list is usable: not empty,
    and every name an IANA zone (present in `tz_offsets`)."""
    zones = """
SELECT borrower_id, tz, MIN(zone_ord) AS zone_ord FROM account_zones GROUP BY borrower_id, tz"""
    valid = """
SELECT z.borrower_id, CASE WHEN COUNT(*) = COUNT(v.tz) THEN 1 ELSE 0 END AS zone_ok
FROM rz_zones z
LEFT JOIN (SELECT DISTINCT tz FROM tz_offsets) v ON v.tz = z.tz
GROUP BY z.borrower_id"""  # a borrower without zones has no row here: zone_ok defaults to 0
    return [Statement("rz_zones", zones), Statement("rz_zone_ok", valid)]


def cand_zone_statement(*, primary: bool) -> Statement:
    """Per candidate and valid zone: local day number, seconds since local midnight, the local day's bounds
    (`tz_days`) and, when `primary` (a rule reads the primary zone's date), the zone's rank (1 = primary)."""
    wall = "c.at_s + o.utc_offset_s"
    rank = (
        "ROW_NUMBER() OVER (PARTITION BY x.cand_id ORDER BY x.zone_ord)" if primary else "CAST(NULL AS BIGINT)"
    )
    sql = f"""
SELECT x.*, d.start_s AS day_lo, d.end_s AS day_hi, {rank} AS zone_rank
FROM (
  SELECT c.cand_id, c.borrower_id, c.party_id, c.contact_point_id, c.at_s, z.tz, z.zone_ord,
    {day_no(wall)} AS day_no,
    {wall} - {day_no(wall)} * {DAY_S} AS sod
  FROM candidates c
  JOIN rz_zone_ok k ON k.borrower_id = c.borrower_id AND k.zone_ok = 1
  JOIN rz_zones z ON z.borrower_id = c.borrower_id
  JOIN tz_offsets o ON o.tz = z.tz AND c.at_s >= o.from_s AND c.at_s < o.to_s
) x
LEFT JOIN (SELECT tz, {date_no('local_date')} AS day_no, start_s, end_s FROM tz_days) d
  ON d.tz = x.tz AND d.day_no = x.day_no"""
    return Statement("rz_cz", sql, materialize=True)


def candidate_statement(*, with_visits: bool) -> Statement:
    """One row per candidate: recipient, contact point, loan, account and hold facts."""
    visit_cols = (
        "v.cand_id AS v_found, v.staff_count AS v_staff, COALESCE(v.recording, FALSE) AS v_recording, "
        "v.location_type AS v_location, v.notice_at_s AS v_notice_s"
        if with_visits
        else "CAST(NULL AS BIGINT) AS v_found, CAST(NULL AS INTEGER) AS v_staff, FALSE AS v_recording, "
        "CAST(NULL AS VARCHAR) AS v_location, CAST(NULL AS BIGINT) AS v_notice_s"
    )
    visit_join = "LEFT JOIN visit_plans v ON v.cand_id = c.cand_id" if with_visits else ""
    sql = f"""
SELECT c.cand_id, c.borrower_id, c.party_id, c.contact_point_id, c.channel, c.purpose, c.at_s,
  CASE WHEN c.party_id = c.borrower_id THEN 1 ELSE 0 END AS is_debtor,
  CASE WHEN c.party_id = c.borrower_id THEN 'debtor' WHEN p.party_id IS NOT NULL THEN p.role
       ELSE 'unrelated' END AS role,
  CASE WHEN c.party_id <> c.borrower_id AND p.party_id IS NOT NULL THEN 1 ELSE 0 END AS p_found,
  CASE WHEN c.party_id <> c.borrower_id AND p.relationship_evidence THEN 1 ELSE 0 END AS p_evidence,
  CASE WHEN c.party_id <> c.borrower_id AND p.refused_contact THEN 1 ELSE 0 END AS p_refused,
  CASE WHEN pt.contact_point_id IS NOT NULL THEN 1 ELSE 0 END AS pt_found,
  pt.source AS pt_source, pt.owner_id AS pt_owner, pt.kind AS pt_kind,
  CASE WHEN pt.opted_out THEN 1 ELSE 0 END AS pt_opted_out,
  CASE WHEN pt.employer_provided THEN 1 ELSE 0 END AS pt_employer,
  COALESCE(k.zone_ok, 0) AS zone_ok, c.loan_id, c.script,
  CASE WHEN a.is_minor THEN 1 ELSE 0 END AS is_minor,
  CASE WHEN a.unreachable THEN 1 ELSE 0 END AS flag_unreachable,
  a.agency_id, a.agency_whitelisted,
  CASE WHEN a.vulnerable OR COALESCE(h.hardship, 0) = 1 THEN 1 ELSE 0 END AS vulnerable,
  h.cease_s, COALESCE(h.dispute, 0) AS dispute, COALESCE(h.deceased, 0) AS deceased,
  COALESCE(h.bankruptcy, 0) AS bankruptcy, COALESCE(h.bs_any, 0) AS bs_any, COALESCE(h.bs_open, 0) AS bs_open,
  h.bs_end_no,
  l.lender_type AS debt_lender_type, l.apr_bp AS debt_apr_bp, l.contract_date AS debt_contract_date,
  {visit_cols}
FROM candidates c
LEFT JOIN accounts a ON a.borrower_id = c.borrower_id
LEFT JOIN rz_zone_ok k ON k.borrower_id = c.borrower_id
LEFT JOIN parties p ON p.borrower_id = c.borrower_id AND p.party_id = c.party_id
LEFT JOIN points pt ON pt.borrower_id = c.borrower_id AND pt.contact_point_id = c.contact_point_id
LEFT JOIN rz_holds h ON h.borrower_id = c.borrower_id
LEFT JOIN (SELECT borrower_id, CASE WHEN COUNT(*) = 1 THEN MIN(loan_id) END AS only_loan
           FROM loans GROUP BY borrower_id) nl ON nl.borrower_id = c.borrower_id
LEFT JOIN loans l ON l.loan_id = COALESCE(c.loan_id, nl.only_loan) AND l.borrower_id = c.borrower_id
{visit_join}"""
    return Statement("rz_cand", sql)  # a view: read once, by rz_fired


def in_sql(column: str, values: Iterable[object]) -> str:
    """`column IN (...)`, or FALSE for an empty set (SQL has no empty IN list)."""
    items = sorted({str(v) for v in values})
    if not items:
        return "FALSE"
    return f"{column} IN (" + ", ".join(quote(v) for v in items) + ")"
