"""The photo pipeline, run on the phone before a photo joins a report.

The farmer's original is kept untouched on the phone. The copy that is uploaded is turned the right way up,
no larger than 1600 px on its long edge, re-encoded as JPEG and carries no EXIF at all: a photo passed on
beyond the officer must not give away where the farm is. The time and GPS position the camera wrote are read
first and kept beside the photo as metadata.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from PIL import ExifTags, Image, UnidentifiedImageError, features

from app.i18n import _
from core.exif import read_gps
from wire.reports import MAX_PHOTO_BYTES

MAX_EDGE_PX = 1600
JPEG_QUALITY = 80
# Decompression bombs: a 12 MP phone photo is 12e6 pixels; 100e6 leaves room for panoramas and no more.
MAX_PIXELS = 100_000_000
# The largest file a farmer may pick: four times what the server takes after processing.
MAX_INPUT_BYTES = 4 * MAX_PHOTO_BYTES

_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_ORIENTATION = 0x0112
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011
# EXIF orientation -> the turn that puts the picture upright (as ImageOps.exif_transpose does, but applied to
# the downscaled copy, which no longer carries the tag).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def too_large(size: int) -> str:
    return _(
        "This file is too large ({size} MB). Photos up to {limit} MB "
        "can be added: choose a smaller photo, or take it again at a lower size in the camera's settings"
    ).format(size=f"{size / 1_000_000:.0f}", limit=MAX_INPUT_BYTES // 1_000_000)


class PhotoError(ValueError):
    """A photo that cannot be used; the message is shown to the farmer as it is."""


@dataclass(frozen=True)
class ProcessedPhoto:
    original: bytes
    original_sha256: str
    original_content_type: str
    upload: bytes
    upload_sha256: str
    width: int
    height: int
    taken_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None

    @property
    def upload_content_type(self) -> str:
        return "image/jpeg"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_heif(data: bytes) -> bool:
    # An ISO base media file: a box size, then "ftyp" and the major brand.
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def read_taken_at(exif: Image.Exif) -> datetime | None:
    """When the camera says the photo was taken; a time without an offset is taken as UTC."""
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    text = ifd.get(_DATETIME_ORIGINAL) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(text, str):
        return None
    try:
        taken = datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = ifd.get(_OFFSET_TIME_ORIGINAL)
    tz = UTC
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            sign = 1 if offset[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
        except ValueError:
            tz = UTC
    return taken.replace(tzinfo=tz).astimezone(UTC)


def _container_format(data: bytes) -> str | None:
    """HEIC, AVIF or WebP by their signatures: the formats phones write that Pillow may lack a decoder for."""
    if _is_heif(data):
        return "AVIF" if data[8:12] in _AVIF_BRANDS else "HEIC"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


def can_read(kind: str) -> bool:
    """Whether this Pillow decodes `kind`. The phone's Pillow (Flet's mobile index) reads JPEG and PNG only;
    a desktop Pillow reads WebP and AVIF too, and HEIC with the pillow-heif plugin registered."""
    if kind == "HEIC":
        Image.init()
        return "HEIF" in Image.OPEN
    return bool(features.check(kind.lower()))


def _refuse_unreadable_format(data: bytes) -> None:
    """Convert what this Pillow can read (the upload copy is always JPEG); refuse the rest, saying what to do."""
    kind = _container_format(data)
    if kind is None or can_read(kind):
        return
    if kind == "HEIC":
        raise PhotoError(
            _(
                "This photo is in HEIC format, which Hedgerow cannot read yet. "
                "Set the camera to 'Most compatible' (JPEG) or share the photo as JPEG."
            )
        )
    raise PhotoError(
        _(
            "This photo is in {kind} format, which Hedgerow cannot read on this phone. "
            "Take the photo with Hedgerow's camera, or share it as JPEG."
        ).format(kind=kind)
    )


def _open(data: bytes) -> Image.Image:
    if not data:
        raise PhotoError(_("This file is empty: choose the photo again"))
    if len(data) > MAX_INPUT_BYTES:
        raise PhotoError(too_large(len(data)))
    _refuse_unreadable_format(data)
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise PhotoError(_("This file is not a photo Hedgerow can read: choose a JPEG or PNG photo")) from exc
    except Image.DecompressionBombError as exc:
        raise PhotoError(_("This picture is far too large to be a photo: choose another")) from exc
    if image.width * image.height > MAX_PIXELS:
        raise PhotoError(_("This picture is far too large to be a photo: choose another"))
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts become white, as they look in a gallery, rather than black.
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def process_photo(data: bytes, max_edge: int = MAX_EDGE_PX, quality: int = JPEG_QUALITY) -> ProcessedPhoto:
    """Make the upload copy of a photo; raises PhotoError with a message for the farmer."""
    image = _open(data)
    original_type = Image.MIME.get(image.format or "", "application/octet-stream")
    try:
        exif = image.getexif()
        orientation = exif.get(_ORIENTATION, 1)
        gps = read_gps(exif)
        taken_at = read_taken_at(exif)
        long_edge = max(image.size)
        if long_edge > max_edge:
            scale = max_edge / long_edge
            target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            # JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale straight from the DCT: most of the speed.
            image.draft(None, target)
            image = image.resize(target, Image.Resampling.LANCZOS)
        else:
            image.load()
        transpose = _TRANSPOSE.get(orientation)
        if transpose is not None:
            image = image.transpose(transpose)
        image = _to_rgb(image)
        out = io.BytesIO()
        # No exif= and no icc_profile=: the upload copy carries no metadata at all.
        image.save(out, "JPEG", quality=quality, optimize=False, progressive=False)
    except PhotoError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(_("This photo is damaged and cannot be read: take or choose it again")) from exc
    upload = out.getvalue()
    return ProcessedPhoto(
        original=data,
        original_sha256=_sha256(data),
        original_content_type=original_type,
        upload=upload,
        upload_sha256=_sha256(upload),
        width=image.width,
        height=image.height,
        taken_at=taken_at,
        gps_lat=gps[0] if gps else None,
        gps_lon=gps[1] if gps else None,
    )
