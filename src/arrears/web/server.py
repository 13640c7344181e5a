"""Serving the app on several cores: one uvicorn server per worker process, and a parent that owns the listening
socket and hands every new connection to the worker with the fewest open connections (least-connections, what
HAProxy and nginx call leastconn).

Why not uvicorn's `--workers`: its workers share one listening socket, and whichever worker's event loop is free
at that moment accepts what is waiting. Browsers and API clients keep their connections open (keep-alive), so
who happened to be busy while the users connected decides, for as long as they stay, how the users are split.
In `bench/web.py` (50 agents signing in ten at a time, 2 workers) that split was 36 / 14 in two runs out of
three: the 14 users of the lighter worker waited 111 ms per page on average, the 36 others about 350 ms, and
p99 rose to 636 ms against 460–520 ms with an even split. The next version gave each worker its own socket in a
SO_REUSEPORT group: Linux picks the socket for each new connection by a hash of its addresses, whoever is busy
(24 / 26, 26 / 24 and 29 / 21 in the same bench), but a hash is only even on average: 30 / 20 and 31 / 19 came
up too, and the busier worker's users then wait about twice as long, which is most of p99.

Least connections is exact instead: the parent accepts each new connection and passes the accepted socket over a
Unix socket pair (SCM_RIGHTS) to the worker with the fewest connections open (ties: round robin); the worker
serves it like one it had accepted itself and reports each connection it closes, so the parent's counts follow
the users who leave: 50 keep-alive users who stay connected are split 25 / 25 over 2 workers, whenever they came.
The cost is one accept and one sendmsg per new connection in the parent (and one small message back when it
closes), nothing per request: the requests go from the client to the worker directly. A worker that dies is started again; its connections died with it.
When the parent dies, its workers finish their requests and exit.

Where file descriptors cannot be passed this way (`socket.send_fds` and SOCK_SEQPACKET Unix sockets: Linux),
`serve_workers` falls back to uvicorn's shared socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

# How long the parent waits for the workers to finish their requests after Ctrl-C or SIGTERM.
STOP_GRACE_S = 10.0
# A worker that dies is started again, at most this often (a worker that cannot start must not spin).
RESTART_MIN_INTERVAL_S = 1.0
# How often the parent checks its workers are alive (and for Ctrl-C / SIGTERM) when no connection comes.
_TICK_S = 0.2
# Connections handed to a worker that has not taken them yet (a worker still starting, or busy) wait in its
# channel; a larger send buffer lets a few hundred wait (capped by net.core.wmem_max).
_CHANNEL_SNDBUF = 1 << 20
# What the worker reads from its channel at once: up to this many connections (one byte and one descriptor each).
_RECV_MAX_FDS = 64


def handoff_supported() -> bool:
    """True where the parent can hand accepted connections to its workers (SCM_RIGHTS over SOCK_SEQPACKET Unix
    socket pairs, i.e. Linux); elsewhere `serve_workers` uses uvicorn's shared socket."""
    return (
        sys.platform.startswith("linux")
        and hasattr(socket, "send_fds")
        and hasattr(socket, "AF_UNIX")
        and hasattr(socket, "SOCK_SEQPACKET")
    )


# --- the worker ----------------------------------------------------------------------------------------------


def _reporting(cls: type[asyncio.Protocol], closed: Callable[[], None]) -> type[asyncio.Protocol]:
    """`cls` (a uvicorn protocol) that calls `closed()` once its connection is lost. Asyncio calls
    `connection_lost` once per transport, on the protocol the transport has then: the HTTP protocol's, or the
    WebSocket protocol's after an upgrade (both are wrapped), so each connection is reported once."""

    def connection_made(self: asyncio.Protocol, transport: asyncio.BaseTransport) -> None:
        self._handoff_made = True  # type: ignore[attr-defined]
        cls.connection_made(self, transport)

    def connection_lost(self: asyncio.Protocol, exc: Exception | None) -> None:
        try:
            cls.connection_lost(self, exc)
        finally:
            closed()

    return type(
        cls.__name__, (cls,), {"connection_made": connection_made, "connection_lost": connection_lost}
    )


