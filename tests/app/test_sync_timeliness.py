"""When the app talks to the server: at once on resume, as soon as the server answers again after a long
outage, to every open screen, and cheaply when nothing is new. Against the real backend on loopback."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx

from app.sync.backoff import Backoff
from app.sync.engine import HEADERS, SyncEngine, SyncStatus
from tests.app.sync_support import registered_phone, save_reports, sync_server
from tests.support import LiveServer, free_port


def _engine(store: object, url: str, backoff: Backoff, **kw: object) -> SyncEngine:
    return SyncEngine(
        store,  # type: ignore[arg-type]
        url,
        client_factory=lambda: httpx.AsyncClient(timeout=httpx.Timeout(10, connect=2), headers=HEADERS),
        backoff=backoff,
        **kw,  # type: ignore[arg-type]
    )


def test_a_resume_resets_the_backoff_and_syncs_at_once(tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "server", port=free_port())  # not started: no signal
    phone = registered_phone(tmp_path / "phone", live.url)
    save_reports(phone, reports=1, photos_each=0, seed=3)
    engine = _engine(phone.store, live.url, Backoff(first_s=600, max_s=600, rng=random.Random(1)), period_s=600)

    async def go() -> None:
        loop = asyncio.create_task(engine.run_forever())
        try:
            for _ in range(100):  # the first pass fails: a ten-minute backoff starts
                await asyncio.sleep(0.05)
                if engine.backoff.failures:
                    break
            assert engine.backoff.failures == 1
            engine.paused()
            assert not engine.foreground
            live.start()
            engine.resumed()  # back in front: no waiting out the backoff
            assert engine.backoff.failures == 0 and engine.foreground
            for _ in range(200):
                await asyncio.sleep(0.05)
                if engine.status.last_sync_at and not engine.status.running:
                    break
            assert engine.status.last_error is None
            assert engine.status.last_sync_at is not None
        finally:
            loop.cancel()
            await engine.close()

    try:
        asyncio.run(go())
    finally:
        live.stop()


def test_the_probe_ends_a_long_backoff_as_soon_as_the_server_answers(tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "server", port=free_port())
    phone = registered_phone(tmp_path / "phone", live.url)
    save_reports(phone, reports=1, photos_each=0, seed=4)
    engine = _engine(
        phone.store, live.url, Backoff(first_s=900, max_s=900, rng=random.Random(2)), period_s=900, probe_s=0.3
    )

    async def go() -> float:
        loop = asyncio.create_task(engine.run_forever())
        try:
            while not engine.backoff.failures:
                await asyncio.sleep(0.05)
            assert not await engine.reachable()
            started = asyncio.get_running_loop().time()
            live.start()
            while engine.status.last_sync_at is None:
                await asyncio.sleep(0.05)
                assert asyncio.get_running_loop().time() - started < 60, "the probe never noticed the server"
            return asyncio.get_running_loop().time() - started
        finally:
            loop.cancel()
            await engine.close()

    try:
        waited = asyncio.run(go())
    finally:
        live.stop()
    assert waited < 900  # not the backoff: the probe
    assert engine.backoff.failures == 0 and engine.status.last_error is None


def test_every_open_screen_hears_each_change_and_a_closed_one_stops(tmp_path: Path) -> None:
    live = sync_server(tmp_path / "server")
    phone = registered_phone(tmp_path / "phone", live.url)
    save_reports(phone, reports=1, photos_each=0, seed=5)
    engine = _engine(phone.store, live.url, Backoff(rng=random.Random(3)))
    first: list[SyncStatus] = []
    second: list[SyncStatus] = []
    engine.subscribe(first.append)
    stop_second = engine.subscribe(second.append)

    async def one_pass() -> bool:
        try:
            return await engine.sync_now()
        finally:
            await engine.close()

    try:
        assert asyncio.run(one_pass())
        assert first == second and first[-1].last_sync_at is not None and not first[-1].running
        stop_second()
        before = len(second)
        assert asyncio.run(one_pass())
        assert len(second) == before and len(first) > before
    finally:
        live.stop()


def test_a_pull_with_nothing_new_costs_a_few_hundred_bytes(tmp_path: Path) -> None:
    live = sync_server(tmp_path / "server")
    phone = registered_phone(tmp_path / "phone", live.url)
    save_reports(phone, reports=2, photos_each=0, seed=6)
    sizes: list[int] = []

    async def measure(request: httpx.Request) -> None:
        sizes.append(
            len(request.method) + len(str(request.url)) + sum(len(k) + len(v) + 4 for k, v in request.headers.raw)
        )

    async def measured(response: httpx.Response) -> None:
        await response.aread()
        head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
        sizes[-1] += head + len(response.content)

    engine = SyncEngine(
        phone.store,
        live.url,
        client_factory=lambda: httpx.AsyncClient(
            headers=HEADERS, event_hooks={"request": [measure], "response": [measured]}
        ),
        backoff=Backoff(rng=random.Random(4)),
    )

    async def passes() -> None:
        try:
            assert await engine.sync_now()  # sends the two reports, pulls their state
            sizes.clear()
            assert await engine.sync_now()  # nothing to send, nothing new to pull
        finally:
            await engine.close()

    try:
        asyncio.run(passes())
    finally:
        live.stop()
    assert len(sizes) == 1, "one request: the pull since the stored cursor"
    assert sizes[0] < 600, f"a pull with nothing new took {sizes[0]} bytes"
