"""The farmer's details and this phone's registration with the server.

Registration is queued in the outbox like a report: the farmer can report before it has gone through, and
the sync engine sends it first (it is the oldest item, and reports cannot be sent without its token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.store.db import Store
from wire.reports import DeviceCreate


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
    queuing a second registration.
    """
    payload = details.model_dump_json()
    with store.write() as db:
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
