"""What the sync engine does when the real server refuses something: 409, 422, 401; and its backoff."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.store.outbox import items_for_report
from app.store.profile import load_profile, save_profile
from app.sync import records
from app.sync.backoff import Backoff
from tests.app.sync_support import registered_phone, save_reports, server_holds, sync_server
from tests.app.test_sync_faults import drain, engine_for, shown_states
from tests.support import LiveServer
from wire.reports import DeviceCreate


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = sync_server(tmp_path_factory.mktemp("refusal-server"))
    yield live
    live.stop()


def edit_body(phone_store, report_id: str, **changes: object) -> None:  # type: ignore[no-untyped-def]
    with phone_store.write() as db:
        body = json.loads(db.execute("SELECT body FROM reports WHERE id = ?", [report_id]).fetchone()[0])
        body.update(changes)
        db.execute("UPDATE reports SET body = ? WHERE id = ?", [json.dumps(body), report_id])


def problem(phone_store, report_id: str) -> str | None:  # type: ignore[no-untyped-def]
    with phone_store.read() as db:
        return db.execute("SELECT problem FROM reports WHERE id = ?", [report_id]).fetchone()[0]


def test_backoff_starts_near_thirty_seconds_doubles_caps_near_fifteen_minutes_and_resets() -> None:
    backoff = Backoff(rng=random.Random(3))
    first = backoff.failed()
    assert 15 <= first <= 30
    second = backoff.failed()
    assert 30 <= second <= 60
    for _ in range(20):
        last = backoff.failed()
    assert 450 <= last <= 900
    backoff.reset()
    assert backoff.current() == 0
    assert 15 <= backoff.failed() <= 30


def test_a_report_the_server_holds_differently_is_marked_conflicting_and_not_retried(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    first, second = save_reports(phone, reports=2, photos_each=0, seed=1)
    assert drain(engine_for(phone, backend.url), 30)
    # The same report id with other words: the server must not overwrite what it holds.
    edit_body(phone.store, first, description="Changed after sending")
    with phone.store.write() as db:
        db.execute("UPDATE outbox SET state = 'pending' WHERE report_id = ?", [first])
    engine = engine_for(phone, backend.url)
    assert drain(engine, 30)
    (item,) = items_for_report(phone.store, first)
    assert (item.state, item.attempts) == ("failed", 2)
    assert "conflict" in (problem(phone.store, first) or "")
    assert problem(phone.store, second) is None
    assert drain(engine_for(phone, backend.url), 5)  # a later sync does not send it again
    assert items_for_report(phone.store, first)[0].attempts == 2
    assert records.waiting(phone.store).needing_attention == 1


def test_a_report_the_server_finds_invalid_needs_attention_with_its_message_and_the_rest_still_go(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    bad, good = save_reports(phone, reports=2, photos_each=1, seed=2)
    edit_body(phone.store, bad, location={"lat": 999, "lon": 0.9, "accuracy_m": 5.0, "source": "gps"})
    engine = engine_for(phone, backend.url)
    assert drain(engine, 30)
    states = {i.kind: i.state for i in items_for_report(phone.store, bad)}
    assert states == {"report": "failed", "photo": "pending"}  # its photo waits: the server would not take it
    assert "needs your attention" in (problem(phone.store, bad) or "") and "lat" in (problem(phone.store, bad) or "")
    assert [i.state for i in items_for_report(phone.store, good)] == ["sent", "sent"]
    held = server_holds(backend)
    assert bad not in held.reports and held.reports.get(good) == 1
    assert (tmp_path / "phone" / "photos").is_dir() and len(list((tmp_path / "phone" / "photos").iterdir())) == 4


def test_an_unknown_token_asks_to_register_again_and_loses_nothing(backend: LiveServer, tmp_path: Path) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    assert drain(engine_for(phone, backend.url), 30)
    with phone.store.write() as db:
        db.execute("UPDATE profile SET token = 'not-a-token-the-server-knows' WHERE id = 1")
    ids = save_reports(phone, reports=2, photos_each=1, seed=3)
    engine = engine_for(phone, backend.url)
    assert drain(engine, 5) is False
    assert engine.status.needs_registration
    assert "register" in (engine.status.last_error or "")
    assert records.token(phone.store) is None
    for report_id in ids:
        assert {i.state for i in items_for_report(phone.store, report_id)} <= {"pending", "failed"}
    # The farmer checks their details: a new registration is queued, and everything goes.
    profile = load_profile(phone.store)
    assert profile is not None
    details = DeviceCreate(name=profile.name, phone=profile.phone, farm_name=profile.farm_name)
    save_profile(phone.store, details, backend.url, datetime.now(UTC))
    engine = engine_for(phone, backend.url)
    assert drain(engine, 30), engine.status.last_error
    assert not engine.status.needs_registration
    held = server_holds(backend)
    assert all(held.reports.get(r) == 1 for r in ids)
    assert shown_states(phone) == ["Sent", "Sent"]
