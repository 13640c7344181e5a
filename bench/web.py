"""Benchmark the agent workspace: the worklist and customer-view pages under 50 concurrent agents, on PostgreSQL.

    python bench/web.py [--accounts 1000000] [--reuse] [--loader import|copy] [--users 50] [--duration 60]
                        [--workers 2] [--server leastconn|uvicorn] [--threads 8] [--trace FILE]
                        [--warmup 10] [--prepare-only] [--client aiohttp|httpx] [--think-ms 0]
                        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/arrears_bench]

1. **Data.** A dedicated database (created when absent). `arrears synth` (Parquet) writes N accounts into
   `--dir` (reused when its manifest matches); `--loader import` (default) loads them with `arrears import`,
   `--loader copy` with COPY and no validation (bench/web_pgcopy.py; minutes instead of about an hour for 1M
   accounts); then VACUUM (ANALYZE), delinquency (`services.delinquency`) and the day's plan
   (`services.planning.plan_day`, no scores: worklists rank by overdue balance), so every agent has a worklist.
   `--reuse` keeps a database that already holds N borrowers and a plan for the date; otherwise the database is
   dropped and rebuilt. Users `bench-<agent_id>` (password `bench`) are created for the agents with the longest
   worklists (with fewer agents than users, several sessions share an agent).
2. **Server.** The app (`create_app`, production settings: Secure cookies, CSRF, audit of every customer view)
   in `--workers` processes, with the clock fixed at the plan date, served as `arrears serve --workers N` does
   (`--server leastconn`: web/server.py, the parent accepts and hands each connection to the worker with the
   fewest open) or by uvicorn's own `--workers` (`--server uvicorn`: one shared socket, for comparison).
3. **Load.** One local client process over loopback (`--client aiohttp`, the default: about a third of
   httpx's CPU per request; `--client httpx` for comparison): `--users` concurrent agents, each signed in
   through the login form with its own session cookie and its own keep-alive connection, alternating
   GET /worklist and GET /accounts/{id} over the accounts of its worklist. Closed loop: with `--think-ms 0`
   (the default and the headline figure) each agent sends its next request as soon as the last one is
   answered; `--think-ms T` waits a random 0.5T..1.5T between requests (a more realistic mix, reported as
   such, never instead of the closed-loop figure). `--warmup` seconds are not counted; then `--duration`
   seconds are measured.

`--trace FILE` writes every measured request (sent at, ms, page, user) as TSV, to see where a tail comes from.

Reports requests/s and p50/p95/p99 latency per page, who used the CPU during the measured window (the client,
the uvicorn processes, the database backends, the whole machine; from /proc) and the load average, and ends
with one JSON line:
{"accounts": N, "users": 50, "workers": 2, "server": "leastconn", "rps": ..., "p99_ms": ..., "p99_worklist_ms": ...,
 "p99_customer_ms": ..., "user_mean_ms": [min, median, max], "connections_per_worker": [...],
 "client": "aiohttp", "think_ms": 0, "cpu_ms_per_req": {"client": ..., "server": ..., "postgres": ...},
 "cpu_share": {"client": ..., "server": ..., "postgres": ..., "machine": ...}, "load1": ...}
Client and server share the machine (on a 2-core box the client costs the server part of its CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import resource
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arrears_bench"
CONTACT_RATE = 1.4
PASSWORD = "bench"
ENV_URL, ENV_NOW, ENV_THREADS = "ARREARS_BENCH_DATABASE_URL", "ARREARS_BENCH_NOW", "ARREARS_BENCH_THREADS"


def log(msg: str) -> None:
    print(msg, flush=True)


# --- the data -----------------------------------------------------------------------------------------------
def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the bench database when absent (or drop and recreate it when `fresh`). Refuses `test`/`postgres`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    name = u.database or ""
    if name in ("", "postgres", "test", "template0", "template1"):
        raise SystemExit(f"--database-url must name a dedicated database, not {name!r}")
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if exists and fresh:
                log(f"dropping database {name}")
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def ensure_portfolio(directory: Path, *, accounts: int, seed: int, as_of: date, workers: int) -> None:
    manifest = directory / "_truth" / "manifest.json"
    want = {
        "accounts": accounts,
        "format": "parquet",
        "as_of": as_of.isoformat(),
        "contact_rate": CONTACT_RATE,
    }
    if manifest.is_file():
        have = {k: json.loads(manifest.read_text(encoding="utf-8")).get(k) for k in want}
        if have != want:
            raise SystemExit(f"{directory} holds another portfolio ({have}); want {want}")
        log(f"portfolio: reusing {directory}")
        return
    if directory.exists() and any(directory.iterdir()):
        raise SystemExit(f"{directory} exists and is not a synthetic portfolio; use another --dir")
    from arrears.portfolio.synth import synthesize

    t0 = time.perf_counter()
    synthesize(
        directory,
        accounts=accounts,
        seed=seed,
        as_of=as_of,
        fmt="parquet",
        workers=workers,
        contact_rate=CONTACT_RATE,
    )
    log(f"portfolio: synthesised {accounts:,} accounts into {directory} in {time.perf_counter() - t0:.0f} s")


def database_state(url: str, as_of: date) -> tuple[int, bool]:
    """(borrowers, whether a succeeded plan run exists for as_of) of the bench database."""
    from sqlalchemy import func, inspect, select

    from arrears.storage.engine import make_engine
    from arrears.storage.tables import borrowers
    from arrears.storage.tables_plan import plan_runs

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("plan_runs"):
                return 0, False
            n = int(conn.execute(select(func.count()).select_from(borrowers)).scalar_one())
            planned = conn.execute(
                select(func.count())
                .select_from(plan_runs)
                .where(plan_runs.c.plan_date == as_of, plan_runs.c.status == "succeeded")
            ).scalar_one()
        return n, bool(planned)
    finally:
        engine.dispose()


def analyze(engine: Any) -> None:
    """VACUUM (ANALYZE) after a bulk load, what an operator runs after one and autovacuum does later by itself:
    planner statistics, the visibility map (index-only scans) and hint bits set once, instead of on the first read
    of every page during the measured window (each such read dirties the page, which must then be written back)
    or never where autovacuum is off."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")


