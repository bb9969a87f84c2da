"""A stored report as each reader may see it: the farmer's public view and the police's full view."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.services.areas.boundaries import area_index
from backend.services.clocks import response_clocks
from backend.services.clocks.flags import raised_flags
from backend.services.intake.farmer_text import farmer_text
from wire.clocks import FIRST_ANSWER


def answer_due_at(db: sqlite_utils.Database, report_id: str) -> datetime | None:
    """When the police's first answer is due, as the report's clocks were last stored (never recomputed here)."""
    return response_clocks.stored_due(db, report_id, FIRST_ANSWER)


def _base(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any]:
    area = area_index(db).by_id.get(row["area_id"]) if row["area_id"] else None
    photos = db.execute(
        "SELECT photo_id, sha256, bytes, content_type, received_at, error FROM report_photos "
        "WHERE report_id = ? ORDER BY declared_at, rowid",
        [row["id"]],
    ).fetchall()
    flags = raised_flags(db, row["id"])
    return {
        "id": row["id"],
        "category": row["category"],
        "happening_now": bool(row["happening_now"]),
        "anonymous": bool(row["anonymous"]),
        "occurred_at": row["occurred_at"],
        "occurred_until": row["occurred_until"],
        "description": row["description"],
        "location": {
            "lat": row["lat"],
            "lon": row["lon"],
            "accuracy_m": row["accuracy_m"],
            "source": row["location_source"],
            "grid_ref": row["grid_ref"],
            "what3words": row["what3words"],
            "place_name": row["place_name"],
        },
        "details": json.loads(row["details"]),
        "vehicles": json.loads(row["vehicles"]),
        "people": json.loads(row["people"]) if row["people"] else None,
        "calls": json.loads(row["calls"]),
        "created_at": row["created_at"],
        "received_at": row["received_at"],
        "updated_at": row["updated_at"],
        "status": row["status"],
        "area": area.public() if area else None,
        "police_reference": row["police_reference"],
        "alert_id": row["alert_id"],
        "flags": flags,
        "answer_due_at": answer_due_at(db, row["id"]),
        "photos": [
            {
                "photo_id": p["photo_id"],
                "sha256": p["sha256"],
                "bytes": p["bytes"],
                "content_type": p["content_type"],
                "arrived": p["received_at"] is not None,
                "error": p["error"],
            }
            for p in photos
        ],
    }


def _timeline(
    db: sqlite_utils.Database, report_id: str, public_only: bool, language: str | None = None
) -> list[dict[str, Any]]:
    sql = "SELECT id, kind, at, actor_kind, actor_id, public, data FROM events WHERE report_id = ?"
    if public_only:
        sql += " AND public = 1"
    entries = []
    for ev in db.execute(sql + " ORDER BY id", [report_id]).fetchall():
        data = json.loads(ev["data"])
        entry: dict[str, Any] = {"kind": ev["kind"], "at": ev["at"], "text": farmer_text(ev["kind"], data, language)}
        if ev["kind"] == "reference_added":
            entry["reference"] = data.get("reference")
        if not public_only:
            entry.update(
                id=ev["id"],
                actor_kind=ev["actor_kind"],
                actor_id=ev["actor_id"],
                public=bool(ev["public"]),
                data=data,
            )
        entries.append(entry)
    return entries


def public_view(db: sqlite_utils.Database, row: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """What the farmer who sent the report sees: no internal notes, no flags' working, no staff names; the
    timeline's words in `language`, the one their phone reads."""
    view = _base(db, row)
    view["timeline"] = _timeline(db, row["id"], public_only=True, language=language)
    return view


def _device_contact(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any] | None:
    device = db.execute(
        "SELECT name, phone, farm_name, postcode, email, contact_erased_at FROM devices WHERE id = ?",
        [row["device_id"]],
    ).fetchone()
    return dict(device) if device else None


def reporter(db: sqlite_utils.Database, row: dict[str, Any], owning_force: bool = True) -> dict[str, Any] | None:
    """The reporter's contact details as staff may see them, or None: the one place that decides.

    None for a report sent without a name (`anonymous`: not even the area's own officers see who sent it, so
    nobody can call back; the police's answers still reach the phone through its token), for a reader of
    another force (a cross-border reader: the owning force holds the victim's contact details), and once the
    farmer has had their contact details erased (`POST /api/v1/me/erasure`: there are none left to show)."""
    if row["anonymous"] or not owning_force:
        return None
    device = _device_contact(db, row)
    if device is None or device.pop("contact_erased_at"):
        return None
    return device


def contact_erased(db: sqlite_utils.Database, row: dict[str, Any]) -> bool:
    """Whether the farmer who sent this report had their contact details erased, at their request."""
    device = _device_contact(db, row)
    return bool(device and device["contact_erased_at"])


def staff_view(db: sqlite_utils.Database, row: dict[str, Any], owning_force: bool = True) -> dict[str, Any]:
    """What an officer of the area sees: everything, with the reporter's contact details for the call back unless
    the report was sent without a name (see `reporter`). `owning_force=False` for a cross-border reader."""
    view = _base(db, row)
    view["timeline"] = _timeline(db, row["id"], public_only=False)
    view["reporter"] = reporter(db, row, owning_force)
    # Said where the reporter would be, so the officer knows why there is nobody to call (not to other forces,
    # who never see the reporter).
    view["contact_erased"] = owning_force and contact_erased(db, row)
    if row["anonymous"]:
        # The phone's id would tie this report to the same phone's named reports, and so to a name.
        for entry in view["timeline"]:
            if entry["actor_kind"] == "device":
                entry["actor_id"] = None
    view["force"] = row["force"]
    view["assigned_to"] = row["assigned_to"]
    view["clock_skew_s"] = row["clock_skew_s"]
    view["sent_at"] = row["sent_at"]
    return view