def _handoff_server(config: uvicorn.Config, channel: socket.socket) -> uvicorn.Server:
    import uvicorn

    class HandoffServer(uvicorn.Server):
        """A uvicorn server with no listening socket: it serves the connections the parent sends on `channel`,
        and sends back one byte for each connection it closes."""

        def __init__(self) -> None:
            super().__init__(config)
            self._unreported = 0
            self._reading = False
            self._connecting: set[asyncio.Task[None]] = set()

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # the lifespan, and no listener
            self._protocol_class = _reporting(config.http_protocol_class, self._closed)
            if config.ws_protocol_class is not None:  # the HTTP protocols build it on an upgrade
                config.ws_protocol_class = _reporting(config.ws_protocol_class, self._closed)
            self._event_loop = asyncio.get_running_loop()
            channel.setblocking(False)
            self._event_loop.add_reader(channel.fileno(), self._receive)
            self._reading = True

        def _stop_reading(self) -> None:
            if self._reading:
                self._reading = False
                self._event_loop.remove_reader(channel.fileno())

        def _receive(self) -> None:
            """Take the connections waiting in the channel (the parent's handoffs)."""
            while self._reading:
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(
                        channel, _RECV_MAX_FDS, _RECV_MAX_FDS, socket.MSG_CMSG_CLOEXEC
                    )
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    msg, fds = b"", []
                if not msg and not fds:  # end of file: the parent is gone, so stop (finishing the requests)
                    self._stop_reading()
                    self.should_exit = True
                    return
                for fd in fds:
                    task = self._event_loop.create_task(self._serve_connection(socket.socket(fileno=fd)))
                    self._connecting.add(task)
                    task.add_done_callback(self._connecting.discard)
                if len(msg) > len(fds):  # descriptors the kernel could not give us (out of files): lost
                    for _ in range(len(msg) - len(fds)):
                        self._closed()

        async def _serve_connection(self, sock: socket.socket) -> None:
            sock.setblocking(False)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            made: list[asyncio.Protocol] = []

            def protocol() -> asyncio.Protocol:
                # as uvicorn's own `Server.startup` builds its protocols
                p = self._protocol_class(  # type: ignore[call-arg]
                    config=config,
                    server_state=self.server_state,
                    app_state=self.lifespan.state,
                    _loop=self._event_loop,
                )
                made.append(p)
                return p

            try:
                await self._event_loop.connect_accepted_socket(protocol, sock)
            except BaseException as exc:
                # unless its protocol was connected (then the transport reports the close), count it closed here
                if not (made and getattr(made[0], "_handoff_made", False)):
                    sock.close()
                    self._closed()
                if not isinstance(exc, Exception):
                    raise

        def _closed(self) -> None:
            self._unreported += 1
            self._report()

        def _report(self) -> None:
            """Tell the parent how many connections were closed since the last report (one byte each)."""
            while self._unreported:
                n = min(self._unreported, 4096)
                try:
                    channel.send(b"x" * n)
                except (BlockingIOError, InterruptedError):
                    return  # the parent is not reading now: the next close or tick sends it
                except OSError:
                    self._unreported = 0  # the parent is gone
                    return
                self._unreported -= n

        async def on_tick(self, counter: int) -> bool:
            self._report()
            return await super().on_tick(counter)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            self._stop_reading()  # no new connections; those still in the channel close with it
            await super().shutdown(sockets=sockets)

    return HandoffServer()


def _worker(
    factory: str, channel: socket.socket, host: str, port: int, uvicorn_options: dict[str, Any]
) -> None:
    """One worker process: its own app (engine, caches) from `factory`, serving the connections from `channel`."""
    import uvicorn

    config = uvicorn.Config(factory, factory=True, host=host, port=port, **uvicorn_options)
    # Ctrl-C reaches the workers too (a terminal signals the whole process group): uvicorn finishes the requests in
    # flight and then re-raises the signal. That is the way out that was asked for: exit quietly.
    with contextlib.suppress(KeyboardInterrupt):
        _handoff_server(config, channel).run()


# --- the parent ----------------------------------------------------------------------------------------------


@dataclass
class _Worker:
    proc: Any  # multiprocessing's SpawnProcess
    channel: socket.socket | None  # None once the worker is dead (its end closed)
    open: int = 0  # connections handed to it and not reported closed


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=2048)  # SO_REUSEADDR
    sock.setblocking(False)
    return sock


