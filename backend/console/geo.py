"""A report's point as readers outside the area's force see it (the grid reference is core.gridref)."""

from __future__ import annotations


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """The point to about a kilometre (two decimal places of a degree), for readers outside the area's force."""
    return round(lat, 2), round(lon, 2)
