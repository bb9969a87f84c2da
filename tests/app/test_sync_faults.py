"""The sync engine against the real backend through a real fault-injecting TCP proxy (must-show 1 and 4)."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.state.app_state import AppState
from app.state.ports import Ports
from app.store.outbox import items_for_report
from app.sync import records
from app.sync.backoff import Backoff
from app.sync.engine import HEADERS, SyncEngine
from tests.app.conftest import LONDON_WINTER, FakePhone
from tests.app.sync_support import Phone, registered_phone, save_reports, server_holds, sync_server
from tests.proxy import Fault, FaultProxy
from tests.support import LiveServer

FAST_BACKOFF = {"first_s": 0.05, "max_s": 0.4}


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = sync_server(tmp_path_factory.mktemp("sync-server"))
    yield live
    live.stop()


def engine_for(phone: Phone, url: str, keepalive: bool = True, timeout: float = 10.0) -> SyncEngine:
    limits = httpx.Limits() if keepalive else httpx.Limits(max_keepalive_connections=0)
    return SyncEngine(
        phone.store,
        url,
        client_factory=lambda: httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0), limits=limits, headers=HEADERS
        ),
        backoff=Backoff(**FAST_BACKOFF, rng=random.Random(1)),
    )


def drain(engine: SyncEngine, timeout_s: float) -> bool:
    async def go() -> bool:
        try:
            return await engine.drain(timeout_s)
        finally:
            await engine.close()

    return asyncio.run(go())


def shown_states(phone: Phone) -> list[str]:
    """What the farmer's home screen says of each report."""
    fake = FakePhone()
    ports = Ports(photos=fake, locator=fake, dialer=fake, clock=lambda: datetime.now(UTC))
    app = AppState.open(phone.store, ports, LONDON_WINTER, "http://127.0.0.1:9")
    return [row.state for row in app.reports]


def assert_all_arrived_once(phone: Phone, backend: LiveServer) -> None:
    assert records.waiting(phone.store).needing_attention == 0  # nothing was given up on
    held = server_holds(backend)
    assert phone.photos, "the phone saved reports to send"
    for report_id, photos in phone.photos.items():
        assert held.reports.get(report_id) == 1, report_id
        for photo_id, sha in photos.items():
            assert held.photos.get((report_id, photo_id)) == sha, (report_id, photo_id)


def fault_plan(rng: random.Random, connections: int, share: float) -> list[Fault | None]:
    """Per connection: clean, or (with probability `share`) cut or reset at a random byte offset up or down.
    Up offsets fall in a request's headers, a report's JSON or a photo's bytes; down offsets in an answer's
    headers, so that every down cut falls after the server has committed and before the phone hears of it.
    A few stalls outlast the client's timeout."""
    plan: list[Fault | None] = []
    for _ in range(connections):
        if rng.random() >= share:
            plan.append(None)
            continue
        roll = rng.random()
        if roll < 0.05:
            plan.append(Fault.stall(rng.choice(("up", "down")), rng.randint(0, 200), seconds=3.0))
        elif roll < 0.5:
            after = rng.randint(0, 1_200) if rng.random() < 0.5 else rng.randint(0, 38_000)
            plan.append(Fault(rng.choice(("cut", "reset")), "up", after))
        else:
            plan.append(Fault(rng.choice(("cut", "reset")), "down", rng.randint(0, 230)))
    return plan


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_two_hundred_reports_and_six_hundred_photos_arrive_exactly_once_through_cuts_resets_and_stalls(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    save_reports(phone, reports=200, photos_each=3, seed=4)
    with FaultProxy(backend.port, lifetime_s=880) as proxy:
        # A new connection per request (a mobile network's NAT forgets idle ones), so 20% of requests are hit.
        proxy.plan(*fault_plan(random.Random(20), connections=4000, share=0.2))
        engine = engine_for(phone, proxy.url, keepalive=False, timeout=2.0)
        assert drain(engine, timeout_s=800), engine.status.last_error
        proxy.wait_idle(30)
        fired = proxy.fired()
        ratio = proxy.bytes_up / phone.payload_bytes
        print(
            f"\nconnections {len(proxy.connections)}, faults fired {len(fired)}, "
            f"bytes up {proxy.bytes_up}, payload {phone.payload_bytes}, ratio {ratio:.3f}"
        )
    kinds = {(c.fault.kind, c.fault.direction) for c in fired if c.fault}
    assert {("stall", "up"), ("stall", "down")} & kinds and ("cut", "down") in kinds and ("cut", "up") in kinds
    assert ("reset", "up") in kinds and ("reset", "down") in kinds
    assert len(fired) >= 0.12 * len(proxy.connections)
    assert_all_arrived_once(phone, backend)
    assert shown_states(phone) == ["Sent"] * 200
    assert ratio <= 1.5


@pytest.mark.slow
def test_a_clean_link_spends_at_most_five_percent_over_the_payload(backend: LiveServer, tmp_path: Path) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    save_reports(phone, reports=50, photos_each=3, seed=5)
    with FaultProxy(backend.port) as proxy:
        engine = engine_for(phone, proxy.url)
        assert drain(engine, timeout_s=200), engine.status.last_error
        proxy.wait_idle(30)
        ratio = proxy.bytes_up / phone.payload_bytes
        print(f"\nclean link: bytes up {proxy.bytes_up}, payload {phone.payload_bytes}, ratio {ratio:.3f}")
        assert proxy.fired() == []
    assert_all_arrived_once(phone, backend)
    assert shown_states(phone) == ["Sent"] * 50
    assert ratio <= 1.05


class CaptivePortal:
    """A local HTTP server that answers every request with 200 and an HTML sign-in page, as hotel Wi-Fi does."""

    PAGE = b"<html><body><h1>Welcome to Village Hall Wi-Fi</h1><a href='/login'>Sign in</a></body></html>"

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    self.requests += 1
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                        + f"Content-Length: {len(self.PAGE)}\r\n\r\n".encode()
                        + self.PAGE
                    )
                except OSError:
                    continue

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def test_a_captive_portal_leaves_every_report_queued_and_the_sync_screen_says_why(tmp_path: Path) -> None:
    portal = CaptivePortal()
    try:
        phone = registered_phone(tmp_path / "phone", f"http://127.0.0.1:{portal.port}")
        ids = save_reports(phone, reports=3, photos_each=1, seed=6)
        engine = engine_for(phone, f"http://127.0.0.1:{portal.port}")
        assert drain(engine, timeout_s=1.0) is False
    finally:
        portal.close()
    assert portal.requests >= 2  # it kept trying, and each time saw the portal
    assert records.token(phone.store) is None  # the portal's 200 was not taken for a registration
    for report_id in ids:
        assert [i.state for i in items_for_report(phone.store, report_id)] == ["pending", "pending"]
    waiting = records.waiting(phone.store)
    assert (waiting.registrations, waiting.reports, waiting.photos) == (1, 3, 3)
    assert engine.status.last_error is not None and "Wi-Fi sign-in page" in engine.status.last_error
    assert records.get(phone.store, records.LAST_ERROR) == engine.status.last_error
    assert shown_states(phone) == ["Saved on this phone"] * 3
