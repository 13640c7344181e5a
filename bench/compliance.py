"""Compliance engine throughput: decisions per second on one core, 30 days of history per debtor.

Workload: attempts without text (time-window, counter, 7-in-7, hold, party and lineage rules all run; content
rules see no text). Each debtor has 30 days of history over two numbers with mixed outcomes (CN 1-6 attempts
a day, US 0-2, UK 0-3); the attempt is asked for between 07:00 and 22:00 local, so some attempts are blocked
(outside contact hours, a full counter, the US 7-in-7 cool-down) and get the next-allowed-time search.
Baselines: the 20,000 decisions/s target from the issue, and a naive path that parses the scenario-shaped
input with pydantic on every decision (what an edge would do without the frozen-dataclass model).

Rates are decisions per CPU-second of this process (time.process_time), so other work on a shared machine
distorts them less; the engine is single-threaded, so this is "on one core". Full and verdict-only passes
alternate over the same requests and each mode reports its median pass.
"Full" is what a caller gets by default: the verdict, every rule that fired with reasons, and for blocked
attempts the next allowed time. "Verdict only" (`search_next=False`) is the planner's mode.
Prints figures and ratios, then ONE JSON line: {"decisions_per_s": ..., ...}.
Usage: python bench/compliance.py [--debtors 1000] [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from arrears.compliance.engine import Engine
from arrears.compliance.loader import load_builtin
from arrears.compliance.model import CheckRequest
from arrears.compliance.scenario import parse_scenario

TARGET = 20_000.0
ZONES = {"cn_strict": ["Asia/Shanghai"], "cn_floor": ["Asia/Shanghai"], "us": ["America/New_York", "America/Chicago"],
         "uk": ["Europe/London"]}
OUTCOMES = ["rang_no_answer", "voicemail", "busy", "conversation", "answered_no_conversation"]


def make_raw(rnd: random.Random, pack: str, i: int) -> dict[str, Any]:
    zones = ZONES[pack]
    tz_offset = {"cn": 8, "us": -5, "uk": 0}[pack[:2]]
    day0 = datetime(2026, 2, 1, tzinfo=UTC)
    # The planner asks from 07:00 to 22:00 local: mostly inside contact hours, some just outside them.
    now = day0 + timedelta(days=30, hours=7 - tz_offset + rnd.random() * 15)
    history = []
    per_day = {"cn": (1, 6), "us": (0, 2), "uk": (0, 3)}[pack[:2]]  # realistic loads: US stays near 7-in-7
    for d in range(30):
        for _ in range(rnd.randint(*per_day)):
            at = day0 + timedelta(days=d, hours=9 - tz_offset + rnd.random() * 10)
            if at >= now:
                continue
            ch = rnd.choice(["call", "call", "call", "sms"])
            history.append({
                "at": at.isoformat(), "to": "P", "point": rnd.choice(["A", "H"]), "channel": ch, "direction": "out",
                "outcome": "delivered" if ch == "sms" else rnd.choice(OUTCOMES), "debt": "D1", "collector": "C1",
            })
    return {
        "id": f"B{i}", "pack": pack, "now": now.isoformat(),
        "debtor": {"id": "P", "timezones": zones},
        "debts": [{"id": "D1", "lender_type": "licensed", "contract_date": "2025-06-01", "apr": 0.18}],
        "contact_points": [{"id": "A", "owner": "P", "kind": "mobile", "source": "contract",
                            "used_by_debtor_for_debt": True, "reassignment_checked_at": "2026-02-20T00:00:00+00:00"},
                           {"id": "H", "owner": "P", "kind": "landline", "source": "contract"}],
        "history": history,
        "attempt": {"to": "P", "point": "A", "channel": rnd.choice(["call", "ai_voice"]), "debt": "D1",
                    "collector": "C1"},
    }


def one_pass(engine: Engine, reqs: list[CheckRequest], search: bool, tally: dict[str, int] | None) -> float:
    """Decide every request once; returns the CPU seconds taken."""
    t0 = time.process_time()
    if tally is None:
        for r in reqs:
            engine.decide(r, search_next=search)
    else:
        for r in reqs:
            d = engine.decide(r, search_next=search)
            tally[d.verdict.value] = tally.get(d.verdict.value, 0) + 1
            if d.next_allowed_at is not None:
                tally["with_next_allowed_at"] = tally.get("with_next_allowed_at", 0) + 1
    return time.process_time() - t0


def run(engine: Engine, reqs: list[CheckRequest], seconds: float) -> tuple[float, float, dict[str, int]]:
    """Full decisions and verdict-only decisions in alternating passes (so load from other processes hits
    both alike) until `seconds` of CPU time; returns the median rate of each mode and the verdict tally."""
    tally: dict[str, int] = {}
    one_pass(engine, reqs, True, tally)  # warm-up pass, also counts the verdict mix
    full: list[float] = []
    fast: list[float] = []
    spent = 0.0
    while spent < seconds or len(full) < 3:
        el_full = one_pass(engine, reqs, True, None)
        el_fast = one_pass(engine, reqs, False, None)
        full.append(len(reqs) / el_full)
        fast.append(len(reqs) / el_fast)
        spent += el_full + el_fast
    return statistics.median(full), statistics.median(fast), tally


def run_naive(engine: Engine, raws: list[dict[str, Any]], seconds: float) -> float:
    n = 0
    t0 = time.process_time()
    while True:
        for r in raws:
            engine.decide(parse_scenario(r).request)
            n += 1
            if n % 200 == 0 and time.process_time() - t0 >= seconds:
                return n / (time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--debtors", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per pack (both modes)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    figures: dict[str, Any] = {}
    rates: list[float] = []
    verdict_only: list[float] = []
    hist_sizes: list[int] = []
    print(f"compliance engine, {args.debtors} debtors per pack, 30 days of history each; "
          "median of alternating passes, decisions per CPU-second (one core)")
    for pack in ("cn_strict", "us", "uk"):
        engine = Engine(load_builtin(pack))
        raws = [make_raw(rnd, pack, i) for i in range(args.debtors)]
        hist_sizes += [len(r["history"]) for r in raws]
        reqs = [parse_scenario(r).request for r in raws]
        rate, fast, tally = run(engine, reqs, args.seconds)
        rates.append(rate)
        verdict_only.append(fast)
        blocked = tally.get("block", 0) / len(reqs)
        figures[f"{pack}_decisions_per_s"] = round(rate)
        figures[f"{pack}_verdict_only_per_s"] = round(fast)
        figures[f"{pack}_blocked_share"] = round(blocked, 3)
        print(f"  {pack:10s} {rate:10,.0f}/s full (incl. next_allowed_at)  {fast:10,.0f}/s verdict only  "
              f"x{rate / TARGET:.2f} of target  blocked {blocked:.0%}  "
              f"with next_allowed_at {tally.get('with_next_allowed_at', 0) / len(reqs):.0%}  verdicts={tally}")
    overall = len(rates) / sum(1 / r for r in rates)  # harmonic mean: equal numbers of decisions per pack
    overall_fast = len(verdict_only) / sum(1 / r for r in verdict_only)
    naive_engine = Engine(load_builtin("cn_strict"))
    naive_raws = [make_raw(rnd, "cn_strict", i) for i in range(200)]
    naive = run_naive(naive_engine, naive_raws, args.seconds / 2)
    slowest = min(("cn_strict", "us", "uk"), key=lambda p: figures[f"{p}_decisions_per_s"])
    print(f"history per debtor: mean {sum(hist_sizes) / len(hist_sizes):.0f} entries over 30 days")
    print(f"overall full decisions (harmonic mean) {overall:10,.0f}/s")
    print(f"overall verdict only (planner mode)    {overall_fast:10,.0f}/s")
    print(f"baseline 1: the issue's target {TARGET:,.0f}/s -> overall ratio {overall / TARGET:.2f}x, "
          f"verdict only {overall_fast / TARGET:.2f}x, slowest pack ({slowest}) "
          f"{figures[f'{slowest}_decisions_per_s'] / TARGET:.2f}x")
    print(f"baseline 2: naive parse-per-decision {naive:,.0f}/s (cn_strict) -> ratio "
          f"{figures['cn_strict_decisions_per_s'] / naive:.1f}x")
    figures.update({
        "decisions_per_s": round(overall),
        "target_per_s": TARGET,
        "ratio_vs_target": round(overall / TARGET, 2),
        "verdict_only_per_s": round(overall_fast),
        "verdict_only_ratio_vs_target": round(overall_fast / TARGET, 2),
        "slowest_pack_ratio_vs_target": round(figures[f"{slowest}_decisions_per_s"] / TARGET, 2),
        "naive_parse_per_decision_per_s": round(naive),
        "ratio_vs_naive": round(figures["cn_strict_decisions_per_s"] / naive, 1),
        "history_entries_mean": round(sum(hist_sizes) / len(hist_sizes)),
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