class _Dispatcher:
    """The parent's side: the listening socket, the workers and their open connection counts."""

    def __init__(self, factory: str, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
        self.listener = _listen(host, port)  # a port already taken fails here, at once
        self.args = (factory, host, port, options)
        self.ctx = multiprocessing.get_context("spawn")
        self.selector = selectors.DefaultSelector()
        self.listening = False
        self.next = 0  # round robin among the workers with the fewest connections
        self.last_restart = 0.0
        self.last_check = 0.0
        self.workers: list[_Worker] = []
        try:
            for _ in range(workers):
                self.workers.append(self._start())
        except BaseException:
            for w in self.workers:
                w.proc.kill()
                w.proc.join()
            self.close()
            raise

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with contextlib.suppress(OSError):
                ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _CHANNEL_SNDBUF)
            ours.setblocking(False)
            # spawn pickles the socket with multiprocessing's reduction: the new process gets the descriptor
            p = self.ctx.Process(target=_worker, args=(self.args[0], theirs, *self.args[1:]), daemon=False)
            p.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        w = _Worker(p, ours)
        self.selector.register(ours, selectors.EVENT_READ, w)
        return w

    def _lost(self, w: _Worker) -> None:
        """`w`'s channel reached its end (the worker died): no more connections for it."""
        if w.channel is not None:
            self.selector.unregister(w.channel)
            w.channel.close()
            w.channel = None
            w.open = 0

    def _read_reports(self, w: _Worker) -> None:
        while w.channel is not None:
            try:
                data = w.channel.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._lost(w)
                return
            w.open = max(0, w.open - len(data))

    def _pick(self, skip: set[int]) -> int | None:
        best: int | None = None
        n = len(self.workers)
        for k in range(n):
            i = (self.next + k) % n
            w = self.workers[i]
            if w.channel is not None and i not in skip and (best is None or w.open < self.workers[best].open):
                best = i
        return best

    def _hand_off(self, conn: socket.socket) -> bool:
        """Send `conn` to the worker with the fewest connections; False when no worker could take it (closed)."""
        skip: set[int] = set()
        while (i := self._pick(skip)) is not None:
            w = self.workers[i]
            assert w.channel is not None
            try:
                socket.send_fds(w.channel, [b"c"], [conn.fileno()])
            except (BlockingIOError, InterruptedError):
                skip.add(i)  # its channel is full (a stuck worker): the next one
                continue
            except OSError:
                self._lost(w)  # it died
                continue
            w.open += 1
            self.next = i + 1
            return True
        return False

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. the client already gone, or out of files: try again on the next event
                return
            with conn:
                if not self._hand_off(conn):
                    return  # no worker left: the others wait in the backlog until one is started again

    def _update_listening(self) -> None:
        """Accept only while some worker can take the connections (otherwise they wait in the backlog)."""
        alive = any(w.channel is not None for w in self.workers)
        if alive and not self.listening:
            self.selector.register(self.listener, selectors.EVENT_READ, None)
        elif not alive and self.listening:
            self.selector.unregister(self.listener)
        self.listening = alive

    def _check_workers(self) -> None:
        for i, w in enumerate(self.workers):
            if w.proc.is_alive():
                continue
            if w.channel is not None:
                self._read_reports(w)
                self._lost(w)
            if time.monotonic() - self.last_restart >= RESTART_MIN_INTERVAL_S:
                self.last_restart = time.monotonic()
                w.proc.join(0)
                self.workers[i] = self._start()

    def step(self) -> None:
        """Wait for connections, reports and ends (at most `_TICK_S`) and deal with them."""
        self._update_listening()
        events = self.selector.select(_TICK_S)
        # the reports first: a connection closed just before a new one came is not counted for it
        for key, _mask in events:
            if key.data is not None:
                self._read_reports(key.data)
        if any(key.data is None for key, _mask in events):
            self._update_listening()
            if self.listening:
                self._accept()
        if time.monotonic() - self.last_check >= _TICK_S or any(w.channel is None for w in self.workers):
            self.last_check = time.monotonic()
            self._check_workers()

    def stop_listening(self) -> None:
        if self.listening:
            self.selector.unregister(self.listener)
            self.listening = False
        self.listener.close()

    def close(self) -> None:
        self.stop_listening()
        for w in self.workers:
            if w.channel is not None:
                w.channel.close()
                w.channel = None
        self.selector.close()


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
    in `workers` processes, each new connection going to the worker with the fewest open. Returns the exit code.
    A worker that dies is started again."""
    import uvicorn

    options: dict[str, Any] = {"log_level": log_level, "access_log": access_log, "loop": loop, "http": http}
    if workers <= 1 or not handoff_supported():
        # uvicorn's own process model: one process, or its workers on one shared socket
        uvicorn.run(factory, factory=True, host=host, port=port, workers=max(1, workers), **options)
        return 0

    stopping: int | None = None

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = signum

    dispatcher: _Dispatcher | None = None
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        dispatcher = _Dispatcher(factory, host, port, workers, options)
        while stopping is None:
            dispatcher.step()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if dispatcher is not None:
            dispatcher.stop_listening()  # new connections are refused from now on
            procs = [w.proc for w in dispatcher.workers]
            if stopping == signal.SIGINT:
                # Ctrl-C in a terminal reaches the workers too (the whole process group) and each is already
                # finishing its requests: a second signal at once would make uvicorn drop them. Give them a moment.
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
            dispatcher.close()
    return 0
