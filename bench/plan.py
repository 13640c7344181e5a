"""Benchmark the daily planner against a bare-engine floor, on the same Parquet files.

    python bench/plan.py --accounts 1000000 [--dir DIR] [--threads 2] [--seed 1] [--as-of 2026-03-10]
                         [--model PATH] [--floor-only] [--inputs-floor] [--repeat 1] [--workers 2]
                         [--memory-budget GIB]

1. **Portfolio.** `arrears synth` (the Python API, Parquet) writes N accounts with about 6 x N rows of contact
   history (`contact_rate` 1.4) into DIR, or reuses DIR when its manifest says it holds that portfolio.
2. **Floor.** ONE DuckDB query over the same files: each account's calls in the last 7 days, then the top 150
   accounts per agent (through `assignments`), fewest calls first. It is what the engine costs with no
   planning logic at all: read, parse the instants, aggregate, join, rank.
3. **Inputs floor** (`--inputs-floor`, off by default). The floor's query, then, in the same DuckDB connection,
   one pass over each other input the plan reads, reading the same columns and reducing them with the cheapest
   aggregates (count, sum, max): loans, instalments and payments (what delinquency is computed from),
   borrowers, parties, contact points and holds. No join, no rule, no logic. A plan that works from the
   portfolio cannot take less, so it is a lower bound for `plan_s`, and its ratio to the floor is the least ratio
   any such plan can reach.
4. **Plan.** The full plan from the Parquet directory (`services.planning`): every rule, the strategy and
   scoring. The scoring model is `--model` if it exists, else a small one trained here on a sample of the
   same portfolio (said in the output; training time is not part of `plan_s`).

Each measured phase runs in a child process; peak RSS is the largest sum of RSS over that process tree,
sampled every 20 ms with psutil. With `--repeat N` each phase runs N times in its process and the fastest
counts. The plan's stages (ledger = delinquency and scores, segments, the statements, outputs and files) and
its slowest statements are printed, from the plan's progress callbacks (each callback is also echoed on
stderr with the seconds since the plan started, so a run stopped early shows how far it got). Ends with one
JSON line:
{"accounts": N, "plan_s": ..., "floor_s": ..., "ratio": ..., "peak_rss_mb": ...}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

CONTACT_RATE = 1.4  # ~6 attempts per account (README of portfolio/synth)
TOP_PER_AGENT = 150
SAMPLE_MS = 20


# --- the portfolio ------------------------------------------------------------------------------------------
def _manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / "_truth" / "manifest.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def ensure_portfolio(
    directory: Path, *, accounts: int, seed: int, as_of: date, workers: int
) -> tuple[bool, float]:
    """(reused, seconds). Reuses `directory` when its manifest matches; refuses to overwrite anything else."""
    want = {
        "accounts": accounts,
        "format": "parquet",
        "as_of": as_of.isoformat(),
        "contact_rate": CONTACT_RATE,
    }
    found = _manifest(directory)
    if found is not None:
        have = {k: found.get(k) for k in want}
        if have == want and (directory / "assignments.parquet").is_file():
            return True, 0.0
        raise SystemExit(
            f"{directory} holds another portfolio ({have}); want {want}. Use another --dir or delete it."
        )
    if directory.exists() and any(p for p in directory.iterdir() if p.name != ".synth-staging"):
        raise SystemExit(f"{directory} exists and is not a synthetic portfolio; use another --dir")
    from arrears.portfolio.synth import synthesize

    started = time.perf_counter()
    synthesize(
        directory,
        accounts=accounts,
        seed=seed,
        as_of=as_of,
        fmt="parquet",
        workers=workers,
        contact_rate=CONTACT_RATE,
    )
    return False, time.perf_counter() - started


# --- the floor ----------------------------------------------------------------------------------------------
def floor_sql(directory: Path, as_of: date, top: int = TOP_PER_AGENT) -> str:
    """Calls per account in the 7 days before as-of; the top `top` accounts per agent, fewest calls first."""
    attempts = str(directory / "contact_attempts.parquet").replace("'", "''")
    owners = str(directory / "assignments.parquet").replace("'", "''")
    since = (as_of - timedelta(days=7)).isoformat()
    return f"""
