"""Compile a `Strategy` into SQL: segments (first match wins) as one CASE, variants by the account's hash
bucket, treatments, and every step judged on the plan day as a join against a small table of step
definitions. `strategy.select.select_treatment` / `next_steps` are the oracle (tests/property).

Champion/challenger: the hash (blake2b, `strategy.assign.bucket_bp`) has no equivalent in portable SQL, so
it is computed in NumPy once per account that needs it (an account whose segment has more than one variant)
and passed in as `variant_keys(borrower_id, variant_bp)`; the SQL only compares it with the variants'
cumulative basis-point ends, exactly as `assign.pick_variant`.
"""

from __future__ import annotations

from collections.abc import Sequence

from arrears.planner.sql import Statement, in_list, quote
from arrears.strategy.model import Anchor, Condition, Match, Segment, Step, Strategy, Vulnerability

ANCHOR_COLUMN = {
    Anchor.INSTALMENT_DUE_DATE: "due_day",
    Anchor.PROMISE_DUE_DATE: "promise_due_day",
    Anchor.BUCKET_ENTRY: "bucket_entry_day",
}
_FLAGS = {
    "borrower_unreachable": "f.borrower_unreachable",
    "promise_open": "f.promise_state = 'open'",
    "promise_kept": "f.promise_state = 'kept'",
    "promise_broken": "f.promise_state = 'broken'",
    "vulnerable": "f.vulnerable",
    "has_guarantor": "f.has_guarantor",
}


def match_sql(m: Match, alias: str = "f") -> str:
    """The SQL test of one segment's criteria (`select.matches`)."""
    c = f"{alias}."
    parts: list[str] = []
    if m.buckets is not None:
        parts.append(f"{c}bucket IN {in_list(m.buckets)}" if m.buckets else "FALSE")
    if m.balance_min_minor is not None:
        parts.append(f"{c}balance_minor >= {int(m.balance_min_minor)}")
    if m.balance_max_minor is not None:
        parts.append(f"{c}balance_minor <= {int(m.balance_max_minor)}")
    if m.score_min is not None or m.score_max is not None:
        parts.append(f"{c}score IS NOT NULL")
        if m.score_min is not None:
            parts.append(f"{c}score >= {int(m.score_min)}")
        if m.score_max is not None:
            parts.append(f"{c}score <= {int(m.score_max)}")
    if m.products is not None:
        parts.append(f"{c}product IN {in_list(m.products)}" if m.products else "FALSE")
    if m.region_prefixes is not None:
        tests = [f"substr({c}region, 1, {len(p)}) = {quote(p)}" for p in m.region_prefixes]
        parts.append("(" + " OR ".join(tests) + ")" if tests else "FALSE")
    if m.languages is not None:
        parts.append(f"{c}language IN {in_list(m.languages)}" if m.languages else "FALSE")
    if m.lender_types is not None:
        parts.append(
            f"{c}lender_type IN {in_list(v.value for v in m.lender_types)}" if m.lender_types else "FALSE"
        )
    if m.vulnerability is Vulnerability.NONE:
        parts.append(f"NOT {c}vulnerable")
    elif m.vulnerability is Vulnerability.ONLY:
        parts.append(f"{c}vulnerable")
    return " AND ".join(f"({p})" for p in parts) if parts else "TRUE"


def segment_case(strategy: Strategy, alias: str = "f") -> str:
    whens: list[str] = []
    default: Segment | None = None
    for seg in strategy.segments:
        if seg.is_default:
            default = seg
            break
        whens.append(f"WHEN {match_sql(seg.match, alias)} THEN {quote(seg.id)}")
    if default is None:
        raise ValueError(f"strategy {strategy.id} has no default segment")
    if not whens:
        return quote(default.id)
    return "CASE " + " ".join(whens) + f" ELSE {quote(default.id)} END"


def multi_variant_segments(strategy: Strategy) -> tuple[str, ...]:
    """Segments whose accounts need a hash bucket (more than one variant)."""
    return tuple(s.id for s in strategy.segments if len(s.variants) > 1)


def _variant_case(seg: Segment, attr: str) -> str:
    """Within one segment: the variant id (attr='id') or its treatment (attr='treatment') by basis point."""
    if len(seg.variants) == 1:
        return quote(getattr(seg.variants[0], attr))
    whens, end = [], 0
    for v in seg.variants[:-1]:
        end += v.share_bp
        whens.append(f"WHEN k.variant_bp < {end} THEN {quote(getattr(v, attr))}")
    return "CASE " + " ".join(whens) + f" ELSE {quote(getattr(seg.variants[-1], attr))} END"


def _by_segment(strategy: Strategy, attr: str) -> str:
    whens = " ".join(f"WHEN {quote(s.id)} THEN {_variant_case(s, attr)}" for s in strategy.segments)
    return f"CASE s.segment {whens} END"


def segment_statement(strategy: Strategy, *, source: str = "facts", name: str = "segments") -> Statement:
    """`segments(borrower_id, segment)` over any relation with the segment criteria columns."""
    return Statement(name, f"SELECT f.borrower_id, {segment_case(strategy)} AS segment FROM {source} f")


def selection_statement(strategy: Strategy, *, segments: str = "segments") -> Statement:
    """`selection(borrower_id, segment, variant, treatment, variant_bp)`; variant_bp is NULL for one-arm segments."""
    multi = multi_variant_segments(strategy)
    bp = (
        f"CASE WHEN s.segment IN {in_list(multi)} THEN k.variant_bp END" if multi else "CAST(NULL AS INTEGER)"
    )
    sql = (
        "SELECT s.borrower_id, s.segment, "
        f"{_by_segment(strategy, 'id')} AS variant, {_by_segment(strategy, 'treatment')} AS treatment, "
        f"{bp} AS variant_bp "
        f"FROM {segments} s LEFT JOIN variant_keys k ON k.borrower_id = s.borrower_id"
    )
    return Statement("selection", sql, materialize=True)


