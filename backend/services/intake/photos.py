"""Photos that arrived over tus: checked, stored once by hash, linked to their report, stripped copies made."""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from backend.security import iso
from backend.services.intake import events
from backend.writes import write
from core.exif import read_gps
from core.files import write_atomic
from core.geo import distance_m
from wire.reports import MAX_PHOTO_BYTES

MAX_PIXELS = 40_000_000
# Pillow refuses outright above twice this, before decoding anything: a decompression bomb never reaches RAM.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
DISPLAY_EDGE = 1600
THUMB_EDGE = 400


class PhotoRefused(ValueError):
    """The upload is not a photo Hedgerow will keep; the message says why, in words for the farmer."""


@dataclass(frozen=True)
class Inspected:
    sha256: str
    bytes: int
    content_type: str
    width: int
    height: int
    taken_at: str | None
    exif_lat: float | None
    exif_lon: float | None
    exif: dict[str, Any]


def read_exif(image: Image.Image) -> tuple[str | None, float | None, float | None, dict[str, Any]]:
    """The evidence in a photo's EXIF: when it was taken and where, kept privately by the server."""
    exif = image.getexif()
    base = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.items()}
    sub = {ExifTags.TAGS.get(k, str(k)): v for k, v in exif.get_ifd(ExifTags.IFD.Exif).items()}
    taken = sub.get("DateTimeOriginal") or base.get("DateTime")
    lat, lon = read_gps(exif) or (None, None)
    keep = {k: str(base[k])[:200] for k in ("Make", "Model", "Software", "DateTime", "Orientation") if k in base}
    if taken:
        keep["DateTimeOriginal"] = str(taken)[:40]
    return (str(taken)[:40] if taken else None), lat, lon, keep


def inspect(data: bytes, expected_sha256: str) -> Inspected:
    """Check that the bytes are the declared photo and a real, reasonable image."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise PhotoRefused("the photo arrived damaged (its SHA-256 does not match); send it again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(f"the photo has more than {MAX_PIXELS // 1_000_000} megapixels")
            fmt = image.format
            image.verify()  # structure check without decoding the pixels
            image = Image.open(io.BytesIO(data))
            image.load()  # a truncated or corrupt file fails here
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused(f"the photo has more than {MAX_PIXELS // 1_000_000} megapixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoRefused("this file is not a photo Hedgerow can open (JPEG, PNG or WebP)") from exc
    if fmt not in FORMATS:
        raise PhotoRefused(f"{fmt} images are not accepted; send a JPEG, PNG or WebP")
    taken, lat, lon, exif = read_exif(image)
    return Inspected(digest, len(data), FORMATS[fmt], image.width, image.height, taken, lat, lon, exif)


def blob_path(photos_dir: Path, sha256: str, kind: str, content_type: str = "image/jpeg") -> Path:
    ext = EXTENSIONS[content_type] if kind == "original" else "jpg"
    return photos_dir / kind / sha256[:2] / f"{sha256}.{ext}"


def _derived(data: bytes, edge: int) -> bytes:
    """A copy for the console: upright, downscaled, re-encoded, with no EXIF (so no location) in it."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


def store(photos_dir: Path, data: bytes, info: Inspected) -> None:
    """Keep the original once by its hash, and its stripped display and thumbnail copies."""
    original = blob_path(photos_dir, info.sha256, "original", info.content_type)
    if not original.exists():
        write_atomic(original, data)
    for kind, edge in (("display", DISPLAY_EDGE), ("thumb", THUMB_EDGE)):
        path = blob_path(photos_dir, info.sha256, kind)
        if not path.exists():
            write_atomic(path, _derived(data, edge))


def declared_photo(db: sqlite_utils.Database, report_id: str, photo_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT * FROM report_photos WHERE report_id = ? AND photo_id = ?", [report_id, photo_id]
    ).fetchone()
    return dict(row) if row else None


def received_photo(db: sqlite_utils.Database, report_id: str, photo_id: str) -> dict[str, Any] | None:
    """The hash and type of a report's photo whose bytes have arrived; None if it is unknown or still on its way."""
    row = db.execute(
        "SELECT sha256, content_type FROM report_photos "
        "WHERE report_id = ? AND photo_id = ? AND received_at IS NOT NULL",
        [report_id, photo_id],
    ).fetchone()
    return dict(row) if row else None


def link(
    db: sqlite_utils.Database, report_id: str, photo_id: str, info: Inspected, actor_id: str, now: datetime
) -> bool:
    """Record the photo as arrived, once. Returns False when it had already arrived."""
    with write(db):
        db.execute(
            "INSERT OR IGNORE INTO photo_blobs (sha256, bytes, content_type, width, height, taken_at, exif_lat, "
            "exif_lon, exif, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                info.sha256,
                info.bytes,
                info.content_type,
                info.width,
                info.height,
                info.taken_at,
                info.exif_lat,
                info.exif_lon,
                json.dumps(info.exif),
                iso(now),
            ],
        )
        changed = db.execute(
            "UPDATE report_photos SET received_at = ?, error = NULL WHERE report_id = ? AND photo_id = ? "
            "AND received_at IS NULL",
            [iso(now), report_id, photo_id],
        ).rowcount
        if not changed:
            return False
        report = dict(db.execute("SELECT * FROM reports WHERE id = ?", [report_id]).fetchone())
        events.record_event(
            db,
            report,
            "photo_received",
            now,
            "device",
            actor_id,
            {"photo_id": photo_id},
            idem_key=f"photo:{photo_id}",
        )
    return True


def mark_refused(db: sqlite_utils.Database, report_id: str, photo_id: str, message: str) -> None:
    db.execute(
        "UPDATE report_photos SET error = ? WHERE report_id = ? AND photo_id = ? AND received_at IS NULL",
        [message, report_id, photo_id],
    )


# A photo whose camera says it was taken this long before the incident is pointed out: maybe an old photo.
TAKEN_BEFORE_WARN = timedelta(days=2)


@dataclass(frozen=True)
class Provenance:
    """What the phone declared of one photo's origin, and what it says about the report."""

    taken_at: str | None
    distance_km: float | None  # from the report's location to where the camera was
    days_before: int | None  # whole days the photo was taken before the incident, when that is long
    original_sha256: str | None


def provenance(db: sqlite_utils.Database, report: dict[str, Any]) -> dict[str, Provenance]:
    """Each declared photo's provenance, by photo id, for the officers' report page."""
    occurred = datetime.fromisoformat(report["occurred_at"])
    found = {}
    for p in db.execute(
        "SELECT photo_id, taken_at, taken_lat, taken_lon, original_sha256 FROM report_photos WHERE report_id = ?",
        [report["id"]],
    ).fetchall():
        distance = None
        if p["taken_lat"] is not None and p["taken_lon"] is not None:
            distance = round(distance_m(report["lat"], report["lon"], p["taken_lat"], p["taken_lon"]) / 1000, 1)
        days_before = None
        if p["taken_at"]:
            early = occurred - datetime.fromisoformat(p["taken_at"])
            if early > TAKEN_BEFORE_WARN:
                days_before = early.days
        found[p["photo_id"]] = Provenance(p["taken_at"], distance, days_before, p["original_sha256"])
    return found
