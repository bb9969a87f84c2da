"""A fault-injecting TCP proxy on 127.0.0.1, between a client under test and the real backend.

A phone on a rural signal loses connections half way through a request, after the server has committed a
request but before the answer arrives, or goes silent for a while. Tests reproduce that with real TCP:

    with FaultProxy(server.port) as proxy:
        proxy.plan(Fault.cut("down", after=0))        # the next connection: the answer never arrives
        httpx.put(proxy.url + "/api/v1/reports/...")  # raises; the server did commit the report
        assert proxy.bytes_up > 0

Faults are given per connection (`plan`: the next connections in order), for the proxy as a whole
(`cut_total`: whichever connection carries byte N of everything sent from now on; `corrupt_total`: that byte
arrives damaged, the connection carries on), or at random
(`fail_randomly`: a seeded share of connections cut or reset at random offsets). Each connection is served by
one thread doing non-blocking I/O on both sockets, so a cut or reset is done by the thread that owns the sockets.
The proxy is bounded: it stops by itself after `lifetime_s` and accepts at most `max_connections`.
"""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["up", "down"]  # up: client to server; down: server to client
FaultKind = Literal["cut", "reset", "stall", "corrupt"]

_READ_SIZE = 65536
_BUFFER_LIMIT = 256 * 1024  # stop reading a side whose bytes the other side is not taking
_TICK_S = 0.02


@dataclass(frozen=True)
class Fault:
    """What happens to one connection once `after` bytes have passed in `direction`.

    - cut: both sockets are closed (the kernel sends FIN, or RST where unread bytes remain);
    - reset: both sockets are closed with SO_LINGER 0, so both peers get a TCP RST;
    - stall: nothing passes either way for `stall_s` seconds, then traffic resumes.

    The fault fires when a byte beyond `after` arrives: `Fault.cut("down", after=0)` lets the whole request
    through and drops the connection as soon as the server starts to answer.
    """

    kind: FaultKind
    direction: Direction
    after: int
    stall_s: float = 0.0

    @classmethod
    def cut(cls, direction: Direction, after: int) -> Fault:
        return cls("cut", direction, after)

    @classmethod
    def reset(cls, direction: Direction, after: int) -> Fault:
        return cls("reset", direction, after)

    @classmethod
    def stall(cls, direction: Direction, after: int, seconds: float) -> Fault:
        if seconds <= 0:
            raise ValueError("a stall needs a positive duration")
        return cls("stall", direction, after, seconds)


@dataclass
class ConnectionRecord:
    """What happened to one proxied connection."""

    index: int
    fault: Fault | None
    bytes_up: int = 0
    bytes_down: int = 0
    fired: FaultKind | None = None  # the fault that actually happened, if any
    outcome: Literal["open", "closed", "cut", "reset", "no_upstream"] = "open"
    done: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass
class _TotalBudget:
    """A proxy-wide fault: fires on the connection that carries byte `after` + 1 of all traffic in `direction`."""

    fault: Fault
    remaining: int


@dataclass
class _RandomFaults:
    rng: random.Random
    share: float
    max_offset: int
    kinds: tuple[Literal["cut", "reset"], ...]
    directions: tuple[Direction, ...]


