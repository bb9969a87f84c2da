"""Kill the app mid-upload of a 5 MB photo and start it again: the upload resumes from the server's offset
(must-show 2). The sync engine runs as a real child process (`python -m app.sync`), killed with SIGKILL."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.store import Store
from app.store.outbox import items_for_report
from app.sync import records
from tests.app.sync_support import noise_jpeg, registered_phone, save_reports, server_holds, sync_server
from tests.proxy import Fault, FaultProxy
from tests.support import ROOT, LiveServer

STALL_AFTER = 2_700_000  # bytes up on the uploading connection before the link goes silent


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = sync_server(tmp_path_factory.mktemp("resume-server"))
    yield live
    live.stop()


def start_app(data_dir: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.sync",
                "--data-dir",
                str(data_dir),
                "--server",
                url,
                "--time-limit",
                "120",
                "--timeout",
                "30",
                "--backoff-s",
                "0.2",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.slow
def test_a_killed_app_resumes_a_five_megabyte_photo_from_the_servers_offset(
    backend: LiveServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "phone"
    phone = registered_phone(data_dir, backend.url)
    big = noise_jpeg(random.Random(7), 2600, 2600)
    assert 5_000_000 <= len(big) <= 6_500_000
    (report_id,) = save_reports(phone, reports=1, photos_each=1, seed=7, photo_edge=2600, photo_list=[big])
    phone.store.close()

    with FaultProxy(backend.port) as proxy:
        # Whichever connection carries the photo goes silent part way through it; the app is killed in the silence.
        proxy.plan(*[Fault.stall("up", after=STALL_AFTER, seconds=6.0)] * 4)
        log = tmp_path / "app.log"
        first = start_app(data_dir, proxy.url, log)
        deadline = time.monotonic() + 60
        while not proxy.fired() and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        assert proxy.fired(), "the upload never reached the stall"
        first.kill()
        first.wait(10)
        proxy.wait_idle(30)  # the stall ends and the dead app's connection closes
        first_run_up = proxy.bytes_up

        store = Store(data_dir)
        (photo_item,) = [i for i in items_for_report(store, report_id) if i.kind == "photo"]
        token = records.token(store)
        store.close()
        assert photo_item.state == "sending" and photo_item.upload_url, photo_item
        assert 0 < photo_item.upload_offset < len(big)
        upload_url = photo_item.upload_url.replace(proxy.url, backend.url)
        head = httpx.head(
            upload_url, headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}, timeout=30
        )
        assert head.status_code == 200, head.text
        server_offset = int(head.headers["upload-offset"])
        assert photo_item.upload_offset <= server_offset < len(big)
        assert server_offset >= 2_000_000

        second = start_app(data_dir, proxy.url, log)
        assert second.wait(120) == 0, log.read_text()
        proxy.wait_idle(30)
        second_run_up = proxy.bytes_up - first_run_up

    remaining = len(big) - server_offset
    print(f"\nphoto {len(big)} B, server offset at restart {server_offset}, second run sent {second_run_up} B")
    # Only what the server lacked went again, plus the requests' headers (HEAD and a few PATCHes).
    assert remaining <= second_run_up <= remaining + 20_000
    held = server_holds(backend)
    assert held.reports.get(report_id) == 1
    ((photo_id, sha),) = phone.photos[report_id].items()
    assert held.photos[(report_id, photo_id)] == sha
    store = Store(data_dir)
    try:
        assert [i.state for i in items_for_report(store, report_id)] == ["sent", "sent"]
    finally:
        store.close()
