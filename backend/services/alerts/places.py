"""A device's alert places and channels: what a farmer chose to hear about, and how.

Places are stored coarse whatever the phone sends (geometry.coarse_place: the centre of the 1 km National Grid
square), so the server never holds a farm's exact point for alerts. The channels send the alert by SMS to the
phone number the device registered with, or by email to its registered address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from backend.services.alerts.geometry import circle_box, coarse_place
from backend.services.alerts.store import stamp
from backend.services.errors import Invalid
from backend.writes import write
from wire.alerts import AlertChannels, AlertPlace


def _subscription(db: sqlite_utils.Database, device_id: str, now: datetime, **columns: Any) -> None:
    """Create or update the device's row of `alert_subscriptions` with these columns."""
    names = ["device_id", "updated_at", *columns]
    values = [device_id, stamp(now), *columns.values()]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
    db.execute(
        f"INSERT INTO alert_subscriptions ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT (device_id) DO UPDATE SET {updates}",
        values,
    )


def set_places(
    db: sqlite_utils.Database, device_id: str, places: list[AlertPlace], now: datetime
) -> list[dict[str, float]]:
    """Replace the device's places; returns them as stored (coarse; one per square and radius). [] opts out."""
    stored = list(dict.fromkeys(coarse_place(p.lat, p.lon, p.radius_km) for p in places))
    with write(db):
        db.execute("DELETE FROM alert_places WHERE device_id = ?", [device_id])
        for lat, lon, radius_km in stored:
            columns = {"device_id": device_id, "lat": lat, "lon": lon, "radius_km": radius_km}
            columns |= circle_box(lat, lon, radius_km).columns()
            db.execute(
                f"INSERT INTO alert_places ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                list(columns.values()),
            )
        _subscription(db, device_id, now)
        db.execute(
            "UPDATE alert_subscriptions SET places_version = places_version + 1 WHERE device_id = ?", [device_id]
        )
    return places_of(db, device_id)


def places_of(db: sqlite_utils.Database, device_id: str) -> list[dict[str, float]]:
    rows = db.execute("SELECT lat, lon, radius_km FROM alert_places WHERE device_id = ? ORDER BY id", [device_id])
    return [{"lat": r[0], "lon": r[1], "radius_km": r[2]} for r in rows]


def set_channels(db: sqlite_utils.Database, device_id: str, body: AlertChannels, now: datetime) -> AlertChannels:
    """Choose SMS and email for the device's alerts; refused when the registration has no number or address."""
    with write(db):
        device = db.execute("SELECT phone, email FROM devices WHERE id = ?", [device_id]).fetchone()
        if body.sms and not (device["phone"] or "").strip():
            raise Invalid("sms: this phone was registered without a phone number")
        if body.email and not (device["email"] or "").strip():
            raise Invalid("email: this phone was registered without an email address; add one to get alerts by email")
        _subscription(db, device_id, now, sms=int(body.sms), email=int(body.email))
    return channels_of(db, device_id)


def channels_of(db: sqlite_utils.Database, device_id: str) -> AlertChannels:
    row = db.execute("SELECT sms, email FROM alert_subscriptions WHERE device_id = ?", [device_id]).fetchone()
    return AlertChannels(sms=bool(row and row[0]), email=bool(row and row[1]))
