"""Compliance engine throughput: decisions per second on one core, 30 days of history per debtor.

Workload: attempts without text (time-window, counter, 7-in-7, hold, party and lineage rules all run; content
rules see no text). Each debtor has 30 days of history over two numbers with mixed outcomes (CN 1-6 attempts
a day, US 0-2, UK 0-3), so some attempts are blocked and get the next-allowed-time search.
Baselines: the 20,000 decisions/s target from the issue, and a naive path that parses the scenario-shaped
input with pydantic on every decision (what an edge would do without the frozen-dataclass model).

Rates are decisions per CPU-second of this process (time.process_time), so other work on a shared machine
does not distort them; the engine is single-threaded, so this is "on one core".
Prints figures and ratios, then ONE JSON line: {"decisions_per_s": ..., ...}.
Usage: python bench/compliance.py [--debtors 1000] [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import random
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
    now = day0 + timedelta(days=30, hours=10 - tz_offset + rnd.random() * 8)
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


def run(engine: Engine, reqs: list[CheckRequest], seconds: float, search: bool = True) -> tuple[float, dict[str, int]]:
    n = 0
    verdicts: dict[str, int] = {}
    t0 = time.process_time()
    while True:
        for r in reqs:
            d = engine.decide(r, search_next=search)
            verdicts[d.verdict.value] = verdicts.get(d.verdict.value, 0) + 1
        n += len(reqs)
        el = time.process_time() - t0
        if el >= seconds:
            return n / el, verdicts


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
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    figures: dict[str, Any] = {}
    rates: list[float] = []
    verdict_only: list[float] = []
    hist_sizes: list[int] = []
    for pack in ("cn_strict", "us", "uk"):
        engine = Engine(load_builtin(pack))
        raws = [make_raw(rnd, pack, i) for i in range(args.debtors)]
        hist_sizes += [len(r["history"]) for r in raws]
        reqs = [parse_scenario(r).request for r in raws]
        rate, verdicts = run(engine, reqs, args.seconds)
        fast, _ = run(engine, reqs, args.seconds / 2, search=False)
        rates.append(rate)
        verdict_only.append(fast)
        figures[f"{pack}_decisions_per_s"] = round(rate)
        figures[f"{pack}_verdict_only_per_s"] = round(fast)
        print(f"{pack:10s} {rate:10,.0f} decisions/s (with next_allowed_at search)  "
              f"{fast:10,.0f}/s verdict only  verdicts={verdicts}")
    overall = len(rates) / sum(1 / r for r in rates)  # harmonic mean: equal numbers of decisions per pack
    overall_fast = len(verdict_only) / sum(1 / r for r in verdict_only)
    naive_engine = Engine(load_builtin("cn_strict"))
    naive_raws = [make_raw(rnd, "cn_strict", i) for i in range(200)]
    naive = run_naive(naive_engine, naive_raws, args.seconds / 2)
    print(f"history per debtor: mean {sum(hist_sizes) / len(hist_sizes):.0f} entries over 30 days")
    print(f"overall (harmonic mean)      {overall:10,.0f} decisions/s on one core (full decisions)")
    print(f"overall verdict only         {overall_fast:10,.0f} decisions/s (planner mode: no next-time search)")
    print(f"baseline 1: target {TARGET:,.0f}/s           ratio {overall / TARGET:.2f}x")
    print(f"baseline 2: naive parse-per-decision {naive:,.0f}/s (cn_strict)  ratio {figures['cn_strict_decisions_per_s'] / naive:.1f}x")
    figures.update({
        "decisions_per_s": round(overall),
        "target_per_s": TARGET,
        "ratio_vs_target": round(overall / TARGET, 2),
        "verdict_only_per_s": round(overall_fast),
        "verdict_only_ratio_vs_target": round(overall_fast / TARGET, 2),
        "naive_parse_per_decision_per_s": round(naive),
        "ratio_vs_naive": round(figures["cn_strict_decisions_per_s"] / naive, 1),
        "history_entries_mean": round(sum(hist_sizes) / len(hist_sizes)),
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
