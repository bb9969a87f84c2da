"""The farmer's language reaches the real server (issue 18): with the registration, or later by PATCH /api/v1/me
from the sync pass, never lost when it was chosen with no signal; refusals and a forgotten token handled."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.store import Store
from app.store import profile as profile_store
from app.store import settings as settings_store
from app.sync import records
from tests.app.sync_support import Phone, registered_phone, sync_server
from tests.app.test_sync_behaviour import one_pass
from tests.app.test_sync_faults import drain, engine_for
from tests.support import LiveServer


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = sync_server(tmp_path_factory.mktemp("language-server"))
    yield live
    live.stop()


def _server_language(backend: LiveServer, phone: Phone) -> str:
    profile = profile_store.load_profile(phone.store)
    assert profile is not None and profile.device_id
    db = sqlite3.connect(f"file:{backend.data_dir / 'hedgerow.db'}?mode=ro", uri=True)
    try:
        [(language,)] = db.execute("SELECT language FROM devices WHERE id = ?", [profile.device_id]).fetchall()
    finally:
        db.close()
    return str(language)


def _welsh_phone(path: Path, url: str) -> Phone:
    """A phone whose farmer chose Cymraeg on the first screen, then saved their details."""
    store = Store(path)
    profile_store.save_language(store, "cy", datetime.now(UTC))
    store.close()
    return registered_phone(path, url)


def test_a_phone_registered_in_welsh_is_welsh_on_the_server_from_its_first_answer(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = _welsh_phone(tmp_path / "phone", backend.url)
    assert drain(engine_for(phone, backend.url), 30)
    assert _server_language(backend, phone) == "cy"
    assert profile_store.language_to_send(phone.store) is None  # nothing more to say


def test_a_language_chosen_with_no_signal_reaches_the_server_at_the_next_pass(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    assert drain(engine_for(phone, backend.url), 30)
    assert _server_language(backend, phone) == "en"

    profile_store.save_language(phone.store, "cy", datetime.now(UTC))  # in a field, no signal
    assert not one_pass(engine_for(phone, "http://127.0.0.1:9"))  # the pass fails: nothing reaches a server
    assert profile_store.language_to_send(phone.store) == "cy"
    assert records.waiting(phone.store).other == 1

    assert one_pass(engine_for(phone, backend.url))  # signal again
    assert _server_language(backend, phone) == "cy"
    assert profile_store.language_to_send(phone.store) is None
    assert records.waiting(phone.store).other == 0

    profile_store.save_language(phone.store, "en", datetime.now(UTC))
    assert one_pass(engine_for(phone, backend.url))
    assert _server_language(backend, phone) == "en"


def test_a_language_the_server_refuses_is_not_asked_again_and_the_phone_keeps_its_own(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    assert drain(engine_for(phone, backend.url), 30)
    # What a damaged or hand-edited setting would hold: the server answers 422 and will never take it.
    settings_store.set_setting(phone.store, profile_store.LANGUAGE_UNSENT, "fr", datetime.now(UTC))
    assert one_pass(engine_for(phone, backend.url))
    assert profile_store.language_to_send(phone.store) is None
    assert _server_language(backend, phone) == "en"


def test_a_token_the_server_no_longer_knows_keeps_the_language_waiting_for_the_new_registration(
    backend: LiveServer, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    assert drain(engine_for(phone, backend.url), 30)
    with phone.store.write() as db:
        db.execute("UPDATE profile SET token = 'not-a-token-the-server-issued'")
    profile_store.save_language(phone.store, "cy", datetime.now(UTC))
    engine = engine_for(phone, backend.url)
    assert not one_pass(engine)
    assert engine.status.needs_registration
    assert profile_store.language_to_send(phone.store) == "cy"  # not lost
    assert _server_language(backend, phone) == "en"
