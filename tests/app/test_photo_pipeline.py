"""The photo pipeline: upright, at most 1600 px, JPEG, no EXIF in the upload copy, time and GPS kept aside."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from app.services.photos import MAX_EDGE_PX, PhotoError, process_photo
from tests.app.images import camera_jpeg, cmyk_jpeg, heic, is_red, pixel, transparent_png


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("orientation", "red_corner"),
    [
        (1, (0.1, 0.1)),  # as stored: red top-left
        (3, (0.9, 0.9)),  # upside down: red ends bottom-right
        (6, (0.9, 0.1)),  # rotated 90° clockwise to view: red top-right
        (8, (0.1, 0.9)),  # rotated 90° anticlockwise to view: red bottom-left
    ],
)
def test_photo_is_turned_upright_by_its_exif_orientation(orientation: int, red_corner: tuple[float, float]) -> None:
    result = process_photo(camera_jpeg(400, 300, orientation=orientation))
    upright = (300, 400) if orientation in (6, 8) else (400, 300)
    assert (result.width, result.height) == upright
    assert _open(result.upload).size == upright
    assert is_red(pixel(result.upload, *red_corner))
    opposite = (1 - red_corner[0], 1 - red_corner[1])
    assert not is_red(pixel(result.upload, *opposite))


def test_large_photo_is_downscaled_to_1600_px_on_its_long_edge() -> None:
    result = process_photo(camera_jpeg(4000, 3000, orientation=6))
    assert (result.width, result.height) == (1200, MAX_EDGE_PX)
    image = _open(result.upload)
    assert image.format == "JPEG"
    assert image.size == (1200, 1600)
    assert is_red(pixel(result.upload, 0.9, 0.1))


def test_small_photo_keeps_its_size() -> None:
    result = process_photo(camera_jpeg(640, 480))
    assert (result.width, result.height) == (640, 480)


def test_upload_copy_has_no_exif_but_time_and_gps_are_kept_as_metadata() -> None:
    original = camera_jpeg(800, 600, gps=(51.2501, -0.9002), taken="2026:11:20 06:45:10", offset="+00:00")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the camera's GPS is there to start with
    result = process_photo(original)
    upload = _open(result.upload)
    assert len(upload.getexif()) == 0
    assert "exif" not in upload.info
    assert b"Exif" not in result.upload[:4096]
    assert b"TestCam" not in result.upload
    assert result.gps_lat == pytest.approx(51.2501, abs=1e-5)
    assert result.gps_lon == pytest.approx(-0.9002, abs=1e-5)
    assert result.taken_at == datetime(2026, 11, 20, 6, 45, 10, tzinfo=UTC)


def test_taken_at_with_a_summer_time_offset_is_converted_to_utc() -> None:
    result = process_photo(camera_jpeg(taken="2026:07:01 14:00:00", offset="+01:00"))
    assert result.taken_at == datetime(2026, 7, 1, 13, 0, 0, tzinfo=UTC)


def test_photo_without_gps_has_no_position() -> None:
    result = process_photo(camera_jpeg())
    assert result.gps_lat is None
    assert result.gps_lon is None
    assert result.taken_at is None


def test_original_is_kept_byte_for_byte_and_both_hashes_are_recorded() -> None:
    original = camera_jpeg(1000, 800, gps=(52.0, 1.0))
    result = process_photo(original)
    assert result.original == original
    assert result.original_sha256 == hashlib.sha256(original).hexdigest()
    assert result.upload_sha256 == hashlib.sha256(result.upload).hexdigest()
    assert result.original_sha256 != result.upload_sha256
    assert result.original_content_type == "image/jpeg"


def test_cmyk_jpeg_becomes_an_rgb_jpeg_of_the_same_colour() -> None:
    result = process_photo(cmyk_jpeg())
    image = _open(result.upload)
    assert image.mode == "RGB"
    assert is_red(pixel(result.upload, 0.5, 0.5))


def test_png_with_transparency_becomes_a_jpeg_on_white() -> None:
    result = process_photo(transparent_png())
    assert result.original_content_type == "image/png"
    image = _open(result.upload)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    left, right = pixel(result.upload, 0.25, 0.5), pixel(result.upload, 0.75, 0.5)
    assert left[2] > 150 and left[0] < 80  # blue
    assert min(right) > 240  # white, not black


def test_heic_photo_is_refused_with_a_message_saying_what_to_do() -> None:
    # pillow-heif has no wheels for Android or iOS, so the app cannot read HEIC; it says so plainly.
    with pytest.raises(PhotoError, match=r"HEIC format.*JPEG"):
        process_photo(heic())


def test_corrupt_photo_is_refused_with_a_clear_message() -> None:
    good = camera_jpeg(800, 600)
    truncated = good[: len(good) // 3]
    with pytest.raises(PhotoError, match="damaged"):
        process_photo(truncated)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 not a photo at all", "not a photo"),
        (b"\x00" * 2048, "not a photo"),
    ],
)
def test_files_that_are_not_photos_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(PhotoError, match=message):
        process_photo(data)


def test_gps_of_zero_zero_is_treated_as_no_fix() -> None:
    result = process_photo(camera_jpeg(gps=(0.0, 0.0)))
    assert result.gps_lat is None and result.gps_lon is None
