"""Everything Hedgerow holds about one farmer's phone, as one ZIP file.

- `device.json`: the registration (name, phone, email, farm name, postcode, language, when registered);
- `reports/<id>.json`: each report the phone sent, as the farmer sees it (wire's `ReportPublic`, with its public
  timeline: no internal notes, no staff names);
- `photos/<report id>/<photo id>.<ext>`: the photos as they were sent, byte for byte (their SHA-256 is the one the
  phone declared);
- `alerts.json`: the places the phone asked for alerts about (rounded to the 1 km square) and whether it chose
  alerts by SMS or email;
- `access_log.csv` (a subject access request only, `hedgerow sar`): every staff read of those reports;
- `manifest.json`: every other file with its SHA-256 and size; `README.txt`: the same in plain words, in the
  language the phone reads.

Memory stays bounded whatever the farmer sent: the ZIP is written to a file (a temporary one for the API), one
report at a time, and each photo is copied from the photo store in pieces, hashed on the way.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import textwrap
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from backend.i18n import npgettext, pgettext, speaking
from backend.services.alerts import places as alert_places
from backend.services.errors import NotFound
from backend.services.intake import report_views
from backend.services.intake.photos import EXTENSIONS, blob_path
from backend.services.intake.reports import device_report
from backend.services.staff.user_admin import access_log_csv
from core.i18n import local_datetime
from core.uktime import LONDON
from wire.reports import ReportPublic

PIECE = 1024 * 1024


@dataclass(frozen=True)
class ZipEntry:
    path: str
    sha256: str
    bytes: int


@dataclass
class Export:
    """What went into one export: for the manifest, and for whoever made it to say so."""

    device_id: str
    made_at: datetime
    reports: int = 0
    photos: int = 0
    # Photos that arrived once but whose file is not in the photo store (a store restored without them).
    missing: list[str] = field(default_factory=list)
    files: list[ZipEntry] = field(default_factory=list)
    access_log: bool = False


def filename(now: datetime) -> str:
    """The name the farmer's download is saved under: dated, so a second one does not overwrite the first."""
    return f"hedgerow-my-data-{now.astimezone(LONDON).date().isoformat()}.zip"


def device_record(db: sqlite_utils.Database, device_id: str) -> dict[str, Any]:
    """The phone's registration as the export shows it; NotFound for a phone Hedgerow does not know."""
    row = db.execute(
        "SELECT id, name, phone, email, farm_name, postcode, language, created_at, contact_erased_at FROM devices "
        "WHERE id = ? AND kind = 'phone'",
        [device_id],
    ).fetchone()
    if row is None:
        raise NotFound("no such device")
    return {
        "device_id": row["id"],
        "name": row["name"],
        "phone": row["phone"],
        "email": row["email"],
        "farm_name": row["farm_name"],
        "postcode": row["postcode"],
        "language": row["language"],
        "registered_at": row["created_at"],
        "contact_erased_at": row["contact_erased_at"],
    }


def _report_ids(db: sqlite_utils.Database, device_id: str) -> list[str]:
    rows = db.execute("SELECT id FROM reports WHERE device_id = ? ORDER BY received_at, id", [device_id])
    return [r[0] for r in rows]


def _arrived_photos(db: sqlite_utils.Database, report_id: str) -> list[Any]:
    """The report's photos whose bytes reached the server, with the type they were stored as."""
    return db.execute(
        "SELECT p.photo_id, p.sha256, b.content_type FROM report_photos p JOIN photo_blobs b ON b.sha256 = p.sha256 "
        "WHERE p.report_id = ? AND p.received_at IS NOT NULL ORDER BY p.declared_at, p.rowid",
        [report_id],
    ).fetchall()


