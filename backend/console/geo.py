"""A report's point as officers read it: an OS National Grid reference beside the latitude and longitude."""

from __future__ import annotations

from pygeodesy import Datums, toOsgr
from pygeodesy.ellipsoidalNvector import LatLon

# The 25 letters of the grid's squares: the alphabet without I.
_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"


def grid_reference(lat: float, lon: float, figures: int = 10) -> str | None:
    """A reference of `figures` figures (10: "TR 02480 56985", 1 m; 4: "TR 02 56", 1 km) for a WGS84 point in
    Great Britain, else None.

    pygeodesy converts the datum (WGS84 to OSGB36) and projects; the two letters are the standard 500 km and
    100 km squares counted from the grid's false origin.
    """
    try:
        grid = toOsgr(LatLon(lat, lon, datum=Datums.WGS84))
    except ValueError:
        return None
    easting, northing = int(grid.easting), int(grid.northing)
    if not (0 <= easting < 700_000 and 0 <= northing < 1_300_000):
        return None
    e100, n100 = easting // 100_000, northing // 100_000
    first = (19 - n100) - (19 - n100) % 5 + (e100 + 10) // 5
    second = (19 - n100) * 5 % 25 + e100 % 5
    digits = figures // 2
    east, north = (easting % 100_000) // 10 ** (5 - digits), (northing % 100_000) // 10 ** (5 - digits)
    return f"{_LETTERS[first]}{_LETTERS[second]} {east:0{digits}d} {north:0{digits}d}"


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """The point to about a kilometre (two decimal places of a degree), for readers outside the area's force."""
    return round(lat, 2), round(lon, 2)
