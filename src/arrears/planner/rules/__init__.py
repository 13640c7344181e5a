"""The compliance pack as column-wise SQL: one verdict per planned contact, equal to `Engine.decide`.

`compliance_statements(pack, plan_date=D)` reads the pack's rules and their params (rules are data: a param
change in YAML changes the SQL) and returns the statements that end in the relation `verdicts`
(cand_id, verdict, rule_ids). Facts are computed once per candidate (`facts`, `history`); each rule is one
expression over them (`kinds`); the verdict is the strongest rank and `rule_ids` the fired ids, sorted.
"""

from __future__ import annotations

from datetime import date

from arrears.compliance.decision import RANK, Verdict
from arrears.compliance.pack import Pack, Rule
from arrears.compliance.rules.frequency import FrequencyParams
from arrears.planner.rules.facts import (
    cand_zone_statement,
    candidate_statement,
    hold_statements,
    in_sql,
    zone_statements,
)
from arrears.planner.rules.history import (
    FreqRule,
    frequency_statements,
    history_statements,
    reach_statements,
    refusal_statement,
)
from arrears.planner.rules.kinds import KIND_SQL, UnsupportedRuleError, window_facts
from arrears.planner.sql import Statement, quote

__all__ = ["UnsupportedRuleError", "compliance_statements", "supported_kinds"]

VERDICT_NAMES = {r: v.value for v, r in RANK.items()}


def supported_kinds() -> frozenset[str]:
    return frozenset(KIND_SQL) | {"companion"}


def _check(pack: Pack) -> None:
    for r in pack.rules:
        if r.kind == "companion":
            continue
        if r.kind not in KIND_SQL:
            raise UnsupportedRuleError(r.id, r.kind, "unknown to the planner")


def compliance_statements(pack: Pack, *, plan_date: date, visit_plans: bool = True) -> tuple[Statement, ...]:
    """The statements, in order; the last is `verdicts`. `visit_plans=False` when the run supplies no
    `visit_plans` relation (every visit candidate is then blocked by the visit rules: plan missing)."""
    _check(pack)
    rules = list(pack.rules)
    exprs: dict[int, str] = {}
    for i, r in enumerate(rules):
        if r.kind != "companion":
            exprs[i] = f"CASE WHEN {in_sql('c.channel', r.channels)} THEN {KIND_SQL[r.kind](r, i)} ELSE 0 END"
    out: list[Statement] = []
    out += hold_statements(plan_date)
    out += zone_statements()
    out.append(candidate_statement(with_visits=visit_plans))
    primary = any(r.kind == "hold" and r.params.hold == "breathing_space" for r in rules)
    out.append(cand_zone_statement(primary=primary))

    time_cols = [col for i, r in enumerate(rules) for col in window_facts(r, i)]
    time_sql = f"""
SELECT z.cand_id, MAX(CASE WHEN z.zone_rank = 1 THEN z.day_no END) AS day0,
  MAX(CASE WHEN z.day_lo IS NULL THEN 1 ELSE 0 END) AS uncovered{''.join(', ' + c for c in time_cols)}
FROM rz_cz z GROUP BY z.cand_id"""
    out.append(Statement("rz_time", time_sql))

    freq = [FreqRule(i, r.params) for i, r in enumerate(rules) if r.kind == "frequency"]
    assert all(isinstance(f.params, FrequencyParams) for f in freq)
    dials = sorted(
        {
            r.params.consecutive_failed_dials
            for r in rules
            if r.kind == "third_party_contact" and r.params.mode == "cn_unreachable"
        }
    )
    counted: set[str] = set()
    for f in freq:
        counted.update(ch for cap in f.params.caps for ch in cap.channels)
        counted.update(f.params.min_gap_channels)
    out += history_statements(plan_date, recent_channels=counted, reach=bool(dials))
    if freq:
        out += frequency_statements(freq, plan_date)
    out.append(refusal_statement())
    if dials:
        out += reach_statements(dials)

    cols = [f"{e} AS r{i}" for i, e in exprs.items()]
    joins = [
        "LEFT JOIN rz_time t ON t.cand_id = c.cand_id",
        "LEFT JOIN rz_refused rf ON rf.borrower_id = c.borrower_id AND rf.party_id = c.party_id",
    ]
    if freq:
        joins.append("LEFT JOIN rz_freq f ON f.cand_id = c.cand_id")
    if dials:
        joins.append("LEFT JOIN rz_reach r ON r.cand_id = c.cand_id")
    fired = f"SELECT c.cand_id, c.channel, t.uncovered, {', '.join(cols) or '0 AS r_none'}\nFROM rz_cand c\n" + "\n".join(joins)
    out.append(Statement("rz_fired", fired))

    # companions (CN-AI-1): fire with the strongest verdict of the listed kinds that fired on their channels
    ranks: dict[int, str] = {i: f"x.r{i}" for i in exprs}
    for i, r in enumerate(rules):
        if r.kind != "companion":
            continue
        kinds = set(r.params.with_kinds)
        parts = [ranks[j] for j, o in enumerate(rules) if j in exprs and (not kinds or o.kind in kinds)]
        worst = f"GREATEST(0, {', '.join(parts)})" if parts else "0"
        ranks[i] = f"(CASE WHEN {in_sql('x.channel', r.channels)} THEN {worst} ELSE 0 END)"
    strongest = f"GREATEST(0, {', '.join(ranks.values())})" if ranks else "0"
    by_id = sorted((r.id, ranks[i]) for i, r in enumerate(rules))
    ids = ", ".join(f"CASE WHEN {e} > 0 THEN {quote(rid)} END" for rid, e in by_id)
    # a candidate outside the zone tables' span cannot be judged: block it under a planner id (see README)
    verdict_case = " ".join(f"WHEN w = {k} THEN {quote(v)}" for k, v in sorted(VERDICT_NAMES.items()))
    id_list = f"CONCAT_WS(';', {ids})" if ids else "''"
    verdicts = f"""
SELECT cand_id,
  CASE WHEN unc = 1 THEN '{Verdict.BLOCK.value}' {verdict_case} END AS verdict,
  CASE WHEN unc = 1 THEN 'PLAN-TZ-SPAN' ELSE ids END AS rule_ids
FROM (SELECT x.cand_id, COALESCE(x.uncovered, 0) AS unc, {strongest} AS w, {id_list} AS ids FROM rz_fired x) v"""
    out.append(Statement("verdicts", verdicts))
    return tuple(out)


def rule_columns(pack: Pack) -> dict[str, Rule]:
    """`r{i}` column of rz_fired -> rule (for diagnostics)."""
    return {f"r{i}": r for i, r in enumerate(pack.rules) if r.kind != "companion"}
