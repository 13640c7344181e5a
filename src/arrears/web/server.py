"""Serving the app on several cores: one uvicorn server per worker process, each on its OWN listening socket
bound with SO_REUSEPORT, so the kernel spreads new connections over the workers.

Why not uvicorn's `--workers`: its workers share one listening socket, and whichever worker's event loop is free
at that moment accepts what is waiting. Browsers and API clients keep their connections open (keep-alive), so
who happened to be busy while the users connected decides, for as long as they stay, how the users are split.
In `bench/web.py` (50 agents signing in ten at a time, 2 workers) that split was 36 / 14 in two runs out of
three: the 14 users of the lighter worker waited 111 ms per page on average, the 36 others about 350 ms, and
p99 rose to 636 ms against 460–520 ms with an even split. With one socket per worker in a SO_REUSEPORT group,
Linux picks the socket for each new connection by a hash of its addresses (24 / 26, 26 / 24 and 29 / 21 in the
same bench), whoever is busy.

Where SO_REUSEPORT does not spread connections (it is Linux's behaviour; BSD and macOS give every connection to
one socket), `serve_workers` falls back to uvicorn's shared socket.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

# How long the parent waits for the workers to finish their requests after Ctrl-C or SIGTERM.
STOP_GRACE_S = 10.0
# A worker that dies is started again, at most this often (a worker that cannot start must not spin).
RESTART_MIN_INTERVAL_S = 1.0


def reuseport_balances() -> bool:
    """True where SO_REUSEPORT spreads connections over the sockets of a group (Linux 3.9+)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuseport_socket(host: str, port: int, backlog: int | None = 2048) -> socket.socket:
    """A socket bound in the SO_REUSEPORT group of (host, port); listening unless `backlog` is None (a bound
    socket that does not listen takes no connections: the parent's port check)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
        if backlog is not None:
            sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(factory: str, host: str, port: int, uvicorn_options: dict[str, Any]) -> None:
    """One worker process: its own socket in the group, its own app (engine, caches) from `factory`."""
    import uvicorn

    sock = reuseport_socket(host, port)
    config = uvicorn.Config(factory, factory=True, host=host, port=port, **uvicorn_options)
    # Ctrl-C reaches the workers too (a terminal signals the whole process group): uvicorn finishes the requests in
    # flight and then re-raises the signal. That is the way out that was asked for: exit quietly.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def serve_workers(
    factory: str,
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "warning",
    access_log: bool = False,
    loop: str = "auto",
    http: str = "auto",
) -> int:
    """Serve `factory` ("module:function", called in each worker to build the ASGI app) until Ctrl-C or SIGTERM,
    in `workers` processes. Returns the exit code. A worker that dies is started again."""
    import uvicorn

    options: dict[str, Any] = {"log_level": log_level, "access_log": access_log, "loop": loop, "http": http}
    if workers <= 1 or not reuseport_balances():
        # uvicorn's own process model: one process, or its workers on one shared socket
        uvicorn.run(factory, factory=True, host=host, port=port, workers=max(1, workers), **options)
        return 0

    # Bind once here first (without listening: a listening socket would take its share of the connections): a
    # port already taken fails now, not in every worker.
    probe = reuseport_socket(host, port, backlog=None)
    ctx = multiprocessing.get_context("spawn")
    procs: list[Any] = []

    def start() -> Any:
        p = ctx.Process(target=_worker, args=(factory, host, port, options), daemon=False)
        p.start()
        return p

    stopping: int | None = None

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = signum

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        procs = [start() for _ in range(workers)]
        probe.close()
        last_restart = 0.0
        while stopping is None:
            time.sleep(0.2)
            for i, p in enumerate(procs):
                if not p.is_alive() and stopping is None:
                    wait = RESTART_MIN_INTERVAL_S - (time.monotonic() - last_restart)
                    if wait > 0:
                        time.sleep(wait)
                    last_restart = time.monotonic()
                    procs[i] = start()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if stopping == signal.SIGINT:
            # Ctrl-C in a terminal reaches the workers too (the whole process group) and each is already finishing
            # its requests: a second signal at once would make uvicorn drop them. Give them a moment first.
            pause = time.monotonic() + 2.0
            for p in procs:
                p.join(max(0.0, pause - time.monotonic()))
        for p in procs:
            if p.is_alive() and p.pid is not None:
                os.kill(p.pid, signal.SIGTERM)  # uvicorn finishes the requests in flight, then exits
        deadline = time.monotonic() + STOP_GRACE_S
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join()
        probe.close()
    return 0
