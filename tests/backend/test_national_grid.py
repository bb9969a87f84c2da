"""The OS National Grid conversion (core/gridref.py's, the one the phone and the server share) held to pygeodesy's
across Great Britain, and the 1 km squares Open311 snaps a point to (backend/services/areas/national_grid.py)."""

from __future__ import annotations

import random
import time

from backend.services.areas import national_grid
from backend.services.areas.national_grid import snap_to_square
from core.gridref import from_grid, grid_position, to_grid
from tests.backend import open311_support as pygeodesy_reference
from tests.backend.open311_support import grid_point, ground_distance_m, square_centre


def _points(count: int) -> list[tuple[float, float]]:
    rng = random.Random(20261204)
    # From the Scilly Isles to Shetland, Northern Ireland to East Anglia.
    return [(rng.uniform(49.9, 60.8), rng.uniform(-7.5, 1.8)) for _ in range(count)]


def test_eastings_and_northings_match_pygeodesy_to_a_centimetre() -> None:
    for point in _points(100):
        easting, northing = to_grid(*point)
        expected = pygeodesy_reference.grid_position(point)
        assert abs(easting - expected[0]) < 0.01 and abs(northing - expected[1]) < 0.01, point
        assert grid_position(*point) == (easting, northing)


def test_grid_positions_convert_back_to_within_ten_centimetres_of_pygeodesy() -> None:
    # Ten centimetres, not a metre: a 10-figure grid reference names a 1 m square, and its centre must stay in it.
    for point in _points(100):
        easting, northing = (round(v, -2) for v in pygeodesy_reference.grid_position(point))
        assert ground_distance_m(from_grid(easting, northing), grid_point(easting, northing)) < 0.1, point


def test_points_off_the_grid_have_no_grid_position() -> None:
    for point in ((48.85, 2.35), (40.4168, -3.7038), (-33.86, 151.21), (52.0, -11.0), (62.5, -1.0), (0.0, 0.0)):
        assert grid_position(*point) is None, point
    assert grid_position(49.95, -6.3) is not None  # the Scilly Isles: on it


def test_a_point_snaps_to_its_squares_centre_and_outside_the_grid_to_a_coarser_cell() -> None:
    for point in _points(50):
        snapped = snap_to_square(*point)
        assert ground_distance_m(snapped, square_centre(point)) < 2, point
        assert ground_distance_m(snapped, point) <= 710, point
    assert snap_to_square(40.4168, -3.7038) == (40.45, -3.75)  # Madrid: off the grid, a 0.1 degree cell
    assert snap_to_square(-33.86, 151.21) == (-33.85, 151.25)


def test_snapping_a_thousand_reports_takes_milliseconds_not_seconds() -> None:
    # pygeodesy took several milliseconds a point, which made a partner's list of 1,000 requests take seconds.
    national_grid.square_centre.cache_clear()  # every square worked out afresh, as for a new partner's list
    points = _points(1000)
    started = time.perf_counter()
    for point in points:
        snap_to_square(*point)
    assert time.perf_counter() - started < 1.0