def load_and_plan(
    url: str, directory: Path, as_of: date, now: datetime, loader: str = "import"
) -> dict[str, float]:
    """Migrate, load (`arrears import`, or COPY), compute delinquency and plan the day. Seconds per stage."""
    from arrears.domain.clock import FixedClock
    from arrears.services.delinquency import compute_delinquency
    from arrears.services.importing import import_portfolio
    from arrears.services.planning import plan_day
    from arrears.storage.engine import make_engine
    from arrears.storage.migrate import upgrade

    clock = FixedClock(now)
    engine = make_engine(url)
    seconds: dict[str, float] = {}
    last = [0.0]

    def progress(label: str, done: int, total: int) -> None:
        t = time.perf_counter()
        if t - last[0] > 30 or done == total:
            last[0] = t
            log(f"  {label}: {done:,}/{total:,}")

    try:
        upgrade(engine)
        t0 = time.perf_counter()
        if loader == "copy":
            sys.path.insert(0, str(Path(__file__).parent))
            from web_pgcopy import copy_portfolio

            rows = copy_portfolio(engine, directory, log)
            seconds["copy_s"] = time.perf_counter() - t0
            log(f"copy (no validation, see bench/web_pgcopy.py): {rows:,} rows in {seconds['copy_s']:.0f} s")
        else:
            report = import_portfolio(
                directory=directory,
                engine_or_uow=engine,
                clock=clock,
                progress=progress,
                report_path=directory / "_bench-import-rejects.csv",
                actor="bench",
            )
            if not report.ok:
                raise SystemExit(f"import rejected {report.errors} rows: see {report.report_path}")
            seconds["import_s"] = time.perf_counter() - t0
            log(
                f"import: {report.rows_read:,} rows in {seconds['import_s']:.0f} s "
                f"({report.rows_read / seconds['import_s']:,.0f} rows/s)"
            )
        analyze(engine)
        t0 = time.perf_counter()
        dq = compute_delinquency(engine_or_uow=engine, as_of=as_of)
        seconds["delinquency_s"] = time.perf_counter() - t0
        log(f"delinquency: {dq.loans:,} loans in {seconds['delinquency_s']:.0f} s")
        t0 = time.perf_counter()
        plan = plan_day(engine, as_of, clock=clock, actor="bench").report
        seconds["plan_s"] = time.perf_counter() - t0
        log(
            f"plan: {plan.worklist_entries:,} worklist entries for {len(plan.by_agent):,} agents "
            f"in {seconds['plan_s']:.0f} s"
        )
        analyze(engine)
    finally:
        engine.dispose()
    return seconds


