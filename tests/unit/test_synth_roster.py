"""The synthetic roster: agents in teams and one standing owner per account in arrears, written with the
portfolio and deterministic per seed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.portfolio.schema import TABLES_BY_NAME
from arrears.portfolio.synth import synthesize
from arrears.portfolio.synth.roster import IN_ARREARS_SCHEMA, make_roster, roster_size

AS_OF = date(2026, 3, 10)


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("roster") / "p"
    synthesize(out, accounts=6000, seed=5, as_of=AS_OF, fmt="parquet", chunk_size=2000)
    return out


def _read(d: Path, name: str) -> list[dict[str, object]]:
    return pq.read_table(d / f"{name}.parquet").to_pylist()  # type: ignore[no-any-return]


def test_roster_files_have_the_schema_columns(synth_dir: Path) -> None:
    for name in ("agents", "assignments"):
        cols = pq.read_schema(synth_dir / f"{name}.parquet").names
        assert cols == [c.name for c in TABLES_BY_NAME[name].columns]


def test_every_account_in_arrears_has_exactly_one_agent_and_current_ones_none(synth_dir: Path) -> None:
    truth = pq.read_table(synth_dir / "_truth" / "propensity.parquet").to_pylist()
    worst: dict[str, int] = {}
    for r in truth:
        worst[r["borrower_id"]] = max(worst.get(r["borrower_id"], 0), r["dpd"])
    late = {b for b, d in worst.items() if d >= 1}
    owners = [r["borrower_id"] for r in _read(synth_dir, "assignments")]
    assert len(owners) == len(set(owners))
    assert set(owners) == late
    agents = {r["agent_id"] for r in _read(synth_dir, "agents")}
    assert {r["agent_id"] for r in _read(synth_dir, "assignments")} <= agents


def test_about_one_agent_per_thousand_accounts_in_arrears_dealt_evenly(synth_dir: Path) -> None:
    rows = _read(synth_dir, "assignments")
    agents = _read(synth_dir, "agents")
    assert len(agents) == max(2, round(len(rows) / 1000))
    load = Counter(r["agent_id"] for r in rows)
    assert max(load.values()) - min(load.values()) <= 0.1 * len(rows) / len(agents) + 30
    manifest = json.loads((synth_dir / "_truth" / "manifest.json").read_text())
    assert manifest["rows"]["agents"] == len(agents) and manifest["roster"]["agents"] == len(agents)


def test_the_demo_agents_are_agent1_and_agent2_in_different_teams(synth_dir: Path) -> None:
    first_two = _read(synth_dir, "agents")[:2]
    assert [(a["agent_id"], a["team_id"]) for a in first_two] == [("agent1", "t1"), ("agent2", "t2")]
    assert all(a["daily_capacity"] == 150 and a["active"] for a in first_two)


def test_borrowers_who_prefer_english_get_an_agent_who_speaks_it(synth_dir: Path) -> None:
    lang = {r["borrower_id"]: r["language"] for r in _read(synth_dir, "borrowers")}
    speaks = {a["agent_id"]: str(a["languages"]).split(";") for a in _read(synth_dir, "agents")}
    english = [r for r in _read(synth_dir, "assignments") if lang[r["borrower_id"]] == "en"]
    assert english, "the portfolio should have some borrowers who prefer English"
    assert all("en" in speaks[r["agent_id"]] for r in english)
    assert all("zh-CN" in langs for langs in speaks.values())


def test_since_falls_within_the_time_in_arrears(synth_dir: Path) -> None:
    truth = pq.read_table(synth_dir / "_truth" / "propensity.parquet").to_pylist()
    worst: dict[str, int] = {}
    for r in truth:
        worst[r["borrower_id"]] = max(worst.get(r["borrower_id"], 0), r["dpd"])
    for r in _read(synth_dir, "assignments"):
        assert AS_OF - timedelta(days=min(worst[str(r["borrower_id"])], 90)) <= r["since"] <= AS_OF  # type: ignore[operator]


def test_team_sizes_and_skills_at_scale() -> None:
    assert roster_size(0) == (2, 2)
    assert roster_size(100_000) == (100, 10)
    accounts = pa.table(
        {
            "borrower_id": [f"B{i}" for i in range(50_000)],
            "language": ["en" if i % 200 == 0 else "zh-CN" for i in range(50_000)],
            "dpd": [1 + i % 200 for i in range(50_000)],
        },
        schema=IN_ARREARS_SCHEMA,
    )
    agents, assignments = make_roster(3, 20_000, accounts)
    teams = Counter(agents.column("team_id").to_pylist())
    assert len(agents) == 50 and set(teams.values()) == {10}
    skills = Counter(s for row in agents.column("skills").to_pylist() for s in row.split(";"))
    assert skills["call"] == skills["sms"] == 50 and 0 < skills["visit"] < 25 and skills["legal"] < 15
    again = make_roster(3, 20_000, accounts)
    assert again[0].equals(agents) and again[1].equals(assignments)
    assert not make_roster(4, 20_000, accounts)[1].equals(assignments)


def test_same_seed_same_roster_files(tmp_path: Path) -> None:
    a = synthesize(tmp_path / "a", accounts=1500, seed=9, as_of=AS_OF, fmt="parquet")
    b = synthesize(
        tmp_path / "b", accounts=1500, seed=9, as_of=AS_OF, fmt="parquet", workers=2, chunk_size=1500
    )
    assert a.rows == b.rows
    for name in ("agents", "assignments"):
        assert pq.read_table(a.out / f"{name}.parquet").equals(pq.read_table(b.out / f"{name}.parquet"))