WITH calls AS (
    SELECT borrower_id, count(*) AS calls_7d
    FROM read_parquet('{attempts}')
    WHERE channel = 'call'
      AND CAST("at" AS TIMESTAMPTZ) >= TIMESTAMPTZ '{since} 00:00:00+08:00'
      AND CAST("at" AS TIMESTAMPTZ) < TIMESTAMPTZ '{as_of.isoformat()} 00:00:00+08:00'
    GROUP BY borrower_id
),
ranked AS (
    SELECT a.agent_id, a.borrower_id, coalesce(c.calls_7d, 0) AS calls_7d,
           row_number() OVER (PARTITION BY a.agent_id ORDER BY coalesce(c.calls_7d, 0), a.borrower_id) AS rank
    FROM read_parquet('{owners}') AS a
    LEFT JOIN calls AS c USING (borrower_id)
)
SELECT agent_id, borrower_id, calls_7d, rank FROM ranked WHERE rank <= {top}
"""


def run_floor(directory: Path, as_of: date, threads: int | None) -> dict[str, Any]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(":memory:", config={"threads": threads} if threads else {})
    result = con.sql(floor_sql(directory, as_of)).to_arrow_table()
    seconds = time.perf_counter() - started
    con.close()
    return {
        "seconds": seconds,
        "rows": result.num_rows,
        "agents": len(set(result.column("agent_id").to_pylist())),
    }


# --- the inputs floor ---------------------------------------------------------------------------------------
# Each input the plan reads beyond the floor's contact history, the columns it reads (services/plan_inputs.py
# and services/plan_ledger.py), reduced by the cheapest aggregates: reading and decoding them, nothing more.
INPUT_READS = {
    "loans": "count(*), max(loan_id), max(borrower_id), max(lender_type), sum(apr_all_in_bp), "
    "max(CAST(contract_date AS DATE)), sum(principal_minor)",
    "instalments": "count(*), max(loan_id), sum(seq), max(CAST(due_date AS DATE)), "
    "sum(principal_minor + interest_minor + fee_minor)",
    "payments": "count(*), max(loan_id), max(CAST(paid_at AS TIMESTAMPTZ)), sum(amount_minor)",
    "borrowers": "count(*), max(borrower_id), max(region), max(timezones), max(language), "
    "count(*) FILTER (WHERE is_minor), max(vulnerability)",
    "parties": "count(*), max(party_id), max(borrower_id), max(role), count(*) FILTER (WHERE emergency_contact), "
    "count(*) FILTER (WHERE refused_contact), count(*) FILTER (WHERE relationship_evidence)",
    "contact_points": "count(*), max(contact_point_id), max(borrower_id), max(owner_id), max(kind), max(source), "
    "count(*) FILTER (WHERE opted_out), count(*) FILTER (WHERE employer_provided)",
    "holds": 'count(*), max(borrower_id), max(loan_id), max(kind), max(CAST("start" AS DATE)), '
    'max(CAST("end" AS DATE))',
}


def run_inputs_floor(directory: Path, as_of: date, threads: int | None) -> dict[str, Any]:
    """The floor's query, then one reducing pass over each input in `INPUT_READS`, in one connection."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(":memory:", config={"threads": threads} if threads else {})
    con.sql(floor_sql(directory, as_of)).to_arrow_table()
    parts = {"floor": time.perf_counter() - started}
    for name, reads in INPUT_READS.items():
        path = str(directory / f"{name}.parquet").replace("'", "''")
        t0 = time.perf_counter()
        con.execute(f"SELECT {reads} FROM read_parquet('{path}')").fetchall()
        parts[name] = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": seconds, "parts": {k: round(v, 3) for k, v in parts.items()}}


# --- the plan -----------------------------------------------------------------------------------------------
SAMPLE_BORROWERS = 50_000


