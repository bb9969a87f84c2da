"""Photos over tus 1.0 against the real backend, with a stock tus client (tuspy): whole uploads, an upload cut at
half its bytes and resumed through the fault proxy, refusals that leave no file behind, storage once by hash,
ownership, and EXIF kept as private evidence while the console's copies carry none."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from tusclient.exceptions import TusUploadFailed

from tests.backend.intake import (
    UPLOADS,
    big_jpeg,
    files_in,
    jpeg_with_exif,
    noise_jpeg,
    png_declaring,
    put_report,
    query,
    scalar,
    settled_offset,
    tus_metadata,
    upload_bytes,
    uploader,
)
from tests.proxy import Fault, FaultProxy
from tests.support import LiveServer, photo_decl, register

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def farmer(client: httpx.Client) -> dict[str, str]:
    return register(client)


def report_with(client: httpx.Client, device: dict[str, str], *decls: dict[str, Any]) -> str:
    rid, r = put_report(client, device, photos=list(decls))
    assert r.status_code == 201, r.text
    return rid


def photo_state(client: httpx.Client, device: dict[str, str], rid: str) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/reports/{rid}", headers=device).json()["photos"]


def stored_files(server: LiveServer, sha: str) -> list[str]:
    return sorted(str(p) for p in files_in(server.data_dir / "photos") if sha in p.name)


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items())


def test_a_stock_tus_client_uploads_a_photo_and_the_report_shows_it_arrived(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = noise_jpeg(1, 400, 300)
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    assert photo_state(client, farmer, rid)[0]["arrived"] is False

    up = uploader(server.url, farmer, data, rid, decl, chunk_size=16 * 1024)
    up.upload()
    assert up.offset == len(data)
    assert len(data) > 3 * 16 * 1024, "the photo really went in several chunks"

    view = client.get(f"/api/v1/reports/{rid}", headers=farmer).json()
    assert view["photos"] == [{**decl, "arrived": True, "error": None}]
    assert [e["kind"] for e in view["timeline"]] == ["received", "photo_received"]
    original = server.data_dir / "photos" / "original" / decl["sha256"][:2] / f"{decl['sha256']}.jpg"
    assert original.read_bytes() == data
    kinds = sorted(p.split("/")[0] for p in stored_files(server, decl["sha256"]))
    assert kinds == ["display", "original", "thumb"]
    assert upload_bytes(server) == set(), "the tus copy is removed once the photo is stored"
    # tus 1.0: a finished upload still answers its offset (until it expires), for a client whose answer was lost.
    head = client.head(up.url, headers={**farmer, **TUS})
    assert head.status_code == 200
    assert (head.headers["upload-offset"], head.headers["upload-length"]) == (str(len(data)), str(len(data)))


def test_an_upload_cut_at_half_its_bytes_resumes_and_sends_no_more_than_the_missing_half_plus_one_chunk(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = noise_jpeg(2, 1200, 900)
    size, half, chunk = len(data), len(data) // 2, 128 * 1024
    assert size > 6 * chunk
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)

    with FaultProxy(server.port) as proxy:
        first = uploader(proxy.url, farmer, data, rid, decl, chunk_size=chunk)
        first.set_url(first.create_url())  # the upload exists; now its bytes go
        kept_url = first.url
        assert kept_url.startswith(proxy.url)
        proxy.cut_total("up", after=half)
        # The PATCH dies with its connection, before any answer (urllib3's words, whichever way the socket went).
        with pytest.raises(TusUploadFailed, match=r"^\('Connection aborted\.', ") as cut:
            first.upload()
        assert cut.value.status_code is None
        proxy.wait_idle()
        assert [c.fired for c in proxy.fired()] == ["cut"]
        # The cut PATCH may still be on its way through the server; a phone would come back later.
        offset = settled_offset(client, kept_url.replace(proxy.url, server.url), farmer)
        assert half - chunk <= offset <= half, (offset, half)
        assert photo_state(client, farmer, rid)[0]["arrived"] is False

        up_before, connections_before = proxy.bytes_up, len(proxy.connections)
        resumed = uploader(proxy.url, farmer, data, rid, decl, chunk_size=chunk, url=kept_url)
        assert resumed.offset == offset, "the client resumes from the offset the server holds"
        resumed.upload()
        proxy.wait_idle()
        sent = proxy.bytes_up - up_before
        requests = len(proxy.connections) - connections_before  # tuspy opens one connection per request

    # The body bytes sent again are exactly what the server lacked; allow each request 1 KiB of HTTP headers.
    assert sent >= size - offset
    assert sent <= (size - half) + chunk + 1024 * requests, (sent, size - half, chunk, requests)
    assert photo_state(client, farmer, rid)[0]["arrived"] is True
    original = server.data_dir / "photos" / "original" / decl["sha256"][:2] / f"{decl['sha256']}.jpg"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == decl["sha256"]


def _damaged(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


GOOD = noise_jpeg(3, 200, 150)
TEXT = b"These are my notes about the stolen quad, not a photo.\n" * 40
REFUSALS: dict[str, tuple[bytes, bytes, str, str]] = {
    # case: (declared bytes, bytes sent, content type, words of the error)
    "wrong sha256": (GOOD, _damaged(GOOD), "image/jpeg", "SHA-256 does not match"),
    "a text file named .jpg": (TEXT, TEXT, "image/jpeg", "not a photo"),
    "a decompression bomb": (
        png_declaring(30_000, 30_000),
        png_declaring(30_000, 30_000),
        "image/png",
        "40 megapixels",
    ),
    "a 60-megapixel image": (big_jpeg(60), big_jpeg(60), "image/jpeg", "40 megapixels"),
}


@pytest.mark.parametrize("case", list(REFUSALS), ids=list(REFUSALS))
def test_a_bad_photo_is_refused_with_a_clear_error_shown_on_the_report_and_leaves_no_file(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str], case: str
) -> None:
    declared, sent, content_type, words = REFUSALS[case]
    decl = photo_decl(declared, content_type)
    rid = report_with(client, farmer, decl)
    photos_before = files_in(server.data_dir / "photos")
    uploads_before = files_in(server.data_dir / "uploads")

    up = uploader(server.url, farmer, sent, rid, decl, chunk_size=1024 * 1024)
    with pytest.raises(TusUploadFailed, match=r"^Communication with tus server failed with status 422$") as refused:
        up.upload()
    assert refused.value.status_code == 422
    message = httpx.Response(422, content=refused.value.response_content).json()["message"]
    assert words in message

    shown = photo_state(client, farmer, rid)
    assert shown == [{**decl, "arrived": False, "error": message}]
    assert files_in(server.data_dir / "uploads") == uploads_before, "a refused upload is deleted, record and all"
    assert client.head(up.url, headers={**farmer, **TUS}).status_code == 404
    assert files_in(server.data_dir / "photos") == photos_before
    assert scalar(server, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", decl["sha256"]) == 0
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'photo_received'", rid) == 0


def test_after_a_damaged_upload_the_right_bytes_still_arrive_and_clear_the_error(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = noise_jpeg(4, 200, 150)
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    with pytest.raises(TusUploadFailed, match=r"^Communication with tus server failed with status 422$") as refused:
        uploader(server.url, farmer, _damaged(data), rid, decl).upload()
    assert b"SHA-256 does not match" in refused.value.response_content
    assert photo_state(client, farmer, rid)[0]["error"]
    uploader(server.url, farmer, data, rid, decl).upload()
    assert photo_state(client, farmer, rid) == [{**decl, "arrived": True, "error": None}]


def test_a_photo_sent_twice_is_stored_once(client: httpx.Client, server: LiveServer, farmer: dict[str, str]) -> None:
    data = noise_jpeg(5, 300, 200)
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    uploader(server.url, farmer, data, rid, decl).upload()
    uploader(server.url, farmer, data, rid, decl).upload()  # the app did not hear the first one finish

    again = dict(decl, photo_id=str(uuid.uuid4()))  # the same picture attached to a second report
    other = report_with(client, farmer, again)
    uploader(server.url, farmer, data, other, again).upload()

    assert photo_state(client, farmer, rid)[0]["arrived"] is True
    assert photo_state(client, farmer, other)[0]["arrived"] is True
    assert scalar(server, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", decl["sha256"]) == 1
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'photo_received'", rid) == 1
    assert len(stored_files(server, decl["sha256"])) == 3, "one original, one display copy, one thumbnail"
    assert upload_bytes(server) == set()


def test_an_upload_to_another_devices_report_is_404(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = noise_jpeg(6, 200, 150)
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    stranger = register(client, "Stranger")
    create = {
        **stranger,
        **TUS,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": encode_metadata(tus_metadata(rid, decl)),
    }
    refused = client.post(UPLOADS, headers=create)
    assert refused.status_code == 404
    assert "no such report" in refused.json()["message"]

    up = uploader(server.url, farmer, data, rid, decl, chunk_size=4096)
    up.set_url(up.create_url())
    up.upload_chunk()
    assert client.head(up.url, headers={**stranger, **TUS}).status_code == 404
    patch = {**stranger, **TUS, "Upload-Offset": str(up.offset), "Content-Type": "application/offset+octet-stream"}
    assert client.patch(up.url, content=data[up.offset :], headers=patch).status_code == 404
    assert client.head(up.url, headers={**farmer, **TUS}).headers["upload-offset"] == "4096"
    assert client.head(up.url, headers=TUS).status_code == 401
    up.upload()
    assert photo_state(client, farmer, rid)[0]["arrived"] is True


def test_creating_an_upload_checks_what_the_report_declared(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = noise_jpeg(7, 200, 150)
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    uploads_before = files_in(server.data_dir / "uploads")

    def create(metadata: dict[str, str], length: int) -> httpx.Response:
        headers = {**farmer, **TUS, "Upload-Length": str(length), "Upload-Metadata": encode_metadata(metadata)}
        return client.post(UPLOADS, headers=headers)

    undeclared = dict(decl, photo_id=str(uuid.uuid4()))
    cases = [
        (create(tus_metadata(rid, undeclared), len(data)), 409, "not declared"),
        (create(tus_metadata(rid, decl), len(data) + 1), 409, "differs"),
        (create(tus_metadata(str(uuid.uuid4()), decl), len(data)), 404, "no such report"),
        (create({"report_id": rid, "photo_id": decl["photo_id"]}, len(data)), 400, "sha256"),
        (create(dict(tus_metadata(rid, decl), content_type="image/gif"), len(data)), 400, "content_type"),
        (create(tus_metadata(rid, decl), 16 * 1024 * 1024), 413, "15 MB"),
    ]
    for answer, status, words in cases:
        assert answer.status_code == status, answer.text
        assert words in answer.json()["message"]
    assert files_in(server.data_dir / "uploads") == uploads_before


def test_exif_time_and_place_are_kept_privately_and_the_console_copies_have_no_exif(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data = jpeg_with_exif(51.2512, 0.9034, "2026:11:20 06:31:00")
    decl = photo_decl(data)
    rid = report_with(client, farmer, decl)
    uploader(server.url, farmer, data, rid, decl).upload()

    (blob,) = query(server, "SELECT * FROM photo_blobs WHERE sha256 = ?", decl["sha256"])
    assert blob["exif_lat"] == pytest.approx(51.2512, abs=1e-4)
    assert blob["exif_lon"] == pytest.approx(0.9034, abs=1e-4)
    assert blob["taken_at"] == "2026:11:20 06:31:00"
    assert (blob["width"], blob["height"]) == (2400, 1800)

    photos = server.data_dir / "photos"
    sha = decl["sha256"]
    assert (photos / "original" / sha[:2] / f"{sha}.jpg").read_bytes() == data, "the evidence is kept as sent"
    for kind, edge in (("display", 1600), ("thumb", 400)):
        copy = (photos / kind / sha[:2] / f"{sha}.jpg").read_bytes()
        assert b"Exif" not in copy
        with Image.open(io.BytesIO(copy)) as image:
            assert dict(image.getexif()) == {}
            assert max(image.size) == edge
    view = client.get(f"/api/v1/reports/{rid}", headers=farmer).text
    assert "51.2512" not in view and "exif" not in view.lower()


def test_an_upload_whose_connection_went_silent_resumes_on_a_new_connection(tmp_path: Path) -> None:
    """A phone that loses signal mid-PATCH usually vanishes without closing its connection. Once the server has
    heard nothing for HEDGEROW_UPLOAD_IDLE_S it must let go of the upload, so the phone can resume it."""
    live = LiveServer(tmp_path / "data", env={"HEDGEROW_UPLOAD_IDLE_S": "2"})
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as c:
            device = register(c)
            data = noise_jpeg(8, 900, 700)
            decl = photo_decl(data)
            rid = report_with(c, device, decl)
            first = uploader(live.url, device, data, rid, decl)
            first.set_url(first.create_url())
            with FaultProxy(live.port) as proxy:
                proxy.plan(Fault.stall("up", after=200_000, seconds=120))  # silence, not a close
                patch = {**device, **TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
                # The answer never comes (or, with small socket buffers, the body stops going): not a failed connect.
                with pytest.raises((httpx.ReadTimeout, httpx.WriteTimeout), match=r"^timed out$"):
                    httpx.patch(first.url.replace(live.url, proxy.url), content=data, headers=patch, timeout=3)
                # The phone has given up on that connection and comes back on a new one; the server lets go of the
                # silent one within HEDGEROW_UPLOAD_IDLE_S and keeps the bytes that arrived.
                assert 0 < settled_offset(c, first.url, device, timeout=10) <= 200_000
                resumed = uploader(live.url, device, data, rid, decl, url=first.url)
                resumed.upload()
                assert proxy.connections[0].fired == "stall"
            assert photo_state(c, device, rid)[0]["arrived"] is True
    finally:
        live.stop()
