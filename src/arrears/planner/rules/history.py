"""History aggregates as SQL: today's counts per cap, the minimum gap, first refusals, and CN-PARTY-2's
"debtor unreachable" (all phones not in service; the day after N consecutive failed dials).

Cost (N candidates, H history rows, R of them in the plan's few-day span):
- caps and gaps: one hash join of the candidates (per zone) with the borrower's recent outbound rows, R-sized,
  then one GROUP BY: O(N x zones x recent rows per borrower);
- first refusals: one filtered GROUP BY over H;
- reachability: one window pass (a sort) over the debtor's resets and failed dials, and one over the debtor's
  phone dials, of the borrowers that have a third-party candidate only; then a join of those candidates with
  their borrower's rows up to the candidate instant.
No correlated subqueries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arrears.compliance.rules.frequency import FrequencyParams
from arrears.compliance.rules.parties import FAILED_DIALS, PHONE_KINDS, REACHED
from arrears.compliance.zones import zone
from arrears.domain.enums import VOICE_CHANNELS, Direction, Outcome
from arrears.planner.relations import zone_rows
from arrears.planner.rules.facts import day_no, in_sql, span
from arrears.planner.sql import Statement

LOOKBACK_S = 27 * 3600  # compliance.rules.base.DAY_LOOKBACK


@dataclass(frozen=True, slots=True)
class FreqRule:
    index: int  # position of the rule in the pack (column suffix)
    params: FrequencyParams


def _scope(scope: str, h: str, c: str) -> str:
    if scope == "case":
        return "TRUE"
    if scope == "debtor":
        return f"{h}.party_id = {c}.borrower_id"
    if scope == "person":
        return f"{h}.party_id = {c}.party_id"
    return f"{h}.contact_point_id = {c}.contact_point_id"


def _cap_match(cap: object, h: str, c: str) -> str:
    from arrears.compliance.rules.frequency import Cap

    assert isinstance(cap, Cap)
    conds = [in_sql(f"{h}.channel", cap.channels), _scope(cap.scope, h, c)]
    if cap.outcomes is not None:
        conds.append(in_sql(f"{h}.outcome", cap.outcomes))
    return " AND ".join(conds)


def _fixed_day_start(tz_name: str, plan_date: date, at: str) -> str:
    """Start of the local day of `at` in a fixed zone (a cap's `tz`), as literals from `zone_rows`."""
    _, days = zone_rows([tz_name], plan_date)
    arms = " ".join(f"WHEN {at} >= {s} AND {at} < {e} THEN {s}" for _, _, s, e in days)
    return f"(CASE {arms} ELSE NULL END)"


def frequency_statements(rules: list[FreqRule], plan_date: date) -> list[Statement]:
    """rz_freq: per candidate, for rule i: f{i}_cap (a cap is full in one of its zones, whether or not it
    applies to the channel/scope: the rule expression checks that), f{i}_gap (an entry inside the gap)."""
    lo, hi = span(plan_date)
    channels: set[str] = set()
    for r in rules:
        for cap in r.params.caps:
            channels.update(cap.channels)
        channels.update(r.params.min_gap_channels)
    recent = f"""
SELECT borrower_id, party_id, contact_point_id, channel, outcome, at_s FROM rz_h
WHERE direction = '{Direction.OUT.value}' AND at_s >= {lo} AND at_s < {hi} AND {in_sql('channel', channels)}"""
    out = [Statement("rz_recent", recent, materialize=True)]
    near = "h.borrower_id = {c}.borrower_id AND h.at_s <= {c}.at_s AND h.at_s >= {c}.at_s - " + str(LOOKBACK_S)

    zone_counts: list[str] = []  # per (candidate, zone)
    zone_full: list[str] = []  # per candidate
    cand_cols: list[str] = []
    cand_full: list[str] = []
    for r in rules:
        i = r.index
        per_rule_full: list[str] = []
        for j, cap in enumerate(r.params.caps):
            name = f"n{i}_{j}"
            if cap.tz == "debtor":
                zone_counts.append(
                    f"SUM(CASE WHEN h.at_s >= z.day_lo AND {_cap_match(cap, 'h', 'z')} THEN 1 ELSE 0 END) AS {name}"
                )
                zone_full.append(f"MAX(CASE WHEN {name} >= {cap.limit} THEN 1 ELSE 0 END) AS full{i}_{j}")
            else:
                if zone(cap.tz) is None:
                    raise ValueError(f"caps.tz: unknown IANA zone {cap.tz!r}")
                start = _fixed_day_start(cap.tz, plan_date, "c.at_s")
                cand_cols.append(
                    f"SUM(CASE WHEN h.at_s >= {start} AND {_cap_match(cap, 'h', 'c')} THEN 1 ELSE 0 END) AS {name}"
                )
                cand_full.append(f"CASE WHEN q.{name} >= {cap.limit} THEN 1 ELSE 0 END AS full{i}_{j}")
            per_rule_full.append(f"COALESCE(full{i}_{j}, 0)")
        p = r.params
        if p.min_gap_minutes and p.min_gap_channels:
            gap = p.min_gap_minutes * 60
            cand_cols.append(
                f"MAX(CASE WHEN h.at_s > c.at_s - {gap} AND {in_sql('h.channel', p.min_gap_channels)} "
                f"AND {_scope(p.min_gap_scope, 'h', 'c')} THEN 1 ELSE 0 END) AS gap{i}"
            )
            cand_full.append(f"q.gap{i} AS gap{i}")
    if zone_counts:
        inner = f"""
SELECT z.cand_id, z.tz, {', '.join(zone_counts)}
FROM rz_cz z LEFT JOIN rz_recent h ON {near.format(c='z')}
GROUP BY z.cand_id, z.tz"""
        out.append(Statement("rz_freq_z", f"SELECT cand_id, {', '.join(zone_full)} FROM ({inner}) t GROUP BY cand_id"))
    if cand_cols:
        inner = f"""
SELECT c.cand_id, {', '.join(cand_cols)}
FROM candidates c LEFT JOIN rz_recent h ON {near.format(c='c')}
GROUP BY c.cand_id"""
        out.append(Statement("rz_freq_c", f"SELECT q.cand_id, {', '.join(cand_full)} FROM ({inner}) q"))
    # one row per candidate, every fact column (0 when it cannot apply)
    cols: list[str] = []
    for r in rules:
        i = r.index
        for j, cap in enumerate(r.params.caps):
            src = "fz" if cap.tz == "debtor" else "fc"
            cols.append(f"COALESCE({src}.full{i}_{j}, 0) AS full{i}_{j}")
        has_gap = bool(r.params.min_gap_minutes and r.params.min_gap_channels)
        cols.append(f"COALESCE(fc.gap{i}, 0) AS gap{i}" if has_gap else f"0 AS gap{i}")
    joins = ""
    if zone_counts:
        joins += " LEFT JOIN rz_freq_z fz ON fz.cand_id = c.cand_id"
    if cand_cols:
        joins += " LEFT JOIN rz_freq_c fc ON fc.cand_id = c.cand_id"
    out.append(Statement("rz_freq", f"SELECT c.cand_id, {', '.join(cols)} FROM candidates c{joins}"))
    return out


def history_statements(plan_date: date, *, recent_channels: set[str], reach: bool) -> list[Statement]:
    """rz_h: the one scan of `history`, keeping only the rows some fact reads: outbound rows of the plan's
    span on channels a cap or gap counts, refusals, and (when CN-PARTY-2 is in the pack) the debtor's own
    rows of the borrowers that have a third-party candidate (`tp` = 1). rz_tp: those candidates."""
    lo, hi = span(plan_date)
    keep = [f"(direction = '{Direction.OUT.value}' AND at_s >= {lo} AND at_s < {hi} AND {in_sql('channel', recent_channels)})"]
    keep.append(f"outcome = '{Outcome.REFUSED.value}'")
    out: list[Statement] = []
    join = ""
    tp_col = "0 AS tp"
    if reach:
        out.append(Statement("rz_tp", "SELECT cand_id, borrower_id, at_s FROM candidates WHERE party_id <> borrower_id"))
        join = "LEFT JOIN (SELECT DISTINCT borrower_id FROM rz_tp) b ON b.borrower_id = h.borrower_id"
        tp_col = "CASE WHEN b.borrower_id IS NOT NULL THEN 1 ELSE 0 END AS tp"
        keep.append("(h.party_id = h.borrower_id AND b.borrower_id IS NOT NULL)")
    sql = f"""
SELECT h.borrower_id, h.party_id, h.contact_point_id, h.channel, h.direction, h.outcome, h.at_s, {tp_col}
FROM history h {join}
WHERE {' OR '.join(keep)}"""
    out.append(Statement("rz_h", sql, materialize=True))
    return out


def refusal_statement() -> Statement:
    """The first refusal ("stop calling me") of each person: `Case.first_refusal`."""
    sql = f"""
SELECT borrower_id, party_id, MIN(at_s) AS first_refused_s FROM rz_h
WHERE outcome = '{Outcome.REFUSED.value}' GROUP BY borrower_id, party_id"""
    return Statement("rz_refused", sql)


def reach_statements(dials: list[int]) -> list[Statement]:
    """rz_reach: per third-party candidate, u{n} = 1 when the debtor is unreachable at the candidate's instant
    (compliance.rules.parties.debtor_unreachable with `failed_needed = n`), for every n in `dials`."""
    voice = in_sql("channel", VOICE_CHANNELS)
    reset = f"direction = '{Direction.IN.value}' OR {in_sql('outcome', REACHED | {Outcome.DELIVERED})}"
    failed = f"{voice} AND {in_sql('outcome', FAILED_DIALS)}"
    order = "at_s, channel, direction, outcome"  # Case.timeline's sort key (the person is the debtor throughout)
    over = f"OVER (PARTITION BY borrower_id ORDER BY {order}"
    # Only resets and failed dials move the run. Over those rows, in order, a failed dial is the N-th of its
    # run ("trigger") when it and the N-1 rows before it are all failed dials and the row before them is a
    # reset or nothing: one window pass, no per-run grouping.
    trig = ", ".join(
        f"CASE WHEN is_failed = 1 AND ROW_NUMBER() {over}) >= {n} "
        f"AND SUM(is_reset) {over} ROWS BETWEEN {n - 1} PRECEDING AND CURRENT ROW) = 0 "
        f"AND COALESCE(LAG(is_reset, {n}) {over}), 1) = 1 THEN 1 ELSE 0 END AS trig{n}"
        for n in dials
    )
    dh = f"""
SELECT borrower_id, at_s, is_reset, is_failed, ROW_NUMBER() {over}) AS pos, {trig}
FROM (
  SELECT borrower_id, at_s, channel, direction, outcome,
    CASE WHEN {reset} THEN 1 ELSE 0 END AS is_reset,
    CASE WHEN NOT ({reset}) AND {failed} THEN 1 ELSE 0 END AS is_failed
  FROM rz_h
  WHERE party_id = borrower_id AND tp = 1
) d
WHERE is_reset = 1 OR is_failed = 1"""
    # At the candidate's instant: the latest trigger at or before it counts if no reset came after it.
    agg = ", ".join(
        f"MAX(CASE WHEN d.trig{n} = 1 THEN d.pos END) AS tpos{n}, MAX(CASE WHEN d.trig{n} = 1 THEN d.at_s END) AS ts{n}"
        for n in dials
    )
    nth_now = ", ".join(
        f"CASE WHEN tpos{n} IS NOT NULL AND (rpos IS NULL OR rpos < tpos{n}) THEN ts{n} END AS nth{n}" for n in dials
    )
    run = f"""
SELECT cand_id, {nth_now}
FROM (
  SELECT t.cand_id, MAX(CASE WHEN d.is_reset = 1 THEN d.pos END) AS rpos, {agg}
  FROM rz_tp t JOIN rz_dh d ON d.borrower_id = t.borrower_id AND d.at_s <= t.at_s
  GROUP BY t.cand_id
) q"""
    phones = f"""
SELECT borrower_id, contact_point_id FROM points
WHERE owner_id = borrower_id AND {in_sql('kind', PHONE_KINDS)}
  AND borrower_id IN (SELECT borrower_id FROM rz_tp)"""
    nphones = "SELECT borrower_id, COUNT(*) AS n_phones FROM rz_phones GROUP BY borrower_id"
    phev = f"""
SELECT h.borrower_id, h.contact_point_id, h.outcome, h.at_s,
  LEAD(h.at_s) OVER (PARTITION BY h.borrower_id, h.contact_point_id ORDER BY h.at_s, h.channel, h.outcome) AS next_s
FROM rz_h h JOIN rz_phones p ON p.borrower_id = h.borrower_id AND p.contact_point_id = h.contact_point_id
WHERE h.party_id = h.borrower_id AND h.tp = 1 AND h.direction = '{Direction.OUT.value}' AND {in_sql('h.channel', VOICE_CHANNELS)}"""
    nis = f"""
SELECT t.cand_id, COUNT(DISTINCT e.contact_point_id) AS n_nis
FROM rz_tp t JOIN rz_phev e ON e.borrower_id = t.borrower_id AND e.at_s <= t.at_s
  AND (e.next_s IS NULL OR e.next_s > t.at_s)
WHERE e.outcome = '{Outcome.NOT_IN_SERVICE.value}'
GROUP BY t.cand_id"""
    # the N-th failed dial's local date is before today's in every candidate zone
    per_zone = []
    for n in dials:
        per_zone.append(
            f"""
SELECT z.cand_id, MAX(CASE WHEN {day_no(f'r.nth{n} + o.utc_offset_s')} >= z.day_no THEN 1 ELSE 0 END) AS late
FROM rz_cz z JOIN rz_run r ON r.cand_id = z.cand_id
JOIN tz_offsets o ON o.tz = z.tz AND r.nth{n} >= o.from_s AND r.nth{n} < o.to_s
GROUP BY z.cand_id"""
        )
    out = [
        Statement("rz_dh", dh, materialize=True),
        Statement("rz_run", run),
        Statement("rz_phones", phones),
        Statement("rz_nphones", nphones),
        Statement("rz_phev", phev),
        Statement("rz_nis", nis),
    ]
    cols = []
    joins = []
    for k, (n, q) in enumerate(zip(dials, per_zone, strict=True)):
        out.append(Statement(f"rz_late{k}", q))
        joins.append(f"LEFT JOIN rz_late{k} l{k} ON l{k}.cand_id = t.cand_id")
        # run: N-th failed dial at or before now, zones valid, and no zone where it is today or later
        cols.append(
            f"CASE WHEN COALESCE(np.n_phones, 0) > 0 AND COALESCE(ni.n_nis, 0) = np.n_phones THEN 1 "
            f"WHEN r.nth{n} IS NOT NULL AND COALESCE(zk.zone_ok, 0) = 1 AND l{k}.late = 0 THEN 1 ELSE 0 END AS u{n}"
        )
    sql = f"""
SELECT t.cand_id, {', '.join(cols)}
FROM rz_tp t
LEFT JOIN rz_zone_ok zk ON zk.borrower_id = t.borrower_id
LEFT JOIN rz_run r ON r.cand_id = t.cand_id
LEFT JOIN rz_nphones np ON np.borrower_id = t.borrower_id
LEFT JOIN rz_nis ni ON ni.cand_id = t.cand_id
{' '.join(joins)}"""
    out.append(Statement("rz_reach", sql))
    return out