def run_plan(
    directory: Path, as_of: date, threads: int | None, model_path: Path | None, budget_gib: float | None = None
) -> dict[str, Any]:
    """The full plan from Parquet (`services.planning.plan_parquet`): all rules, the strategy, the scores."""
    from arrears.services.planning import MEMORY_BUDGET, plan_parquet

    budget = int(budget_gib * 2**30) if budget_gib else MEMORY_BUDGET

    note, path, train_s = _model(directory, as_of, model_path)
    out_dir = directory / "_bench" / "plan"
    marks: list[tuple[str, int, float, int]] = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    result = plan_parquet(
        directory,
        as_of,
        model_path=path,
        threads=threads,
        out_dir=out_dir,
        memory_budget=budget,
        progress=lambda label, done, total: _mark(marks, started, label, done, total),
    )
    seconds = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started  # every thread of this process (DuckDB's, NumPy's, the scorer's)
    report = result.report
    summary = {
        "accounts": report.accounts,
        "contacts": report.contacts,
        "worklist_entries": report.worklist_entries,
        "holdbacks": report.holdbacks,
        "by_channel": report.by_channel,
        "notes": list(report.notes),
    }
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "model": note,
        "train_s": train_s,
        "memory_budget_gib": round(budget / 2**30, 2),
        "summary": summary,
        "stages": _stages(marks, started, started + seconds, as_of),
    }


def _mark(marks: list[tuple[str, int, float, int]], started: float, label: str, done: int, total: int) -> None:
    """Record a progress callback and this process's RSS then; say it on stderr too (how far a long run got,
    should it be stopped)."""
    now = time.perf_counter()
    rss = psutil.Process().memory_info().rss
    marks.append((label, done, now, rss))
    print(f"  [{now - started:8.1f} s] {label} {done}/{total} rss {rss / 2**20:,.0f} MB", file=sys.stderr, flush=True)


def _stages(marks: list[tuple[str, int, float, int]], start: float, end: float, as_of: date) -> dict[str, Any]:
    """Seconds per stage, from the plan's progress callbacks: ledger (input preparation, delinquency and
    scores), segments, plan (the per-borrower statements, every borrower range), ranges (appending each
    range's results), cross (routing, capacity, outputs), outputs_and_files (the rest); the slowest statements
    (summed over the ranges); the largest RSS seen at a callback of each stage, and how many ranges ran."""
    from arrears.planner.pipeline import key_statements, plan_statements, split_statements
    from arrears.services.planning import make_spec

    spec = make_spec(as_of, "cn_floor", "cn_default")
    per, cross = split_statements([s for s in plan_statements(spec) if s.name != "account_base"])
    names = {
        "segments": [s.name for s in key_statements(spec)],
        "plan": [s.name for s in per],
        "cross": [s.name for s in cross],
    }
    per_stage: dict[str, float] = {}
    rss_mb: dict[str, int] = {}
    per_statement: dict[str, float] = {}
    ranges = 0
    last = start
    for label, done, t, rss in marks:
        per_stage[label] = per_stage.get(label, 0.0) + (t - last)
        rss_mb[label] = max(rss_mb.get(label, 0), round(rss / 2**20))
        if label in names and 0 < done <= len(names[label]):
            name = names[label][done - 1]
            per_statement[name] = per_statement.get(name, 0.0) + (t - last)
        if label == "ranges":
            ranges = done
        last = t
    per_stage["outputs_and_files"] = end - last
    slowest = sorted(((sec, name) for name, sec in per_statement.items()), reverse=True)[:8]
    return {
        "seconds": {k: round(v, 2) for k, v in per_stage.items()},
        "rss_mb_at_callbacks": rss_mb,
        "ranges": ranges,
        "slowest_statements": {name: round(sec, 2) for sec, name in slowest},
    }


