"""tus 1.0 as written, spoken by hand (httpx) to the real server: discovery, creation with and without a first
piece, offsets, checksums, a finished upload that still answers, termination, and a clear JSON error for every
malformed request."""

from __future__ import annotations

import base64
import hashlib
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from tests.backend.intake import OFFSET_OCTETS, UPLOADS, noise_jpeg, put_report, scalar, tus_metadata, upload_bytes
from tests.support import LiveServer, photo_decl, register
from wire.reports import MAX_PHOTO_BYTES

TUS = {"Tus-Resumable": "1.0.0"}
WEEK_S = 7 * 24 * 3600


@pytest.fixture
def farmer(client: httpx.Client) -> dict[str, str]:
    return register(client)


def encode(metadata: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())


def sha1(piece: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(piece).digest()).decode()


def new_photo(client: httpx.Client, farmer: dict[str, str], seed: int) -> tuple[bytes, str, dict[str, Any]]:
    data = noise_jpeg(seed, 400, 300)
    decl = photo_decl(data)
    rid, r = put_report(client, farmer, photos=[decl])
    assert r.status_code == 201, r.text
    return data, rid, decl


def create(
    client: httpx.Client,
    farmer: dict[str, str],
    rid: str,
    decl: dict[str, Any],
    first: bytes | None = None,
    **extra: str,
) -> httpx.Response:
    headers = {**farmer, **TUS, "Upload-Length": str(decl["bytes"]), "Upload-Metadata": encode(tus_metadata(rid, decl))}
    if first is not None:
        headers["Content-Type"] = OFFSET_OCTETS
    return client.post(UPLOADS, headers={**headers, **extra}, content=first)


def patch(client: httpx.Client, url: str, farmer: dict[str, str], offset: int, piece: bytes, **extra: str):
    headers = {**farmer, **TUS, "Upload-Offset": str(offset), "Content-Type": OFFSET_OCTETS}
    return client.patch(url, headers={**headers, **extra}, content=piece)


def head(client: httpx.Client, url: str, farmer: dict[str, str]) -> httpx.Response:
    return client.head(url, headers={**farmer, **TUS})


def arrived(client: httpx.Client, farmer: dict[str, str], rid: str) -> bool:
    return client.get(f"/api/v1/reports/{rid}", headers=farmer).json()["photos"][0]["arrived"]


@pytest.mark.parametrize("path", [UPLOADS, UPLOADS + "/"])
def test_options_offers_the_version_extensions_checksums_and_size_on_either_form_of_the_endpoint(
    client: httpx.Client, path: str
) -> None:
    r = client.options(path)  # discovery needs no credentials
    assert r.status_code == 204
    assert r.headers["tus-resumable"] == "1.0.0"
    assert r.headers["tus-version"] == "1.0.0"
    assert r.headers["tus-extension"].split(",") == [
        "creation",
        "creation-with-upload",
        "expiration",
        "checksum",
        "termination",
    ]
    assert "sha1" in r.headers["tus-checksum-algorithm"].split(",")
    assert r.headers["tus-max-size"] == str(MAX_PHOTO_BYTES)


