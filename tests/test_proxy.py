"""The fault-injecting proxy really does what it says: counts, cuts, resets, stalls, random drops, stops."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.proxy import Fault, FaultProxy
from tests.support import free_port


@dataclass
class Peer:
    """A real TCP server on 127.0.0.1 that runs `handler` for each connection and keeps what it returns."""

    handler: Callable[[socket.socket], object]
    results: list[object] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.done = threading.Semaphore(0)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            self.results.append(self.handler(conn))
        except OSError as exc:
            self.errors.append(exc)
        finally:
            conn.close()
            self.done.release()

    def wait(self, connections: int = 1) -> None:
        for _ in range(connections):
            assert self.done.acquire(timeout=10), "the peer did not finish in time"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def read_all(conn: socket.socket) -> bytes:
    """Read until the other side closes; a reset is reported by raising."""
    chunks = []
    while data := conn.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


def echo(conn: socket.socket) -> int:
    total = 0
    while data := conn.recv(65536):
        conn.sendall(data)
        total += len(data)
    return total


PeerFactory = Callable[[Callable[[socket.socket], object]], Peer]


@pytest.fixture
def peers() -> Iterator[PeerFactory]:
    made: list[Peer] = []

    def make(handler: Callable[[socket.socket], object]) -> Peer:
        made.append(Peer(handler))
        return made[-1]

    yield make
    for peer in made:
        peer.close()


def connect(proxy: FaultProxy) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    return s


def test_clean_connection_passes_every_byte_both_ways_and_counts_them(peers: PeerFactory) -> None:
    peer = peers(echo)
    payload = bytes(range(256)) * 1000
    with FaultProxy(peer.port) as proxy:
        with connect(proxy) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            assert read_all(s) == payload
        peer.wait()
        proxy.wait_idle()
        assert proxy.bytes_up == len(payload)
        assert proxy.bytes_down == len(payload)
        assert [c.outcome for c in proxy.connections] == ["closed"]
        assert proxy.fired() == []
    assert peer.results == [len(payload)]


def test_cut_upstream_delivers_exactly_n_bytes_to_the_server_then_closes(peers: PeerFactory) -> None:
    peer = peers(read_all)
    payload = b"x" * 50_000
    with FaultProxy(peer.port) as proxy:
        proxy.plan(Fault.cut("up", after=12_345))
        answer = b"not read"
        with connect(proxy) as s:
            try:  # the proxy hangs up while the client is sending, or right after: either is a cut to the client
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                answer = read_all(s)
            except (BrokenPipeError, ConnectionResetError):
                answer = b""
        assert answer == b""
        peer.wait()
        proxy.wait_idle()
        record = proxy.connections[0]
        assert (record.fired, record.outcome, record.bytes_up) == ("cut", "cut", 12_345)
    assert peer.results == [b"x" * 12_345]


def test_cut_downstream_delivers_exactly_n_bytes_to_the_client_then_eof(peers: PeerFactory) -> None:
    answer = bytes(range(256)) * 200

    def talk(conn: socket.socket) -> bytes:
        request = conn.recv(100)
        with contextlib.suppress(OSError):  # the proxy may reset the rest of the answer
            conn.sendall(answer)
        return request

    peer = peers(talk)
    with FaultProxy(peer.port) as proxy:
        proxy.plan(Fault.cut("down", after=1000))
        with connect(proxy) as s:
            s.sendall(b"GET")
            assert read_all(s) == answer[:1000]
        peer.wait()
        proxy.wait_idle()
        assert proxy.bytes_down == 1000
        assert proxy.connections[0].outcome == "cut"
    assert peer.results == [b"GET"]


def test_cut_after_the_server_answered_delivers_the_request_and_loses_the_answer(peers: PeerFactory) -> None:
    def commit(conn: socket.socket) -> bytes:
        request = conn.recv(100)
        with contextlib.suppress(OSError):
            conn.sendall(b"committed")
        return request

    peer = peers(commit)
    with FaultProxy(peer.port) as proxy:
        proxy.plan(Fault.cut("down", after=0))
        with connect(proxy) as s:
            s.sendall(b"PUT report")
            assert read_all(s) == b""
        peer.wait()
        proxy.wait_idle()
        assert (proxy.bytes_up, proxy.bytes_down) == (len(b"PUT report"), 0)
    assert peer.results == [b"PUT report"], "the server got the whole request"


def test_reset_sends_rst_to_both_client_and_server(peers: PeerFactory) -> None:
    def receive(conn: socket.socket) -> bytes:
        got = conn.recv(100)
        try:
            more = conn.recv(100)
        except ConnectionResetError:
            return got + b"|RST"
        return got + b"|" + more

    peer = peers(receive)
    with FaultProxy(peer.port) as proxy:
        proxy.plan(Fault.reset("up", after=5))
        with connect(proxy) as s:
            s.sendall(b"hello world")
            with pytest.raises(ConnectionResetError, match="Connection reset by peer"):
                read_all(s)
        peer.wait()
        proxy.wait_idle()
        assert proxy.connections[0].outcome == "reset"
    assert peer.results == [b"hello|RST"]


def test_stall_holds_all_traffic_for_its_duration_then_resumes_without_loss(peers: PeerFactory) -> None:
    answer = b"0123456789" * 3

    def talk(conn: socket.socket) -> None:
        conn.recv(10)
        conn.sendall(answer)

    peer = peers(talk)
    with FaultProxy(peer.port) as proxy:
        proxy.plan(Fault.stall("down", after=10, seconds=3))
        with connect(proxy) as s:
            s.sendall(b"ask")
            first = s.recv(100)
            assert first == answer[:10]
            s.settimeout(0.5)
            with pytest.raises(TimeoutError, match=r"^timed out$"):  # the link is silent during the stall
                s.recv(100)
            s.settimeout(10)
            assert first + read_all(s) == answer
        peer.wait()
        proxy.wait_idle()
        record = proxy.connections[0]
        assert (record.fired, record.outcome, record.bytes_down) == ("stall", "closed", len(answer))


def test_throttle_spaces_the_bytes_at_the_given_rate_and_loses_none(peers: PeerFactory) -> None:
    peer = peers(echo)
    payload = bytes(range(256)) * 160  # 40 KiB
    rate = 100_000.0
    with FaultProxy(peer.port) as proxy:
        proxy.throttle(rate)
        started = time.monotonic()
        with connect(proxy) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            assert read_all(s) == payload
        elapsed = time.monotonic() - started
        peer.wait()
        proxy.wait_idle()
        assert proxy.bytes_up == proxy.bytes_down == len(payload)
    # A lower bound only: the throttle cannot let the bytes through faster than its rate (less one slot).
    assert elapsed >= (len(payload) - rate * 0.02) / rate
    with pytest.raises(ValueError, match=r"^a throttle needs a positive rate$"):
        proxy.throttle(0)


def test_cut_total_spans_connections_and_fires_once(peers: PeerFactory) -> None:
    peer = peers(read_all)
    with FaultProxy(peer.port) as proxy:
        proxy.cut_total("up", after=2500)
        for _ in range(4):
            with connect(proxy) as s:
                try:
                    s.sendall(b"y" * 1000)
                    s.shutdown(socket.SHUT_WR)
                    read_all(s)
                except OSError:
                    pass
            peer.wait()
        proxy.wait_idle()
        assert [c.bytes_up for c in proxy.connections] == [1000, 1000, 500, 1000]
        assert [c.fired for c in proxy.connections] == [None, None, "cut", None]
    assert sorted(len(r) for r in peer.results) == [500, 1000, 1000, 1000]  # type: ignore[arg-type]


def test_corrupt_total_damages_exactly_one_byte_across_connections_and_keeps_them_open(peers: PeerFactory) -> None:
    peer = peers(echo)
    payload = bytes(range(250)) * 4  # 1000 bytes
    with FaultProxy(peer.port) as proxy:
        proxy.corrupt_total("up", at=1500)
        answers = []
        for _ in range(3):
            with connect(proxy) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                answers.append(read_all(s))
            peer.wait()
        proxy.wait_idle()
        assert [c.fired for c in proxy.connections] == [None, "corrupt", None]
        assert [c.outcome for c in proxy.connections] == ["closed"] * 3
    damaged = bytearray(payload)
    damaged[500] ^= 0xFF
    assert answers == [payload, bytes(damaged), payload]


def _random_run(port: int, seed: int) -> tuple[list[tuple[str, str, int] | None], list[bool]]:
    """40 echo round trips of 4000 bytes through a proxy dropping half the connections; returns the faults
    drawn and whether each round trip came back whole."""
    payload = b"z" * 4000
    whole = []
    with FaultProxy(port) as proxy:
        proxy.fail_randomly(share=0.5, seed=seed, max_offset=3000)
        for _ in range(40):
            try:
                with connect(proxy) as s:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    whole.append(read_all(s) == payload)
            except OSError:
                whole.append(False)
        proxy.wait_idle()
        faults = [(c.fault.kind, c.fault.direction, c.fault.after) if c.fault else None for c in proxy.connections]
        assert [c.fired is not None for c in proxy.connections] == [f is not None for f in faults]
    return faults, whole


def test_random_drops_follow_the_seed_and_break_exactly_the_chosen_connections(peers: PeerFactory) -> None:
    peer = peers(echo)
    faults, whole = _random_run(peer.port, seed=7)
    again, whole_again = _random_run(peer.port, seed=7)
    other, _ = _random_run(peer.port, seed=8)
    assert faults == again and whole == whole_again
    assert faults != other
    dropped = sum(f is not None for f in faults)
    assert 10 <= dropped <= 30, dropped
    assert {f[0] for f in faults if f} == {"cut", "reset"}
    assert {f[1] for f in faults if f} == {"up", "down"}
    assert whole == [f is None for f in faults], "every faulted round trip broke and every other one was whole"


def test_a_missing_server_resets_the_client() -> None:
    with FaultProxy(free_port()) as proxy:
        # The reset reaches the client while it connects or while it reads, whichever the scheduler makes first.
        with pytest.raises(ConnectionResetError, match="Connection reset by peer"), connect(proxy) as s:
            read_all(s)
        proxy.wait_idle()
        assert proxy.connections[0].outcome == "no_upstream"


def test_the_proxy_stops_by_itself_after_its_lifetime(peers: PeerFactory) -> None:
    peer = peers(echo)
    proxy = FaultProxy(peer.port, lifetime_s=1.0)
    held = connect(proxy)
    held.sendall(b"ping")
    assert held.recv(10) == b"ping"
    assert read_all(held) == b"", "an open connection is closed when the lifetime ends"
    held.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
        except ConnectionRefusedError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the proxy still accepts connections after its lifetime")
    proxy.close()


def test_leaving_the_context_closes_the_proxy(peers: PeerFactory) -> None:
    peer = peers(echo)
    with FaultProxy(peer.port) as proxy:
        port = proxy.port
    with pytest.raises(ConnectionRefusedError, match="Connection refused"):
        socket.create_connection(("127.0.0.1", port), timeout=1)