def _model(directory: Path, as_of: date, model_path: Path | None) -> tuple[str, Path, float]:
    """A trained scoring model: `--model`, else one trained earlier for this portfolio, else train one now on
    the first SAMPLE_BORROWERS borrowers (time-split, as `arrears score train` does) and keep it in DIR/_bench."""
    if model_path is not None:
        if not model_path.is_file():
            raise SystemExit(f"--model {model_path}: no such file")
        return f"loaded {model_path}", model_path, 0.0
    cached = directory / "_bench" / "model.joblib"
    if cached.is_file():
        return f"loaded {cached} (trained earlier on a {SAMPLE_BORROWERS:,}-borrower sample)", cached, 0.0
    from arrears.compute.duck import connect
    from arrears.delinquency.config import DEFAULT_CONFIG
    from arrears.scoring import evaluate
    from arrears.scoring import model as scoring_model
    from arrears.services import plan_inputs
    from arrears.services.plan_ledger import _chunk_ledger  # the Parquet -> ScoringLedger loader of the plan

    started = time.perf_counter()
    con = connect()
    try:
        plan_inputs.register_parquet(con, directory)
        row = con.execute(
            "SELECT borrower_id FROM (SELECT DISTINCT borrower_id FROM raw_loans) ORDER BY borrower_id "
            f"LIMIT 1 OFFSET {SAMPLE_BORROWERS}"
        ).fetchone()
        first = con.execute("SELECT min(borrower_id) FROM raw_loans").fetchone()
        assert first is not None
        ledger, _ = _chunk_ledger(con, first[0], row[0] if row else None, DEFAULT_CONFIG.timezone)
    finally:
        con.close()
    trained = evaluate.train_time_split(ledger, as_of.toordinal())
    cached.parent.mkdir(parents=True, exist_ok=True)
    scoring_model.save(trained.model, cached)
    auc = trained.holdout.auc
    note = (
        f"trained here on the first {SAMPLE_BORROWERS:,} borrowers ({ledger.n_loans:,} loans; holdout AUC "
        f"{'n/a' if auc is None else f'{auc:.3f}'}), saved to {cached}"
    )
    return note, cached, time.perf_counter() - started


# --- measuring a phase in a child process -------------------------------------------------------------------
@dataclass
class Measured:
    result: dict[str, Any]
    peak_rss_mb: float
    wall_s: float


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def measure(phase: str, args: argparse.Namespace) -> Measured:
    """Run `phase` in a child process; sample its process tree's RSS until it exits."""
    cmd = [sys.executable, __file__, "--phase", phase, "--dir", str(args.dir), "--as-of", args.as_of]
    cmd += ["--repeat", str(args.repeat)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.model:
        cmd += ["--model", str(args.model)]
    if args.memory_budget:
        cmd += ["--memory-budget", str(args.memory_budget)]
    out_file = Path(tempfile.mkstemp(prefix=f"arrears-bench-{phase}-", suffix=".json")[1])
    cmd += ["--result", str(out_file)]
    peak = 0
    started = time.perf_counter()
    child = psutil.Popen(cmd)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(child))
            stop.wait(SAMPLE_MS / 1000)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    try:
        if code != 0:
            raise SystemExit(f"the {phase} phase failed (exit code {code})")
        result = json.loads(out_file.read_text(encoding="utf-8"))
    finally:
        out_file.unlink(missing_ok=True)
    return Measured(result=result, peak_rss_mb=peak / 2**20, wall_s=wall)


