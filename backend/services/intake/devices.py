"""Farmers' phones: registered once, each with a token that is shown once and stored only as a hash."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlite_utils

from backend.security import DEVICE_TOKEN_PREFIX, iso, new_token, token_hash
from backend.writes import write
from wire.reports import DeviceCreate


def register(db: sqlite_utils.Database, body: DeviceCreate, ip: str, now: datetime) -> tuple[str, str]:
    """Register a phone; returns its id and its token (the only time the token exists in clear)."""
    device_id = str(uuid.uuid4())
    token = new_token(DEVICE_TOKEN_PREFIX)
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, farm_name, postcode, email, created_at, created_ip, "
        "language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            device_id,
            token_hash(token),
            body.name,
            body.phone,
            body.farm_name,
            body.postcode,
            body.email,
            iso(now),
            ip,
            body.language,
        ],
    )
    return device_id, token


def set_language(db: sqlite_utils.Database, device_id: str, language: str) -> None:
    """The language the farmer now reads: the server's texts for this phone are written in it from now on (the
    timeline's words are written when read, so a report sent earlier reads in it too)."""
    with write(db):
        db.execute("UPDATE devices SET language = ? WHERE id = ?", [language, device_id])


def language_of(db: sqlite_utils.Database, device_id: str | None) -> str:
    """The language the phone that sent a report reads (English for a report with no phone left)."""
    row = db.execute("SELECT language FROM devices WHERE id = ?", [device_id]).fetchone() if device_id else None
    return row[0] if row else "en"
