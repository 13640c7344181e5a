"""Test support for the column-wise rules: portfolios as relation rows, a minimal DuckDB runner, and the
row-at-a-time oracle (casefile -> parse_scenario -> Engine.decide) for every candidate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from arrears.compliance.engine import Engine
from arrears.compliance.pack import Pack
from arrears.compliance.scenario import parse_scenario
from arrears.compliance.zones import zone
from arrears.planner.casefile import casefile
from arrears.planner.relations import RELATIONS, TZ_DAYS, TZ_OFFSETS, Relation, zone_rows
from arrears.planner.rules_sql import compliance_statements
from arrears.planner.sql import Statement

Rows = list[dict[str, Any]]
Result = dict[int, tuple[str, str]]  # cand_id -> (verdict, rule_ids)


@dataclass
class Portfolio:
    plan_date: date
    accounts: Rows = field(default_factory=list)
    account_zones: Rows = field(default_factory=list)
    loans: Rows = field(default_factory=list)
    parties: Rows = field(default_factory=list)
    points: Rows = field(default_factory=list)
    history: Rows = field(default_factory=list)
    holds: Rows = field(default_factory=list)
    candidates: Rows = field(default_factory=list)
    visit_plans: Rows = field(default_factory=list)

    def rows(self, rel: Relation) -> list[tuple[Any, ...]]:
        if rel is TZ_OFFSETS or rel is TZ_DAYS:
            offsets, days = zone_rows({z["tz"] for z in self.account_zones}, self.plan_date)
            return list(offsets) if rel is TZ_OFFSETS else list(days)
        data: Rows = getattr(self, rel.name)
        return [tuple(r[c] for c in rel.column_names) for r in data]


def load(pf: Portfolio) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every input relation as a typed table."""
    con = duckdb.connect(":memory:")
    for rel in RELATIONS:
        cols = ", ".join(f"{c} {t}" for c, t in rel.columns)
        con.execute(f"CREATE TABLE {rel.name} ({cols})")
        rows = pf.rows(rel)
        if rows:
            marks = ", ".join("?" for _ in rel.columns)
            con.executemany(f"INSERT INTO {rel.name} VALUES ({marks})", rows)
    return con


def run(con: duckdb.DuckDBPyConnection, statements: tuple[Statement, ...], *, tables: bool = False) -> Result:
    """Run the statements (replacing any of an earlier run) and read `verdicts`. As the runner does (views,
    tables where a statement asks), or every statement a table (`tables`: the same answer, planned faster on
    tiny inputs)."""
    for st in statements:
        kind = "TABLE" if st.materialize or tables else "VIEW"
        con.execute(f"CREATE OR REPLACE TEMP {kind} {st.name} AS {st.sql}")
    out: Result = {}
    for cid, verdict, ids in con.execute("SELECT cand_id, verdict, rule_ids FROM verdicts").fetchall():
        assert cid not in out, f"candidate {cid} has two verdict rows"
        out[int(cid)] = (str(verdict), str(ids))
    return out


def sql_verdicts(pf: Portfolio, pack: Pack, statements: tuple[Statement, ...] | None = None) -> Result:
    con = load(pf)
    try:
        return run(con, statements if statements is not None else compliance_statements(pack, plan_date=pf.plan_date))
    finally:
        con.close()


def scenario_for(pf: Portfolio, pack_name: str, cand: dict[str, Any]) -> dict[str, Any]:
    bid = cand["borrower_id"]

    def of(rows: Rows) -> Rows:
        return [r for r in rows if r["borrower_id"] == bid]

    (account,) = of(pf.accounts)
    visit = [v for v in pf.visit_plans if v["cand_id"] == cand["cand_id"]]
    return casefile(
        pack=pack_name,
        plan_date=pf.plan_date,
        account=account,
        zones=of(pf.account_zones),
        loans=of(pf.loans),
        parties=of(pf.parties),
        points=of(pf.points),
        history=of(pf.history),
        holds=of(pf.holds),
        candidate=cand,
        visit_plan=visit[0] if visit else None,
    )


def engine_verdicts(pf: Portfolio, pack_name: str, engine: Engine) -> Result:
    out: Result = {}
    for cand in pf.candidates:
        sc = parse_scenario(scenario_for(pf, pack_name, cand))
        d = engine.decide(sc.request, search_next=False)
        out[int(cand["cand_id"])] = (d.verdict.value, ";".join(sorted(d.rule_ids)))
    return out