# --- steps ------------------------------------------------------------------------------------------------------


def _condition_sql(cond: Condition) -> str:
    if cond.op is None:
        base = _FLAGS[cond.fact]
        return f"NOT ({base})" if cond.negate else f"({base})"
    op = "=" if cond.op == "==" else "<>" if cond.op == "!=" else cond.op
    return f"COALESCE(f.{cond.fact} {op} {int(cond.value)}, FALSE)"


def _all_conditions(strategy: Strategy) -> tuple[Condition, ...]:
    seen: dict[str, Condition] = {}
    for t in strategy.treatments:
        for s in t.steps:
            for c in s.conditions:
                seen.setdefault(str(c), c)
    return tuple(seen[k] for k in sorted(seen))


def _int_or_null(v: int | None) -> str:
    return "CAST(NULL AS INTEGER)" if v is None else str(int(v))


def _bool(v: bool) -> str:
    return "TRUE" if v else "FALSE"


STEP_COLUMNS = (
    "treatment",
    "step_seq",
    "step_id",
    "anchor",
    "day_offset",
    "every_days",
    "until_offset",
    "from_rank",
    "channel",
    "party",
    "template",
    "pool",
    "supervisor_approval",
    "min_staff",
    "recording",
)


def step_defs_statement(strategy: Strategy) -> Statement:
    """Every step of every treatment as a row, with one `req_<k>` flag per distinct condition."""
    conds = _all_conditions(strategy)
    rows: list[str] = []
    for t in strategy.treatments:
        for seq, s in enumerate(t.steps):
            rows.append("(" + ", ".join(_step_values(strategy, t.id, seq, s, conds)) + ")")
    cols = [*STEP_COLUMNS, *(f"req_{k}" for k in range(len(conds)))]
    sql = f"SELECT * FROM (VALUES {', '.join(rows)}) AS t({', '.join(cols)})"
    return Statement("step_defs", sql)


def _step_values(
    strategy: Strategy, treatment: str, seq: int, s: Step, conds: Sequence[Condition]
) -> list[str]:
    rank = strategy.bucket_order.index(s.from_bucket) if s.from_bucket is not None else None
    held = {str(c) for c in s.conditions}
    return [
        quote(treatment),
        str(seq),
        quote(s.id),
        quote(s.anchor.value),
        str(int(s.day_offset)),
        _int_or_null(s.every_days),
        _int_or_null(s.until_offset),
        _int_or_null(rank),
        quote(s.channel.value),
        quote(s.party.value),
        quote(s.template),
        quote(s.pool),
        _bool(s.requires.supervisor_approval),
        str(int(s.requires.min_staff)),
        _bool(s.requires.recording),
        *(_bool(str(c) in held) for c in conds),
    ]


def bucket_rank_sql(strategy: Strategy, column: str = "f.bucket") -> str:
    whens = " ".join(f"WHEN {quote(b)} THEN {i}" for i, b in enumerate(strategy.bucket_order))
    return f"CASE {column} {whens} END"


def applies_sql(strategy: Strategy) -> str:
    """Whether step `d` (a `step_defs` row) applies to account `f` (a `facts` row): its bucket gate and its
    conditions (`select.judge_step`), without the schedule."""
    conds = _all_conditions(strategy)
    gates = [f"(NOT d.req_{k} OR {_condition_sql(c)})" for k, c in enumerate(conds)]
    gates.append(f"(d.from_rank IS NULL OR COALESCE({bucket_rank_sql(strategy)} >= d.from_rank, FALSE))")
    return " AND ".join(gates)


def due_steps_statement(strategy: Strategy, plan_day: int) -> Statement:
    """`due_steps`: one row per (account, step) that applies and falls due on the plan day (`select.judge_step`)."""
    anchor = (
        "CASE d.anchor "
        + " ".join(f"WHEN {quote(a.value)} THEN f.{col}" for a, col in ANCHOR_COLUMN.items())
        + " END"
    )
    applies = applies_sql(strategy)
    sql = f"""
SELECT borrower_id, segment, variant, treatment, step_seq, step_id, channel, party, template, pool,
       supervisor_approval, min_staff, recording, anchor, anchor_day
FROM (
  SELECT f.borrower_id, s.segment, s.variant, s.treatment, d.step_seq, d.step_id, d.anchor, d.channel, d.party,
         d.template, d.pool, d.supervisor_approval, d.min_staff, d.recording, d.day_offset, d.every_days,
         d.until_offset, {anchor} AS anchor_day, {applies} AS applies
  FROM selection s
  JOIN facts f ON f.borrower_id = s.borrower_id
  JOIN step_defs d ON d.treatment = s.treatment
) x
WHERE applies AND anchor_day IS NOT NULL AND (
  {plan_day} - anchor_day = day_offset
  OR (every_days IS NOT NULL AND {plan_day} - anchor_day > day_offset
      AND ({plan_day} - anchor_day - day_offset) % every_days = 0
      AND (until_offset IS NULL OR {plan_day} - anchor_day <= until_offset)))
"""
    return Statement("due_steps", sql.strip(), materialize=True)


def strategy_statements(
    strategy: Strategy, plan_day: int, *, segments_source: str = "facts"
) -> tuple[Statement, ...]:
    """segments -> selection -> step_defs -> due_steps, reading `facts` and `variant_keys`."""
    return (
        segment_statement(strategy, source=segments_source),
        selection_statement(strategy),
        step_defs_statement(strategy),
        due_steps_statement(strategy, plan_day),
    )
