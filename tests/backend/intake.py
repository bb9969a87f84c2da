"""Helpers for the intake tests: read the server's own SQLite file, upload photos over tus, make test images."""

from __future__ import annotations

import io
import random
import sqlite3
import struct
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
from PIL import ExifTags, Image
from tusclient.client import TusClient
from tusclient.uploader import Uploader

from tests.support import LiveServer, report_body

UPLOADS = "/api/v1/uploads"
OFFSET_OCTETS = "application/offset+octet-stream"


def query(server_or_path: LiveServer | Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    """Rows from the backend's database file, read by a connection of our own (closed straight away so it never
    holds a snapshot the server would have to wait for)."""
    path = server_or_path if isinstance(server_or_path, Path) else server_or_path.data_dir / "hedgerow.db"
    conn = sqlite3.connect(str(path), timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def scalar(server_or_path: LiveServer | Path, sql: str, *params: Any) -> Any:
    return query(server_or_path, sql, *params)[0][0]


def put_report(
    client: httpx.Client, headers: dict[str, str], report_id: str | None = None, **body: Any
) -> tuple[str, httpx.Response]:
    """PUT a valid report (fields overridden by `body`); returns its id and the answer."""
    rid = report_id or str(uuid.uuid4())
    return rid, client.put(f"/api/v1/reports/{rid}", json=report_body(**body), headers=headers)


def tus_metadata(report_id: str, decl: dict[str, Any]) -> dict[str, str]:
    """The documented Upload-Metadata, and nothing else: a stock client needs no more to create and resume."""
    return {
        "report_id": report_id,
        "photo_id": decl["photo_id"],
        "sha256": decl["sha256"],
        "content_type": decl["content_type"],
    }


def uploader(
    base_url: str,
    headers: dict[str, str],
    data: bytes,
    report_id: str,
    decl: dict[str, Any],
    *,
    chunk_size: int = 64 * 1024,
    url: str | None = None,
    checksum: bool = False,
    retries: int = 0,
) -> Uploader:
    """A stock tus client (tuspy) for one photo; with `url` it resumes that upload from the server's offset.
    With `retries`, a refused piece is sent again after asking the offset (tuspy's own retry, one second apart);
    with `checksum`, every piece carries its sha1 in Upload-Checksum."""
    client = TusClient(base_url + UPLOADS, headers=dict(headers))
    return client.uploader(
        file_stream=io.BytesIO(data),
        chunk_size=chunk_size,
        metadata=tus_metadata(report_id, decl),
        url=url,
        retries=retries,
        retry_delay=1,
        upload_checksum=checksum,
    )


def upload_bytes(server: LiveServer) -> set[Path]:
    """The bytes of unfinished uploads the server holds (a finished upload keeps only its small record)."""
    return {p for p in files_in(server.data_dir / "uploads") if p.suffix == ".bin"}


def settled_offset(client: httpx.Client, url: str, headers: dict[str, str], timeout: float = 15) -> int:
    """The offset of an upload once no request is writing to it any more (a cut PATCH may still be finishing on
    the server). Asked the tus way: HEAD, then an empty PATCH at that offset, which the server answers 423 while
    another request holds the upload and 409 if the offset moved meanwhile."""
    tus = {**headers, "Tus-Resumable": "1.0.0"}
    deadline = time.monotonic() + timeout
    while True:
        offset = int(client.head(url, headers=tus).headers["upload-offset"])
        probe = client.patch(
            url, content=b"", headers={**tus, "Upload-Offset": str(offset), "Content-Type": OFFSET_OCTETS}
        )
        if probe.status_code == 204:
            return offset
        assert probe.status_code in (409, 423), probe.text
        assert time.monotonic() < deadline, "the upload is still being written to"
        time.sleep(0.05)


def files_in(path: Path) -> set[Path]:
    """Every file under `path` (hidden ones too, such as tus lock files), relative to it."""
    return {p.relative_to(path) for p in path.rglob("*") if p.is_file()} if path.exists() else set()


def noise_jpeg(seed: int, width: int = 320, height: int = 240) -> bytes:
    """A JPEG that does not compress well (random pixels), so its size is predictable and it spans chunks."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _degrees(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round((value - d - m / 60) * 3600, 4)
    return (float(d), float(m), s)


def jpeg_with_exif(lat: float, lon: float, taken: str, make: str = "FarmCam") -> bytes:
    """A JPEG as a phone makes it: EXIF with the time it was taken and where (GPS)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = make
    exif[ExifTags.Base.DateTime] = taken
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = _degrees(lat)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = _degrees(lon)
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (90, 110, 60)).save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def big_jpeg(megapixels: int) -> bytes:
    """A real, decodable JPEG of about `megapixels` million pixels (flat grey, so it stays a few MB)."""
    width = 10_000
    height = megapixels * 1_000_000 // width
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG", quality=50)
    return out.getvalue()
