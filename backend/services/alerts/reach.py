"""Which alerts reach which devices: an alert reaches a device when its circle meets one of the device's places.

Both directions read an R*Tree of bounding boxes first (`alert_place_boxes` for the devices an alert reaches,
`alert_boxes` for the alerts that reach a device) and then measure the exact distance between the centres of the
few candidates (geometry.circles_meet).

The pull (`GET /api/v1/alerts?since=<cursor>`): the cursor is "<seq>-<second>-<places>", the last alert event
the phone has seen, the server's time of that pull and the version of the device's places it was answered with.
Since it, the phone is sent every active alert that reaches it and changed after `seq`; and in `withdrawn`, of the
alerts it pulled before, those that changed after `seq` and no longer reach it (withdrawn, or moved away) and
those that expired after `second`. When the device's places changed since, every active alert that reaches it is
sent again, and every other alert it pulled before is in `withdrawn`. Without a cursor, every active alert that
reaches the device is sent (the phone replaces what it had).
"Pulled before" is `alert_reached`, written before the answer leaves (`record_pulled`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.services.alerts.geometry import circle_box, circles_meet
from backend.services.alerts.store import stamp
from backend.services.errors import Invalid
from backend.writes import write

_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,12})-(\d{1,12})$")
_PLACE_CANDIDATES = (
    "SELECT p.device_id, p.lat, p.lon, p.radius_km FROM alert_place_boxes b JOIN alert_places p ON p.id = b.id "
    "WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ?"
)


@dataclass(frozen=True)
class Cursor:
    seq: int
    second: int
    places: int

    def __str__(self) -> str:
        return f"{self.seq}-{self.second}-{self.places}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """None for no cursor (every alert); Invalid for text this server never gave."""
        if text is None or text == "":
            return None
        found = _CURSOR.match(text)
        if found is None:
            raise Invalid("since: not a cursor this server gave; pull without it to get every alert")
        return cls(int(found.group(1)), int(found.group(2)), int(found.group(3)))


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    radius_km: float


# A larger page cache for the connection that selects an alert's devices (a cap, not an allocation, as the sweep's):
# a wide alert reads thousands of places from random pages of the R*Tree and of `alert_places`.
CACHE_KIB = 64 * 1024


def _roomy(db: sqlite_utils.Database) -> sqlite_utils.Database:
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return db


def devices_reached(db: sqlite_utils.Database, lat: float, lon: float, radius_km: float) -> list[str]:
    """The devices with a place that the circle meets, in id order."""
    _roomy(db)
    found = {
        r[0]
        for r in db.execute(_PLACE_CANDIDATES, circle_box(lat, lon, radius_km).overlap_args())
        if circles_meet(lat, lon, radius_km, r[1], r[2], r[3])
    }
    return sorted(found)


def subscribers_reached(db: sqlite_utils.Database, alert: dict[str, Any]) -> list[dict[str, Any]]:
    """The devices the alert reaches that chose SMS or email, with their registered phone and email."""
    sql = (
        "SELECT p.device_id, p.lat, p.lon, p.radius_km, s.sms, s.email AS by_email, d.phone, d.email, d.language "
        "FROM alert_place_boxes b JOIN alert_places p ON p.id = b.id "
        "JOIN alert_subscriptions s ON s.device_id = p.device_id JOIN devices d ON d.id = p.device_id "
        "WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ? "
        "AND (s.sms = 1 OR s.email = 1) AND d.revoked_at IS NULL"
    )
    lat, lon, radius = alert["lat"], alert["lon"], alert["radius_km"]
    found: dict[str, dict[str, Any]] = {}
    for r in _roomy(db).execute(sql, circle_box(lat, lon, radius).overlap_args()):
        if r["device_id"] not in found and circles_meet(lat, lon, radius, r["lat"], r["lon"], r["radius_km"]):
            found[r["device_id"]] = dict(r)
    return [found[k] for k in sorted(found)]


def places_of(db: sqlite_utils.Database, device_id: str) -> list[Place]:
    rows = db.execute("SELECT lat, lon, radius_km FROM alert_places WHERE device_id = ? ORDER BY id", [device_id])
    return [Place(r[0], r[1], r[2]) for r in rows]


def reaches(alert: dict[str, Any], places: Iterable[Place]) -> bool:
    return any(circles_meet(alert["lat"], alert["lon"], alert["radius_km"], p.lat, p.lon, p.radius_km) for p in places)


def _active(alert: dict[str, Any], now_s: int) -> bool:
    return alert["withdrawn_at"] is None and alert["ends_s"] > now_s


def _rows(db: sqlite_utils.Database, ids: Iterable[int]) -> list[dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    return [dict(r) for r in db.execute(f"SELECT * FROM alerts WHERE id IN ({marks}) ORDER BY id", wanted)]


def active_reaching(db: sqlite_utils.Database, places: list[Place], now_s: int) -> list[dict[str, Any]]:
    """Every active alert whose circle meets one of the places, in id order."""
    candidates: set[int] = set()
    for place in places:
        box = circle_box(place.lat, place.lon, place.radius_km)
        candidates.update(
            r[0]
            for r in db.execute(
                "SELECT id FROM alert_boxes WHERE max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ? "
                "AND max_s > ?",
                [*box.overlap_args(), now_s],
            )
        )
    return [a for a in _rows(db, candidates) if _active(a, now_s) and reaches(a, places)]


@dataclass(frozen=True)
class Pull:
    alerts: list[dict[str, Any]]
    withdrawn: list[int]
    cursor: Cursor


def pull(db: sqlite_utils.Database, device_id: str, since: Cursor | None, now: datetime) -> Pull:
    """What the device is sent (see the module's docstring); read-only."""
    now_s = math.floor(now.timestamp())
    # The cursor's seq is read first: an alert changed while this pull reads gets a later seq and comes with the
    # next pull, rather than being skipped.
    seq = db.execute("SELECT coalesce(max(id), 0) FROM alert_events").fetchone()[0]
    # So is the places' version, before the places: places changed in between are taken for new next time.
    version = db.execute("SELECT places_version FROM alert_subscriptions WHERE device_id = ?", [device_id]).fetchone()
    places_version = version[0] if version else 0
    places = places_of(db, device_id)
    cursor = Cursor(seq, now_s, places_version)
    if since is None:
        return Pull(active_reaching(db, places, now_s), [], cursor)
    changed = db.execute("SELECT * FROM alerts WHERE seq > ? AND seq <= ? ORDER BY id", [since.seq, seq]).fetchall()
    gone = {r["id"] for r in changed} | {
        r[0]
        for r in db.execute(
            "SELECT id FROM alerts WHERE withdrawn_at IS NULL AND ends_s > ? AND ends_s <= ?", [since.second, now_s]
        )
    }
    if places_version != since.places:
        sent = active_reaching(db, places, now_s)
        gone |= {r[0] for r in db.execute("SELECT id FROM alerts WHERE withdrawn_at IS NULL AND ends_s > ?", [now_s])}
    else:
        sent = [dict(r) for r in changed if _active(r, now_s) and reaches(r, places)]
    # Only what the phone can hold: the alerts it pulled before (an alert that never reached it is not news).
    return Pull(sent, _pulled_before(db, device_id, gone - {a["id"] for a in sent}), cursor)


def _pulled_before(db: sqlite_utils.Database, device_id: str, alert_ids: set[int]) -> list[int]:
    if not alert_ids:
        return []
    wanted = sorted(alert_ids)
    marks = ", ".join("?" for _ in wanted)
    rows = db.execute(
        f"SELECT alert_id FROM alert_reached WHERE device_id = ? AND alert_id IN ({marks}) ORDER BY alert_id",
        [device_id, *wanted],
    )
    return [r[0] for r in rows]


def record_pulled(db: sqlite_utils.Database, device_id: str, alert_ids: list[int], now: datetime) -> int:
    """Note that the device pulled these alerts (the console's "devices reached"); writes only what is new, so a
    pull that brings nothing new writes nothing. Returns how many were new."""
    if not alert_ids:
        return 0
    held = set(_pulled_before(db, device_id, set(alert_ids)))
    new = [a for a in alert_ids if a not in held]
    if new:
        with write(db):
            db.conn.executemany(
                "INSERT OR IGNORE INTO alert_reached (alert_id, device_id, at) VALUES (?, ?, ?)",
                [(a, device_id, stamp(now)) for a in new],
            )
    return len(new)
