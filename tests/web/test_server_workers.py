"""`arrears serve --workers N` (web/server.py): one socket per worker in a SO_REUSEPORT group, so new connections
are spread over the workers by the kernel; a dead worker is started again; SIGTERM stops everything; a port that
is taken fails at once."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from arrears.web.server import reuseport_balances

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not reuseport_balances(), reason="SO_REUSEPORT spreads connections on Linux only"),
]

HERE = Path(__file__).parent


def pid_app() -> object:
    """A factory for the workers: an ASGI app that answers with its process id."""

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()  # type: ignore[operator]
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})  # type: ignore[operator]
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})  # type: ignore[operator]
                    return
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": str(os.getpid()).encode()})  # type: ignore[operator]

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, workers: int, *, own_group: bool = False) -> subprocess.Popen[bytes]:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); from arrears.web.server import serve_workers; "
        f"sys.exit(serve_workers('test_server_workers:pid_app', host='127.0.0.1', port={port}, workers={workers}))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=own_group,
    )


def _pid_of_new_connection(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/")
        return int(conn.getresponse().read())
    finally:
        conn.close()


def _wait_until_serving(port: int, workers: int, proc: subprocess.Popen[bytes]) -> set[int]:
    """The worker pids, once `workers` distinct ones have answered (new connections go to every worker)."""
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while len(seen) < workers and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            seen.add(_pid_of_new_connection(port))
        except OSError:
            time.sleep(0.1)
    assert len(seen) == workers, f"only {len(seen)} of {workers} workers answered within 60 s"
    return seen


@pytest.fixture
def server() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    proc = _start(port, 2)
    try:
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _burst(port: int, n: int) -> Counter[int]:
    """Open `n` connections at once (as a room of agents signing in does), then ask each which worker it has."""
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(n)]
    try:
        for c in conns:
            c.connect()
        time.sleep(0.2)  # every connection is accepted before the first request
        pids: Counter[int] = Counter()
        for c in conns:
            c.request("GET", "/")
            pids[int(c.getresponse().read())] += 1
        return pids
    finally:
        for c in conns:
            c.close()


def test_a_burst_of_connections_is_spread_over_the_workers(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    counts = _burst(port, 200)
    assert set(counts) == workers, counts
    # Even on average (the kernel hashes each connection's addresses). 200 fair coin flips stay within 75..125
    # except with probability ~5e-4 (3.5 standard deviations).
    assert min(counts.values()) >= 75, counts


def test_a_worker_that_dies_is_started_again(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    first = _wait_until_serving(port, 2, proc)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    now: set[int] = set()
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            now = {_pid_of_new_connection(port) for _ in range(20)}
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.2)
    assert victim not in now and len(now) == 2, (first, now)


def test_sigterm_stops_the_parent_and_every_worker(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(OSError):
        _pid_of_new_connection(port)


def test_ctrl_c_in_a_terminal_stops_everything_quietly() -> None:
    """A terminal's Ctrl-C signals the whole process group: the parent and every worker stop, with no traceback."""
    port = _free_port()
    proc = _start(port, 2, own_group=True)
    try:
        workers = _wait_until_serving(port, 2, proc)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(30) == 0
        for pid in workers:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_port_already_in_use_fails_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = _start(port, 2)
        try:
            assert proc.wait(30) != 0
        finally:
            if proc.poll() is None:
                proc.kill()
        assert b"Address already in use" in (proc.stderr.read() if proc.stderr else b"")
