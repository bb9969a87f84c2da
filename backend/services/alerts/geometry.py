"""Circles on the Earth for alerts: bounding boxes for the R*Trees, coarse places, whether two circles meet, and
how far a force's area reaches from a point.

Distances are core.geo's haversine on a sphere of the mean radius; the boxes are worked out on the same sphere and
hold the whole circle, so a box test never loses a circle that the exact test would keep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
import sqlite_utils

from backend.services.areas.boundaries import area_index
from backend.services.areas.national_grid import snap_to_square
from core.geo import EARTH_RADIUS_M, distance_m

KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 1000 / 360
# A little slack on every side of a box, against rounding in the trigonometry (the R*Tree rounds outwards too).
_SLACK_DEGREES = 1e-6
_POLAR_LAT = 89.0  # a box reaching this far from the equator spans every longitude


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def columns(self) -> dict[str, float]:
        """The `box_*` columns of `alerts` and `alert_places`."""
        return {
            "box_min_lat": self.min_lat,
            "box_max_lat": self.max_lat,
            "box_min_lon": self.min_lon,
            "box_max_lon": self.max_lon,
        }

    def overlap_args(self) -> list[float]:
        """The arguments of an R*Tree query `max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ?`."""
        return [self.min_lat, self.max_lat, self.min_lon, self.max_lon]


def circle_box(lat: float, lon: float, radius_km: float) -> Box:
    """The latitude and longitude box holding the circle. Near a pole, or where the circle crosses the 180th
    meridian, it spans every longitude (a wider box only costs a few more candidates for the exact test)."""
    dlat = radius_km / KM_PER_DEGREE + _SLACK_DEGREES
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    widest = max(abs(min_lat), abs(max_lat))
    if widest >= _POLAR_LAT:
        return Box(min_lat, max_lat, -180.0, 180.0)
    # The circle is widest in longitude at its most poleward latitude, where a degree is shortest.
    dlon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest))) + _SLACK_DEGREES
    if lon - dlon < -180.0 or lon + dlon > 180.0:
        return Box(min_lat, max_lat, -180.0, 180.0)
    return Box(min_lat, max_lat, lon - dlon, lon + dlon)


def circles_meet(lat1: float, lon1: float, r1_km: float, lat2: float, lon2: float, r2_km: float) -> bool:
    """Whether two circles share a point: their centres are no further apart than their radii together."""
    return distance_m(lat1, lon1, lat2, lon2) <= (r1_km + r2_km) * 1000


def coarse_place(lat: float, lon: float, radius_km: float) -> tuple[float, float, float]:
    """A place as the server keeps it: the centre of its 1 km National Grid square (a 0.1 degree cell off the
    grid), so every point of a square gives the same answer, and the radius to 100 m."""
    snapped_lat, snapped_lon = snap_to_square(lat, lon)
    # Off the grid, the cell's centre of a point on the edge of the map lies beyond it (lat 90 snaps to 90.05).
    snapped_lat, snapped_lon = min(90.0, max(-90.0, snapped_lat)), min(180.0, max(-180.0, snapped_lon))
    return snapped_lat, snapped_lon, max(0.1, round(radius_km, 1))


def force_reach_km(db: sqlite_utils.Database, force: str, lat: float, lon: float) -> float:
    """How far from the point the force's area goes: the distance to its furthest corner (the furthest point of a
    polygon from a point is a corner of its convex hull). 0 when the force has no area."""
    index = area_index(db)
    furthest = 0.0
    for area, geom in zip(index.areas, index.geoms, strict=True):
        if area.force != force:
            continue
        for x, y in shapely.get_coordinates(geom.convex_hull):
            furthest = max(furthest, distance_m(lat, lon, float(y), float(x)))
    return furthest / 1000


def force_bounds(db: sqlite_utils.Database, force: str | None) -> Box | None:
    """The box around a force's areas (None for none): where the console's alert map opens."""
    index = area_index(db)
    boxes = [g.bounds for a, g in zip(index.areas, index.geoms, strict=True) if a.force == force]
    if not boxes:
        return None
    return Box(min(b[1] for b in boxes), max(b[3] for b in boxes), min(b[0] for b in boxes), max(b[2] for b in boxes))
