"""core/: the rules the phone and the server share, each checked once here and seen to give both sides one answer."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import ExifTags, Image

from app.services.photos import process_photo
from backend.services.intake.photos import read_exif
from core.files import write_atomic
from core.geo import EARTH_RADIUS_M, distance_m
from core.gridref import (
    LETTERS,
    MAX_EASTING,
    MAX_NORTHING,
    grid_reference,
    parse_grid_ref,
    square_letters,
    square_origin,
)
from core.uktime import UkSummerTimeRule, uk_month
from tests.backend.intake import jpeg_with_exif


def test_square_letters_and_square_origin_are_inverses_over_the_whole_grid() -> None:
    inside = []
    for first in LETTERS:
        for second in LETTERS:
            easting, northing = square_origin(first + second)
            if 0 <= easting < MAX_EASTING and 0 <= northing < MAX_NORTHING:
                inside.append(first + second)
                assert square_letters(easting + 99_999.5, northing + 0.5) == first + second
    assert len(inside) == 7 * 13  # 700 km by 1300 km of 100 km squares
    assert {"SV", "TG", "HP", "NA", "SU", "TQ"} <= set(inside) and "SI" not in inside


def test_a_typed_reference_and_the_officers_reference_of_its_point_agree() -> None:
    typed = parse_grid_ref("tg5140913177")
    assert typed.formatted() == "TG 51409 13177"
    # The console's reference of the point the phone stored: the same square, at 1 m and at 1 km.
    assert grid_reference(typed.lat, typed.lon) == "TG 51409 13177"
    assert grid_reference(typed.lat, typed.lon, figures=4) == "TG 51 13"
    assert grid_reference(48.85, 2.35) is None  # Paris: off the grid


def _jpeg(gps: dict[int, object]) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 110, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _both_sides(data: bytes) -> tuple[tuple[float | None, float | None], tuple[float | None, float | None]]:
    phone = process_photo(data)
    _, lat, lon, _ = read_exif(Image.open(io.BytesIO(data)))
    return (phone.gps_lat, phone.gps_lon), (lat, lon)


def test_the_phone_and_the_server_read_a_photos_gps_by_one_rule() -> None:
    phone, server = _both_sides(jpeg_with_exif(51.2512, -0.9034, "2026:06:01 10:00:00"))
    assert phone == server
    assert server[0] == pytest.approx(51.2512, abs=1e-6) and server[1] == pytest.approx(-0.9034, abs=1e-6)
    zero = (0.0, 0.0, 0.0)
    no_fix = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: zero}
    no_fix |= {ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: zero}
    # Cameras write 0,0 when they had no fix: the server used to keep it as a position in the Gulf of Guinea.
    assert _both_sides(_jpeg(no_fix)) == ((None, None), (None, None))
    half = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 15.0, 0.0)}
    assert _both_sides(_jpeg(half)) == ((None, None), (None, None))


def test_distance_is_the_great_circle_on_the_mean_earth() -> None:
    assert distance_m(51.0, -1.0, 52.0, -1.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)
    assert distance_m(51.1, 0.1, 51.1, 0.1) == 0
    # Five kilometres east at 51°N: the linked-reports radius.
    east = 5000 / (EARTH_RADIUS_M * math.cos(math.radians(51))) * 180 / math.pi
    assert distance_m(51.0, 0.0, 51.0, east) == pytest.approx(5000, abs=0.01)


def test_an_atomic_write_makes_its_folder_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "photos" / "ab" / "abc.jpg"
    write_atomic(target, b"first")
    write_atomic(target, b"second version")
    assert target.read_bytes() == b"second version"
    assert [p.name for p in target.parent.iterdir()] == ["abc.jpg"]


def test_the_uk_month_follows_summer_time() -> None:
    assert uk_month(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == 202604  # 00:30 BST on 1 April
    assert uk_month(datetime(2026, 10, 31, 23, 30, tzinfo=UTC)) == 202610  # 23:30 GMT: still October
    assert uk_month(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == 202612


def test_the_uk_rule_for_a_phone_with_no_time_zone_database_reads_as_the_database_does() -> None:
    """Android's Python has no zoneinfo database: there core/uktime falls back to the UK's summer-time rule."""
    london, rule = ZoneInfo("Europe/London"), UkSummerTimeRule()
    moments = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * n) for n in range(0, 2 * 365 * 39)]
    for change in (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)):
        moments += [change - timedelta(microseconds=1), change]
    for moment in moments:
        by_database, by_rule = moment.astimezone(london), moment.astimezone(rule)
        assert by_rule.replace(tzinfo=None) == by_database.replace(tzinfo=None), moment
        assert (by_rule.tzname(), by_rule.utcoffset()) == (by_database.tzname(), by_database.utcoffset()), moment