def ensure_users(url: str, as_of: date, now: datetime, count: int) -> list[str]:
    """`count` agent users for the agents with the longest worklists in today's newest plan run: `bench-<agent>`,
    and when there are fewer agents than users (small portfolios), `bench-<agent>-<k>` sessions of the same
    agents, round-robin."""
    from sqlalchemy import func, select

    from arrears.domain.clock import FixedClock
    from arrears.services.auth import add_user, get_user
    from arrears.storage.engine import make_engine
    from arrears.storage.tables_plan import plan_contacts, plan_runs

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            run_id = conn.execute(
                select(func.max(plan_runs.c.run_id)).where(
                    plan_runs.c.plan_date == as_of, plan_runs.c.status == "succeeded"
                )
            ).scalar_one()
            n = func.count().label("n")
            rows = conn.execute(
                select(plan_contacts.c.agent_id, n)
                .where(plan_contacts.c.run_id == run_id, plan_contacts.c.agent_id.is_not(None))
                .group_by(plan_contacts.c.agent_id)
                .order_by(n.desc(), plan_contacts.c.agent_id)
                .limit(count)
            ).all()
        if not rows:
            raise SystemExit(f"no agent has a worklist on {as_of}")
        if len(rows) < count:
            log(f"only {len(rows)} agents have a worklist: {count} users share them round-robin")
        names = []
        for i in range(count):
            agent_id = rows[i % len(rows)][0]
            k = i // len(rows)
            username = f"bench-{agent_id}" if k == 0 else f"bench-{agent_id}-{k}"
            if get_user(engine, username) is None:
                add_user(
                    engine,
                    clock=FixedClock(now),
                    username=username,
                    password=PASSWORD,
                    role="agent",
                    agent_id=agent_id,
                )
            names.append(username)
        return names
    finally:
        engine.dispose()


# --- the server ---------------------------------------------------------------------------------------------
def app_factory() -> Any:
    """uvicorn's factory in each worker process: the production app over the bench database, clock fixed."""
    from arrears.domain.clock import FixedClock
    from arrears.settings import Settings
    from arrears.web.app import THREADS, create_app

    url = os.environ[ENV_URL]
    threads = int(os.environ.get(ENV_THREADS) or THREADS)
    return create_app(
        settings=Settings(database_url=url),
        clock=FixedClock(datetime.fromisoformat(os.environ[ENV_NOW])),
        threads=threads,
        freeze_gc=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    url: str,
    now: datetime,
    port: int,
    workers: int,
    loop: str = "auto",
    http: str = "auto",
    threads: int | None = None,
    server: str = "leastconn",
) -> subprocess.Popen[bytes]:
    env = {**os.environ, ENV_URL: url, ENV_NOW: now.isoformat(), ENV_THREADS: str(threads or "")}
    if server == "uvicorn":  # uvicorn's own workers, on one shared socket (for comparison)
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "web:app_factory",
            "--factory",
            "--app-dir",
            str(Path(__file__).parent),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            loop,
            "--http",
            http,
        ]
    else:  # what `arrears serve --workers N` runs: the parent hands each connection to the least busy worker
        code = (
            f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "from arrears.web.server import serve_workers; "
            f"sys.exit(serve_workers('web:app_factory', host='127.0.0.1', port={port}, workers={workers}, "
            f"loop={loop!r}, http={http!r}))"
        )
        cmd = [sys.executable, "-c", code]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not start within 60 s")


