"""The collection roster: agents in teams, and the standing owner of each account in arrears.

Built once for the whole portfolio, after the last chunk, because its size depends on how many accounts are in
arrears: one agent per about 1,000 such accounts (at least 2), in teams of about 10. Agents `agent1`,
`agent2`, ... are dealt to teams `t1`, `t2`, ... in turn, so `agent1` is in `t1` and `agent2` in `t2`.
Languages: zh-CN, about 12% also en (at least one when any borrower prefers en). Skills: call and sms, about
20% also visit, 10% legal. Capacity 150 contacts a day. Accounts are dealt at random but evenly; a borrower who
prefers en goes to an agent who speaks it. `since`: a day within the account's time in arrears (at most 90
days back). Deterministic: its own random stream, seeded by the portfolio seed.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.people import person_names

ACCOUNTS_PER_AGENT = 1_000
TEAM_SIZE = 10
DAILY_CAPACITY = 150
BILINGUAL_SHARE = 0.12
VISIT_SHARE = 0.20
LEGAL_SHARE = 0.10
_STREAM = 0x524F53  # "ROS": the roster's random stream, apart from every chunk's (seed, chunk number)

IN_ARREARS_SCHEMA = pa.schema([("borrower_id", pa.string()), ("language", pa.string()), ("dpd", pa.int64())])


def roster_size(in_arrears: int) -> tuple[int, int]:
    """(agents, teams) for a portfolio with `in_arrears` accounts past due."""
    agents = max(2, round(in_arrears / ACCOUNTS_PER_AGENT))
    return agents, max(2, math.ceil(agents / TEAM_SIZE))


class RosterBuilder:
    """Collects each chunk's accounts in arrears (ids, language, worst DPD: a few bytes each), then deals them."""

    def __init__(self, seed: int, as_of_day: int) -> None:
        self.seed = seed
        self.as_of_day = as_of_day
        self._parts: list[pa.Table] = []

    def add(self, in_arrears: pa.Table) -> None:
        self._parts.append(in_arrears)

    def tables(self) -> dict[str, pa.Table]:
        accounts = pa.concat_tables(self._parts) if self._parts else IN_ARREARS_SCHEMA.empty_table()
        agents, assignments = make_roster(self.seed, self.as_of_day, accounts)
        return {"agents": agents, "assignments": assignments}


def make_roster(seed: int, as_of_day: int, accounts: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(agents, assignments) for these accounts in arrears (IN_ARREARS_SCHEMA), in the import format."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, _STREAM]))
    n_accounts = accounts.num_rows
    n_agents, n_teams = roster_size(n_accounts)
    k = np.arange(n_agents)
    team = k % n_teams
    en_account = np.asarray(accounts.column("language").to_numpy(zero_copy_only=False) == "en", dtype=bool)
    bilingual = rng.random(n_agents) < BILINGUAL_SHARE
    if en_account.any() and not bilingual.any():
        bilingual[1] = True
    visit = rng.random(n_agents) < VISIT_SHARE
    legal = rng.random(n_agents) < LEGAL_SHARE
    female = rng.random(n_agents) < 0.5
    agents = pa.table(
        {
            "agent_id": ac.ids("agent", k + 1, 1),
            "team_id": ac.ids("t", team + 1, 1),
            "team_name": ac.concat("第", ac.ids("", team + 1, 1), "组 / Team ", ac.ids("", team + 1, 1)),
            "name": person_names(rng, n_agents, female),
            "languages": ac.pick(("zh-CN", "zh-CN;en"), bilingual.astype(np.int64)),
            "skills": ac.pick(
                ("call;sms", "call;sms;visit", "call;sms;legal", "call;sms;visit;legal"),
                visit.astype(np.int64) + 2 * legal.astype(np.int64),
            ),
            "daily_capacity": pa.array(np.full(n_agents, DAILY_CAPACITY, dtype=np.int64)),
            "active": pa.array(np.ones(n_agents, dtype=bool)),
        }
    )
    owner = np.empty(n_accounts, dtype=np.int64)
    for group, pool in ((~en_account, k), (en_account, k[bilingual])):
        idx = np.flatnonzero(group)
        owner[idx[rng.permutation(len(idx))]] = pool[np.arange(len(idx)) % len(pool)]
    dpd = accounts.column("dpd").to_numpy()
    since = as_of_day - rng.integers(0, np.maximum(np.minimum(dpd, 90), 1))
    assignments = pa.table(
        {
            "borrower_id": accounts.column("borrower_id").combine_chunks(),
            "agent_id": ac.ids("agent", owner + 1, 1),
            "since": ac.dates(since),
        }
    )
    return agents, assignments
