"""OS National Grid references: the 100 km square letters, reading a typed reference, writing one for a point.

The grid's squares are named by two of 25 letters (the alphabet without I): the first a 500 km square counted
from a false origin 1000 km west and 500 km south of S, the second a 100 km square inside it. pygeodesy does
the datum conversion and projection only: its own parser accepts letters the grid never uses (it reads "SI" as
"SH"), so letters and digits are checked here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pygeodesy import Datums, toOsgr
from pygeodesy.ellipsoidalNvector import LatLon
from pygeodesy.osgr import Osgr

LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
# The grid covers 0-700 km east and 0-1300 km north; squares outside it are not part of Great Britain's grid.
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000
_SHAPE = re.compile(r"^([A-Z]{2})([0-9]*)$")
_PRECISION_M = {6: 100, 8: 10, 10: 1}


class GridRefError(ValueError):
    """A grid reference that cannot be used; the message says why, in words a farmer can act on."""


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
        return format_grid_ref(self.easting, self.northing, {100: 6, 10: 8, 1: 10}[self.precision_m])


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


def format_grid_ref(easting: float, northing: float, figures: int) -> str:
    """A reference of `figures` figures (10: "TR 02480 56985", 1 m; 4: "TR 02 56", 1 km); digits are truncated,
    so the reference names the square the position lies in."""
    digits = figures // 2
    unit = 10 ** (5 - digits)
    east, north = int(easting % 100_000) // unit, int(northing % 100_000) // unit
    return f"{square_letters(easting, northing)} {east:0{digits}d} {north:0{digits}d}"


def grid_reference(lat: float, lon: float, figures: int = 10) -> str | None:
    """The reference of a WGS84 point in Great Britain (datum converted to OSGB36), else None."""
    try:
        grid = toOsgr(LatLon(lat, lon, datum=Datums.WGS84))
    except ValueError:
        return None
    easting, northing = int(grid.easting), int(grid.northing)
    if not (0 <= easting < MAX_EASTING and 0 <= northing < MAX_NORTHING):
        return None
    return format_grid_ref(easting, northing, figures)


def parse_grid_ref(text: str) -> GridRef:
    """Read "SU 12345 67890", "su1234567890", "SU 123 678" ... into a point at the centre of the square."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not compact:
        raise GridRefError("Type a grid reference, for example SU 123 678")
    match = _SHAPE.match(compact)
    if match is None:
        raise GridRefError("A grid reference is two letters and then digits, for example SU 123 678")
    letters, digits = match.groups()
    if any(c not in LETTERS for c in letters):
        raise GridRefError(f"{letters} is not a grid square: the letter I is never used")
    if len(digits) % 2:
        raise GridRefError(
            f"{len(digits)} digits: a grid reference has an even number (6, 8 or 10), as many east as north"
        )
    if len(digits) not in _PRECISION_M:
        raise GridRefError(f"{len(digits)} digits: use 6, 8 or 10 figures, for example SU 123 678")
    origin_e, origin_n = square_origin(letters)
    if not (0 <= origin_e < MAX_EASTING and 0 <= origin_n < MAX_NORTHING):
        raise GridRefError(f"{letters} is not a grid square in Great Britain")
    precision = _PRECISION_M[len(digits)]
    half = len(digits) // 2
    easting = origin_e + int(digits[:half]) * precision
    northing = origin_n + int(digits[half:]) * precision
    # The centre of the square, not its south-west corner: the best single guess at where the farmer means.
    point = Osgr(easting + precision / 2, northing + precision / 2).toLatLon(datum=Datums.WGS84)
    return GridRef(
        letters=letters,
        easting=easting,
        northing=northing,
        precision_m=precision,
        lat=round(point.lat, 7),
        lon=round(point.lon, 7),
    )