# --- the load -----------------------------------------------------------------------------------------------
_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
_ACCOUNT = re.compile(r'href="/accounts/([^"/?#]+)"')


class Reply:
    """What the load needs of a response, whichever client fetched it."""

    __slots__ = ("set_cookies", "status", "text")

    def __init__(self, status: int, text: str, set_cookies: list[str]) -> None:
        self.status, self.text, self.set_cookies = status, text, set_cookies


class AiohttpTransport:
    """One aiohttp session (one keep-alive connection) per agent. Cookies are kept by hand (DummyCookieJar): the
    session cookie is Secure and this is plain HTTP."""

    def __init__(self, base: str) -> None:
        import aiohttp

        self.base = base
        self.session = aiohttp.ClientSession(
            base_url=base,
            connector=aiohttp.TCPConnector(limit=1, force_close=False),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=60),
            auto_decompress=False,
        )

    async def request(
        self, method: str, path: str, headers: dict[str, str], data: dict[str, str] | None = None
    ) -> Reply:
        async with self.session.request(method, path, headers=headers, data=data, allow_redirects=False) as r:
            body = await r.read()
            return Reply(r.status, body.decode("utf-8", "replace"), r.headers.getall("set-cookie", []))

    async def close(self) -> None:
        await self.session.close()


class HttpxTransport:
    def __init__(self, base: str) -> None:
        import httpx

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.client = httpx.AsyncClient(base_url=base, limits=limits, timeout=60)

    async def request(
        self, method: str, path: str, headers: dict[str, str], data: dict[str, str] | None = None
    ) -> Reply:
        r = await self.client.request(method, path, headers=headers, data=data)
        return Reply(r.status_code, r.text, r.headers.get_list("set-cookie"))

    async def close(self) -> None:
        await self.client.aclose()


TRANSPORTS = {"aiohttp": AiohttpTransport, "httpx": HttpxTransport}