def _pieces(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while piece := f.read(PIECE):
            yield piece


class _Writer:
    """A ZIP being written: each file hashed as it goes in, and noted for the manifest."""

    def __init__(self, out: IO[bytes], made_at: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.stamp = made_at.astimezone(LONDON).timetuple()[:6]
        self.files: list[ZipEntry] = []

    def add(self, path: str, pieces: Iterable[bytes], compress: bool = True) -> ZipEntry:
        info = zipfile.ZipInfo(path, date_time=self.stamp)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED  # photos are compressed
        info.external_attr = 0o644 << 16
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w") as member:
            for piece in pieces:
                member.write(piece)
                digest.update(piece)
                size += len(piece)
        entry = ZipEntry(path, digest.hexdigest(), size)
        self.files.append(entry)
        return entry

    def add_text(self, path: str, text: str) -> ZipEntry:
        return self.add(path, [text.encode("utf-8")])

    def close(self) -> None:
        self.zip.close()


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_export(
    db: sqlite_utils.Database,
    photos_dir: Path,
    device_id: str,
    now: datetime,
    out: IO[bytes],
    with_access_log: bool = False,
) -> Export:
    """Write the phone's ZIP to `out`; NotFound for an unknown phone. `with_access_log` adds the staff's reads of
    its reports (for a subject access request, which an admin answers; the farmer's own export leaves it out)."""
    device = device_record(db, device_id)
    done = Export(device_id, now, access_log=with_access_log)
    writer = _Writer(out, now)
    try:
        writer.add_text("device.json", _json(device))
        alerts = {
            "places": alert_places.places_of(db, device_id),
            "channels": alert_places.channels_of(db, device_id).model_dump(),
        }
        writer.add_text("alerts.json", _json(alerts))
        for report_id in _report_ids(db, device_id):
            try:
                row = device_report(db, report_id, device_id)
            except NotFound:
                continue  # purged since the list was read
            view = report_views.public_view(db, row)
            writer.add_text(f"reports/{report_id}.json", ReportPublic.model_validate(view).model_dump_json(indent=2))
            done.reports += 1
            for photo in _arrived_photos(db, report_id):
                stored = blob_path(photos_dir, photo["sha256"], "original", photo["content_type"])
                if not stored.is_file():
                    done.missing.append(f"{report_id}/{photo['photo_id']}")
                    continue
                name = f"photos/{report_id}/{photo['photo_id']}.{EXTENSIONS[photo['content_type']]}"
                writer.add(name, _pieces(stored), compress=False)
                done.photos += 1
        if with_access_log:
            csv_text = access_log_csv(db, device_id=device_id)
            writer.add("access_log.csv", (chunk.encode("utf-8") for chunk in csv_text))
        writer.add_text("README.txt", readme(done, device["language"]))
        done.files = list(writer.files)
        writer.add_text("manifest.json", _json(_manifest(done)))
    finally:
        writer.close()
    return done


def _manifest(done: Export) -> dict[str, Any]:
    return {
        "device_id": done.device_id,
        "made_at": done.made_at.isoformat(),
        "reports": done.reports,
        "photos": done.photos,
        "photos_missing": done.missing,
        "files": [{"path": f.path, "sha256": f.sha256, "bytes": f.bytes} for f in done.files],
    }


def spooled_export(
    db: sqlite_utils.Database, photos_dir: Path, device_id: str, now: datetime
) -> tuple[IO[bytes], int, Export]:
    """The farmer's export in an anonymous temporary file (gone from the disk once closed, even after a crash),
    rewound, with its size: for the API to stream. The caller closes it."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who streams and closes it)
    try:
        done = write_export(db, photos_dir, device_id, now, spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, size, done


def stream(spool: IO[bytes]) -> Iterator[bytes]:
    """The spooled file in pieces, closed (and so deleted) at the end or when the client goes away."""
    with spool:
        yield from iter(lambda: spool.read(PIECE), b"")


def readme(done: Export, language: str = "en") -> str:
    """The README.txt of the ZIP: what each file is, in plain words, in the language the farmer's phone reads."""
    with speaking(language) as spoken:
        title = pgettext("farmer", "Your data from Hedgerow")
        contents = pgettext("farmer", "What is in it")
        opening = [
            pgettext("farmer", "Made on {when} (UK time), for the phone registered as {device}.").format(
                when=local_datetime(done.made_at, spoken, "d MMMM y, HH:mm"), device=done.device_id
            ),
            pgettext("farmer", "It holds {reports} and {photos}.").format(
                reports=npgettext("farmer", "%(count)d report", "%(count)d reports", done.reports)
                % {"count": done.reports},
                photos=npgettext("farmer", "%(count)d photo", "%(count)d photos", done.photos) % {"count": done.photos},
            ),
        ]
        files = [(name, what()) for name, what in _FILES if done.access_log or name != "access_log.csv"]
        closing = [pgettext("farmer", "Files ending in .json open in any text editor.")]
        if done.missing:
            closing.append(
                npgettext(
                    "farmer",
                    "%(count)d photo the police received could not be found in their store and is not included: "
                    "ask the police about it. It is listed in manifest.json (photos_missing).",
                    "%(count)d photos the police received could not be found in their store and are not included: "
                    "ask the police about them. They are listed in manifest.json (photos_missing).",
                    len(done.missing),
                )
                % {"count": len(done.missing)}
            )
        closing.append(
            pgettext(
                "farmer",
                "Your reports are police records of crimes. The police keep them for as long as the law requires "
                "(usually six years after a report is closed), then Hedgerow deletes them. You can ask the police "
                'to erase your contact details (in the app: Your data, then "Ask the police to erase my contact '
                'details"); the reports themselves stay.',
            )
        )
    lines = [title, "=" * len(title), "", *_wrapped(" ".join(opening)), "", contents, "-" * len(contents)]
    for name, what in files:
        lines += [name, *_wrapped(what, indent="    ")]
    for paragraph in closing:
        lines += ["", *_wrapped(paragraph)]
    return "\n".join([*lines, ""])


# Each file of the ZIP and what it is, in the farmer's words (called inside `speaking`, so in their language).
_FILES: list[tuple[str, Callable[[], str]]] = [
    (
        "device.json",
        lambda: pgettext(
            "farmer",
            "The details you gave when you registered this phone: your name, phone number, email, farm name and "
            "postcode, the language you chose, and when you registered. If you asked for your contact details to "
            "be erased, they are empty and contact_erased_at says when.",
        ),
    ),
    (
        "reports/",
        lambda: pgettext(
            "farmer",
            "One file for each report you sent from this phone, as you see it in the app: what you told the "
            "police, where, and everything the police have told you about it.",
        ),
    ),
    (
        "photos/",
        lambda: pgettext(
            "farmer", "The photos you sent, exactly as they reached the police, in a folder for each report."
        ),
    ),
    (
        "alerts.json",
        lambda: pgettext(
            "farmer",
            "The places you asked for police alerts about (each rounded to a 1 km square) and whether you chose "
            "alerts by text message or email.",
        ),
    ),
    (
        "access_log.csv",
        lambda: pgettext(
            "farmer",
            "Every time a member of police staff opened one of these reports: when, who, their role, and how (the "
            "console page, the API, or the original photo).",
        ),
    ),
    (
        "manifest.json",
        lambda: pgettext(
            "farmer",
            "Every file here with its size and its SHA-256 fingerprint. A photo's fingerprint is the same as the "
            "one your phone worked out before sending it: it shows the photo was not changed on the way or since.",
        ),
    ),
]


def _wrapped(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=indent, subsequent_indent=indent)
