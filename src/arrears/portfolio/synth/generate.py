"""Generate a synthetic portfolio chunk by chunk: pure functions of (accounts, seed, as-of, chunk size).

Each chunk of `chunk_size` accounts (borrowers) draws from its own random stream, seeded by
(seed, chunk number), so chunks are independent and output is identical for the same arguments.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from arrears.portfolio.synth import arrowcols as ac
from arrears.portfolio.synth.behaviour import BUCKETS, bucket_index, propensity, repay
from arrears.portfolio.synth.history import make_history
from arrears.portfolio.synth.holds import make_holds
from arrears.portfolio.synth.loans import make_loans
from arrears.portfolio.synth.payments import make_payments
from arrears.portfolio.synth.people import make_people
from arrears.portfolio.synth.roster import IN_ARREARS_SCHEMA
from arrears.portfolio.synth.zones import contact_windows, zone_clock

DEFAULT_CHUNK = 250_000
TRUTH_SCHEMA = pa.schema(
    [
        ("loan_id", pa.string()),
        ("borrower_id", pa.string()),
        ("propensity", pa.float64()),
        ("willingness", pa.float64()),
        ("dpd", pa.int64()),
        ("bucket", pa.string()),
        ("paid_last_30d", pa.bool_()),
        ("pays_next_30d", pa.bool_()),
    ]
)


@dataclass(frozen=True, slots=True)
class Chunk:
    number: int
    accounts: int
    tables: dict[str, pa.Table]  # import tables by name, columns in schema order
    truth: pa.Table  # hidden: one row per loan, TRUTH_SCHEMA
    in_arrears: pa.Table  # the chunk's borrowers past due (roster.IN_ARREARS_SCHEMA), for the roster


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


class Synthesizer:
    """Holds what every chunk shares (zone offsets, contact windows) for one (seed, as-of).

    `contact_rate` scales how often an account in arrears is worked on a day (1.0: the calibrated default;
    about 4.4 attempts per account; 1.5 gives about 6). Part of the seed: it changes the files."""

    def __init__(self, seed: int, as_of: date, contact_rate: float = 1.0) -> None:
        if not 0 < contact_rate <= 3:
            raise ValueError("contact rate must be in (0, 3] / 联系频率系数须在 (0, 3] 之间")
        self.seed = seed
        self.as_of = as_of
        self.contact_rate = contact_rate
        self.as_of_day = day_number(as_of)
        self.clock = zone_clock(self.as_of_day)
        self.win_lo, self.win_hi = contact_windows(self.as_of_day)

    def chunk(self, number: int, start: int, n: int) -> Chunk:
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, number]))
        people = make_people(rng, start, n)
        loans = make_loans(rng, people.index, people.borrower_id, self.as_of_day)
        holds = make_holds(rng, people.index, ac.ids("L", people.index, 9, np.ones(n, dtype=np.int64)),
                           self.as_of_day)  # fmt: skip
        rep = repay(rng, loans, people.willingness, people.tier, self.as_of_day)
        hist = make_history(
            rng, people, loans, rep, holds, self.as_of_day, self.win_lo, self.win_hi, self.clock,
            contact_rate=self.contact_rate,
        )  # fmt: skip
        prop = propensity(rng, loans, rep, people.willingness, people.tier, hist.conversation, hist.inbound,
                          self.as_of_day)  # fmt: skip
        payments, recent = make_payments(rng, people, loans, rep, prop, self.as_of_day, self.clock)
        truth = pa.table(
            {
                "loan_id": loans.loan_id,
                "borrower_id": loans.table.column("borrower_id").combine_chunks(),
                "propensity": pa.array(prop),
                "willingness": pa.array(people.willingness[loans.owner]),
                "dpd": pa.array(rep.dpd.astype(np.int64)),
                "bucket": ac.pick(BUCKETS, bucket_index(rep.dpd)),
                "paid_last_30d": pa.array(recent),
                "pays_next_30d": pa.array(rng.random(len(prop)) < prop),
            },
            schema=TRUTH_SCHEMA,
        )
        tables = {
            "borrowers": people.borrowers,
            "loans": loans.table,
            "instalments": loans.instalments,
            "payments": payments,
            "parties": people.parties,
            "contact_points": people.contact_points,
            "contact_attempts": hist.table,
            "holds": holds.table,
        }
        worst = np.zeros(n, dtype=np.int64)
        np.maximum.at(worst, loans.owner, rep.dpd.astype(np.int64))
        late = pa.array(worst >= 1)
        in_arrears = pa.table(
            {
                "borrower_id": people.borrower_id.filter(late),
                "language": people.borrowers.column("language").combine_chunks().filter(late),
                "dpd": pa.array(worst).filter(late),
            },
            schema=IN_ARREARS_SCHEMA,
        )
        return Chunk(number=number, accounts=n, tables=tables, truth=truth, in_arrears=in_arrears)


def _jobs(accounts: int, chunk_size: int) -> list[tuple[int, int, int]]:
    return [
        (number, start, min(chunk_size, accounts - start))
        for number, start in enumerate(range(0, accounts, chunk_size))
    ]


_WORKER: Synthesizer | None = None


def _init_worker(seed: int, as_of: date, contact_rate: float) -> None:
    global _WORKER
    _WORKER = Synthesizer(seed, as_of, contact_rate)


def _work(job: tuple[int, int, int]) -> Chunk:
    assert _WORKER is not None
    return _WORKER.chunk(*job)


def generate(
    accounts: int,
    seed: int,
    as_of: date,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    contact_rate: float = 1.0,
) -> Iterator[Chunk]:
    """Yield the portfolio in chunks of `chunk_size` accounts (the last may be smaller), in order.

    With `workers` > 1, chunks are generated in that many processes, at most `workers` chunks ahead of the
    consumer (bounded memory). The output does not depend on `workers`.
    """
    if accounts < 1:
        raise ValueError("accounts must be at least 1 / 账户数至少为 1")
    if chunk_size < 1:
        raise ValueError("chunk size must be at least 1 / 分块大小至少为 1")
    jobs = _jobs(accounts, chunk_size)
    if workers <= 1 or len(jobs) == 1:
        synth = Synthesizer(seed, as_of, contact_rate)
        for job in jobs:
            yield synth.chunk(*job)
        return
    ctx = multiprocessing.get_context("spawn" if sys.platform != "linux" else "fork")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(seed, as_of, contact_rate)
    ) as pool:
        pending: deque[Future[Chunk]] = deque()
        queue = iter(jobs)
        for job in itertools.islice(queue, workers):
            pending.append(pool.submit(_work, job))
        while pending:
            chunk = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(_work, nxt))
            yield chunk