class Agent:
    """One signed-in agent with its own cookies (set by hand: the session cookie is Secure, over plain HTTP)."""

    def __init__(self, transport: Any, username: str) -> None:
        self.transport = transport
        self.username = username
        self.cookies: dict[str, str] = {}
        self.accounts: list[str] = []

    def _keep(self, reply: Reply) -> None:
        for header in reply.set_cookies:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or not value.strip('"'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def _headers(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def get(self, path: str) -> Reply:
        r = await self.transport.request("GET", path, self._headers())
        self._keep(r)
        return r

    async def login(self) -> None:
        page = await self.get("/login")
        m = _CSRF.search(page.text)
        if not m:
            raise SystemExit("no csrf_token on the login page")
        r = await self.transport.request(
            "POST",
            "/login",
            self._headers(),
            data={"username": self.username, "password": PASSWORD, "csrf_token": m.group(1)},
        )
        self._keep(r)
        if r.status != 303 or "arrears_session" not in self.cookies:
            raise SystemExit(f"login of {self.username} failed: {r.status} {r.text[:200]}")
        wl = await self.get("/worklist")
        self.accounts = list(dict.fromkeys(_ACCOUNT.findall(wl.text)))
        if not self.accounts:
            raise SystemExit(f"{self.username}: empty worklist")


# --- who used the CPU -----------------------------------------------------------------------------------------
def _proc_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(root: int) -> list[int]:
    """`root` and every process below it (the uvicorn supervisor and its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def _machine() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


class CpuMeter:
    """CPU seconds used between `start()` and `stop()` by this process (the client), the server's processes and
    the database backends of the bench database, and the machine's busy share."""

    def __init__(self, server_pid: int, database_url: str, port: int = 0) -> None:
        self.server_pid = server_pid
        self.database_url = database_url
        self.port = port
        self.pg_pids: list[int] = []

    def _pg_backends(self) -> list[int]:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        u = make_url(self.database_url)
        eng = create_engine(u)
        try:
            with eng.connect() as conn:
                pids = conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'"
                    ),
                    {"d": u.database},
                ).scalars()
                return [int(p) for p in pids]
        finally:
            eng.dispose()

    def connections_per_worker(self) -> list[int]:
        """The clients' open connections held by each server process (largest first): how evenly the users were
        spread over the workers."""
        import psutil  # type: ignore[import-untyped]

        counts = []
        for pid in _descendants(self.server_pid):
            try:
                conns = psutil.Process(pid).net_connections(kind="tcp")
            except (psutil.Error, OSError):
                continue
            n = sum(
                1
                for c in conns
                if c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == self.port
            )
            if n:
                counts.append(n)
        return sorted(counts, reverse=True)

    def _sample(self) -> dict[str, float]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        busy, total = _machine()
        return {
            "client": ru.ru_utime + ru.ru_stime,
            "server": sum(_proc_cpu(p) for p in _descendants(self.server_pid)),
            "postgres": sum(_proc_cpu(p) for p in self.pg_pids),
            "busy": busy,
            "total": total,
        }

    def start(self) -> None:
        self.pg_pids = self._pg_backends()
        self.t0 = time.monotonic()
        self.first = self._sample()
        self.load_start = os.getloadavg()

    def stop(self) -> dict[str, Any]:
        last = self._sample()
        wall = time.monotonic() - self.t0
        cores = os.cpu_count() or 1
        used = {k: last[k] - self.first[k] for k in ("client", "server", "postgres")}
        machine = (last["busy"] - self.first["busy"]) / max(1.0, last["total"] - self.first["total"])
        return {
            "seconds": used,
            "connections": self.connections_per_worker(),
            "share": {**{k: v / (wall * cores) for k, v in used.items()}, "machine": machine},
            "load_start": self.load_start,
            "load_end": os.getloadavg(),
        }


