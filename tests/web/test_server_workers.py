"""`arrears serve --workers N` (web/server.py): the parent accepts every connection and hands it to the worker
with the fewest open connections (least connections: an exact split, keep-alive or not); a dead worker is started
again; SIGTERM stops everything, letting the requests in flight finish; a port that is taken fails at once."""

from __future__ import annotations

import contextlib
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

from arrears.web.server import handoff_supported

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not handoff_supported(), reason="connections are handed to the workers on Linux only"),
]

HERE = Path(__file__).parent
SLOW_S = 1.0  # how long GET /slow takes


def pid_app() -> object:
    """A factory for the workers: an ASGI app that answers with its process id. GET /slow sends "started " and its
    headers at once, then the pid after `SLOW_S` (a request that is surely in flight)."""
    import asyncio

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()  # type: ignore[operator]
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})  # type: ignore[operator]
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})  # type: ignore[operator]
                    return
        pid = str(os.getpid()).encode()
        if scope["path"] == "/slow":
            headers = [(b"content-type", b"text/plain"), (b"content-length", str(8 + len(pid)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
            first = {"type": "http.response.body", "body": b"started ", "more_body": True}
            await send(first)  # type: ignore[operator]
            await asyncio.sleep(SLOW_S)
            await send({"type": "http.response.body", "body": pid})  # type: ignore[operator]
            return
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(pid)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": pid})  # type: ignore[operator]

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    port: int, workers: int, *, own_group: bool = False, loop: str = "auto"
) -> subprocess.Popen[bytes]:
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); from arrears.web.server import serve_workers; "
        f"sys.exit(serve_workers('test_server_workers:pid_app', host='127.0.0.1', port={port}, workers={workers}, "
        f"loop={loop!r}))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=own_group,
    )


class Client:
    """One keep-alive connection, as a browser keeps it."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def _read(self, n: int) -> None:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buf += chunk

    def send(self, path: str = "/", *, close: bool = False) -> None:
        extra = "Connection: close\r\n" if close else ""
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode())

    def head(self) -> int:
        """Read the status line and headers of a response: its content length."""
        while b"\r\n\r\n" not in self.buf:
            self._read(len(self.buf) + 1)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200"), head
        lengths = [
            line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ]
        return int(lengths[0])

    def body(self, length: int) -> bytes:
        self._read(length)
        body, self.buf = self.buf[:length], self.buf[length:]
        return body

    def pid(self) -> int:
        """The pid of the worker serving this connection."""
        self.send()
        return int(self.body(self.head()))

    def close(self) -> None:
        """Close as the server sees it: ask it to close, and wait until it has (so it has counted the close)."""
        with contextlib.suppress(OSError):
            self.send(close=True)
            self.body(self.head())
            while self.sock.recv(65536):
                pass
        self.sock.close()


def _pid_of_new_connection(port: int) -> int:
    c = Client(port)
    try:
        return c.pid()
    finally:
        c.close()


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


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A server with 2 workers, on uvicorn's default loop (uvloop when installed) or the one given as param."""
    port = _free_port()
    proc = _start(port, 2, loop=getattr(request, "param", "auto"))
    try:
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _connect(port: int, n: int) -> dict[Client, int]:
    """`n` keep-alive connections opened one after another (each asked once which worker has it)."""
    return {(c := Client(port)): c.pid() for _ in range(n)}


def test_keep_alive_users_are_split_evenly(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    conns = _connect(port, 10)
    try:
        assert Counter(conns.values()) == {pid: 5 for pid in workers}
    finally:
        for c in conns:
            c.close()


@pytest.mark.parametrize("server", ["auto", "asyncio"], indirect=True)  # uvloop's transports and asyncio's
def test_new_users_go_to_the_worker_whose_users_left(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    conns = _connect(port, 10)
    try:
        left = min(workers)
        for c in [c for c, pid in conns.items() if pid == left]:
            c.close()
            del conns[c]
        more = _connect(port, 5)  # 0 against 5 open: all five go to the worker the users left
        conns.update(more)
        assert set(more.values()) == {left}
        more = _connect(port, 4)  # even again: they alternate
        conns.update(more)
        assert Counter(more.values()) == {pid: 2 for pid in workers}
    finally:
        for c in conns:
            c.close()


def test_a_burst_of_connections_is_split_evenly(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    """200 connections at once (as a room of agents signing in): the parent counts them as it hands them out."""
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    conns = [Client(port) for _ in range(200)]
    try:
        for c in conns:
            c.send()
        pids = Counter(int(c.body(c.head())) for c in conns)
        assert pids == {pid: 100 for pid in workers}
    finally:
        for c in conns:
            c.close()


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
    # the new worker starts with no connections: the split is even again
    conns = _connect(port, 6)
    try:
        assert Counter(conns.values()) == {pid: 3 for pid in now}
    finally:
        for c in conns:
            c.close()


def test_sigterm_stops_the_parent_and_every_worker(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    for pid in workers:
        assert _gone(pid)
    with pytest.raises(OSError):
        _pid_of_new_connection(port)


def test_sigterm_lets_a_request_in_flight_finish(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    c = Client(port)
    try:
        c.send("/slow")
        length = c.head()  # the worker is answering it
        proc.send_signal(signal.SIGTERM)
        body = c.body(length)
        assert body.startswith(b"started ") and int(body[8:]) in workers
    finally:
        c.sock.close()
    assert proc.wait(30) == 0


def test_workers_stop_when_the_parent_is_killed(server: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = server
    workers = _wait_until_serving(port, 2, proc)
    proc.kill()
    proc.wait(10)
    deadline = time.monotonic() + 30
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in workers)


def test_ctrl_c_in_a_terminal_stops_everything_quietly() -> None:
    """A terminal's Ctrl-C signals the whole process group: the parent and every worker stop, with no traceback."""
    port = _free_port()
    proc = _start(port, 2, own_group=True)
    try:
        workers = _wait_until_serving(port, 2, proc)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(30) == 0
        for pid in workers:
            assert _gone(pid)
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
