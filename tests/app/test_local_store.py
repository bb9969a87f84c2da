"""The phone's database: one transaction per save, an outbox for the sync engine, migrations recorded."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.services.photos import process_photo
from app.store import Store
from app.store import outbox as outbox_store
from app.store import photos as photo_store
from app.store import places as place_store
from app.store import profile as profile_store
from app.store import reports as report_store
from app.store.drafts import latest_draft, save_draft
from core.files import write_atomic
from core.migrations import migration_names
from tests.app.images import camera_jpeg
from tests.support import report_body
from wire.reports import DeviceCreate, PhotoDeclared, ReportCreate

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def _photo(store: Store, draft_id: str) -> photo_store.StoredPhoto:
    return photo_store.add_draft_photo(store, draft_id, str(uuid.uuid4()), process_photo(camera_jpeg()), NOW)


def _report(photos: list[photo_store.StoredPhoto]) -> ReportCreate:
    declared = [
        PhotoDeclared(photo_id=uuid.UUID(p.id), sha256=p.upload_sha256, bytes=p.upload_bytes, content_type="image/jpeg")
        for p in photos
    ]
    return ReportCreate.model_validate({**report_body(), "photos": [d.model_dump(mode="json") for d in declared]})


def _count(store: Store, table: str) -> int:
    with store.read() as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_migrations_are_recorded_and_not_applied_twice(data_dir: Path) -> None:
    Store(data_dir).close()
    again = Store(data_dir)
    with again.read() as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations")]
        tables = set(db.table_names())
    again.close()
    assert names[0] == "m0001_local"
    assert names == migration_names("app.store.migrations")  # every migration recorded, each once
    assert {"profile", "reports", "photos", "outbox", "drafts", "places", "settings", "status_updates"} <= tables


def test_saving_a_report_writes_report_photos_and_outbox_together_and_removes_the_draft(store: Store) -> None:
    save_draft(store, "d1", "review", {"description": "x"}, NOW)
    photos = [_photo(store, "d1"), _photo(store, "d1")]
    report = _report(photos)
    report_store.save_report(store, "r1", "d1", report, NOW)
    assert latest_draft(store) is None
    assert [p.id for p in photo_store.report_photos(store, "r1")] == [p.id for p in photos]
    items = outbox_store.items_for_report(store, "r1")
    assert [(i.kind, i.photo_id, i.state) for i in items] == [
        ("report", None, "pending"),
        ("photo", photos[0].id, "pending"),
        ("photo", photos[1].id, "pending"),
    ]
    body = report_store.report_body(store, "r1")
    assert ReportCreate.model_validate(body).content_hash() == report.content_hash()


def test_a_failed_save_leaves_nothing_behind_and_keeps_the_draft(store: Store) -> None:
    save_draft(store, "d1", "review", {"description": "x"}, NOW)
    mine = _photo(store, "d1")
    other = _photo(store, "d2")  # a photo from another draft cannot be claimed
    with pytest.raises(report_store.SaveError, match="not part of this draft"):
        report_store.save_report(store, "r1", "d1", _report([mine, other]), NOW)
    assert _count(store, "reports") == 0
    assert _count(store, "outbox") == 0
    assert latest_draft(store) is not None
    assert [p.id for p in photo_store.draft_photos(store, "d1")] == [mine.id]


def test_the_same_report_cannot_be_saved_twice(store: Store) -> None:
    report_store.save_report(store, "r1", "d1", _report([]), NOW)
    with pytest.raises(report_store.SaveError, match="already saved"):
        report_store.save_report(store, "r1", "d1", _report([]), NOW)
    assert _count(store, "outbox") == 1


def test_registration_is_queued_once_and_replaced_when_edited_before_it_is_sent(store: Store) -> None:
    details = DeviceCreate(name="Jo", phone="07700 900123", postcode="ME13 9AB")
    profile_store.save_profile(store, details, "http://h.test", NOW)
    profile_store.save_profile(store, details.model_copy(update={"name": "Jo Farmer"}), "http://h.test", NOW)
    items = outbox_store.pending_items(store, NOW)
    assert [i.kind for i in items] == ["register"]
    assert json.loads(items[0].payload or "{}")["name"] == "Jo Farmer"
    profile_store.set_registered(store, "dev-1", "tok", NOW)
    profile = profile_store.load_profile(store)
    assert profile is not None and profile.registered and profile.device_id == "dev-1"


def test_outbox_lists_pending_items_oldest_first_and_records_each_result(store: Store) -> None:
    profile_store.save_profile(store, DeviceCreate(name="Jo", phone="07700 900123"), "http://h.test", NOW)
    save_draft(store, "d1", "review", {}, NOW)
    photo = _photo(store, "d1")
    report_store.save_report(store, "r1", "d1", _report([photo]), NOW)
    pending = outbox_store.pending_items(store, NOW)
    assert [i.kind for i in pending] == ["register", "report", "photo"]
    register, report, upload = pending

    outbox_store.mark_sending(store, register.id, NOW)
    outbox_store.mark_sent(store, register.id, NOW)
    outbox_store.mark_sending(store, report.id, NOW)
    outbox_store.mark_failed(store, report.id, "connection refused", retry_at=NOW + timedelta(minutes=5))
    outbox_store.record_upload_progress(store, upload.id, "http://h.test/files/abc", 65536)

    assert [i.kind for i in outbox_store.pending_items(store, NOW)] == ["photo"]
    later = outbox_store.pending_items(store, NOW + timedelta(minutes=5))
    assert [(i.kind, i.attempts, i.last_error) for i in later] == [
        ("report", 1, "connection refused"),
        ("photo", 0, None),
    ]
    assert (later[1].upload_url, later[1].upload_offset) == ("http://h.test/files/abc", 65536)

    outbox_store.mark_sent(store, report.id, NOW + timedelta(minutes=6))
    summary = report_store.list_reports(store)[0]
    assert summary.sent_at == (NOW + timedelta(minutes=6)).isoformat()


def test_a_failure_that_retrying_cannot_fix_is_not_offered_again(store: Store) -> None:
    report_store.save_report(store, "r1", "d1", _report([]), NOW)
    item = outbox_store.pending_items(store, NOW)[0]
    outbox_store.mark_failed(store, item.id, "422: bad category", retry_at=None)
    assert outbox_store.pending_items(store, NOW + timedelta(days=3650)) == []


def test_reports_are_listed_newest_first(store: Store) -> None:
    older = {**report_body(), "created_at": "2026-11-19T10:00:00+00:00", "occurred_at": "2026-11-19T10:00:00+00:00"}
    report_store.save_report(store, "old", "d1", ReportCreate.model_validate(older), NOW)
    report_store.save_report(store, "new", "d2", _report([]), NOW)
    assert [r.id for r in report_store.list_reports(store)] == ["new", "old"]


def test_places_are_saved_renamed_and_listed_most_recent_first(store: Store) -> None:
    place_store.save_place(store, "Top gate", 51.25, 0.9, 8.0, None, NOW)
    place_store.save_place(store, " Long   Meadow ", 51.26, 0.91, None, "TR 001 600", NOW + timedelta(minutes=1))
    moved = place_store.save_place(store, "top gate", 51.2501, 0.9001, 5.0, None, NOW + timedelta(minutes=2))
    assert moved.name == "Top gate" and moved.lat == 51.2501
    assert [p.name for p in place_store.list_places(store)] == ["Top gate", "Long Meadow"]
    with pytest.raises(ValueError, match="Give the place a name"):
        place_store.save_place(store, "   ", 51.0, 0.0, None, None, NOW)
    with pytest.raises(ValueError, match="under 60"):
        place_store.save_place(store, "x" * 61, 51.0, 0.0, None, None, NOW)


def test_sweep_removes_half_written_and_unclaimed_photo_files_and_keeps_the_rest(store: Store) -> None:
    kept = _photo(store, "d1")
    (store.photo_dir / ".abc.jpg.123.tmp").write_bytes(b"half")
    (store.photo_dir / "orphan.jpg").write_bytes(b"written before a crash, never committed")
    assert photo_store.sweep_orphans(store) == 2
    names = sorted(p.name for p in store.photo_dir.iterdir())
    assert names == sorted([Path(kept.original_path).name, Path(kept.upload_path).name])


def test_atomic_write_leaves_the_whole_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "photo.jpg"
    write_atomic(target, b"first")
    write_atomic(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert [p.name for p in tmp_path.iterdir()] == ["photo.jpg"]


def test_photo_files_on_disk_match_the_recorded_hashes(store: Store) -> None:
    photo = _photo(store, "d1")
    assert photo_store.file_sha256(store.data_dir / photo.upload_path) == photo.upload_sha256
    assert photo_store.file_sha256(store.data_dir / photo.original_path) == photo.original_sha256


def test_a_seventh_photo_is_refused(store: Store) -> None:
    for _ in range(6):
        _photo(store, "d1")
    with pytest.raises(photo_store.TooManyPhotos, match=r"^A report can have up to 6 photos$"):
        _photo(store, "d1")
    assert len(photo_store.draft_photos(store, "d1")) == 6


def test_the_database_is_durable_wal(store: Store) -> None:
    conn = sqlite3.connect(store.data_dir / "hedgerow.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    with store.read() as db:
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