def _child(args: argparse.Namespace) -> int:
    """One measured phase, `--repeat` times in this process; keeps the fastest run (all times are listed)."""
    as_of = date.fromisoformat(args.as_of)
    runs = []
    for _ in range(args.repeat):
        if args.phase == "floor":
            runs.append(run_floor(args.dir, as_of, args.threads))
        elif args.phase == "inputs":
            runs.append(run_inputs_floor(args.dir, as_of, args.threads))
        else:
            runs.append(run_plan(args.dir, as_of, args.threads, args.model, args.memory_budget))
    result = min(runs, key=lambda r: float(r["seconds"]))
    result["all_seconds"] = [round(float(r["seconds"]), 2) for r in runs]
    Path(args.result).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None, help="portfolio directory (reused when it matches)")
    ap.add_argument("--threads", type=int, default=None, help="engine threads (default: all cores)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", default="2026-03-10", help="portfolio snapshot date = plan date")
    ap.add_argument("--workers", type=int, default=2, help="synth processes when generating")
    ap.add_argument("--model", type=Path, default=None, help="a trained scoring model (arrears score train)")
    ap.add_argument(
        "--memory-budget", type=float, default=None, help="the plan's memory budget in GiB (default: the service's)"
    )
    ap.add_argument("--floor-only", action="store_true", help="measure the floor only (no plan)")
    ap.add_argument("--repeat", type=int, default=1, help="run each phase N times, keep the fastest")
    ap.add_argument(
        "--inputs-floor",
        action="store_true",
        help="also measure the inputs floor: the floor plus one reading pass over every other input of the plan",
    )
    ap.add_argument("--phase", choices=("floor", "inputs", "plan"), help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        return _child(args)

    as_of = date.fromisoformat(args.as_of)
    if args.dir is None:
        args.dir = Path(tempfile.gettempdir()) / "arrears-bench" / f"plan-{args.accounts}-s{args.seed}"
    args.dir.parent.mkdir(parents=True, exist_ok=True)
    reused, synth_s = ensure_portfolio(
        args.dir, accounts=args.accounts, seed=args.seed, as_of=as_of, workers=args.workers
    )
    manifest = _manifest(args.dir) or {}
    rows = manifest.get("rows", {})
    print(
        f"portfolio: {args.dir} ({'reused' if reused else f'generated in {synth_s:.1f} s'}): "
        f"{args.accounts:,} accounts, {rows.get('contact_attempts', 0):,} contact attempts "
        f"({rows.get('contact_attempts', 0) / max(args.accounts, 1):.1f} per account), "
        f"{rows.get('assignments', 0):,} assigned to {rows.get('agents', 0):,} agents"
    )
    threads = args.threads or os.cpu_count()
    floor = measure("floor", args)
    print(
        f"floor: {floor.result['seconds']:.2f} s (runs {floor.result['all_seconds']}), "
        f"peak RSS {floor.peak_rss_mb:,.0f} MB "
        f"({floor.result['rows']:,} rows for {floor.result['agents']:,} agents; DuckDB, {threads} threads)"
    )
    figures: dict[str, Any] = {
        "accounts": args.accounts,
        "plan_s": None,
        "floor_s": round(floor.result["seconds"], 2),
        "ratio": None,
        "peak_rss_mb": None,
        "floor_peak_rss_mb": round(floor.peak_rss_mb),
        "attempts": rows.get("contact_attempts"),
        "threads": threads,
    }
    if args.inputs_floor:
        inputs = measure("inputs", args)
        inputs_s = inputs.result["seconds"]
        print(
            f"inputs floor: {inputs_s:.2f} s (runs {inputs.result['all_seconds']}; parts {inputs.result['parts']}), "
            f"{inputs_s / floor.result['seconds']:.2f}x the floor: no plan that reads its inputs can take less"
        )
        figures.update(
            inputs_floor_s=round(inputs_s, 2), inputs_floor_ratio=round(inputs_s / floor.result["seconds"], 2)
        )
    if not args.floor_only:
        plan = measure("plan", args)
        plan_s = plan.result["seconds"]
        print(f"model: {plan.result['model']} ({plan.result['train_s']:.1f} s, not counted)")
        print(f"plan: {plan_s:.2f} s ({plan.result['cpu_s']:.1f} s CPU), peak RSS {plan.peak_rss_mb:,.0f} MB  {plan.result.get('summary', {})}")
        print(f"  stages (s): {plan.result['stages']['seconds']} ({plan.result['stages']['ranges']} borrower ranges)")
        print(f"  RSS at the stages' callbacks (MB): {plan.result['stages']['rss_mb_at_callbacks']}")
        print(f"  slowest statements (s): {plan.result['stages']['slowest_statements']}")
        print(f"ratio plan / floor: {plan_s / floor.result['seconds']:.2f}x")
        if args.inputs_floor:
            print(f"ratio plan / inputs floor: {plan_s / figures['inputs_floor_s']:.2f}x")
        figures.update(
            plan_s=round(plan_s, 2),
            plan_cpu_s=round(plan.result["cpu_s"], 1),
            ratio=round(plan_s / floor.result["seconds"], 2),
            peak_rss_mb=round(plan.peak_rss_mb),
            memory_budget_gib=plan.result["memory_budget_gib"],
            ranges=plan.result["stages"]["ranges"],
            model=plan.result["model"],
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