async def drive(
    base: str,
    usernames: list[str],
    warmup: float,
    duration: float,
    *,
    client: str = "aiohttp",
    think_ms: float = 0.0,
    meter: CpuMeter | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    import random

    samples: dict[str, list[float]] = {"worklist": [], "customer": []}
    trace: list[tuple[float, float, str, int]] = []  # (sent at, ms, page, user) for --trace
    errors: dict[str, int] = {"worklist": 0, "customer": 0}
    transports = [TRANSPORTS[client](base) for _ in usernames]
    agents = [Agent(t, u) for t, u in zip(transports, usernames, strict=True)]
    cpu: dict[str, Any] = {}
    try:
        for i in range(0, len(agents), 10):  # sign in 10 at a time (argon2 is meant to be slow)
            await asyncio.gather(*(a.login() for a in agents[i : i + 10]))
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from, stop_at = start + warmup, start + warmup + duration

        async def meter_window() -> None:
            if meter is None:
                return
            await asyncio.sleep(max(0.0, measure_from - loop.time()))
            meter.start()
            await asyncio.sleep(max(0.0, stop_at - loop.time()))
            cpu.update(meter.stop())

        async def run(k: int, agent: Agent) -> None:
            rng = random.Random(seed * 1_000_003 + k)
            i = 0
            while loop.time() < stop_at:
                page = "worklist" if i % 2 == 0 else "customer"
                path = (
                    "/worklist"
                    if page == "worklist"
                    else f"/accounts/{agent.accounts[(i // 2) % len(agent.accounts)]}"
                )
                t0 = loop.time()
                r = await agent.get(path)
                t1 = loop.time()
                if t0 >= measure_from and t1 <= stop_at:
                    if r.status == 200:
                        samples[page].append((t1 - t0) * 1000)
                        trace.append((t0 - measure_from, (t1 - t0) * 1000, page, k))
                    else:
                        errors[page] += 1
                i += 1
                if think_ms > 0:
                    await asyncio.sleep(think_ms * rng.uniform(0.5, 1.5) / 1000)

        await asyncio.gather(meter_window(), *(run(k, a) for k, a in enumerate(agents)))
    finally:
        await asyncio.gather(*(t.close() for t in transports))
    return {
        "samples": samples,
        "errors": errors,
        "accounts_per_agent": sum(len(a.accounts) for a in agents) / len(agents),
        "cpu": cpu,
        "trace": trace,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)  # nearest rank
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


# --- main ---------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument(
        "--database-url", default=DEFAULT_URL, help="a dedicated PostgreSQL database (created if absent)"
    )
    ap.add_argument(
        "--reuse", action="store_true", help="keep a database that already holds the portfolio and plan"
    )
    ap.add_argument(
        "--dir", type=Path, default=None, help="portfolio directory (reused when its manifest matches)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--as-of", default="2026-03-10", help="portfolio snapshot date = plan date = the server's day"
    )
    ap.add_argument("--synth-workers", type=int, default=2)
    ap.add_argument(
        "--loader",
        choices=("import", "copy"),
        default="import",
        help="import: `arrears import` (validated, ~1 h for 1M accounts); copy: bench/web_pgcopy.py (COPY, unvalidated)",
    )
    ap.add_argument("--users", type=int, default=50, help="concurrent signed-in agents")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--prepare-only", action="store_true", help="load and plan, then stop")
    ap.add_argument(
        "--client", choices=tuple(TRANSPORTS), default="aiohttp", help="the load client's HTTP library"
    )
    ap.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause between an agent's requests (0: closed loop, the headline figure)",
    )
    ap.add_argument(
        "--threads", type=int, default=None, help="requests each worker runs at once (default: the app's)"
    )
    ap.add_argument(
        "--trace", type=Path, default=None, help="write every measured request (sent at, ms, page, user)"
    )
    ap.add_argument(
        "--server",
        choices=("leastconn", "uvicorn"),
        default="leastconn",
        help="leastconn: what `arrears serve --workers N` runs (the parent hands each new connection to the "
        "worker with the fewest open); uvicorn: uvicorn's --workers (one shared socket)",
    )
    ap.add_argument("--uvicorn-loop", default="auto", help="uvicorn --loop (auto: uvloop when installed)")
    ap.add_argument("--uvicorn-http", default="auto", help="uvicorn --http (auto: httptools when installed)")
    args = ap.parse_args(argv)

    as_of = date.fromisoformat(args.as_of)
    now = datetime(as_of.year, as_of.month, as_of.day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    directory = args.dir or Path("/tmp/arrears-bench") / f"web-{args.accounts}-s{args.seed}"
    stages: dict[str, float] = {}
    borrowers, planned = (0, False)
    if args.reuse:
        ensure_database(args.database_url, fresh=False)
        borrowers, planned = database_state(args.database_url, as_of)
    if args.reuse and borrowers == args.accounts and planned:
        log(f"database: reusing {args.database_url} ({borrowers:,} borrowers, plan for {as_of})")
    else:
        ensure_portfolio(
            directory, accounts=args.accounts, seed=args.seed, as_of=as_of, workers=args.synth_workers
        )
        ensure_database(args.database_url, fresh=True)
        stages = load_and_plan(args.database_url, directory, as_of, now, args.loader)
    usernames = ensure_users(args.database_url, as_of, now, args.users)
    if args.prepare_only:
        print(json.dumps({"accounts": args.accounts, **{k: round(v, 1) for k, v in stages.items()}}))
        return 0

    port = free_port()
    server = start_server(
        args.database_url,
        now,
        port,
        args.workers,
        args.uvicorn_loop,
        args.uvicorn_http,
        args.threads,
        args.server,
    )
    meter = CpuMeter(server.pid, args.database_url, port)
    try:
        result = asyncio.run(
            drive(
                f"http://127.0.0.1:{port}",
                usernames,
                args.warmup,
                args.duration,
                client=args.client,
                think_ms=args.think_ms,
                meter=meter,
            )
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    samples, errors = result["samples"], result["errors"]
    if args.trace:
        with open(args.trace, "w", encoding="utf-8") as fh:
            fh.write("sent_s\tms\tpage\tuser\n")
            fh.writelines(f"{a:.4f}\t{b:.2f}\t{c}\t{d}\n" for a, b, c, d in sorted(result["trace"]))
    everything = samples["worklist"] + samples["customer"]
    log(
        f"{args.accounts:,} accounts; {args.users} agents ({result['accounts_per_agent']:.0f} worklist accounts "
        f"each) against {args.workers} uvicorn worker(s) ({args.server}); {args.duration:.0f} s measured after {args.warmup:.0f} s "
        f"warm-up; {os.cpu_count()} cores shared by client and server"
    )
    log(f"{'page':<10}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for page, values in (*samples.items(), ("all", everything)):
        errs = sum(errors.values()) if page == "all" else errors[page]
        log(
            f"{page:<10}{len(values):>10,}{len(values) / args.duration:>9.1f}{pct(values, 50):>9.1f}"
            f"{pct(values, 95):>9.1f}{pct(values, 99):>9.1f}{errs:>8}"
        )
    cpu = result["cpu"]
    requests = max(1, len(everything))
    per_user: dict[int, list[float]] = {}
    for _sent, ms, _page, user in result["trace"]:
        per_user.setdefault(user, []).append(ms)
    user_means = sorted(sum(v) / len(v) for v in per_user.values())
    spread = (
        [round(user_means[0], 1), round(pct(user_means, 50), 1), round(user_means[-1], 1)]
        if user_means
        else []
    )
    log(f"mean latency per user, min / median / max: {' / '.join(f'{v:.0f}' for v in spread)} ms")
    if cpu:
        log(f"clients' connections per worker process: {cpu['connections']}")
        log(
            "CPU during the measured window (share of all {n} cores / ms per request): client {c:.0%} / {cm:.2f}, "
            "uvicorn {s:.0%} / {sm:.2f}, postgres {p:.0%} / {pm:.2f}; machine busy {m:.0%}; load average "
            "{l0:.2f} at the start, {l1:.2f} at the end".format(
                n=os.cpu_count(),
                c=cpu["share"]["client"],
                cm=cpu["seconds"]["client"] * 1000 / requests,
                s=cpu["share"]["server"],
                sm=cpu["seconds"]["server"] * 1000 / requests,
                p=cpu["share"]["postgres"],
                pm=cpu["seconds"]["postgres"] * 1000 / requests,
                m=cpu["share"]["machine"],
                l0=cpu["load_start"][0],
                l1=cpu["load_end"][0],
            )
        )
    figures = {
        "accounts": args.accounts,
        "users": args.users,
        "workers": args.workers,
        "server": args.server,
        "client": args.client,
        "think_ms": args.think_ms,
        "rps": round(len(everything) / args.duration, 1),
        "p50_ms": round(pct(everything, 50), 1),
        "p99_ms": round(pct(everything, 99), 1),
        "p99_worklist_ms": round(pct(samples["worklist"], 99), 1),
        "p99_customer_ms": round(pct(samples["customer"], 99), 1),
        "errors": sum(errors.values()),
        "user_mean_ms": spread,
        **{k: round(v, 1) for k, v in stages.items()},
    }
    if cpu:
        figures["cpu_ms_per_req"] = {k: round(v * 1000 / requests, 2) for k, v in cpu["seconds"].items()}
        figures["cpu_share"] = {k: round(v, 3) for k, v in cpu["share"].items()}
        figures["connections_per_worker"] = cpu["connections"]
        figures["load1"] = round(cpu["load_start"][0], 2)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
