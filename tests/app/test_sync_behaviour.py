"""The sync engine's order, the Wi-Fi-only setting, the chase, and `sent_at`, against the real backend."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.state.app_state import AppState
from app.state.ports import Ports
from app.store.outbox import items_for_report
from app.sync import records
from app.sync.engine import SyncEngine, SyncStatus
from tests.app.conftest import LONDON_WINTER, FakePhone
from tests.app.sync_support import registered_phone, save_reports, sync_server
from tests.app.test_sync_faults import drain, engine_for
from tests.support import LiveServer


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = sync_server(tmp_path_factory.mktemp("behaviour-server"))
    yield live
    live.stop()


def one_pass(engine: SyncEngine) -> bool:
    async def go() -> bool:
        try:
            return await engine.sync_now()
        finally:
            await engine.close()

    return asyncio.run(go())


def server_rows(backend: LiveServer, sql: str, *args: object) -> list[tuple]:
    db = sqlite3.connect(f"file:{backend.data_dir / 'hedgerow.db'}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_every_reports_words_go_before_any_photo_oldest_first(backend: LiveServer, tmp_path: Path) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    save_reports(phone, reports=4, photos_each=2, seed=21)
    engine = engine_for(phone, backend.url)
    seen: list[str] = []
    engine.on_change = lambda status: (
        seen.append(status.sending) if status.sending and (not seen or seen[-1] != status.sending) else None
    )
    assert drain(engine, 60), engine.status.last_error
    assert seen == [
        "Your details 1 of 1",
        *[f"Report {n} of 4" for n in range(1, 5)],
        *[f"Photo {n} of 8" for n in range(1, 9)],
    ]


def test_photos_wait_for_wifi_when_the_farmer_asks_and_the_words_still_go_at_once(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    (report_id,) = save_reports(phone, reports=1, photos_each=2, seed=22)
    records.put(phone.store, records.PHOTOS_WIFI_ONLY, True, datetime.now(UTC))
    engine = engine_for(phone, backend.url)
    engine.on_wifi = lambda: False
    assert one_pass(engine)
    assert [i.state for i in items_for_report(phone.store, report_id)] == ["sent", "pending", "pending"]
    assert engine.status.waiting_for_wifi
    engine = engine_for(phone, backend.url)
    engine.on_wifi = lambda: True
    assert one_pass(engine)
    assert [i.state for i in items_for_report(phone.store, report_id)] == ["sent", "sent", "sent"]
    assert not engine.status.waiting_for_wifi


def test_a_report_with_no_answer_past_its_target_offers_chase_and_the_chase_reaches_the_server(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    (report_id,) = save_reports(phone, reports=1, photos_each=0, seed=23)
    assert drain(engine_for(phone, backend.url), 30)
    fake = FakePhone()
    # The server's due time: one working day after receipt, up to five calendar days over a weekend and Christmas.
    later = datetime.now(UTC) + timedelta(days=7)
    app = AppState.open(phone.store, Ports(fake, fake, fake, clock=lambda: later), LONDON_WINTER, backend.url)
    (row,) = app.reports
    assert row.overdue and row.state.startswith("No answer yet after 7 days")
    app.chase(report_id)
    assert [i.kind for i in items_for_report(phone.store, report_id)] == ["report", "chase"]
    assert drain(engine_for(phone, backend.url), 30)
    assert [i.state for i in items_for_report(phone.store, report_id)] == ["sent", "sent"]
    assert server_rows(backend, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'chased'", report_id) == [
        (1,)
    ]


def test_each_report_carries_sent_at_so_the_server_can_correct_the_phones_clock(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    (report_id,) = save_reports(phone, reports=1, photos_each=0, seed=24)
    # The phone's clock is two hours fast: the engine stamps sent_at from it, and the server sees the skew.
    engine = engine_for(phone, backend.url)
    engine.clock = lambda: datetime.now(UTC) + timedelta(hours=2)
    assert drain(engine, 30)
    ((sent_at, skew),) = server_rows(backend, "SELECT sent_at, clock_skew_s FROM reports WHERE id = ?", report_id)
    assert sent_at is not None and skew is not None and abs(abs(skew) - 7200) < 120


def test_the_status_after_a_clean_pass_names_the_time_and_no_problem(backend: LiveServer, tmp_path: Path) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    save_reports(phone, reports=1, photos_each=1, seed=25)
    engine = engine_for(phone, backend.url)
    statuses: list[SyncStatus] = []
    engine.on_change = statuses.append
    assert drain(engine, 30)
    assert statuses[-1].last_error is None and statuses[-1].last_sync_at is not None
    assert records.get(phone.store, records.LAST_SYNC) == statuses[-1].last_sync_at
    assert any(s.photo_total and s.photo_sent == s.photo_total for s in statuses)  # progress reached the end
