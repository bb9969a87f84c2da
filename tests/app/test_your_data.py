"""The "Your data" screen's state on a real phone database: deleting everything asks first and leaves nothing,
the question counts what the police have not received, the erasure blanks the phone's own copy of the contact
details and keeps the registration, and a phone not yet registered is told so rather than sent to the server.
(The screen itself, against the real backend, is tests/app/test_your_data_browser.py.)"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.photos import process_photo
from app.state.app_state import AppState
from app.state.your_data import NOT_REGISTERED, YourData, lost_in_words, size_in_words
from app.store import Store
from app.store import outbox as outbox_store
from app.store import photos as photo_store
from app.store import profile as profile_store
from app.store import reports as report_store
from app.store.drafts import save_draft
from app.store.wipe import Unsent, unsent
from core.files import atomic_file
from tests.app.conftest import register
from tests.app.images import camera_jpeg
from tests.support import report_body
from wire.farmer_data import ContactErasure
from wire.reports import PhotoDeclared, ReportCreate

NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def _saved_report(store: Store, draft_id: str) -> str:
    photo = photo_store.add_draft_photo(store, draft_id, str(uuid.uuid4()), process_photo(camera_jpeg()), NOW)
    declared = PhotoDeclared(
        photo_id=uuid.UUID(photo.id), sha256=photo.upload_sha256, bytes=photo.upload_bytes, content_type="image/jpeg"
    )
    report = ReportCreate.model_validate({**report_body(), "photos": [declared.model_dump(mode="json")]})
    report_id = str(uuid.uuid4())
    report_store.save_report(store, report_id, draft_id, report, NOW)
    return report_id


def _registered(app: AppState, store: Store) -> None:
    """As the sync engine leaves a phone whose registration went through: its token kept, the item sent."""
    register(app)
    profile_store.set_registered(store, str(uuid.uuid4()), "hd_phone-token", NOW)
    [item] = outbox_store.pending_items(store, NOW)
    outbox_store.mark_sent(store, item.id, NOW)


def test_the_question_says_what_would_be_lost_in_words() -> None:
    assert lost_in_words(Unsent(0, 0, False)) == ""
    assert lost_in_words(Unsent(1, 0, False)) == (
        "1 report has not been sent yet: it will be lost, and the police will never get it."
    )
    assert lost_in_words(Unsent(3, 2, True)) == (
        "3 reports have not been sent yet: they will be lost, and the police will never get them. "
        "2 photos of sent reports will never reach the police. The report you had started will be lost."
    )
    assert (size_in_words(300), size_in_words(2_400), size_in_words(3_250_000)) == ("1 KB", "2 KB", "3.2 MB")


def test_delete_everything_asks_first_and_counts_the_unsent_reports(app: AppState, store: Store) -> None:
    register(app)
    _saved_report(store, "d1")
    save_draft(store, "d2", "details", {"description": "half typed"}, NOW)
    app.open_your_data()
    data = app.your_data
    assert data is not None and app.screen == "your_data"
    data.delete_everything()  # not yet asked: it asks, and deletes nothing
    assert data.confirm == "delete"
    assert data.lost == (
        "1 report has not been sent yet: it will be lost, and the police will never get it. "
        "The report you had started will be lost."
    )
    data.cancel()
    assert (data.confirm, data.lost) == ("", "")
    assert unsent(store) == Unsent(1, 0, True)


def test_deleting_everything_leaves_an_empty_phone_at_the_first_screen(
    app: AppState, store: Store, data_dir: Path
) -> None:
    _registered(app, store)
    report_id = _saved_report(store, "d1")
    (data_dir / "exports").mkdir()
    (data_dir / "exports" / "hedgerow-my-data-2026-11-20.zip").write_bytes(b"PK a download")
    assert [p for p in (data_dir / "photos").rglob("*") if p.is_file()]
    app.open_your_data()
    assert app.your_data is not None
    app.your_data.ask_delete()
    app.your_data.delete_everything()
    assert (app.screen, app.profile, app.reports, app.your_data) == ("register", None, [], None)
    assert app.registration.name == "" and app.registration.server_url == app.server_url
    with store.read() as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        holding = [t for t in tables if t != "_migrations" and db.execute(f'SELECT 1 FROM "{t}"').fetchone()]
    assert holding == []
    assert [p for p in data_dir.rglob("*") if p.is_file() and not p.name.startswith("hedgerow.db")] == []
    stored = b"".join(p.read_bytes() for p in data_dir.glob("hedgerow.db*"))
    assert b"Jo Farmer" not in stored and report_id.encode() not in stored
    assert app.your_data is None
    assert app.registration.validated() is None  # a fresh, empty form


def test_erasure_blanks_the_phones_own_copy_and_keeps_its_registration(app: AppState, store: Store) -> None:
    _registered(app, store)
    app.open_your_data()
    data = app.your_data
    assert data is not None
    asked: list[tuple[str, str]] = []
    words = "Done. Your name, phone number, email address, farm name and postcode were erased from Hedgerow."

    async def erase(server_url: str, token: str) -> ContactErasure:
        asked.append((server_url, token))
        return ContactErasure(erased_at=NOW, removed=["your name"], kept=[], message=words)

    data._erase = erase
    asyncio.run(data.erase_contact())  # not yet asked: it asks, and sends nothing
    assert (data.confirm, asked) == ("erase", [])
    asyncio.run(data.erase_contact())
    assert asked == [(app.server_url, "hd_phone-token")]
    assert (data.erased, data.erase_problem, data.confirm) == (words, "", "")
    profile = profile_store.load_profile(store)
    assert profile is not None and app.profile == profile
    contact = (profile.name, profile.phone, profile.farm_name, profile.postcode, profile.email)
    assert contact == ("", "", None, None, None)
    assert profile.token == "hd_phone-token"
    with store.read() as db:
        assert [r[0] for r in db.execute("SELECT payload FROM outbox WHERE kind = 'register'")] == ["{}"]


@pytest.mark.parametrize("action", ["download", "erase"])
def test_a_phone_not_yet_registered_is_told_so_and_nothing_is_sent(app: AppState, store: Store, action: str) -> None:
    register(app)  # the details are saved, the registration not yet through: no token
    app.open_your_data()
    data = app.your_data
    assert isinstance(data, YourData)

    async def refuse(*args: object) -> ContactErasure:
        raise AssertionError(f"nothing should be sent: {args}")

    data._erase, data._download = refuse, refuse  # type: ignore[assignment]
    if action == "download":
        asyncio.run(data.download())
        assert data.download_problem == NOT_REGISTERED
    else:
        data.ask_erase()
        asyncio.run(data.erase_contact())
        assert data.erase_problem == NOT_REGISTERED
        assert profile_store.load_profile(store).name == "Jo Farmer"  # type: ignore[union-attr]


def test_an_atomic_file_appears_only_when_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "exports" / "download.zip"
    with pytest.raises(ConnectionError, match="signal lost"), atomic_file(target) as f:
        f.write(b"the first half")
        raise ConnectionError("signal lost")
    assert list(target.parent.iterdir()) == []
    with atomic_file(target) as f:
        f.write(b"all of it")
    assert target.read_bytes() == b"all of it" and list(target.parent.iterdir()) == [target]
