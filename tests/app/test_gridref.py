"""OS grid references: all three precisions, with and without spaces, and the mistakes farmers make."""

from __future__ import annotations

import math
import random

import pytest
from pygeodesy import Datums, toOsgr
from pygeodesy.ellipsoidalKarney import LatLon

from core.gridref import GridRefError, format_grid_ref, parse_grid_ref


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1) * 6_371_000
    dlon = math.radians(lon2 - lon1) * 6_371_000 * math.cos(math.radians(lat1))
    return math.hypot(dlat, dlon)


# The Ordnance Survey's worked example ("A guide to coordinate systems in Great Britain"): TG 51409 13177 is
# E 651409.903, N 313177.270, which is 52°39'27.2531"N 1°43'04.5177"E on the OSGB36 datum.
OS_EXAMPLE = "TG 51409 13177"
OS_EXAMPLE_OSGB36 = (52 + 39 / 60 + 27.2531 / 3600, 1 + 43 / 60 + 4.5177 / 3600)


def test_ten_figure_reference_gives_the_os_worked_example_grid_position() -> None:
    ref = parse_grid_ref(OS_EXAMPLE)
    assert (ref.easting, ref.northing, ref.precision_m) == (651409, 313177, 1)


def test_latitude_and_longitude_are_on_wgs84_not_on_the_maps_own_datum() -> None:
    # GPS and the server use WGS84. In East Anglia OSGB36 and WGS84 differ by about 100 m; a reference
    # converted without the datum shift would land within a few metres of the OSGB36 position.
    ref = parse_grid_ref(OS_EXAMPLE)
    shift = metres_between(ref.lat, ref.lon, *OS_EXAMPLE_OSGB36)
    assert 80 < shift < 160
    # And back again: the WGS84 point converts to the same grid square (pygeodesy's inverse, datum-aware).
    back = toOsgr(LatLon(ref.lat, ref.lon, datum=Datums.WGS84))
    assert abs(back.easting - 651409.5) < 1.0 and abs(back.northing - 313177.5) < 1.0


@pytest.mark.parametrize(
    ("text", "easting", "northing", "precision"),
    [
        ("TG 514 131", 651400, 313100, 100),
        ("TG514131", 651400, 313100, 100),
        ("TG 5140 1317", 651400, 313170, 10),
        ("tg51401317", 651400, 313170, 10),
        ("TG 51409 13177", 651409, 313177, 1),
        ("  tg 5140913177 ", 651409, 313177, 1),
    ],
)
def test_six_eight_and_ten_figures_with_or_without_spaces(
    text: str, easting: int, northing: int, precision: int
) -> None:
    ref = parse_grid_ref(text)
    assert (ref.easting, ref.northing, ref.precision_m) == (easting, northing, precision)


def test_the_point_is_the_centre_of_the_square_the_reference_names() -> None:
    six = parse_grid_ref("TG 514 131")  # the 100 m square whose SW corner is E 651400, N 313100
    centre = parse_grid_ref("TG 51450 13150")
    assert metres_between(six.lat, six.lon, centre.lat, centre.lon) < 1.5
    assert six.accuracy_m == pytest.approx(70.7, abs=0.1)
    assert parse_grid_ref("TG 5140 1317").accuracy_m == pytest.approx(7.1, abs=0.1)


def test_precisions_agree_with_each_other_about_where_the_point_is() -> None:
    ten = parse_grid_ref("SU 12345 67890")
    eight = parse_grid_ref("SU 1234 6789")
    six = parse_grid_ref("SU 123 678")
    assert metres_between(ten.lat, ten.lon, eight.lat, eight.lon) < 10
    assert metres_between(ten.lat, ten.lon, six.lat, six.lon) < 100


@pytest.mark.parametrize("figures", [4, 6, 8, 10])
def test_every_reference_lands_inside_the_square_it_names_by_pygeodesys_reckoning(figures: int) -> None:
    # Squares from the Scilly Isles to Shetland; the point is converted back by pygeodesy, independently of core.
    rng = random.Random(20261205 + figures)
    precision = 10 ** (5 - figures // 2)
    for _ in range(200):
        easting, northing = rng.randrange(100_000, 660_000), rng.randrange(10_000, 1_220_000)
        ref = parse_grid_ref(format_grid_ref(easting, northing, figures), (4, 6, 8, 10))
        assert ref.precision_m == precision
        back = toOsgr(LatLon(ref.lat, ref.lon, datum=Datums.WGS84))
        assert ref.easting <= back.easting < ref.easting + precision, (ref, back.easting)
        assert ref.northing <= back.northing < ref.northing + precision, (ref, back.northing)
        # And at the square's centre, to a few centimetres (the projection's) and 1e-7 degrees (the rounding).
        centre = (ref.easting + precision / 2, ref.northing + precision / 2)
        assert math.hypot(back.easting - centre[0], back.northing - centre[1]) < 0.1, ref


def test_four_figures_name_a_kilometre_square_only_where_the_caller_allows_them() -> None:
    with pytest.raises(GridRefError, match=r"^4 digits: use 6, 8 or 10 figures"):
        parse_grid_ref("TR 02 56")
    km = parse_grid_ref("TR 02 56", (4, 6, 8, 10))
    assert (km.easting, km.northing, km.precision_m, km.formatted()) == (602000, 156000, 1000, "TR 02 56")
    assert km.accuracy_m == pytest.approx(707.1, abs=0.1)
    with pytest.raises(GridRefError, match=r"^12 digits: use 4, 6, 8 or 10 figures"):
        parse_grid_ref("TR 123456 123456", (4, 6, 8, 10))
    with pytest.raises(GridRefError, match=r"^5 digits: a grid reference has an even number \(4, 6, 8 or 10\)"):
        parse_grid_ref("TR 02 567", (4, 6, 8, 10))


def test_formatted_reference_is_grouped_as_on_a_map() -> None:
    assert parse_grid_ref("su1234567890").formatted() == "SU 12345 67890"
    assert parse_grid_ref("su 123 678").formatted() == "SU 123 678"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SI 123 456", "letter I is never used"),
        ("IS 123 456", "letter I is never used"),
        ("S1 123 456", "two letters and then digits"),
        ("123456", "two letters and then digits"),
        ("SU 123 45", "5 digits.*even number"),
        ("SU 1234 567", "7 digits.*even number"),
        ("SU 12 34", "4 digits: use 6, 8 or 10"),
        ("SU 123456 789012", "12 digits: use 6, 8 or 10"),
        ("SU", "0 digits"),
        ("SU 123 678x", "two letters and then digits"),
        ("", "Type a grid reference"),
        ("AA 123 456", "not a grid square in Great Britain"),
        ("ZZ 123 456", "not a grid square in Great Britain"),
    ],
)
def test_bad_references_are_refused_with_a_message_saying_why(text: str, message: str) -> None:
    with pytest.raises(GridRefError, match=message):
        parse_grid_ref(text)
