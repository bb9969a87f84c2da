"""Must-show 1: two stock tus clients nobody here wrote, against the real server and through the real TCP fault
proxy: tuspy (Python) and tus-js-client (npm, under Node). Each uploads, is cut mid-piece and resumes, loses the
answer to its last piece and still finishes cleanly, has a piece damaged on the way refused and resent, and is
refused an expired upload."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from tests.backend.intake import (
    OFFSET_OCTETS,
    UPLOADS,
    noise_jpeg,
    put_report,
    scalar,
    settled_offset,
    tus_metadata,
    uploader,
)
from tests.proxy import Fault, FaultProxy
from tests.support import DEMO_AREAS, ROOT, LiveServer, photo_decl, register

TUS = {"Tus-Resumable": "1.0.0"}
TUS_JS = ROOT / "build" / "npm-tus" / "node_modules" / "tus-js-client"
JS_RUNNER = Path(__file__).resolve().parent / "tus_js" / "upload.cjs"
CHUNK = 64 * 1024
HEADERS_PER_REQUEST = 1024  # generous room for one request's HTTP headers when counting bytes sent


def live(tmp: Path, **env: str) -> LiveServer:
    server = LiveServer(tmp, env={"HEDGEROW_REGISTER_PER_HOUR": "10000", **env})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    return server.start()


@pytest.fixture(scope="module")
def expiring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Uploads expire 2 s after their last piece; the sweep is kept away so the refusal itself can be seen."""
    server = live(tmp_path_factory.mktemp("expiring"), HEDGEROW_UPLOAD_EXPIRY_S="2", HEDGEROW_UPLOAD_SWEEP_S="3600")
    yield server
    server.stop()


@pytest.fixture
def farmer(client: httpx.Client) -> dict[str, str]:
    return register(client)


def new_photo(client: httpx.Client, device: dict[str, str], seed: int) -> tuple[bytes, str, dict[str, Any]]:
    data = noise_jpeg(seed, 800, 600)
    decl = photo_decl(data)
    rid, r = put_report(client, device, photos=[decl])
    assert r.status_code == 201, r.text
    assert len(data) > 4 * CHUNK
    return data, rid, decl


def assert_stored_once(server: LiveServer, client: httpx.Client, device: dict[str, str], rid: str, decl: dict) -> None:
    photos = client.get(f"/api/v1/reports/{rid}", headers=device).json()["photos"]
    assert photos == [{**decl, "arrived": True, "error": None}]
    sha = decl["sha256"]
    assert scalar(server, "SELECT count(*) FROM photo_blobs WHERE sha256 = ?", sha) == 1
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'photo_received'", rid) == 1
    original = server.data_dir / "photos" / "original" / sha[:2] / f"{sha}.jpg"
    assert hashlib.sha256(original.read_bytes()).hexdigest() == sha


def js_upload(base_url: str, device: dict[str, str], data: bytes, rid: str, decl: dict, tmp: Path, **job: Any) -> dict:
    """Run tus-js-client under Node (tests/backend/tus_js/upload.cjs); returns its outcome and the statuses seen."""
    node = shutil.which("node")
    assert node, "Node is needed for the tus-js-client interop tests"
    assert TUS_JS.is_dir(), "tus-js-client is not installed: run `make setup`"
    photo = tmp / f"{decl['photo_id']}.jpg"
    photo.write_bytes(data)
    job = {
        "library": str(TUS_JS),
        "endpoint": base_url + UPLOADS,
        "file": str(photo),
        "headers": device,
        "metadata": tus_metadata(rid, decl),
        "chunkSize": CHUNK,
        "retryDelays": [0, 300, 600, 1000, 1000, 2000],
        **job,
    }
    done = subprocess.run([node, str(JS_RUNNER)], input=json.dumps(job), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_until_refused(client: httpx.Client, url: str, device: dict[str, str], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while client.head(url, headers={**device, **TUS}).status_code != 410:
        assert time.monotonic() < deadline, "the upload never expired"
        time.sleep(0.1)


# -- tuspy -----------------------------------------------------------------------------------------------------------


def test_tuspy_uploads_with_checksums(client: httpx.Client, server: LiveServer, farmer: dict[str, str]) -> None:
    data, rid, decl = new_photo(client, farmer, 31)
    up = uploader(server.url, farmer, data, rid, decl, chunk_size=CHUNK, checksum=True)
    up.upload()
    assert up.offset == len(data)
    assert_stored_once(server, client, farmer, rid, decl)


def test_tuspy_cut_mid_piece_resumes_from_the_last_whole_piece(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 32)
    size, half = len(data), len(data) // 2
    with FaultProxy(server.port) as proxy:
        first = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK, checksum=True)
        first.set_url(first.create_url())
        proxy.cut_total("up", after=half)
        with pytest.raises(TusUploadFailed, match=r"(?i)connection"):
            first.upload()
        offset = settled_offset(client, first.url.replace(proxy.url, server.url), farmer)
        # Each piece carries a checksum, so the cut piece is not kept at all: the offset is a whole number of pieces.
        assert offset % CHUNK == 0 and half - CHUNK - 8 * HEADERS_PER_REQUEST <= offset <= half, (offset, half)
        before = proxy.bytes_up
        resumed = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK, url=first.url, checksum=True)
        assert resumed.offset == offset
        resumed.upload()
        proxy.wait_idle()
        sent, requests = proxy.bytes_up - before, len(proxy.connections)
    assert size - offset <= sent <= size - offset + requests * HEADERS_PER_REQUEST
    assert_stored_once(server, client, farmer, rid, decl)


