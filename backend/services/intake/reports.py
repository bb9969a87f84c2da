"""Report intake and read-back: idempotent by the phone's UUID, every change an event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import iso
from backend.services.areas import border
from backend.services.areas.boundaries import Area, area_index
from backend.services.errors import Conflict, Invalid, NotFound
from backend.services.intake import events
from backend.writes import write
from wire.categories import BY_CODE
from wire.reports import FarmerUpdate, PhotoDeclared, ReportCreate


def _report_row(report_id: str, device_id: str, body: ReportCreate, now: datetime, area: Area | None) -> dict[str, Any]:
    loc = body.location
    skew = (body.sent_at - now).total_seconds() if body.sent_at else None
    content = body.canonical()
    return {
        "id": report_id,
        "device_id": device_id,
        "category": body.category,
        "category_group": BY_CODE[body.category].group,
        "happening_now": int(body.happening_now),
        "anonymous": int(body.anonymous),
        "occurred_at": iso(body.occurred_at),
        "occurred_until": iso(body.occurred_until) if body.occurred_until else None,
        "description": body.description,
        "lat": loc.lat,
        "lon": loc.lon,
        "accuracy_m": loc.accuracy_m,
        "location_source": loc.source,
        "grid_ref": loc.grid_ref,
        "what3words": loc.what3words,
        "place_name": loc.place_name,
        "details": json.dumps(content["details"]),
        "vehicles": json.dumps(content["vehicles"]),
        "people": json.dumps(content["people"]) if body.people else None,
        "calls": json.dumps(content["calls"]),
        "created_at": iso(body.created_at),
        "sent_at": iso(body.sent_at) if body.sent_at else None,
        "clock_skew_s": skew,
        "received_at": iso(now),
        "updated_at": iso(now),
        "content_hash": body.content_hash(),
        "status": "received",
        "area_id": area.id if area else None,
        "force": area.force if area else None,
        "alert_id": body.alert_id,
    }


def _existing(db: sqlite_utils.Database, report_id: str, device_id: str, content_hash: str) -> bool:
    """True when this exact report is already held; raises for another device's id or changed content."""
    row = db.execute("SELECT device_id, content_hash FROM reports WHERE id = ?", [report_id]).fetchone()
    if row is None:
        return False
    if row["device_id"] != device_id:
        # Do not reveal that another farmer's report has this id.
        raise NotFound("no such report")
    if row["content_hash"] != content_hash:
        raise Conflict(
            "a different report was already sent with this id; a sent report cannot be changed, "
            "add an update to it instead"
        )
    return True


def already_held(db: sqlite_utils.Database, device_id: str, report_id: str, body: ReportCreate) -> bool:
    """The cheap check before any write: True for an exact resend; raises for another device's id or new content."""
    return _existing(db, report_id, device_id, body.content_hash())


def put_report(db: sqlite_utils.Database, device_id: str, report_id: str, body: ReportCreate, now: datetime) -> bool:
    """Store a report once. Returns True when it was created, False when the same content was already held.

    Whether it is already held is decided under the write lock, so two racing identical PUTs store one report;
    the route asks `already_held` first, so that a resend never waits for the lock."""
    with write(db):
        if _existing(db, report_id, device_id, body.content_hash()):
            return False
        if body.alert_id is not None and not _alert_exists(db, body.alert_id):
            raise Invalid(f"alert_id: there is no alert {body.alert_id}; send the report without it")
        areas = area_index(db)
        row = _report_row(report_id, device_id, body, now, areas.locate(body.location.lat, body.location.lon))
        db.execute(
            f"INSERT INTO reports ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
        for idx, vehicle in enumerate(body.vehicles):
            if vehicle.registration:
                db.execute(
                    "INSERT INTO report_vehicles (report_id, idx, registration) VALUES (?, ?, ?)",
                    [report_id, idx, vehicle.registration],
                )
        for idx, call in enumerate(body.calls):
            db.execute(
                "INSERT INTO report_calls (report_id, idx, channel, called_at, waited_s, outcome, reference) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    report_id,
                    idx,
                    call.channel,
                    iso(call.called_at),
                    call.waited_s,
                    call.outcome,
                    call.reference,
                ],
            )
        _declare_photos(db, report_id, body.photos, now)
        # Which neighbouring forces' officers may also see it (the console's cross-border rule).
        border.record_many(db, [(report_id, row["lat"], row["lon"], row["force"])], areas)
        events.record_event(db, row, "received", now, "device", device_id)
        if body.sent_at:
            db.execute(
                "UPDATE devices SET clock_skew_s = ?, last_seen_at = ? WHERE id = ?",
                [row["clock_skew_s"], iso(now), device_id],
            )
    return True


