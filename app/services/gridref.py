"""OS National Grid references typed by a farmer, checked strictly and turned into latitude and longitude.

pygeodesy's own parser accepts letters the grid never uses (it reads "SI" as "SH"), so the letters and the
digits are checked here and pygeodesy only does the datum conversion (OSGB36 to WGS84, Helmert: about 5 m).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pygeodesy import Datums
from pygeodesy.osgr import Osgr

# The 25 letters of a 5 x 5 grid square: the alphabet without I.
_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
_SHAPE = re.compile(r"^([A-Z]{2})([0-9]*)$")
_PRECISION_M = {6: 100, 8: 10, 10: 1}
# The grid covers 0-700 km east and 0-1300 km north; squares outside it are not part of Great Britain's grid.
_MAX_EASTING = 700_000
_MAX_NORTHING = 1_300_000


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
        digits = {100: 3, 10: 4, 1: 5}[self.precision_m]
        e = (self.easting % 100_000) // self.precision_m
        n = (self.northing % 100_000) // self.precision_m
        return f"{self.letters} {e:0{digits}d} {n:0{digits}d}"


def _square_origin(letters: str) -> tuple[int, int]:
    """The south-west corner, in metres, of the 100 km square named by two letters."""
    first, second = (_LETTERS.index(c) for c in letters)
    # The first letter names a 500 km square, counted from a false origin 1000 km west and 500 km south of S.
    e500, n500 = first % 5, 4 - first // 5
    e100, n100 = second % 5, 4 - second // 5
    easting = (e500 - 2) * 500_000 + e100 * 100_000
    northing = (n500 - 1) * 500_000 + n100 * 100_000
    return easting, northing


def parse_grid_ref(text: str) -> GridRef:
    """Read "SU 12345 67890", "su1234567890", "SU 123 678" ... into a point at the centre of the square."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not compact:
        raise GridRefError("Type a grid reference, for example SU 123 678")
    match = _SHAPE.match(compact)
    if match is None:
        raise GridRefError("A grid reference is two letters and then digits, for example SU 123 678")
    letters, digits = match.groups()
    if any(c not in _LETTERS for c in letters):
        raise GridRefError(f"{letters} is not a grid square: the letter I is never used")
    if len(digits) % 2:
        raise GridRefError(
            f"{len(digits)} digits: a grid reference has an even number (6, 8 or 10), as many east as north"
        )
    if len(digits) not in _PRECISION_M:
        raise GridRefError(f"{len(digits)} digits: use 6, 8 or 10 figures, for example SU 123 678")
    origin_e, origin_n = _square_origin(letters)
    if not (0 <= origin_e < _MAX_EASTING and 0 <= origin_n < _MAX_NORTHING):
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
