"""An alert as each reader sees it: the farmer's phone (wire.alerts.AlertPublic), the staff API and the console
(AlertStaff, with who issued it, how many devices pulled it and the reports made from it), and the console's lists.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.services.staff.accounts import StaffUser, display_names

LIST_LIMIT = 200
# What an edit changed, in the console's words (a moved centre changes two columns: one word).
CHANGE_WORDS = {
    "title": "title",
    "text": "message",
    "category": "category",
    "vehicle_registration": "vehicle",
    "lat": "centre",
    "lon": "centre",
    "radius_km": "radius",
    "expires_at": "end",
}


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    """What a farmer's phone is sent: nothing about who issued it beyond the force."""
    return {
        "id": row["id"],
        "force": row["force"],
        "title": row["title"],
        "text": row["text"],
        "category": row["category"],
        "vehicle_registration": row["vehicle_registration"],
        "area": {"lat": row["lat"], "lon": row["lon"], "radius_km": row["radius_km"]},
        "issued_at": row["issued_at"],
        "updated_at": row["updated_at"],
        "expires_at": row["expires_at"],
        "photo_url": None,
    }


def devices_reached(db: sqlite_utils.Database, alert_id: int) -> int:
    return db.execute("SELECT count(*) FROM alert_reached WHERE alert_id = ?", [alert_id]).fetchone()[0]


def linked_report_rows(db: sqlite_utils.Database, alert_id: int) -> list[dict[str, Any]]:
    """The reports made from the alert ("I've seen this"), first received first."""
    rows = db.execute(
        "SELECT id, category, received_at, force, status, place_name FROM reports WHERE alert_id = ? "
        "ORDER BY received_at, id",
        [alert_id],
    )
    return [dict(r) for r in rows]


def staff_view(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any]:
    names = display_names(db, {row["issued_by"]})
    return public_view(row) | {
        "withdrawn_at": row["withdrawn_at"],
        "issued_by": names.get(row["issued_by"], f"user {row['issued_by']}"),
        "report_id": row["report_id"],
        "devices_reached": devices_reached(db, row["id"]),
        "linked_reports": [r["id"] for r in linked_report_rows(db, row["id"])],
    }


def state(row: dict[str, Any], now: datetime) -> str:
    """'active', 'withdrawn' or 'expired'."""
    if row["withdrawn_at"] is not None:
        return "withdrawn"
    return "active" if row["ends_s"] > math.floor(now.timestamp()) else "expired"


def alerts_for(db: sqlite_utils.Database, user: StaffUser, now: datetime) -> list[dict[str, Any]]:
    """The alerts of the user's force (every force's for an admin), active first, newest first, with the count
    of devices reached and of reports made from each."""
    where, args = ("", []) if user.role == "admin" else ("WHERE a.force = ?", [user.force])
    rows = db.execute(
        "SELECT a.*, (SELECT count(*) FROM alert_reached r WHERE r.alert_id = a.id) AS reached, "
        "(SELECT count(*) FROM reports p WHERE p.alert_id = a.id) AS linked "
        f"FROM alerts a {where} ORDER BY a.issued_s DESC, a.id DESC LIMIT ?",
        [*args, LIST_LIMIT],
    ).fetchall()
    found = [dict(r) | {"state": state(dict(r), now)} for r in rows]
    return sorted(found, key=lambda a: a["state"] != "active")


def history(db: sqlite_utils.Database, alert_id: int) -> list[dict[str, Any]]:
    """The alert's events, newest first, with who made each."""
    rows = [dict(r) for r in db.execute("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id DESC", [alert_id])]
    names = display_names(db, {r["user_id"] for r in rows if r["user_id"] is not None})
    found = []
    for r in rows:
        data = json.loads(r["data"])
        words = list(dict.fromkeys(CHANGE_WORDS.get(k, k) for k in data.get("changed", {})))
        found.append(r | {"who": names.get(r["user_id"], "system"), "data": data, "changed_words": words})
    return found


def deliveries(db: sqlite_utils.Database, alert_id: int, kind: str = "alert") -> dict[str, dict[str, int]]:
    """How many SMS and emails of the alert (or, `kind="withdrawn"`, of word of its withdrawal) were sent, are
    waiting, or were given up, by channel."""
    counts = {c: {"sent": 0, "waiting": 0, "gave_up": 0} for c in ("sms", "email")}
    rows = db.execute(
        "SELECT channel, CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN gave_up_at IS NOT NULL THEN 'gave_up' "
        "ELSE 'waiting' END AS state, count(*) FROM alert_deliveries WHERE alert_id = ? AND kind = ? "
        "GROUP BY 1, 2",
        [alert_id, kind],
    )
    for channel, outcome, n in rows:
        counts[channel][outcome] = n
    return counts
