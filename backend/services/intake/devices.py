"""Farmers' phones: registered once, each with a token that is shown once and stored only as a hash."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlite_utils

from backend.security import DEVICE_TOKEN_PREFIX, iso, new_token, token_hash
from wire.reports import DeviceCreate


def register(db: sqlite_utils.Database, body: DeviceCreate, ip: str, now: datetime) -> tuple[str, str]:
    """Register a phone; returns its id and its token (the only time the token exists in clear)."""
    device_id = str(uuid.uuid4())
    token = new_token(DEVICE_TOKEN_PREFIX)
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, farm_name, postcode, email, created_at, created_ip) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [device_id, token_hash(token), body.name, body.phone, body.farm_name, body.postcode, body.email, iso(now), ip],
    )
    return device_id, token