def mismatches(sql: Result, eng: Result) -> list[str]:
    out = []
    for cid in sorted(set(sql) | set(eng)):
        if sql.get(cid) != eng.get(cid):
            out.append(f"cand {cid}: sql={sql.get(cid)} engine={eng.get(cid)}")
    return out


# --- building portfolios by hand (unit tests) ---------------------------------------------------------------


def local_ts(d: date, t: time, tz: str) -> int:
    return int(datetime.combine(d, t, tzinfo=ZoneInfo(tz)).timestamp())


class Builder:
    """A small fluent builder: one borrower at a time, ids prefixed with the borrower id."""

    def __init__(self, plan_date: date) -> None:
        self.pf = Portfolio(plan_date)
        self._cand = 0
        self._counts: dict[str, int] = defaultdict(int)

    def borrower(
        self,
        bid: str,
        zones: tuple[str, ...] = ("Asia/Shanghai",),
        *,
        is_minor: bool = False,
        vulnerable: bool = False,
        unreachable: bool = False,
        agency: tuple[str, bool] | None = None,
    ) -> Builder:
        first = zone(zones[0]) if zones else None
        off = None
        if first is not None:
            o = datetime.combine(self.pf.plan_date, time(12), tzinfo=first).utcoffset()
            off = int(o.total_seconds()) if o is not None else None
        self.pf.accounts.append(
            {
                "borrower_id": bid,
                "tz": zones[0] if zones else None,
                "utc_offset_s": off,
                "language": "zh-CN",
                "region": "广东省深圳市",
                "is_minor": is_minor,
                "vulnerable": vulnerable,
                "lender_type": "licensed",
                "unreachable": unreachable,
                "agency_id": agency[0] if agency else None,
                "agency_whitelisted": agency[1] if agency else None,
            }
        )
        for i, z in enumerate(zones):
            self.pf.account_zones.append({"borrower_id": bid, "zone_ord": i, "tz": z})
        return self

    def loan(self, bid: str, lid: str, lender_type: str = "licensed", apr_bp: int = 1800,
             contract_date: date = date(2025, 6, 1)) -> Builder:
        self.pf.loans.append(
            {"loan_id": lid, "borrower_id": bid, "lender_type": lender_type, "apr_bp": apr_bp,
             "contract_date": contract_date}
        )
        return self

    def party(self, bid: str, pid: str, role: str, *, emergency: bool = False, refused: bool = False,
              evidence: bool = False) -> Builder:
        self.pf.parties.append(
            {"party_id": pid, "borrower_id": bid, "role": role, "emergency_contact": emergency,
             "refused_contact": refused, "relationship_evidence": evidence}
        )
        return self

    def point(self, bid: str, cid: str, owner: str, kind: str = "mobile", source: str = "contract", *,
              opted_out: bool = False, employer_provided: bool = False) -> Builder:
        self.pf.points.append(
            {"contact_point_id": cid, "borrower_id": bid, "owner_id": owner, "kind": kind, "source": source,
             "opted_out": opted_out, "employer_provided": employer_provided}
        )
        return self

    def hist(self, bid: str, to: str, point: str | None, at_s: int, outcome: str, channel: str = "call",
             direction: str = "out") -> Builder:
        self.pf.history.append(
            {"borrower_id": bid, "party_id": to, "contact_point_id": point, "channel": channel,
             "direction": direction, "outcome": outcome, "at_s": at_s}
        )
        return self

    def hold(self, bid: str, kind: str, start: date, end: date | None = None, loan: str | None = None) -> Builder:
        self.pf.holds.append({"borrower_id": bid, "loan_id": loan, "kind": kind, "start_date": start, "end_date": end})
        return self

    def cand(self, bid: str, to: str, point: str | None, at_s: int, channel: str = "call",
             purpose: str = "collect", loan: str | None = None, script: str | None = None) -> int:
        self._cand += 1
        self.pf.candidates.append(
            {"cand_id": self._cand, "borrower_id": bid, "loan_id": loan, "party_id": to, "contact_point_id": point,
             "channel": channel, "purpose": purpose, "script": script, "at_s": at_s}
        )
        return self._cand

    def visit(self, cand_id: int, staff: int, recording: bool, location: str = "home",
              notice_at_s: int | None = None) -> Builder:
        self.pf.visit_plans.append(
            {"cand_id": cand_id, "staff_count": staff, "recording": recording, "location_type": location,
             "notice_at_s": notice_at_s}
        )
        return self


def local_day_start(d: date, tz: str) -> int:
    return local_ts(d, time(0), tz)


def days(n: int) -> timedelta:
    return timedelta(days=n)
