"""Text guard throughput on one core: messages per second for ~100-character messages.

Baseline: the bare collection model alone (hashed char n-grams + one sparse product, no normalisation,
lexicon, transcript handling or explanations). Prints both rates, the ratio, and one JSON line.

The process is pinned to one core. The whole run is repeated (`--repeat`, default 5) and, as `timeit`
advises, the best repeat is the figure (`messages_per_s`): on a shared machine the slower repeats measure
the other processes, not the guard. The median repeat and the CPU-time rate (messages per second of this
process's CPU time, less sensitive to load) are reported too.

    python bench/guard.py [--n 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import time
from collections.abc import Callable


def _messages(n: int) -> list[str]:
    rng = random.Random(7)
    parts = [
        "您好,您在XX分期的借款已逾期15天,待还金额3200元,请于今日内登录APP还款。",
        "如有困难可以申请分期或延期,我们会为您提供协商方案,请回电400-000-0000。",
        "不还钱就轰炸你通讯录,让你所有亲朋好友都知道你是老赖。",
        "我们不会联系您的通讯录,也不会向任何第三方透露您的借款信息。",
        "Hello, your payment of $120 is now 10 days overdue. Please call us to discuss a plan.",
        "公安已立案,明天上门拘留,你自己看着办。",
        "温馨提示:逾期会影响您的征信记录,请尽快处理。",
        "你这个骗子,不要脸,借钱不还还有脸开直播。",
        "We will call everyone in your contacts every hour until you pay.",
        "感谢您的配合,已为您登记还款计划,下次还款日为5月20日。",
    ]
    out = []
    for _ in range(n):
        s = ""
        while len(s) < 100:
            s += rng.choice(parts)
        out.append(s[:100])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with contextlib.suppress(AttributeError, OSError):  # one core
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from arrears.textguard import default_guard
    from arrears.textguard.features import featurize

    guard = default_guard()
    msgs = _messages(args.n)
    guard.check_many(msgs[:200])  # warm caches

    def rate(run: Callable[[list[str]], object]) -> tuple[float, float]:
        """(messages per wall-clock second, messages per CPU second) for one pass over the messages."""
        w0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(msgs), args.batch):
            run(msgs[i : i + args.batch])
        return len(msgs) / (time.perf_counter() - w0), len(msgs) / max(1e-9, time.process_time() - c0)

    flagged = sum(r.violation for r in guard.check_many(msgs))
    base_runs = [rate(lambda b: guard.collection.proba(featurize(b, guard.collection.ngrams))) for _ in range(args.repeat)]
    full_runs = [rate(guard.check_many) for _ in range(args.repeat)]
    base = max(w for w, _ in base_runs)
    full = max(w for w, _ in full_runs)
    full_median = statistics.median(w for w, _ in full_runs)
    full_cpu = max(c for _, c in full_runs)

    print(f"messages: {len(msgs)} x 100 chars, flagged {flagged}, {args.repeat} repeats, one core")
    print(f"baseline (bare collection model, hashed n-grams + sparse product): {base:,.0f} msg/s (best)")
    print(f"guard (normalise + lexicon + models + explanations):               {full:,.0f} msg/s (best), "
          f"{full_median:,.0f} (median), {full_cpu:,.0f} per CPU second")
    print(f"ratio guard/baseline: {full / base:.3f}")
    print(json.dumps({"messages_per_s": round(full), "messages_per_s_median": round(full_median),
                      "messages_per_cpu_s": round(full_cpu), "baseline_messages_per_s": round(base),
                      "ratio_vs_baseline": round(full / base, 3), "n": len(msgs), "chars": 100,
                      "repeats": args.repeat}))


if __name__ == "__main__":
    main()