def test_tuspy_loses_the_answer_to_its_last_piece_and_still_finishes_cleanly(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 33)
    size = len(data)
    last = size - (size % CHUNK or CHUNK)
    with FaultProxy(server.port) as proxy:
        up = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK)
        up.upload(stop_at=last)
        proxy.plan(Fault.cut("down", after=0))  # the last PATCH arrives whole; its answer never comes back
        with pytest.raises(TusUploadFailed, match=r"(?i)connection"):
            up.upload()
        assert [c.fired for c in proxy.fired()] == ["cut"]
        # The phone comes back: the server may still be storing the photo (then 423, and tuspy retries).
        again = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK, url=up.url, retries=5)
        again.upload()
        assert again.offset == size
    head = client.head(up.url.replace(proxy.url, server.url), headers={**farmer, **TUS})
    assert (head.status_code, head.headers["upload-offset"]) == (200, str(size))
    assert_stored_once(server, client, farmer, rid, decl)


def test_tuspy_piece_damaged_on_the_way_is_refused_and_resent(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 34)
    with FaultProxy(server.port) as proxy:
        up = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK, checksum=True, retries=1)
        up.set_url(up.create_url())
        proxy.corrupt_total("up", at=2000)  # inside the first PATCH's body, past its headers
        up.upload()
        proxy.wait_idle()
        assert [c.fired for c in proxy.fired()] == ["corrupt"]
        assert proxy.bytes_up >= len(data) + CHUNK, "the damaged piece went twice"
    assert_stored_once(server, client, farmer, rid, decl)


def test_without_checksums_the_same_damage_is_only_caught_when_the_photo_is_complete(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str]
) -> None:
    data, rid, decl = new_photo(client, farmer, 35)
    with FaultProxy(server.port) as proxy:
        up = uploader(proxy.url, farmer, data, rid, decl, chunk_size=CHUNK)
        up.set_url(up.create_url())
        proxy.corrupt_total("up", at=2000)
        with pytest.raises(TusUploadFailed, match=r"^Communication with tus server failed with status 422$") as refused:
            up.upload()
    assert refused.value.status_code == 422
    assert b"SHA-256 does not match" in refused.value.response_content


def test_tuspy_is_refused_an_expired_upload(expiring: LiveServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=expiring.url, timeout=30) as c:
        device = register(c)
        data, rid, decl = new_photo(c, device, 36)
        up = uploader(expiring.url, device, data, rid, decl, chunk_size=CHUNK)
        up.upload(stop_at=CHUNK)
        wait_until_refused(c, up.url, device)
        with pytest.raises(TusCommunicationError, match="status 410"):
            uploader(expiring.url, device, data, rid, decl, chunk_size=CHUNK, url=up.url)
        patch = {**device, **TUS, "Upload-Offset": str(CHUNK), "Content-Type": OFFSET_OCTETS}
        refused = c.patch(up.url, content=data[CHUNK:], headers=patch)
        assert refused.status_code == 410
        assert "expired" in refused.json()["message"]
        fresh = uploader(expiring.url, device, data, rid, decl, chunk_size=CHUNK)
        fresh.upload()  # a new upload is the way on
        assert fresh.url != up.url
        assert_stored_once(expiring, c, device, rid, decl)


# -- tus-js-client ---------------------------------------------------------------------------------------------------


def test_tus_js_client_uploads_with_its_first_piece_in_the_post_and_checksums(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str], tmp_path: Path
) -> None:
    data, rid, decl = new_photo(client, farmer, 41)
    out = js_upload(server.url, farmer, data, rid, decl, tmp_path, checksum=True, creationWithUpload=True)
    assert out["ok"], out
    assert out["statuses"][0] == ["POST", 201]
    assert {tuple(s) for s in out["statuses"][1:]} == {("PATCH", 204)}
    assert_stored_once(server, client, farmer, rid, decl)


