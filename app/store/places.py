"""Named places on the farm ("Top gate", "Long Meadow"): most incidents recur at a few of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.i18n import _
from app.store.db import Store

MAX_NAME = 60


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    lat: float
    lon: float
    accuracy_m: float | None
    grid_ref: str | None


def list_places(store: Store) -> list[Place]:
    """Most recently used first, then by name."""
    with store.read() as db:
        rows = db.execute(
            "SELECT id, name, lat, lon, accuracy_m, grid_ref FROM places "
            "ORDER BY COALESCE(last_used_at, created_at) DESC, name"
        ).fetchall()
    return [Place(**dict(r)) for r in rows]


def save_place(
    store: Store,
    name: str,
    lat: float,
    lon: float,
    accuracy_m: float | None,
    grid_ref: str | None,
    now: datetime,
) -> Place:
    """Save a place under a name; the same name again moves it (the farmer corrected it)."""
    clean = " ".join(name.split())
    if not clean:
        raise ValueError(_("Give the place a name, for example Top gate"))
    if len(clean) > MAX_NAME:
        raise ValueError(_("Keep the name under {limit} letters").format(limit=MAX_NAME))
    with store.write() as db:
        db.execute(
            "INSERT INTO places (name, lat, lon, accuracy_m, grid_ref, created_at, last_used_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET lat = excluded.lat, "
            "lon = excluded.lon, accuracy_m = excluded.accuracy_m, grid_ref = excluded.grid_ref, "
            "last_used_at = excluded.last_used_at",
            [clean, lat, lon, accuracy_m, grid_ref, now.isoformat(), now.isoformat()],
        )
        row = db.execute(
            "SELECT id, name, lat, lon, accuracy_m, grid_ref FROM places WHERE name = ?", [clean]
        ).fetchone()
    return Place(**dict(row))


def touch_place(store: Store, place_id: int, now: datetime) -> None:
    with store.write() as db:
        db.execute("UPDATE places SET last_used_at = ? WHERE id = ?", [now.isoformat(), place_id])


def approximate_point(store: Store) -> tuple[float, float] | None:
    """The phone's best guess of where the farmer is when they can give no position: the saved place used
    last, else the location of their latest report, else None."""
    with store.read() as db:
        row = db.execute(
            "SELECT lat, lon FROM places ORDER BY COALESCE(last_used_at, created_at) DESC LIMIT 1"
        ).fetchone()
        if row is None:
            row = db.execute(
                "SELECT json_extract(body, '$.location.lat'), json_extract(body, '$.location.lon') FROM reports "
                "ORDER BY saved_at DESC LIMIT 1"
            ).fetchone()
    return (float(row[0]), float(row[1])) if row and row[0] is not None else None
