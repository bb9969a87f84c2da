"""OS National Grid references: the 100 km square letters, reading a typed reference, writing one for a point,
and the conversion between WGS84 latitude and longitude and the grid's eastings and northings.

The grid's squares are named by two of 25 letters (the alphabet without I): the first a 500 km square counted
from a false origin 1000 km west and 500 km south of S, the second a 100 km square inside it.

The conversion follows Ordnance Survey's own formulas ("A guide to coordinate systems in Great Britain", annexes B
and C): a Helmert transformation between WGS84 and OSGB36 (good to a few metres, the transformation GPS-grade
software uses without OSTN15), then the National Grid's transverse Mercator projection. It is plain arithmetic,
fast enough for every row of a list; the tests hold it to pygeodesy's (exact summation, several milliseconds a
point) across Great Britain: within a centimetre one way, a few centimetres back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.i18n import N_

LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
# The grid covers 0-700 km east and 0-1300 km north; squares outside it are not part of Great Britain's grid.
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000
_SHAPE = re.compile(r"^([A-Z]{2})([0-9]*)$")
# Square size by number of digits. 4 figures (a 1 km square) only where a caller allows it: the phone asks a
# farmer for 6 to 10, Open311 partners may send 4.
_PRECISION_M = {4: 1000, 6: 100, 8: 10, 10: 1}
FARMER_FIGURES = (6, 8, 10)

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
# Every point of the grid lies in this box (49.77 to 61.59°N, 9.50°W to 3.64°E); far outside it the projection's
# series mean nothing, so a point there is off the grid without being converted.
_NEAR_GRID_LAT = (49.0, 62.0)
_NEAR_GRID_LON = (-10.0, 4.0)


class GridRefError(ValueError):
    """A grid reference that cannot be used; the message says why, in words a farmer can act on.

    The message is English; `say(translate)` gives it in the farmer's language (the phone passes its gettext), so
    the template and its values are kept apart. A tuple value is a list of figures, joined with the word "or"."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(self.say())

    def say(self, translate: Callable[[str], str] = N_) -> str:
        either = translate(N_("or"))

        def listed(figures: tuple[object, ...]) -> str:
            *others, last = (str(f) for f in figures)
            return f"{', '.join(others)} {either} {last}" if others else last

        shown = {name: listed(v) if isinstance(v, tuple) else v for name, v in self.params.items()}
        return translate(self.template).format(**shown)


@dataclass(frozen=True)
class GridRef:
    letters: str
    easting: int
    northing: int
    precision_m: int
    lat: float
    lon: float

    @property
    def accuracy_m(self) -> float:
        """Half the diagonal of the square the reference names: the furthest the point can be from its centre."""
        return round(self.precision_m * math.sqrt(2) / 2, 1)

    def formatted(self) -> str:
        return format_grid_ref(self.easting, self.northing, {1000: 4, 100: 6, 10: 8, 1: 10}[self.precision_m])


def square_origin(letters: str) -> tuple[int, int]:
    """The south-west corner, in metres, of the 100 km square named by two letters."""
    first, second = (LETTERS.index(c) for c in letters)
    e500, n500 = first % 5, 4 - first // 5
    e100, n100 = second % 5, 4 - second // 5
    return (e500 - 2) * 500_000 + e100 * 100_000, (n500 - 1) * 500_000 + n100 * 100_000


def square_letters(easting: float, northing: float) -> str:
    """The two letters of the 100 km square holding a grid position (the inverse of `square_origin`)."""
    e100, n100 = int(easting // 100_000), int(northing // 100_000)
    first = (19 - n100) - (19 - n100) % 5 + (e100 + 10) // 5
    second = (19 - n100) * 5 % 25 + e100 % 5
    return LETTERS[first] + LETTERS[second]


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
    """(easting, northing) in metres of a WGS84 point near Great Britain (see `grid_position` for any point)."""
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


def grid_position(lat: float, lon: float) -> tuple[float, float] | None:
    """(easting, northing) of a WGS84 point if it lies on the National Grid, else None."""
    if not (_NEAR_GRID_LAT[0] <= lat <= _NEAR_GRID_LAT[1] and _NEAR_GRID_LON[0] <= lon <= _NEAR_GRID_LON[1]):
        return None
    easting, northing = to_grid(lat, lon)
    if not (0 <= easting < MAX_EASTING and 0 <= northing < MAX_NORTHING):
        return None
    return easting, northing


def format_grid_ref(easting: float, northing: float, figures: int) -> str:
    """A reference of `figures` figures (10: "TR 02480 56985", 1 m; 4: "TR 02 56", 1 km); digits are truncated,
    so the reference names the square the position lies in."""
    digits = figures // 2
    unit = 10 ** (5 - digits)
    east, north = int(easting % 100_000) // unit, int(northing % 100_000) // unit
    return f"{square_letters(easting, northing)} {east:0{digits}d} {north:0{digits}d}"


def grid_reference(lat: float, lon: float, figures: int = 10) -> str | None:
    """The reference of a WGS84 point in Great Britain (datum converted to OSGB36), else None."""
    position = grid_position(lat, lon)
    return None if position is None else format_grid_ref(*position, figures)


def parse_grid_ref(text: str, figures: tuple[int, ...] = FARMER_FIGURES) -> GridRef:
    """Read "SU 12345 67890", "su1234567890", "SU 123 678" ... into a point at the centre of the square; `figures`
    are the reference lengths allowed (4, 6, 8 or 10)."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not compact:
        raise GridRefError(N_("Type a grid reference, for example SU 123 678"))
    match = _SHAPE.match(compact)
    if match is None:
        raise GridRefError(N_("A grid reference is two letters and then digits, for example SU 123 678"))
    letters, digits = match.groups()
    if any(c not in LETTERS for c in letters):
        raise GridRefError(N_("{letters} is not a grid square: the letter I is never used"), letters=letters)
    allowed = tuple(figures)
    if len(digits) % 2:
        raise GridRefError(
            N_("{count} digits: a grid reference has an even number ({allowed}), as many east as north"),
            count=len(digits),
            allowed=allowed,
        )
    if len(digits) not in figures:
        raise GridRefError(
            N_("{count} digits: use {allowed} figures, for example SU 123 678"), count=len(digits), allowed=allowed
        )
    origin_e, origin_n = square_origin(letters)
    if not (0 <= origin_e < MAX_EASTING and 0 <= origin_n < MAX_NORTHING):
        raise GridRefError(N_("{letters} is not a grid square in Great Britain"), letters=letters)
    precision = _PRECISION_M[len(digits)]
    half = len(digits) // 2
    easting = origin_e + int(digits[:half]) * precision
    northing = origin_n + int(digits[half:]) * precision
    # The centre of the square, not its south-west corner: the best single guess at where the farmer means.
    lat, lon = from_grid(easting + precision / 2, northing + precision / 2)
    return GridRef(
        letters=letters,
        easting=easting,
        northing=northing,
        precision_m=precision,
        lat=round(lat, 7),
        lon=round(lon, 7),
    )