def test_tus_js_client_cut_mid_piece_resumes_by_itself(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str], tmp_path: Path
) -> None:
    data, rid, decl = new_photo(client, farmer, 42)
    size = len(data)
    with FaultProxy(server.port) as proxy:
        proxy.cut_total("up", after=size // 2)
        out = js_upload(proxy.url, farmer, data, rid, decl, tmp_path, checksum=True)
        proxy.wait_idle()
        assert [c.fired for c in proxy.fired()] == ["cut"]
        sent, requests = proxy.bytes_up, len(proxy.connections)
    assert out["ok"], out
    assert ["HEAD", 200] in out["statuses"], "it asked the offset after the cut"
    # At most the cut piece went twice.
    assert size <= sent <= size + CHUNK + requests * HEADERS_PER_REQUEST
    assert_stored_once(server, client, farmer, rid, decl)


def test_tus_js_client_loses_the_answer_to_its_last_piece_and_still_finishes_cleanly(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str], tmp_path: Path
) -> None:
    data, rid, decl = new_photo(client, farmer, 43)
    pieces = -(-len(data) // CHUNK)
    with FaultProxy(server.port) as proxy:
        # One connection per request: the POST, then the PATCHes; the last PATCH's answer is lost.
        proxy.plan(*[None] * pieces, Fault.cut("down", after=0))
        out = js_upload(proxy.url, farmer, data, rid, decl, tmp_path)
        assert proxy.connections[pieces].fired == "cut"
    assert out["ok"], out
    assert ["PATCH", 204] in out["statuses"] and out["statuses"][-1][0] in ("HEAD", "PATCH")
    head = client.head(out["url"].replace(proxy.url, server.url), headers={**farmer, **TUS})
    assert (head.status_code, head.headers["upload-offset"]) == (200, str(len(data)))
    assert_stored_once(server, client, farmer, rid, decl)


def test_tus_js_client_piece_damaged_on_the_way_is_refused_and_resent(
    client: httpx.Client, server: LiveServer, farmer: dict[str, str], tmp_path: Path
) -> None:
    data, rid, decl = new_photo(client, farmer, 44)
    with FaultProxy(server.port) as proxy:
        proxy.corrupt_total("up", at=4000)  # past the POST (no body) and into the first PATCH's body
        out = js_upload(proxy.url, farmer, data, rid, decl, tmp_path, checksum=True)
        assert [c.fired for c in proxy.fired()] == ["corrupt"]
    assert out["ok"], out
    assert out["statuses"].count(["PATCH", 460]) == 1
    assert_stored_once(server, client, farmer, rid, decl)


def test_tus_js_client_is_refused_an_expired_upload_and_starts_a_new_one(expiring: LiveServer, tmp_path: Path) -> None:
    with httpx.Client(base_url=expiring.url, timeout=30) as c:
        device = register(c)
        data, rid, decl = new_photo(c, device, 45)
        started = uploader(expiring.url, device, data, rid, decl, chunk_size=CHUNK)
        started.upload(stop_at=CHUNK)
        wait_until_refused(c, started.url, device)
        out = js_upload(expiring.url, device, data, rid, decl, tmp_path, uploadUrl=started.url)
        assert out["ok"], out
        assert out["statuses"][:2] == [["HEAD", 410], ["POST", 201]]
        assert out["url"] != started.url
        assert_stored_once(expiring, c, device, rid, decl)


def test_the_sweep_deletes_expired_partial_uploads(tmp_path: Path) -> None:
    server = live(tmp_path / "data", HEDGEROW_UPLOAD_EXPIRY_S="1", HEDGEROW_UPLOAD_SWEEP_S="0.5")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            device = register(c)
            data, rid, decl = new_photo(c, device, 46)
            up = uploader(server.url, device, data, rid, decl, chunk_size=CHUNK)
            up.upload(stop_at=CHUNK)
            uploads = server.data_dir / "uploads"
            uid = up.url.rsplit("/", 1)[1]
            assert {p.name for p in uploads.iterdir()} == {f"{uid}.bin", f"{uid}.json"}
            deadline = time.monotonic() + 15
            while any(uploads.iterdir()):
                assert time.monotonic() < deadline, "the sweep left an expired upload behind"
                time.sleep(0.1)
            assert c.head(up.url, headers={**device, **TUS}).status_code == 404
    finally:
        server.stop()
