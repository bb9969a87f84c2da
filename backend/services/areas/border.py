"""Cross-border visibility: the neighbouring forces' areas each report lies near, recorded at intake.

Crime crosses force boundaries (docs: ../shared/domain.md), so a report near a neighbouring force's area is
shown, read-only, to that force's officers too. The distances are measured once, when the report arrives,
for every other force within MAX_BORDER_KM, and kept in `report_nearby_forces`; the console then compares
them with the configured distance (HEDGEROW_BORDER_KM, default 10 km), so changing the setting applies to old
reports as well as new ones, up to MAX_BORDER_KM.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable

import shapely
import sqlite_utils

from backend.services.areas.boundaries import AreaIndex, area_index

MAX_BORDER_KM = 30.0
BAND_DEG = 0.5
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


# Each area index's areas projected per band of latitude; dropped with the index when the areas change.
_planes: weakref.WeakKeyDictionary[AreaIndex, dict[tuple[int, int], shapely.Geometry]] = weakref.WeakKeyDictionary()


def _metres_per_degree(lat: float) -> tuple[float, float]:
    return _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat)), _M_PER_DEG_LAT


def _projected(index: AreaIndex, i: int, band: int) -> shapely.Geometry:
    """Area i on a plane in metres, its east-west scale that of latitude band `band` (BAND_DEG wide).

    Made once per area and band and kept with the index (the index is rebuilt when areas change), so measuring a
    report costs one distance per nearby area, not a copy of a boundary with thousands of points."""
    cache: dict[tuple[int, int], shapely.Geometry] = _planes.setdefault(index, {})
    key = (i, band)
    if key not in cache:
        kx, ky = _metres_per_degree((band + 0.5) * BAND_DEG)
        cache[key] = shapely.transform(index.geoms[i], lambda xy: xy * (kx, ky))
        shapely.prepare(cache[key])
    return cache[key]


def nearby_forces(index: AreaIndex, lat: float, lon: float, own_force: str | None) -> dict[str, float]:
    """Every other force whose area lies within MAX_BORDER_KM of the point: force -> distance in metres.

    Distances are measured on an equirectangular plane whose east-west scale is that of the point's half-degree
    band of latitude: within a few tenths of a per cent of the true distance at these ranges."""
    if index.tree is None:
        return {}
    kx, ky = _metres_per_degree(lat)
    reach_m = MAX_BORDER_KM * 1000
    search = shapely.box(lon - reach_m / kx, lat - reach_m / ky, lon + reach_m / kx, lat + reach_m / ky)
    band = math.floor(lat / BAND_DEG)
    band_kx, _ = _metres_per_degree((band + 0.5) * BAND_DEG)
    point = shapely.Point(lon * band_kx, lat * ky)
    found: dict[str, float] = {}
    for i in index.tree.query(search):
        force = index.areas[i].force
        if force == own_force:
            continue
        metres = float(_projected(index, i, band).distance(point))
        if metres <= reach_m and metres < found.get(force, math.inf):
            found[force] = round(metres, 1)
    return found


def record_many(
    db: sqlite_utils.Database, reports: Iterable[tuple[str, float, float, str | None]], index: AreaIndex | None = None
) -> int:
    """Measure and keep the nearby forces of each (id, lat, lon, force); call inside the write transaction that
    stores the reports (intake, or a bulk load). `index`: the database's area index, when the caller has it."""
    index = index or area_index(db)
    rows = [
        (report_id, force, metres)
        for report_id, lat, lon, own in reports
        if own is not None
        for force, metres in nearby_forces(index, lat, lon, own).items()
    ]
    db.conn.executemany(
        "INSERT OR REPLACE INTO report_nearby_forces (report_id, force, distance_m) VALUES (?, ?, ?)", rows
    )
    return len(rows)


def recompute_all(db: sqlite_utils.Database) -> int:
    """Measure every report again (after areas were imported or changed). Call inside a write transaction."""
    db.execute("DELETE FROM report_nearby_forces")
    cursor = db.execute("SELECT id, lat, lon, force FROM reports WHERE force IS NOT NULL")
    total = 0
    while batch := cursor.fetchmany(5000):
        total += record_many(db, [(r[0], r[1], r[2], r[3]) for r in batch])
    return total


def distance_to_force(db: sqlite_utils.Database, report_id: str, force: str) -> float | None:
    """How far (metres) the report lies from `force`'s area, when within MAX_BORDER_KM; else None."""
    row = db.execute(
        "SELECT distance_m FROM report_nearby_forces WHERE report_id = ? AND force = ?", [report_id, force]
    ).fetchone()
    return row[0] if row else None
