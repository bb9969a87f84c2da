"""WGS84 latitude and longitude to and from OS National Grid eastings and northings, fast enough for every row of
a list, and the 1 km grid square a point is snapped to for readers who may not see it exactly.

The formulas are Ordnance Survey's own ("A guide to coordinate systems in Great Britain", annexes B and C): a
Helmert transformation between WGS84 and OSGB36 (good to a few metres, as pygeodesy's is), then the National
Grid's transverse Mercator projection. pygeodesy computes the same with exact summation, at several
milliseconds a point: a partner's list of 1,000 requests took seconds. The tests check these functions against
pygeodesy across Great Britain.
"""

from __future__ import annotations

import math
from functools import lru_cache

# Ellipsoids: (semi-major axis, semi-minor axis) in metres.
_WGS84 = (6378137.0, 6356752.314245)
_AIRY1830 = (6377563.396, 6356256.909)
# WGS84 to OSGB36: translations in metres, scale in parts per million, rotations in arc seconds.
_TX, _TY, _TZ, _S_PPM = -446.448, 125.157, -542.060, 20.4894
_RX, _RY, _RZ = -0.1502, -0.2470, -0.8421
# The National Grid's projection: scale on the central meridian, true origin 49°N 2°W, false origin.
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49.0), math.radians(-2.0)
_E0, _N0 = 400_000.0, -100_000.0
SQUARE_M = 1000
# Where the grid is defined (the 700 km by 1300 km of its lettered squares).
_GRID_E, _GRID_N = 700_000, 1_300_000
# Outside it, a report is snapped to a 0.1 degree cell instead (several km): never finer than the grid square.
_FALLBACK_DEGREES = 0.1


def _to_cartesian(lat: float, lon: float, ellipsoid: tuple[float, float]) -> tuple[float, float, float]:
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    sin_lat = math.sin(lat)
    nu = a / math.sqrt(1 - e2 * sin_lat * sin_lat)
    return (nu * math.cos(lat) * math.cos(lon), nu * math.cos(lat) * math.sin(lon), (1 - e2) * nu * sin_lat)


def _from_cartesian(x: float, y: float, z: float, ellipsoid: tuple[float, float]) -> tuple[float, float]:
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):  # converges to well under a millimetre in three or four rounds
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        following = math.atan2(z + e2 * nu * math.sin(lat), p)
        if abs(following - lat) < 1e-12:
            lat = following
            break
        lat = following
    return lat, math.atan2(y, x)


def _helmert(point: tuple[float, float, float], sign: float) -> tuple[float, float, float]:
    """WGS84 to OSGB36 (sign 1), or back (sign -1: the parameters negated, as OS's guide allows)."""
    x, y, z = point
    s = 1 + sign * _S_PPM * 1e-6
    rx, ry, rz = (sign * math.radians(r / 3600) for r in (_RX, _RY, _RZ))
    return (
        sign * _TX + s * x - rz * y + ry * z,
        sign * _TY + rz * x + s * y - rx * z,
        sign * _TZ - ry * x + rx * y + s * z,
    )


def _meridional_arc(lat: float) -> float:
    a, b = _AIRY1830
    n = (a - b) / (a + b)
    d, s = lat - _LAT0, lat + _LAT0
    return (
        b
        * _F0
        * (
            (1 + n + 1.25 * n**2 + 1.25 * n**3) * d
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _radii(lat: float) -> tuple[float, float, float]:
    """nu, rho and eta squared of the Airy ellipsoid at a latitude, scaled by F0."""
    a, b = _AIRY1830
    e2 = 1 - (b * b) / (a * a)
    w = 1 - e2 * math.sin(lat) ** 2
    nu = a * _F0 / math.sqrt(w)
    rho = a * _F0 * (1 - e2) / w**1.5
    return nu, rho, nu / rho - 1


def to_grid(lat: float, lon: float) -> tuple[float, float]:
    """(easting, northing) in metres of a WGS84 point."""
    osgb = _from_cartesian(*_helmert(_to_cartesian(math.radians(lat), math.radians(lon), _WGS84), 1), _AIRY1830)
    phi, lam = osgb
    nu, rho, eta2 = _radii(phi)
    sin, cos, tan2 = math.sin(phi), math.cos(phi), math.tan(phi) ** 2
    i = _meridional_arc(phi) + _N0
    ii = nu / 2 * sin * cos
    iii = nu / 24 * sin * cos**3 * (5 - tan2 + 9 * eta2)
    iiia = nu / 720 * sin * cos**5 * (61 - 58 * tan2 + tan2**2)
    iv = nu * cos
    v = nu / 6 * cos**3 * (nu / rho - tan2)
    vi = nu / 120 * cos**5 * (5 - 18 * tan2 + tan2**2 + 14 * eta2 - 58 * tan2 * eta2)
    dl = lam - _LON0
    return _E0 + iv * dl + v * dl**3 + vi * dl**5, i + ii * dl**2 + iii * dl**4 + iiia * dl**6


def from_grid(easting: float, northing: float) -> tuple[float, float]:
    """The WGS84 (latitude, longitude) in degrees of a grid position."""
    a = _AIRY1830[0]
    phi = (northing - _N0) / (a * _F0) + _LAT0
    for _ in range(20):
        remainder = northing - _N0 - _meridional_arc(phi)
        if abs(remainder) < 1e-5:
            break
        phi += remainder / (a * _F0)
    nu, rho, eta2 = _radii(phi)
    tan, sec = math.tan(phi), 1 / math.cos(phi)
    t2 = tan * tan
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t2**2)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t2**2)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t2**2 + 720 * t2**3)
    de = easting - _E0
    lat = phi - vii * de**2 + viii * de**4 - ix * de**6
    lon = _LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    wgs = _from_cartesian(*_helmert(_to_cartesian(lat, lon, _AIRY1830), -1), _WGS84)
    return math.degrees(wgs[0]), math.degrees(wgs[1])


@lru_cache(maxsize=65_536)
def square_centre(east_km: int, north_km: int) -> tuple[float, float]:
    """The WGS84 point, to 1e-5 degrees, at the centre of the 1 km square whose south-west corner is given."""
    lat, lon = from_grid(east_km * SQUARE_M + SQUARE_M / 2, north_km * SQUARE_M + SQUARE_M / 2)
    return round(lat, 5), round(lon, 5)


def snap_to_square(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the 1 km National Grid square holding the point (as police.uk's snap points are on a grid):
    every point in a square gives the same answer, so the exact one cannot be recovered. At most about 707 m
    (half the square's diagonal) from the point."""
    if 49.0 <= lat <= 61.5 and -9.0 <= lon <= 3.0:
        easting, northing = to_grid(lat, lon)
        if 0 <= easting < _GRID_E and 0 <= northing < _GRID_N:
            return square_centre(int(easting // SQUARE_M), int(northing // SQUARE_M))
    cell = _FALLBACK_DEGREES
    return (
        round((math.floor(lat / cell) + 0.5) * cell, 5),
        round((math.floor(lon / cell) + 0.5) * cell, 5),
    )
