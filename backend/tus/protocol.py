"""tus 1.0 headers: what the server offers, and parsing what clients send."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from email.utils import formatdate

from fastapi import HTTPException

VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "expiration", "checksum", "termination")
# sha1 is the one every client and server must support; md5 and sha256 cost nothing more to offer.
CHECKSUMS: dict[str, Callable[[], hashlib._Hash]] = {
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sha256": hashlib.sha256,
}
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUM_MISMATCH = 460  # tus checksum extension: "Checksum Mismatch"


def base_headers() -> dict[str, str]:
    return {"Tus-Resumable": VERSION}


def options_headers(max_size: int) -> dict[str, str]:
    return {
        **base_headers(),
        "Tus-Version": VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
    }


def refuse(status: int, message: str, **headers: str) -> HTTPException:
    """An error answered as the API's JSON error, with the tus headers every answer carries."""
    return HTTPException(status, message, headers={**base_headers(), **headers})


def check_version(value: str | None) -> None:
    if value != VERSION:
        raise refuse(412, f"send Tus-Resumable: {VERSION}", **{"Tus-Version": VERSION})


def expires_header(expires_at: float) -> str:
    """RFC 9110 date, as the expiration extension asks."""
    return formatdate(expires_at, usegmt=True)


def parse_metadata(value: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs; a key alone has an empty value."""
    metadata: dict[str, str] = {}
    for pair in (value or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if not key or key in metadata:
            raise refuse(400, f"Upload-Metadata: key {key!r} is empty or repeated")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            # `from None`: the app answers a 400 caused by a ValueError as a body that is not JSON.
            raise refuse(400, f"Upload-Metadata: the value of {key!r} is not base64 of UTF-8 text") from None
    return metadata


def parse_int(name: str, value: str | None, required: bool = True) -> int | None:
    if value is None:
        if required:
            raise refuse(400, f"{name} is required")
        return None
    if not value.isdigit() or len(value) > 18:
        raise refuse(400, f"{name} must be a non-negative whole number of bytes")
    return int(value)


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `<algorithm> <base64 digest>`; None when the client sent none."""
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise refuse(400, f"Upload-Checksum: algorithm must be one of {', '.join(CHECKSUMS)}")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise refuse(400, "Upload-Checksum: the digest is not base64") from None
    if len(digest) != CHECKSUMS[algorithm]().digest_size:
        raise refuse(400, f"Upload-Checksum: a {algorithm} digest is {CHECKSUMS[algorithm]().digest_size} bytes")
    return algorithm, digest