def test_a_whole_upload_by_hand_offsets_checksums_completion_and_the_answer_after_it(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 21)
    first, size = data[:20_000], len(data)
    before = time.time()
    created = create(client, farmer, rid, decl, first, **{"Upload-Checksum": sha1(first)})
    assert created.status_code == 201, created.text
    assert created.headers["upload-offset"] == "20000", "creation-with-upload kept the first piece"
    url = str(created.url.join(created.headers["location"]))
    expires = parsedate_to_datetime(created.headers["upload-expires"]).timestamp()
    assert before + WEEK_S - 5 <= expires <= time.time() + WEEK_S + 1, "the expiry the server advertises is real"

    h = head(client, url, farmer)
    assert (h.status_code, h.headers["upload-offset"], h.headers["upload-length"]) == (200, "20000", str(size))
    assert h.headers["cache-control"] == "no-store"

    stale = patch(client, url, farmer, 0, data[:1000])
    assert stale.status_code == 409
    assert stale.headers["upload-offset"] == "20000"
    assert "Upload-Offset is 20000" in stale.json()["message"]

    piece = data[20_000:60_000]
    damaged = piece[:100] + bytes([piece[100] ^ 1]) + piece[101:]
    refused = patch(client, url, farmer, 20_000, damaged, **{"Upload-Checksum": sha1(piece)})
    assert refused.status_code == 460
    assert "sha1 does not match" in refused.json()["message"]
    assert head(client, url, farmer).headers["upload-offset"] == "20000", "a damaged piece is not kept at all"

    good = patch(client, url, farmer, 20_000, piece, **{"Upload-Checksum": sha1(piece)})
    assert (good.status_code, good.headers["upload-offset"]) == (204, "60000")
    assert not arrived(client, farmer, rid)
    last = patch(client, url, farmer, 60_000, data[60_000:])  # a checksum is optional
    assert (last.status_code, last.headers["upload-offset"]) == (204, str(size))
    assert arrived(client, farmer, rid)

    # Finished: the offset still answers (tus 1.0 core), and "nothing more" at the final offset is harmless.
    h = head(client, url, farmer)
    assert (h.status_code, h.headers["upload-offset"], h.headers["upload-length"]) == (200, str(size), str(size))
    again = patch(client, url, farmer, size, b"")
    assert (again.status_code, again.headers["upload-offset"]) == (204, str(size))
    assert scalar(server, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", decl["sha256"]) == 1
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'photo_received'", rid) == 1
    assert upload_bytes(server) == set()


def test_a_small_photo_goes_in_the_post_alone(client: httpx.Client, farmer: dict[str, str]) -> None:
    data, rid, decl = new_photo(client, farmer, 22)
    created = create(client, farmer, rid, decl, data, **{"Upload-Checksum": sha1(data)})
    assert (created.status_code, created.headers["upload-offset"]) == (201, str(len(data)))
    assert arrived(client, farmer, rid)


def test_a_damaged_first_piece_in_the_post_creates_the_upload_but_keeps_nothing(
    client: httpx.Client, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 23)
    created = create(client, farmer, rid, decl, data[:5000], **{"Upload-Checksum": sha1(data[:4999] + b"x")})
    assert (created.status_code, created.headers["upload-offset"]) == (201, "0")
    url = str(created.url.join(created.headers["location"]))
    assert patch(client, url, farmer, 0, data).status_code == 204
    assert arrived(client, farmer, rid)


def test_termination_deletes_an_upload_and_only_its_own_device_may(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 24)
    created = create(client, farmer, rid, decl, data[:1000])
    url = str(created.url.join(created.headers["location"]))
    uid = url.rsplit("/", 1)[1]
    stranger = register(client, "Stranger")
    assert client.delete(url, headers={**stranger, **TUS}).status_code == 404
    assert client.delete(url, headers=TUS).status_code == 401
    gone = client.delete(url, headers={**farmer, **TUS})
    assert (gone.status_code, gone.headers["tus-resumable"]) == (204, "1.0.0")
    assert head(client, url, farmer).status_code == 404
    assert patch(client, url, farmer, 1000, data[1000:]).status_code == 404
    assert not any(p.stem == uid for p in (server.data_dir / "uploads").iterdir())


def test_malformed_requests_get_a_clear_json_error_and_change_nothing(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 25)
    created = create(client, farmer, rid, decl, data[:1000])
    url = str(created.url.join(created.headers["location"]))
    meta = encode(tus_metadata(rid, decl))
    post = {**farmer, **TUS, "Upload-Metadata": meta}
    cases: list[tuple[httpx.Response, int, str]] = [
        (client.post(UPLOADS, headers={**farmer, "Upload-Length": "10", "Upload-Metadata": meta}), 412, "1.0.0"),
        (client.post(UPLOADS, headers=post), 400, "Upload-Length is required"),
        (client.post(UPLOADS, headers={**post, "Upload-Length": "ten"}), 400, "whole number"),
        (client.post(UPLOADS, headers={**post, "Upload-Defer-Length": "1"}), 400, "size is known"),
        (client.post(UPLOADS, headers={**post, "Upload-Length": "10", "Upload-Metadata": "sha256 !!"}), 400, "base64"),
        (client.post(UPLOADS, headers={**post, "Upload-Length": "10", "Upload-Metadata": ""}), 400, "report_id"),
        (client.post(UPLOADS, headers={**TUS, "Upload-Length": "10", "Upload-Metadata": meta}), 401, "token"),
        (client.post(UPLOADS, headers={**post, "Authorization": "Bearer forged", "Upload-Length": "10"}), 401, "token"),
        (patch(client, url, farmer, 1000, b"x", **{"Content-Type": "image/jpeg"}), 415, "offset+octet-stream"),
        (patch(client, url, farmer, 1000, b"x", **{"Upload-Offset": "-1"}), 400, "Upload-Offset"),
        (patch(client, url, farmer, 1000, b"x", **{"Upload-Checksum": "crc32 AAAA"}), 400, "sha1"),
        (patch(client, url, farmer, 1000, b"x", **{"Upload-Checksum": "sha1 not-base64!"}), 400, "base64"),
        (patch(client, url, farmer, 1000, b"x", **{"Upload-Checksum": "sha1 AAAA"}), 400, "20 bytes"),
        (patch(client, url, farmer, 1000, data[1000:] + b"extra"), 413, "longer than"),
        (patch(client, url.replace(url.rsplit("/", 1)[1], "not-an-upload"), farmer, 0, b"x"), 404, "no such upload"),
        (client.head(url, headers=farmer), 412, "1.0.0"),
    ]
    for answer, status, words in cases:
        assert answer.status_code == status, (answer.request.method, answer.text)
        if answer.request.method != "HEAD":
            assert words in answer.json()["message"], answer.text
    assert head(client, url, farmer).headers["upload-offset"] == "1000"
    assert patch(client, url, farmer, 1000, data[1000:]).status_code == 204
    assert arrived(client, farmer, rid)
