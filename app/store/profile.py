"""The farmer's details and this phone's registration with the server.

Registration is queued in the outbox like a report: the farmer can report before it has gone through, and
the sync engine sends it first (it is the oldest item, and reports cannot be sent without its token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from app.store.db import Store
from core.i18n import DEFAULT_LANGUAGE, language_or_default
from wire.reports import DeviceCreate

LANGUAGE = "language"  # settings: the phone's language, "en" or "cy"
LANGUAGE_UNSENT = "language_unsent"  # settings: a language the server has not yet been told


@dataclass(frozen=True)
class Profile:
    name: str
    phone: str
    farm_name: str | None
    postcode: str | None
    email: str | None
    server_url: str
    device_id: str | None
    token: str | None

    @property
    def registered(self) -> bool:
        return self.token is not None


def load_profile(store: Store) -> Profile | None:
    with store.read() as db:
        row = db.execute(
            "SELECT name, phone, farm_name, postcode, email, server_url, device_id, token FROM profile WHERE id = 1"
        ).fetchone()
    return Profile(**dict(row)) if row else None


def save_profile(store: Store, details: DeviceCreate, server_url: str, now: datetime) -> Profile:
    """Keep the farmer's details and queue the registration, in one transaction.

    Editing the details before the registration has gone through replaces what is queued rather than
    queuing a second registration. The registration carries the language the phone is in, so that the server
    writes to the farmer in it from the first answer.
    """
    with store.write() as db:
        payload = json.dumps(_with_language(details.model_dump(mode="json", exclude={"language"}), _language(db)))
        db.execute(
            "INSERT INTO profile (id, name, phone, farm_name, postcode, email, server_url, created_at) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "phone = excluded.phone, farm_name = excluded.farm_name, postcode = excluded.postcode, "
            "email = excluded.email, server_url = excluded.server_url",
            [
                details.name,
                details.phone,
                details.farm_name,
                details.postcode,
                details.email,
                server_url,
                now.isoformat(),
            ],
        )
        registered = db.execute("SELECT token FROM profile WHERE id = 1").fetchone()[0] is not None
        if not registered:
            queued = db.execute("SELECT id FROM outbox WHERE kind = 'register' AND state != 'sent'").fetchone()
            if queued:
                db.execute("UPDATE outbox SET payload = ? WHERE id = ?", [payload, queued[0]])
            else:
                db.execute(
                    "INSERT INTO outbox (kind, payload, created_at) VALUES ('register', ?, ?)",
                    [payload, now.isoformat()],
                )
    profile = load_profile(store)
    assert profile is not None
    return profile


def _with_language(details: dict[str, object], language: str) -> dict[str, object]:
    """The registration's details with the farmer's language. English, the server's default, is left out: a phone
    in English registers exactly as before languages existed, with any server."""
    details = {k: v for k, v in details.items() if k != "language"}
    return details if language == DEFAULT_LANGUAGE else {**details, "language": language}


def _language(db: sqlite_utils.Database) -> str:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [LANGUAGE]).fetchone()
    return language_or_default(json.loads(row[0]) if row else None)


def phone_language(store: Store) -> str:
    """The language the farmer chose for this phone (English until they choose)."""
    with store.read() as db:
        return _language(db)


def save_language(store: Store, language: str, now: datetime) -> None:
    """Keep the farmer's language, and make sure the server hears it, in one transaction. Before the farmer's
    details are saved there is nothing to tell (the registration will carry it). After, a registration still
    queued carries the new language, and the language also waits (`LANGUAGE_UNSENT`) for the sync engine to send
    it with `PATCH /api/v1/me` once the phone has its token: a change made with no signal, or while the
    registration was already on its way, is never lost."""
    language = language_or_default(language)
    with store.write() as db:
        _put(db, LANGUAGE, language, now)
        if db.execute("SELECT 1 FROM profile WHERE id = 1").fetchone() is None:
            return
        queued = db.execute("SELECT id, payload FROM outbox WHERE kind = 'register' AND state != 'sent'").fetchone()
        if queued:
            details = _with_language(json.loads(queued[1] or "{}"), language)
            db.execute("UPDATE outbox SET payload = ? WHERE id = ?", [json.dumps(details), queued[0]])
        _put(db, LANGUAGE_UNSENT, language, now)


def _put(db: sqlite_utils.Database, key: str, value: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, json.dumps(value), now.isoformat()],
    )


def language_to_send(store: Store) -> str | None:
    """A language chosen since registration that the server has not yet been told."""
    with store.read() as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", [LANGUAGE_UNSENT]).fetchone()
    return json.loads(row[0]) if row else None


def language_sent(store: Store, language: str) -> None:
    """The server has `language`; unless the farmer chose another meanwhile, nothing more to send."""
    with store.write() as db:
        db.execute("DELETE FROM settings WHERE key = ? AND value = ?", [LANGUAGE_UNSENT, json.dumps(language)])


def set_registered(store: Store, device_id: str, token: str, now: datetime) -> None:
    """Record the server's answer to the registration (the sync engine calls this)."""
    with store.write() as db:
        db.execute(
            "UPDATE profile SET device_id = ?, token = ?, registered_at = ? WHERE id = 1",
            [device_id, token, now.isoformat()],
        )


def clear_contact(store: Store) -> Profile | None:
    """Blank the farmer's name, phone, email, farm name and postcode on the phone too, once the police have erased
    them at the farmer's request; the registration (device id, token, server) stays, so answers still arrive."""
    with store.write() as db:
        db.execute(
            "UPDATE profile SET name = '', phone = '', farm_name = NULL, postcode = NULL, email = NULL WHERE id = 1"
        )
        # The registration that went to the server carried them too; it is kept only as a record of sending.
        db.execute("UPDATE outbox SET payload = '{}' WHERE kind = 'register' AND state = 'sent'")
    return load_profile(store)