class FaultProxy:
    """A TCP proxy from 127.0.0.1:<port> to target_host:target_port that counts bytes and injects faults."""

    def __init__(
        self,
        target_port: int,
        target_host: str = "127.0.0.1",
        *,
        lifetime_s: float = 240.0,
        max_connections: int = 10_000,
    ) -> None:
        self.target = (target_host, target_port)
        self.lifetime_s = lifetime_s
        self.max_connections = max_connections
        self.connections: list[ConnectionRecord] = []
        self._lock = threading.Lock()
        self._planned: list[Fault | None] = []
        self._total: dict[Direction, _TotalBudget] = {}
        self._corrupt: dict[Direction, int] = {}  # bytes still to pass before the one that is damaged
        self._random: _RandomFaults | None = None
        self.rate: float | None = None  # bytes per second each way per connection; None: as fast as loopback
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(_TICK_S * 5)
        self.port: int = self._listener.getsockname()[1]
        self._deadline = time.monotonic() + lifetime_s
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"proxy-{self.port}", daemon=True)
        self._acceptor.start()

    # -- configuration -------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plan(self, *faults: Fault | None) -> None:
        """Faults for the next connections, in the order they are accepted (None: that connection is clean)."""
        with self._lock:
            self._planned.extend(faults)

    def cut_total(self, direction: Direction, after: int, kind: Literal["cut", "reset"] = "cut") -> None:
        """Counting from now, over all connections: let `after` bytes pass in `direction`, then cut (or reset)
        the connection carrying the next byte. Fires once."""
        with self._lock:
            self._total[direction] = _TotalBudget(Fault(kind, direction, after), after)

    def corrupt_total(self, direction: Direction, at: int) -> None:
        """Counting from now, over all connections: byte number `at` (from 0) in `direction` arrives with every
        bit flipped, and the connection carries on (damage that TCP's checksum missed, or a faulty middlebox).
        Fires once; the connection that carried it is marked `fired == "corrupt"`."""
        with self._lock:
            self._corrupt[direction] = at

    def _damage(self, record: ConnectionRecord, direction: Direction, data: bytearray) -> None:
        with self._lock:
            at = self._corrupt.get(direction)
            if at is None:
                return
            if at >= len(data):
                self._corrupt[direction] = at - len(data)
                return
            del self._corrupt[direction]
        data[at] ^= 0xFF
        record.fired = "corrupt"

    def fail_randomly(
        self,
        share: float,
        seed: int,
        max_offset: int,
        kinds: tuple[Literal["cut", "reset"], ...] = ("cut", "reset"),
        directions: tuple[Direction, ...] = ("up", "down"),
    ) -> None:
        """From now on, each new connection not given a planned fault is, with probability `share`, cut or reset
        at an offset drawn uniformly from 0..max_offset in a direction drawn from `directions`. The draws
        come from random.Random(seed), so the same sequence of connections gets the same faults."""
        if not 0 <= share <= 1:
            raise ValueError("share is a probability")
        with self._lock:
            self._random = _RandomFaults(random.Random(seed), share, max_offset, kinds, directions)

    def throttle(self, bytes_per_s: float | None) -> None:
        """Limit each connection to `bytes_per_s` in each direction (a weak mobile link); None lifts it."""
        if bytes_per_s is not None and bytes_per_s <= 0:
            raise ValueError("a throttle needs a positive rate")
        self.rate = bytes_per_s

    def clean(self) -> None:
        """No more faults: forget planned, proxy-wide and random ones."""
        with self._lock:
            self._planned.clear()
            self._total.clear()
            self._corrupt.clear()
            self._random = None

    # -- what happened -------------------------------------------------------------------------------------------

    @property
    def bytes_up(self) -> int:
        """Bytes delivered to the server, over every connection so far."""
        with self._lock:
            return sum(c.bytes_up for c in self.connections)

    @property
    def bytes_down(self) -> int:
        """Bytes delivered to the client, over every connection so far."""
        with self._lock:
            return sum(c.bytes_down for c in self.connections)

    def fired(self) -> list[ConnectionRecord]:
        with self._lock:
            return [c for c in self.connections if c.fired is not None]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every connection accepted so far has finished (its counts are then final)."""
        deadline = time.monotonic() + timeout
        for record in list(self.connections):
            if not record.done.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"connection {record.index} still open after {timeout}s")

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def close(self) -> None:
        self._stopping.set()
        self._acceptor.join(10)
        for thread in list(self._threads):
            thread.join(10)
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stopped(self) -> bool:
        return self._stopping.is_set() or time.monotonic() > self._deadline

    def _accept_loop(self) -> None:
        try:
            while not self._stopped():
                try:
                    client, _ = self._listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with self._lock:
                    if len(self.connections) >= self.max_connections:
                        client.close()
                        continue
                    record = ConnectionRecord(len(self.connections), self._next_fault())
                    self.connections.append(record)
                thread = threading.Thread(
                    target=self._serve, args=(client, record), name=f"proxy-{self.port}-{record.index}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        finally:
            with contextlib.suppress(OSError):
                self._listener.close()

    def _next_fault(self) -> Fault | None:
        """Called under the lock for each accepted connection."""
        if self._planned:
            return self._planned.pop(0)
        r = self._random
        if r is not None and r.rng.random() < r.share:
            return Fault(r.rng.choice(r.kinds), r.rng.choice(r.directions), r.rng.randint(0, r.max_offset))
        return None

    # -- one connection ------------------------------------------------------------------------------------------

    def _serve(self, client: socket.socket, record: ConnectionRecord) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            record.outcome = "no_upstream"
            _reset(client)
            record.done.set()
            return
        try:
            _Pump(self, client, upstream, record).run()
        finally:
            record.done.set()

    def _allow(
        self, record: ConnectionRecord, direction: Direction, accepted: int, size: int
    ) -> tuple[int, Fault | None]:
        """Of `size` new bytes in `direction` (after `accepted` already taken on this connection), how many may
        pass, and the fault that fires after them (if any)."""
        allowed, firing = size, None
        fault = record.fault
        if fault is not None and record.fired is None and fault.direction == direction:
            room = max(0, fault.after - accepted)
            if size > room:
                allowed, firing = room, fault
        with self._lock:
            budget = self._total.get(direction)
            if budget is not None:
                if size > budget.remaining and (firing is None or budget.remaining < allowed):
                    allowed, firing = budget.remaining, budget.fault
                    del self._total[direction]
                else:
                    budget.remaining -= allowed
        return allowed, firing


class _Pump:
    """Moves bytes both ways for one connection, in one thread, and carries out its fault."""

    def __init__(
        self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket, record: ConnectionRecord
    ) -> None:
        self.proxy = proxy
        self.record = record
        self.socks: dict[Direction, tuple[socket.socket, socket.socket]] = {
            "up": (client, upstream),
            "down": (upstream, client),
        }
        self.client, self.upstream = client, upstream
        self.buffers: dict[Direction, bytearray] = {"up": bytearray(), "down": bytearray()}
        self.held: dict[Direction, bytearray] = {"up": bytearray(), "down": bytearray()}  # behind a stall
        self.eof: dict[Direction, bool] = {"up": False, "down": False}
        self.accepted: dict[Direction, int] = {"up": 0, "down": 0}  # taken from the source, to pass on
        self.pending: dict[Direction, Fault | None] = {"up": None, "down": None}
        self.stalled_until = 0.0
        self.next_send: dict[Direction, float] = {"up": 0.0, "down": 0.0}  # the throttle's next slot
        for s in (client, upstream):
            s.setblocking(False)

    def run(self) -> None:
        selector = selectors.DefaultSelector()
        try:
            while not self.proxy._stopped():
                now = time.monotonic()
                if now < self.stalled_until:
                    time.sleep(min(_TICK_S, self.stalled_until - now))
                    continue
                self._release_held()
                if self._finished():
                    self.record.outcome = "closed"
                    return
                if self._fire_ready():
                    return
                if time.monotonic() < self.stalled_until:
                    continue
                self._register(selector)
                for key, events in selector.select(timeout=_TICK_S):
                    self._move(key.fileobj, events)  # type: ignore[arg-type]
            self.record.outcome = "closed"
        except OSError:
            self.record.outcome = "closed"
        finally:
            selector.close()
            for s in (self.client, self.upstream):
                with contextlib.suppress(OSError):
                    s.close()

    def _finished(self) -> bool:
        return all(self.eof[d] and not self.buffers[d] and not self.held[d] for d in ("up", "down"))

    def _register(self, selector: selectors.BaseSelector) -> None:
        for s in (self.client, self.upstream):
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(s)
        wants: dict[socket.socket, int] = {self.client: 0, self.upstream: 0}
        for d in ("up", "down"):
            src, dst = self.socks[d]
            if not self.eof[d] and self.pending[d] is None and len(self.buffers[d]) < _BUFFER_LIMIT:
                wants[src] |= selectors.EVENT_READ
            if self.buffers[d] and (self.proxy.rate is None or time.monotonic() >= self.next_send[d]):
                wants[dst] |= selectors.EVENT_WRITE
        for s, mask in wants.items():
            if mask:
                selector.register(s, mask)

    def _move(self, sock: socket.socket, events: int) -> None:
        """Write what `sock` is ready to take, and read what it has for the other side."""
        for d in ("up", "down"):
            src, dst = self.socks[d]
            if sock is dst and events & selectors.EVENT_WRITE and self.buffers[d]:
                rate = self.proxy.rate
                if rate is not None and time.monotonic() < self.next_send[d]:
                    continue
                try:
                    sent = dst.send(self.buffers[d] if rate is None else self.buffers[d][: max(1, int(rate * _TICK_S))])
                except BlockingIOError:
                    sent = 0
                if rate is not None:
                    self.next_send[d] = max(time.monotonic(), self.next_send[d]) + sent / rate
                del self.buffers[d][:sent]
                with self.proxy._lock:
                    if d == "up":
                        self.record.bytes_up += sent
                    else:
                        self.record.bytes_down += sent
                if self.eof[d] and not self.buffers[d] and not self.held[d]:
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
            if sock is src and events & selectors.EVENT_READ and not self.eof[d] and self.pending[d] is None:
                try:
                    data = src.recv(_READ_SIZE)
                except ConnectionResetError:
                    data = b""
                if not data:
                    self.eof[d] = True
                    if not self.buffers[d] and not self.held[d]:
                        with contextlib.suppress(OSError):
                            dst.shutdown(socket.SHUT_WR)
                    continue
                self._accept_bytes(d, data)

    def _accept_bytes(self, d: Direction, data: bytes) -> None:
        allowed, firing = self.proxy._allow(self.record, d, self.accepted[d], len(data))
        passing = bytearray(data[:allowed])
        self.proxy._damage(self.record, d, passing)
        self.buffers[d] += passing
        self.accepted[d] += allowed
        if firing is not None:
            self.pending[d] = firing
            if firing.kind == "stall":  # the rest is delayed, not lost
                self.held[d] += data[allowed:]
                self.accepted[d] += len(data) - allowed

    def _fire_ready(self) -> bool:
        """Carry out a fault whose allowed bytes have all been delivered. True when the connection is over."""
        for d in ("up", "down"):
            fault = self.pending[d]
            if fault is None or self.buffers[d]:
                continue
            self.record.fired = fault.kind
            self.pending[d] = None
            if fault.kind == "stall":
                self.stalled_until = time.monotonic() + fault.stall_s
                return False
            if fault.kind == "reset":
                _reset(self.client)
                _reset(self.upstream)
                self.record.outcome = "reset"
            else:
                for s in (self.client, self.upstream):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                self.record.outcome = "cut"
            return True
        return False

    def _release_held(self) -> None:
        for d in ("up", "down"):
            if self.held[d] and self.pending[d] is None:
                self.buffers[d] += self.held[d]
                self.held[d].clear()


def _reset(sock: socket.socket) -> None:
    """Close with SO_LINGER on and a zero timeout: the kernel answers with RST instead of FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
