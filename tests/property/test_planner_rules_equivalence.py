"""The column-wise rules agree with the row-at-a-time engine, attempt by attempt (issue #5).

Hypothesis generates small portfolios (relation rows): borrowers in one or two zones (Asia/Shanghai,
Asia/Urumqi, abroad with DST, and invalid names that must fail closed), obligors and third parties with and
without evidence or refusals, contact points of every lineage, holds, and histories dense enough to fill the
frequency caps and to make the debtor unreachable under CN-PARTY-2. Candidates fall across the day, on the
window edges (07:59/08:00/20:59/21:00/21:59/22:00 local) and on history instants. Every candidate's verdict
and rule ids from `compliance_statements` run in DuckDB must equal `Engine.decide` on `casefile(rows)`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from planner_rules_harness import Builder, Portfolio, engine_verdicts, load, local_ts, mismatches, run

from arrears.compliance.decision import Verdict
from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_builtin
from arrears.compliance.pack import Pack, Rule
from arrears.compliance.rules import KINDS
from arrears.domain.enums import Channel, ContactPointKind, HoldKind, Outcome, Purpose, Role, Source
from arrears.planner.rules_sql import compliance_statements


def _extra(rid: str, kind: str, params: dict[str, object], verdict: Verdict = Verdict.BLOCK,
           channels: tuple[Channel, ...] = tuple(Channel)) -> Rule:
    return Rule(rid, kind, "POLICY", rid, rid, frozenset(channels), KINDS[kind].params.model_validate(params),
                verdict, (), "test")


def cn_plus() -> Pack:
    """cn_strict plus every hold, the per-medium kinds and frequency/visit params the CN packs leave unused:
    the column-wise forms of rule kinds no built-in CN pack exercises are checked the same way."""
    strict = load_builtin("cn_strict")
    extra = [
        *(_extra(f"X-HOLD-{h.upper()}", "hold", {"hold": h})
          for h in ("cease", "dispute", "attorney", "breathing_space", "bankruptcy", "vulnerability")),
        _extra("X-HOLD-ANYONE", "hold", {"hold": "dispute", "debtor_only": False, "exempt_channels": ["letter"]}),
        _extra("X-OPTOUT", "medium_optout", {"reply_once": False}),
        _extra("X-ESAFE", "esafe", {}, channels=(Channel.SMS, Channel.EMAIL)),
        _extra("X-WORKMAIL", "work_email", {}),
        _extra("X-FREQ", "frequency", {
            "caps": [{"scope": "debtor", "channels": ["call", "sms"], "limit": 2, "label_zh": "x", "label_en": "x"},
                     {"scope": "point", "channels": ["sms"], "outcomes": ["delivered", "sent"], "limit": 1,
                      "label_zh": "y", "label_en": "y"}],
            "min_gap_minutes": 90, "min_gap_scope": "point", "min_gap_channels": ["call", "ai_voice"],
            "review_after_refusal": True}, Verdict.REVIEW),
        _extra("X-VISIT", "visit", {"min_notice_hours": 24, "block_if_vulnerable": True, "block_if_dispute": True,
                                    "window_start": "09:00", "window_end": "18:00"}),
        _extra("X-WINDOW", "time_window", {"start": "08:30", "end": "24:00", "start_exclusive": True}),
        _extra("X-AUDIENCE", "audience", {"audiences": ["group"], "channels": ["im"]}, Verdict.REVIEW),
    ]
    return replace(strict, id="cn_plus", rules=strict.rules + tuple(extra))


PACK_OBJECTS = {"cn_floor": load_builtin("cn_floor"), "cn_strict": load_builtin("cn_strict"), "cn_plus": cn_plus()}
PACKS = tuple(PACK_OBJECTS)
ENGINES = {p: Engine(pk) for p, pk in PACK_OBJECTS.items()}
# Regular days and DST transition days abroad (London 2026-03-29 / 10-25, New York 2026-03-08 / 11-01).
PLAN_DATES = (date(2026, 3, 10), date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1))
ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Europe/London", "America/New_York", "Asia/Tokyo")
BAD_ZONES = ("UTC+8", "Mars/Olympus", "UTC")
EDGE_TIMES = (time(7, 59), time(8, 0), time(20, 59), time(21, 0), time(21, 59), time(22, 0), time(23, 59), time(0, 0))
DAY_TIMES = (time(9, 0), time(10, 30), time(14, 30), time(17, 45), time(20, 0))
BURST_OUTCOMES = (Outcome.CONVERSATION, Outcome.RANG_NO_ANSWER, Outcome.BUSY, Outcome.NOT_IN_SERVICE)
CAND_CHANNELS = (Channel.CALL, Channel.CALL, Channel.CALL, Channel.AI_VOICE, Channel.SMS, Channel.SMS, Channel.IM,
                 Channel.EMAIL, Channel.VISIT, Channel.LETTER, Channel.SOCIAL_PUBLIC)
ROLES = tuple(r.value for r in Role if r is not Role.DEBTOR)
SEEN: Counter[str] = Counter()
STATEMENTS = {(p, d): compliance_statements(PACK_OBJECTS[p], plan_date=d) for p in PACKS for d in PLAN_DATES}


@st.composite
def zones_st(draw: st.DrawFn) -> tuple[str, ...]:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from(((), (draw(st.sampled_from(BAD_ZONES)),), ("Asia/Shanghai", "UTC+8"))))
    first = draw(st.sampled_from((*ZONES, "Asia/Shanghai", "Asia/Shanghai")))
    if draw(st.integers(0, 2)) > 0:
        return (first,)
    return (first, draw(st.sampled_from((*ZONES, "Asia/Urumqi", "Asia/Shanghai"))))


@st.composite
def portfolio_st(draw: st.DrawFn) -> Portfolio:
    plan = draw(st.sampled_from(PLAN_DATES))
    b = Builder(plan)
    cand_times: list[int] = []
    for n in range(draw(st.integers(1, 3))):
        bid = f"B{n}"
        zones = draw(zones_st())
        b.borrower(
            bid,
            zones,
            is_minor=draw(st.integers(0, 9)) == 0,
            vulnerable=draw(st.integers(0, 5)) == 0,
            unreachable=draw(st.integers(0, 9)) == 0,
            agency=draw(st.sampled_from((*(None,) * 6, ("AG1", True), ("AG1", True), ("AG2", False)))),
        )
        home = zones[0] if zones and zones[0] in ZONES else "Asia/Shanghai"
        loans = []
        for k in range(draw(st.integers(0, 2))):
            lid = f"{bid}-L{k}"
            loans.append(lid)
            b.loan(
                bid,
                lid,
                draw(st.sampled_from(("licensed", "private"))),
                draw(st.sampled_from((1500, 1540, 2400, 2500, 3600, 3601, 4000))),
                draw(st.sampled_from((date(2019, 1, 1), date(2020, 5, 1), date(2021, 6, 1), date(2024, 8, 1)))),
            )
        people = [bid]
        for k in range(draw(st.integers(0, 3))):
            pid = f"{bid}-M{k}"
            people.append(pid)
            b.party(
                bid,
                pid,
                draw(st.sampled_from(ROLES)),
                emergency=draw(st.booleans()),
                refused=draw(st.integers(0, 5)) == 0,
                evidence=draw(st.integers(0, 3)) == 0,
            )
        points: list[tuple[str, str]] = []  # (point, owner)
        for k in range(draw(st.integers(0, 4))):
            cid = f"{bid}-P{k}"
            owner = people[k] if k < len(people) and draw(st.integers(0, 3)) else draw(st.sampled_from(people))
            kind = draw(st.sampled_from((ContactPointKind.MOBILE, ContactPointKind.MOBILE, ContactPointKind.LANDLINE,
                                         ContactPointKind.EMAIL, ContactPointKind.IM, ContactPointKind.WORK_PHONE)))
            src = draw(st.sampled_from((*(Source.CONTRACT,) * 6, Source.SELF_RESERVED, Source.DEBTOR_AUTHORIZED,
                                        Source.DEVICE_CONTACT_LIST, Source.PURCHASED, Source.UNKNOWN)))
            b.point(bid, cid, owner, kind.value, src.value, opted_out=draw(st.integers(0, 5)) == 0,
                    employer_provided=draw(st.integers(0, 5)) == 0)
            points.append((cid, owner))
        for _ in range(draw(st.sampled_from((0, 1, 1, 2)))):
            start = plan + timedelta(days=draw(st.integers(-5, 1)))
            end = draw(st.sampled_from((None, None, plan, plan + timedelta(days=1), start + timedelta(days=1))))
            b.hold(bid, draw(st.sampled_from(tuple(HoldKind))).value, start, end)
        # bursts of history: same person/point/channel/outcome, close together, mostly on the plan date
        for _ in range(draw(st.integers(0, 5))):
            to = bid if draw(st.integers(0, 4)) < 3 else draw(st.sampled_from(people))
            own = [c for c, o in points if o == to]
            point = draw(st.sampled_from([*own, *own, None])) if own else None
            channel = draw(st.sampled_from((Channel.CALL, Channel.CALL, Channel.AI_VOICE, Channel.SMS, Channel.IM)))
            outcome = draw(st.sampled_from((*BURST_OUTCOMES, *tuple(Outcome))))
            direction = "in" if draw(st.integers(0, 9)) == 0 else "out"
            day = plan - timedelta(days=draw(st.sampled_from((0, 0, 0, 1, 1, 2, 3))))
            if draw(st.integers(0, 3)) == 0:  # a run of failed dials to the debtor: CN-PARTY-2's trigger
                to, channel, direction, day = bid, Channel.CALL, "out", plan - timedelta(days=draw(st.integers(0, 2)))
                outcome = draw(st.sampled_from((Outcome.RANG_NO_ANSWER, Outcome.BUSY, Outcome.NOT_IN_SERVICE)))
                own = [c for c, o in points if o == bid]
                point = draw(st.sampled_from([*own, None])) if own else None
            at = local_ts(day, draw(st.sampled_from((*EDGE_TIMES, time(9, 30), time(12, 0), time(12, 0)))), home)
            at += draw(st.integers(-120, 120)) * 60
            step = draw(st.sampled_from((0, 60, 300, 900, 3600)))
            for k in range(draw(st.integers(1, 12))):
                b.hist(bid, to, point, at + k * step, outcome.value, channel.value, direction)
                if day >= plan - timedelta(days=1):
                    cand_times.append(at + k * step)
        mine = [h for h in b.pf.history if h["borrower_id"] == bid]
        for _ in range(draw(st.integers(0, 2)) if mine else 0):  # a twin: same instant, another outcome (ties)
            h = draw(st.sampled_from(mine))
            b.hist(bid, h["party_id"], h["contact_point_id"], h["at_s"], draw(st.sampled_from(tuple(Outcome))).value,
                   draw(st.sampled_from((Channel.CALL, Channel.SMS, Channel.AI_VOICE))).value,
                   draw(st.sampled_from(("out", "in"))))
        for _ in range(draw(st.integers(1, 6))):
            pick = draw(st.integers(0, 9))
            to = bid if pick < 5 else f"{bid}-X" if pick == 9 or len(people) == 1 else draw(st.sampled_from(people[1:]))
            own = [c for c, o in points if o == to]
            pick = draw(st.integers(0, 19))
            if own and pick < 15:
                point = draw(st.sampled_from(own))
            elif points and pick < 18:
                point = draw(st.sampled_from([c for c, _ in points]))
            else:
                point = draw(st.sampled_from((None, None, f"{bid}-P9")))
            channel = draw(st.sampled_from(CAND_CHANNELS))
            purpose = draw(st.sampled_from((Purpose.COLLECT, Purpose.COLLECT, Purpose.LOCATE, Purpose.LOCATE,
                                            Purpose.SERVICE)))
            pick = draw(st.integers(0, 9))
            if pick < 4 and cand_times:
                at = draw(st.sampled_from(cand_times)) + draw(st.sampled_from((0, 1, 60, 900, 901, 4000)))
            else:
                at = local_ts(plan, draw(st.sampled_from(EDGE_TIMES if pick < 5 else DAY_TIMES)), home)
                at += draw(st.sampled_from((0, 0, 0, 1, 59, 3600)))
            loan = draw(st.sampled_from([*loans, *loans, None, "nope"]))
            cid = b.cand(bid, to, point, at, channel.value, purpose.value, loan, "locate_only")
            if channel is Channel.VISIT and draw(st.integers(0, 3)) > 0:
                b.visit(cid, draw(st.integers(1, 3)), draw(st.integers(0, 3)) > 0,
                        draw(st.sampled_from(("home", "home", "workplace", "Workplace"))),
                        draw(st.sampled_from((None, at - 3600, at - 86400 * 2))))
    return b.pf


def check_packs(pf: Portfolio, packs: tuple[str, ...]) -> None:
    con = load(pf)
    try:
        for pack_name in packs:
            sql = run(con, STATEMENTS[pack_name, pf.plan_date], tables=True)
            eng = engine_verdicts(pf, pack_name, ENGINES[pack_name])
            assert set(sql) == {c["cand_id"] for c in pf.candidates}
            bad = mismatches(sql, eng)
            assert not bad, pack_name + "\n" + "\n".join(bad[:10])
            for verdict, ids in eng.values():
                SEEN[f"{pack_name}:verdict:{verdict}"] += 1
                for rid in filter(None, ids.split(";")):
                    SEEN[f"{pack_name}:rule:{rid}"] += 1
    finally:
        con.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pf=portfolio_st())
def test_column_wise_rules_agree_with_the_engine(pf: Portfolio) -> None:
    check_packs(pf, ("cn_floor", "cn_strict"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pf=portfolio_st())
def test_column_wise_forms_of_the_other_kinds_agree_with_the_engine(pf: Portfolio) -> None:
    """Holds, per-medium kinds and frequency/visit/window params no CN pack uses (`cn_plus`)."""
    check_packs(pf, ("cn_plus",))


# A seed whose sample covers every verdict and rule below for each pack (checked when it was chosen). Hypothesis's
# own `derandomize` seed drew no `review` verdict in 200 portfolios.
TOP_UP_SEED = 1


def _vacuous(pack_name: str) -> list[str]:
    """What the portfolios checked so far (SEEN) did not exercise: verdicts, rules frequent in every run, and
    too few of the rarer ones (a full cap on one number, a deceased hold...)."""
    verdicts = {k.split(":")[2] for k in SEEN if k.startswith(f"{pack_name}:verdict:")}
    rules = {k.split(":")[2] for k in SEEN if k.startswith(f"{pack_name}:rule:")}
    # cn_plus's extra rules (every text to the debtor lacks a US safe harbour...) leave few constrained allows
    expected = {"allow", "block", "review"} | ({"allow_with_constraints"} if pack_name != "cn_plus" else set())
    core = {"CN-TIME-1", "CN-PARTY-1", "CN-PARTY-2", "CN-DATA-1", "CN-DISC-1", "CN-RATE-1"}
    broad = {"CN-FREQ-1", "CN-FREQ-2", "CN-PARTY-3", "CN-AI-1", "CN-CRIM-1", "CN-RATE-2", "CN-VISIT-1", "CN-REC-1",
             "CN-PUBLIC-1", "CN-DATA-2", "ARREARS-HOLD-DECEASED"}
    if pack_name != "cn_floor":
        core |= {"CN-TIME-2", "CN-FREQ-3"}
    if pack_name == "cn_plus":
        core |= {"X-WINDOW", "X-ESAFE", "X-FREQ", "X-VISIT"}
        broad |= {"X-HOLD-CEASE", "X-HOLD-DISPUTE", "X-HOLD-BREATHING_SPACE", "X-HOLD-BANKRUPTCY",
                  "X-HOLD-VULNERABILITY", "X-HOLD-ANYONE", "X-OPTOUT", "X-WORKMAIL", "X-AUDIENCE"}
    gaps = [f"verdict {v}" for v in sorted(expected - verdicts)] + [f"rule {r}" for r in sorted(core - rules)]
    if len(broad & rules) < 0.75 * len(broad):
        gaps.append(f"rarer rules: only {sorted(broad & rules)}")
    return gaps


@pytest.mark.parametrize("pack_name", PACKS)
def test_the_generated_portfolios_are_not_vacuous(pack_name: str) -> None:
    """Runs after the property test (same module, file order): the equivalence was checked on candidates
    that were allowed, allowed with constraints, reviewed and blocked, and by many different rules.

    The property tests draw new portfolios on every run (Hypothesis picks a seed), so one run can miss a rare
    verdict. Then, or when the property test did not run in this process (-k selection, an xdist split), a
    fixed sample (`TOP_UP_SEED`: the same portfolios on every run) is checked for equivalence too, and the
    union of both must cover everything."""
    if not any(k.startswith(f"{pack_name}:") for k in SEEN) or _vacuous(pack_name):
        packs = ("cn_plus",) if pack_name == "cn_plus" else ("cn_floor", "cn_strict")

        @seed(TOP_UP_SEED)
        @settings(max_examples=60 if pack_name == "cn_plus" else 200, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(pf=portfolio_st())
        def sample(pf: Portfolio) -> None:
            check_packs(pf, packs)

        sample()
    assert not _vacuous(pack_name)