def _alert_exists(db: sqlite_utils.Database, alert_id: int) -> bool:
    """A report may answer any alert that was ever issued: withdrawn or expired, the farmer may have seen it first."""
    return db.execute("SELECT 1 FROM alerts WHERE id = ?", [alert_id]).fetchone() is not None


def _declare_photos(db: sqlite_utils.Database, report_id: str, photos: list[PhotoDeclared], now: datetime) -> None:
    for photo in photos:
        existing = db.execute(
            "SELECT sha256 FROM report_photos WHERE report_id = ? AND photo_id = ?",
            [report_id, str(photo.photo_id)],
        ).fetchone()
        if existing:
            if existing[0] != photo.sha256:
                raise Conflict(f"photo {photo.photo_id} was declared before with different content")
            continue
        db.execute(
            "INSERT INTO report_photos (report_id, photo_id, sha256, bytes, content_type, declared_at, "
            "taken_at, taken_lat, taken_lon, original_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id,
                str(photo.photo_id),
                photo.sha256,
                photo.bytes,
                photo.content_type,
                iso(now),
                iso(photo.taken_at) if photo.taken_at else None,
                photo.taken_lat,
                photo.taken_lon,
                photo.original_sha256,
            ],
        )


def sent_by(db: sqlite_utils.Database, report_id: str, device_id: str) -> bool:
    """True when the report exists and this device sent it (another device's report is as good as absent)."""
    row = db.execute("SELECT 1 FROM reports WHERE id = ? AND device_id = ?", [report_id, device_id]).fetchone()
    return row is not None


def device_report(db: sqlite_utils.Database, report_id: str, device_id: str) -> dict[str, Any]:
    row = db.execute("SELECT * FROM reports WHERE id = ? AND device_id = ?", [report_id, device_id]).fetchone()
    if row is None:
        raise NotFound("no such report")
    return dict(row)


def report_row(db: sqlite_utils.Database, report_id: str) -> dict[str, Any]:
    row = db.execute("SELECT * FROM reports WHERE id = ?", [report_id]).fetchone()
    if row is None:
        raise NotFound("no such report")
    return dict(row)


def add_farmer_update(
    db: sqlite_utils.Database, device_id: str, report_id: str, body: FarmerUpdate, now: datetime
) -> tuple[bool, dict[str, Any]]:
    """Returns (created, report row). The update's id makes a resend harmless."""
    return _farmer_event(
        db, device_id, report_id, "farmer_update", str(body.update_id), {"text": body.text}, now, body.photos
    )


def chase(
    db: sqlite_utils.Database, device_id: str, report_id: str, chase_id: str, text: str, now: datetime
) -> tuple[bool, dict[str, Any]]:
    return _farmer_event(db, device_id, report_id, "chased", chase_id, {"text": text}, now, [])


def _farmer_event(
    db: sqlite_utils.Database,
    device_id: str,
    report_id: str,
    kind: str,
    idem_key: str,
    data: dict[str, Any],
    now: datetime,
    photos: list[PhotoDeclared],
) -> tuple[bool, dict[str, Any]]:
    with write(db):
        report = device_report(db, report_id, device_id)
        previous = db.execute(
            "SELECT kind, data FROM events WHERE report_id = ? AND idem_key = ?", [report_id, idem_key]
        ).fetchone()
        if previous is not None:
            same = previous["kind"] == kind and json.loads(previous["data"]) == {
                **data,
                **({"photos": [str(p.photo_id) for p in photos]} if photos else {}),
            }
            if not same:
                raise Conflict("this id was already used for different content")
            return False, report
        _declare_photos(db, report_id, photos, now)
        if photos:
            data = {**data, "photos": [str(p.photo_id) for p in photos]}
        events.record_event(db, report, kind, now, "device", device_id, data, idem_key=idem_key)
    return True, report


def changed_since(db: sqlite_utils.Database, device_id: str, since: int, limit: int) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT * FROM reports WHERE device_id = ? AND public_seq > ? ORDER BY public_seq LIMIT ?",
        [device_id, since, limit],
    ).fetchall()
    return [dict(r) for r in rows]
