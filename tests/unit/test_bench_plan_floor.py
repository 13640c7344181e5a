"""bench/plan.py's floor query: calls in the 7 days before as-of per account, top 150 accounts per agent."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parents[2] / "bench" / "plan.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_plan", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_floor_counts_recent_calls_and_keeps_the_top_150_per_agent(tmp_path: Path) -> None:
    bench = _bench()
    at, borrower, channel = [], [], []

    def attempt(b: str, when: str, ch: str = "call") -> None:
        at.append(when)
        borrower.append(b)
        channel.append(ch)

    attempt("B0001", "2026-03-09T20:00:00+08:00")  # inside the window
    attempt("B0001", "2026-03-03T00:00:00+08:00")  # first instant of the window
    attempt("B0001", "2026-03-02T23:59:59+08:00")  # just before it
    attempt("B0001", "2026-03-10T08:00:00+08:00")  # on as-of: not yet history
    attempt("B0001", "2026-03-09T10:00:00+08:00", "sms")  # not a call
    attempt("B0002", "2026-03-08T01:30:00Z")  # an offset other than +08:00
    pq.write_table(
        pa.table({"borrower_id": borrower, "channel": channel, "at": at}),
        tmp_path / "contact_attempts.parquet",
    )
    owners = [f"B{i:04d}" for i in range(1, 401)]
    pq.write_table(
        pa.table(
            {"borrower_id": owners, "agent_id": ["agent1" if i % 2 else "agent2" for i in range(1, 401)]}
        ),
        tmp_path / "assignments.parquet",
    )
    rows = duckdb.sql(bench.floor_sql(tmp_path, date(2026, 3, 10))).fetchall()
    per_agent: dict[str, list[tuple[str, int, int]]] = {}
    for agent, b, calls, rank in rows:
        per_agent.setdefault(agent, []).append((b, calls, rank))
    assert {a: len(v) for a, v in per_agent.items()} == {"agent1": 150, "agent2": 150}
    calls = {b: c for v in per_agent.values() for b, c, _ in v}
    # fewest calls first, so the two accounts that were called rank last and fall outside the top 150
    assert "B0001" not in calls and "B0002" not in calls
    assert set(calls.values()) == {0}
    everyone = {
        b: c for _, b, c, _ in duckdb.sql(bench.floor_sql(tmp_path, date(2026, 3, 10), top=400)).fetchall()
    }
    assert len(everyone) == 400
    assert everyone["B0001"] == 2 and everyone["B0002"] == 1


def test_inputs_floor_reads_every_input_of_a_synthetic_portfolio_and_includes_the_floor(tmp_path: Path) -> None:
    """The inputs floor (a lower bound for any plan over the portfolio) names real columns of every file the
    plan reads beyond the contact history, and times the floor's own query too."""
    bench = _bench()
    directory = tmp_path / "p"
    bench.ensure_portfolio(directory, accounts=300, seed=3, as_of=date(2026, 3, 10), workers=1)
    result = bench.run_inputs_floor(directory, date(2026, 3, 10), threads=1)
    assert set(result["parts"]) == {"floor", *bench.INPUT_READS}
    assert set(bench.INPUT_READS) >= {"loans", "instalments", "payments", "parties", "contact_points"}
    assert result["seconds"] >= sum(result["parts"].values()) - 0.01
