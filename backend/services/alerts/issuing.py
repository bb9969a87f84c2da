"""Issuing, editing and withdrawing alerts: who may, what is allowed, and every change an event.

An alert belongs to the force whose area holds its centre. Its officers and supervisors issue and change it,
admins anywhere; NFU users never. Its circle reaches at most as far as the force's whole area from the centre
(and never beyond wire.alerts.MAX_ALERT_RADIUS_KM); it lasts 48 hours unless told otherwise, at most 30 days.
Each change is an `alert_events` row, and the alert's `seq` becomes that row's id: the phones' pull follows it.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from backend.services.alerts import delivery
from backend.services.alerts.geometry import circle_box, force_reach_km
from backend.services.alerts.store import alert_row, stamp
from backend.services.areas.boundaries import area_index
from backend.services.errors import Conflict, Forbidden, Invalid, NotFound
from backend.services.intake import reports
from backend.services.staff.accounts import StaffUser, can_act_on_report
from backend.settings import Settings
from backend.writes import write
from wire.alerts import AlertArea, AlertCreate, AlertUpdate
from wire.normalise import normalise_registration

DEFAULT_VALID = timedelta(hours=48)
MAX_VALID = timedelta(days=30)
MANAGERS = frozenset({"officer", "supervisor", "admin"})
# The fields an edit may change, as `alerts` names them.
EDITABLE = ("title", "text", "category", "vehicle_registration", "area", "expires_at")


def may_manage(user: StaffUser, force: str) -> bool:
    """Officers and supervisors of the alert's force, and admins."""
    return user.role == "admin" or (user.role in MANAGERS and user.force == force)


def managed_alert(db: sqlite_utils.Database, user: StaffUser, alert_id: int) -> dict[str, Any]:
    """The alert, for someone who may see and change it; Forbidden for everyone else."""
    row = alert_row(db, alert_id)
    if not may_manage(user, row["force"]):
        raise Forbidden(
            f"this alert belongs to {row['force']}: only its officers and supervisors (or an admin) "
            "can see or change it"
        )
    return row


def _force_of_centre(db: sqlite_utils.Database, area: AlertArea) -> str:
    found = area_index(db).locate(area.lat, area.lon)
    if found is None:
        raise Invalid("area: the centre lies outside every force's area")
    return found.force


def _check_area(db: sqlite_utils.Database, force: str, area: AlertArea) -> None:
    """The circle reaches no further than the force's whole area does from its centre."""
    limit = max(1.0, math.ceil(force_reach_km(db, force, area.lat, area.lon) * 10) / 10)
    if area.radius_km > limit:
        raise Invalid(f"area: the radius goes beyond {force}'s whole area; at most {limit:g} km from this centre")


def _check_expiry(expires: datetime, now: datetime) -> datetime:
    if expires <= now:
        raise Invalid("expires_at: the alert must end in the future")
    if expires > now + MAX_VALID:
        raise Invalid(f"expires_at: an alert lasts at most {MAX_VALID.days} days")
    return expires.replace(microsecond=0)


def _registration(value: str | None) -> str | None:
    return (normalise_registration(value) or None) if value else None


def _area_columns(area: AlertArea) -> dict[str, Any]:
    return {"lat": area.lat, "lon": area.lon, "radius_km": area.radius_km} | circle_box(
        area.lat, area.lon, area.radius_km
    ).columns()


def _linked_report(db: sqlite_utils.Database, user: StaffUser, report_id: str | None) -> dict[str, Any] | None:
    if report_id is None:
        return None
    try:
        report = reports.report_row(db, report_id)
    except NotFound:
        report = None
    if report is None or not can_act_on_report(user, report):
        raise Invalid("report_id: no such report among those you may act on")
    return report


def _record(
    db: sqlite_utils.Database, alert_id: int, kind: str, user: StaffUser, now: datetime, data: dict[str, Any]
) -> None:
    """The event, and the alert's `seq` moved to it (the pull's cursor)."""
    seq = db.execute(
        "INSERT INTO alert_events (alert_id, kind, at, user_id, data) VALUES (?, ?, ?, ?, ?)",
        [alert_id, kind, stamp(now), user.id, json.dumps(data, sort_keys=True)],
    ).lastrowid
    db.execute("UPDATE alerts SET seq = ?, updated_at = ? WHERE id = ?", [seq, stamp(now), alert_id])


