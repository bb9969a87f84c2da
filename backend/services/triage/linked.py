"""Linked reports: the same lane in the same fortnight, or the same vehicle at any time.

- Near: other reports within NEAR_KM of the report's point that happened within NEAR_DAYS before or after it.
  The look-up is SQLite's R*Tree (`report_places`: latitude, longitude and the day it happened, one box per
  report): a box query on all three, then the exact great-circle distance for the few candidates.
- Same vehicle: any report, at any time, sharing a registration (normalised on the wire: "AB12CDE"), through
  the index on `report_vehicles.registration`, newest first.

Only reports the reader may see are returned: their force's, plus (for police) other forces' reports near
their border, marked as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from core.geo import distance_m

NEAR_KM = 5.0
NEAR_DAYS = 14
LIMIT = 50
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320
_DAY0 = 2440587.5  # the Julian day of 1970-01-01


@dataclass(frozen=True)
class Linked:
    id: str
    category: str
    status: str
    occurred_at: str
    received_at: str
    place_name: str | None
    force: str | None
    distance_km: float | None = None
    days_apart: float | None = None
    registrations: tuple[str, ...] = ()
    other_force: bool = False


@dataclass(frozen=True)
class LinkedReports:
    near: list[Linked]
    same_vehicle: list[Linked]


def _visible(force: str | None, border_m: float) -> tuple[str, list[Any]]:
    """SQL over `r` for the reports a reader of `force` may see (None: an admin, every report)."""
    if force is None:
        return "1", []
    return (
        "(r.force = ? OR EXISTS (SELECT 1 FROM report_nearby_forces n "
        "WHERE n.report_id = r.id AND n.force = ? AND n.distance_m <= ?))",
        [force, force, border_m],
    )


def _linked(row: Any, reader_force: str | None, **extra: Any) -> Linked:
    return Linked(
        id=row["id"],
        category=row["category"],
        status=row["status"],
        occurred_at=row["occurred_at"],
        received_at=row["received_at"],
        place_name=row["place_name"],
        force=row["force"],
        other_force=reader_force is not None and row["force"] != reader_force,
        **extra,
    )


def near(db: sqlite_utils.Database, report: dict[str, Any], reader_force: str | None, border_m: float) -> list[Linked]:
    lat, lon = report["lat"], report["lon"]
    occurred = datetime.fromisoformat(report["occurred_at"])
    day = occurred.timestamp() / 86400
    dlat = NEAR_KM / _KM_PER_DEG_LAT
    dlon = NEAR_KM / (_KM_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 0.01))
    visible, params = _visible(reader_force, border_m)
    rows = db.execute(
        "SELECT r.id, r.category, r.status, r.occurred_at, r.received_at, r.place_name, r.force, r.lat, r.lon "
        "FROM report_places p CROSS JOIN reports r ON r.rowid = p.id "
        # Overlap, not containment: the R*Tree keeps 32-bit boxes rounded outwards, so a point on the edge stays in.
        "WHERE p.max_lat >= ? AND p.min_lat <= ? AND p.max_lon >= ? AND p.min_lon <= ? "
        f"AND p.max_day >= ? AND p.min_day <= ? AND r.id != ? AND {visible}",
        [lat - dlat, lat + dlat, lon - dlon, lon + dlon, day - NEAR_DAYS, day + NEAR_DAYS, report["id"], *params],
    ).fetchall()
    found = []
    for r in rows:
        km = distance_m(lat, lon, r["lat"], r["lon"]) / 1000
        days = abs((datetime.fromisoformat(r["occurred_at"]) - occurred).total_seconds()) / 86400
        if km <= NEAR_KM and days <= NEAR_DAYS:
            found.append(_linked(r, reader_force, distance_km=round(km, 2), days_apart=round(days, 1)))
    found.sort(key=lambda x: (x.distance_km or 0, x.days_apart or 0))
    return found[:LIMIT]


def same_vehicle(
    db: sqlite_utils.Database, report: dict[str, Any], reader_force: str | None, border_m: float
) -> list[Linked]:
    """The LIMIT reports stored most recently (live, the most recently received) sharing a registration.

    One query per registration, each reading the registration's index entries newest first and stopping at
    LIMIT visible reports, so a van seen in thousands of reports costs what one seen in ten does.
    """
    regs = sorted(
        {r[0] for r in db.execute("SELECT registration FROM report_vehicles WHERE report_id = ?", [report["id"]])}
    )
    visible, params = _visible(reader_force, border_m)
    found: dict[str, tuple[int, Any, set[str]]] = {}
    for reg in regs:
        rows = db.execute(
            "SELECT v.rowid AS seq, r.id, r.category, r.status, r.occurred_at, r.received_at, r.place_name, r.force "
            "FROM report_vehicles v CROSS JOIN reports r ON r.id = v.report_id "
            f"WHERE v.registration = ? AND v.report_id != ? AND {visible} ORDER BY v.rowid DESC LIMIT ?",
            [reg, report["id"], *params, LIMIT],
        ).fetchall()
        for row in rows:
            seq, _, shared = found.get(row["id"], (row["seq"], row, set()))
            found[row["id"]] = (max(seq, row["seq"]), row, shared | {reg})
    newest = sorted(found.values(), key=lambda item: item[0], reverse=True)[:LIMIT]
    newest.sort(key=lambda item: item[1]["received_at"], reverse=True)
    return [_linked(row, reader_force, registrations=tuple(sorted(shared))) for _, row, shared in newest]


def linked_reports(
    db: sqlite_utils.Database, report: dict[str, Any], reader_force: str | None, border_m: float
) -> LinkedReports:
    return LinkedReports(near(db, report, reader_force, border_m), same_vehicle(db, report, reader_force, border_m))
