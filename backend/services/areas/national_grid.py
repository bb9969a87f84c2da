"""The 1 km OS National Grid square a point is snapped to, for readers who may not see it exactly (Open311's
partners outside the report's force). The grid itself, its letters and the conversion between WGS84 and eastings
and northings, is core/gridref.py's.
"""

from __future__ import annotations

import math
from functools import lru_cache

from core.gridref import from_grid, grid_position

SQUARE_M = 1000
# Off the grid, a report is snapped to a 0.1 degree cell instead (several km): never finer than the grid square.
_FALLBACK_DEGREES = 0.1


@lru_cache(maxsize=65_536)
def square_centre(east_km: int, north_km: int) -> tuple[float, float]:
    """The WGS84 point, to 1e-5 degrees, at the centre of the 1 km square whose south-west corner is given."""
    lat, lon = from_grid(east_km * SQUARE_M + SQUARE_M / 2, north_km * SQUARE_M + SQUARE_M / 2)
    return round(lat, 5), round(lon, 5)


def snap_to_square(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the 1 km National Grid square holding the point (as police.uk's snap points are on a grid):
    every point in a square gives the same answer, so the exact one cannot be recovered. At most about 707 m
    (half the square's diagonal) from the point."""
    position = grid_position(lat, lon)
    if position is not None:
        easting, northing = position
        return square_centre(int(easting // SQUARE_M), int(northing // SQUARE_M))
    cell = _FALLBACK_DEGREES
    return (
        round((math.floor(lat / cell) + 0.5) * cell, 5),
        round((math.floor(lon / cell) + 0.5) * cell, 5),
    )