def issue(db: sqlite_utils.Database, user: StaffUser, body: AlertCreate, now: datetime, settings: Settings) -> int:
    """Issue an alert; returns its id. Its SMS and email deliveries are queued in the same transaction."""
    if user.role not in MANAGERS:
        raise Forbidden("only police officers, supervisors and admins issue alerts")
    force = _force_of_centre(db, body.area)
    if not may_manage(user, force):
        raise Forbidden(
            f"the centre lies in {force}'s area: only its officers and supervisors (or an admin) "
            "can alert farmers there"
        )
    _check_area(db, force, body.area)
    expires = _check_expiry(body.expires_at or now + DEFAULT_VALID, now)
    with write(db):
        report = _linked_report(db, user, str(body.report_id) if body.report_id else None)
        row = {
            "force": force,
            "title": body.title,
            "text": body.text,
            "category": body.category,
            "vehicle_registration": _registration(body.vehicle_registration),
            **_area_columns(body.area),
            "issued_by": user.id,
            "issued_at": stamp(now),
            "updated_at": stamp(now),
            "expires_at": stamp(expires),
            "issued_s": math.floor(now.timestamp()),
            "ends_s": math.floor(expires.timestamp()),
            "report_id": report["id"] if report else None,
            "first_report_at": report["received_at"] if report else None,
            "seq": 0,
        }
        alert_id = int(
            db.execute(
                f"INSERT INTO alerts ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
            ).lastrowid
        )
        shown = {k: row[k] for k in ("title", "text", "category", "vehicle_registration", "expires_at", "report_id")}
        _record(db, alert_id, "issued", user, now, {**shown, "area": body.area.model_dump()})
        delivery.queue_for_alert(db, alert_row(db, alert_id), now, settings)
    return alert_id


def _changes(db: sqlite_utils.Database, row: dict[str, Any], body: AlertUpdate, now: datetime) -> dict[str, Any]:
    """The columns an edit changes, checked; {} when it changes nothing."""
    given = body.model_fields_set & set(EDITABLE)
    for name in ("title", "text", "area", "expires_at"):
        if name in given and getattr(body, name) is None:
            raise Invalid(f"{name}: an alert cannot be left without one")
    columns: dict[str, Any] = {}
    for name in sorted(given - {"area", "expires_at"}):
        value = getattr(body, name)
        columns[name] = _registration(value) if name == "vehicle_registration" else value
    if body.area is not None:
        if _force_of_centre(db, body.area) != row["force"]:
            raise Invalid(f"area: the centre must stay in {row['force']}'s area")
        _check_area(db, row["force"], body.area)
        columns.update(_area_columns(body.area))
    if body.expires_at is not None:
        expires = _check_expiry(body.expires_at, now)
        columns.update(expires_at=stamp(expires), ends_s=math.floor(expires.timestamp()))
    return {k: v for k, v in columns.items() if row[k] != v}


def edit(
    db: sqlite_utils.Database, user: StaffUser, alert_id: int, body: AlertUpdate, now: datetime, settings: Settings
) -> None:
    """Change an alert, withdraw it, or both; the fields left out stay as they are. A body that changes nothing
    changes nothing (and records no event)."""
    with write(db):
        row = managed_alert(db, user, alert_id)
        withdrawn = row["withdrawn_at"] is not None
        if withdrawn and body.withdrawn is False:
            raise Conflict("a withdrawn alert cannot be restored; issue a new one")
        columns = _changes(db, row, body, now)
        if withdrawn and columns:
            raise Conflict("the alert was withdrawn; a withdrawn alert cannot be changed")
        if columns:
            db.execute(
                f"UPDATE alerts SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
                [*columns.values(), alert_id],
            )
            changed = {k: [row[k], v] for k, v in columns.items() if not k.startswith("box_") and k != "ends_s"}
            _record(db, alert_id, "edited", user, now, {"changed": changed})
            if {"lat", "lon", "radius_km"} & set(columns):  # farmers newly reached are sent it, once
                delivery.queue_for_alert(db, alert_row(db, alert_id), now, settings)
        if body.withdrawn and not withdrawn:
            now_s = math.floor(now.timestamp())
            db.execute(
                "UPDATE alerts SET withdrawn_at = ?, ends_s = min(ends_s, ?) WHERE id = ?",
                [stamp(now), now_s, alert_id],
            )
            _record(db, alert_id, "withdrawn", user, now, {})
            if row["ends_s"] > now_s:  # still in force: those who were sent it are told, once
                delivery.queue_withdrawal(db, row, now)
