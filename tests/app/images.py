"""Photos made for the tests: EXIF orientation and GPS as phone cameras write them, CMYK, PNG, damaged."""

from __future__ import annotations

import io
from fractions import Fraction

from PIL import ExifTags, Image

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return Fraction(degrees), Fraction(minutes), Fraction(round(seconds * 10000), 10000)


def camera_jpeg(
    width: int = 400,
    height: int = 300,
    orientation: int = 1,
    gps: tuple[float, float] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    marker: bool = True,
) -> bytes:
    """A JPEG as a phone writes it: pixels stored as the sensor saw them, plus EXIF saying how to turn them.

    With `marker`, the top-left quarter is red and the rest green, so a test can tell which way is up.
    """
    image = Image.new("RGB", (width, height), (30, 140, 40))
    if marker:
        image.paste((220, 20, 20), (0, 0, width // 2, height // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCam"
    if taken:
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        exif_ifd[ExifTags.Base.DateTimeOriginal] = taken
        if offset:
            exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N" if gps[0] >= 0 else "S"
        gps_ifd[ExifTags.GPS.GPSLatitude] = _dms(gps[0])
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E" if gps[1] >= 0 else "W"
        gps_ifd[ExifTags.GPS.GPSLongitude] = _dms(gps[1])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def cmyk_jpeg(width: int = 300, height: int = 200) -> bytes:
    image = Image.new("CMYK", (width, height), (0, 255, 255, 0))  # pure red in print inks
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def transparent_png(width: int = 320, height: int = 240) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((20, 20, 200, 255), (0, 0, width // 2, height))  # left half opaque blue, right transparent
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def heic() -> bytes:
    """A real HEIC (made once with pillow-heif, which the app cannot carry to phones)."""
    return (FIXTURES / "field-64x48.heic").read_bytes()


def pixel(data: bytes, x: float, y: float) -> tuple[int, int, int]:
    """The colour at a fraction of the width and height of an encoded image."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((int(x * (rgb.width - 1)), int(y * (rgb.height - 1))))  # type: ignore[return-value]


def is_red(rgb: tuple[int, int, int]) -> bool:
    return rgb[0] > 150 and rgb[1] < 90 and rgb[2] < 90
