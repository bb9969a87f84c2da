"""What a partner may read of a report: its own submissions in full, anyone else's reduced.

Farm locations are sensitive (victims of intimidation are targets) and descriptions may name suspects, which is
criminal offence data. So a report a partner did not submit is shown with its point moved to the centre of the
1 km OS National Grid square it lies in (as police.uk snaps crimes to points on a grid), its area's name instead of
an address, no description, and a status note made from its status alone (officers' updates to the farmer may name
people).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.open311 import queries
from backend.open311.catalogue import EMERGENCY_NOTICE
from backend.security import iso
from backend.services.areas.boundaries import area_index
from backend.services.areas.national_grid import snap_to_square
from backend.services.intake.farmer_text import farmer_text
from backend.services.partners import Partner
from wire.categories import BY_CODE
from wire.events import POLICE_KINDS

GENERIC_NOTES = {
    "received": "Received; not yet acknowledged by the rural crime team.",
    "acknowledged": "Acknowledged by the rural crime team.",
    "in_progress": "The police are dealing with it.",
    "closed": "Closed.",
}
# Only the police's answers make a status: the reporter's own doings (received, photos, updates, chases) do not.
_STATUS_KINDS = tuple(sorted(POLICE_KINDS))


def open311_status(status: str) -> str:
    return "closed" if status == "closed" else "open"


def _latest_note(db: sqlite_utils.Database, row: dict[str, Any]) -> str:
    """The farmer's words for the police's latest answer, else a note made from the status alone."""
    marks = ", ".join("?" for _ in _STATUS_KINDS)
    event = db.execute(
        f"SELECT kind, data FROM events WHERE report_id = ? AND public = 1 AND kind IN ({marks}) "
        "ORDER BY id DESC LIMIT 1",
        [row["id"], *_STATUS_KINDS],
    ).fetchone()
    if event is None:
        return GENERIC_NOTES[row["status"]]
    return farmer_text(event["kind"], json.loads(event["data"]))


def _own_address(row: dict[str, Any], area_name: str | None) -> str | None:
    parts = [row["place_name"], row["grid_ref"], row["what3words"] and f"///{row['what3words']}"]
    return ", ".join(p for p in parts if p) or area_name


def request_view(
    db: sqlite_utils.Database,
    row: dict[str, Any],
    partner: Partner,
    expected: datetime | None,
    media_url: str | None,
) -> dict[str, Any]:
    """One report as a GeoReport v2 service request, as much of it as this partner may see."""
    category = BY_CODE[row["category"]]
    area = area_index(db).by_id.get(row["area_id"]) if row["area_id"] else None
    area_name = area.name if area else None
    own = partner.owns(row)
    lat, lon = (row["lat"], row["lon"]) if own else snap_to_square(row["lat"], row["lon"])
    view: dict[str, Any] = {
        "service_request_id": row["id"],
        "status": open311_status(row["status"]),
        "status_notes": _latest_note(db, row) if own else GENERIC_NOTES[row["status"]],
        "service_name": category.label,
        "service_code": category.code,
        "description": (row["description"] or None) if own else None,
        "agency_responsible": row["force"],
        "service_notice": EMERGENCY_NOTICE if category.urgent else None,
        "requested_datetime": row["received_at"],
        "updated_datetime": row["updated_at"],
        # Left out, rather than guessed, when no clock of the report is still waiting.
        **({"expected_datetime": iso(expected)} if expected is not None else {}),
        "address": _own_address(row, area_name) if own else area_name,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": media_url if own else None,
    }
    return view


def request_views(
    db: sqlite_utils.Database, partner: Partner, rows: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    due = queries.expected_times(db, ids, now)
    media = queries.media_urls(db, partner, ids)
    return [request_view(db, r, partner, due.get(r["id"]), media.get(r["id"])) for r in rows]
