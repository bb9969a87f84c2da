"""Must-show 3 in a real browser: a report saved with no server turns to "Sent" once the server starts, and the
police's acknowledgement and reference appear on the farmer's screen with no action but waiting."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.app.browser import AppProcess, FletScreen, chromium
from tests.app.sync_support import registered_phone, save_reports
from tests.support import DEMO_AREAS, LiveServer, staff_token

REFERENCE = "KT-2026-0417"


@pytest.mark.browser
@pytest.mark.slow
def test_a_report_saved_offline_is_sent_when_the_server_starts_and_the_police_answer_appears(
    tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LiveServer(tmp_path / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    data_dir = tmp_path / "phone"
    phone = registered_phone(data_dir, server.url)  # the server's port: nothing listens there yet
    (report_id,) = save_reports(phone, reports=1, photos_each=2, seed=9)
    phone.store.close()
    # A short backoff and status timer, so the test waits seconds rather than the phone's minutes.
    monkeypatch.setenv("HEDGEROW_SYNC_BACKOFF_S", "1")
    monkeypatch.setenv("HEDGEROW_SYNC_PERIOD_S", "2")
    app = AppProcess(data_dir, server_url=server.url).start()
    try:
        with chromium() as context:
            screen = FletScreen(context.new_page(), artifacts / "sync")
            screen.open(app.url)
            screen.wait_text("Saved on this phone", timeout=60_000)
            screen.tap("Sending")
            screen.wait_text("Waiting to send: your details, 1 report, 2 photos")
            screen.wait_text("Last problem: No connection to the server")
            screen.shot("offline-sync-screen")
            screen.tap("Back")
            screen.shot("offline-home")

            server.start()
            # The report's state on its card ("Sent"), not the notice's "sent when there is signal".
            screen.on_screen(re.compile(r"\bSent\b")).first.wait_for(timeout=90_000)
            assert screen.text("new from the police").count() == 0  # nothing from the police yet
            screen.shot("sent")

            with httpx.Client(base_url=server.url, timeout=30) as client:
                officer = staff_token(server, client, "kent-officer", "officer", "Kent Police")
                for event in ({"kind": "acknowledged"}, {"kind": "reference_added", "reference": REFERENCE}):
                    done = client.post(f"/api/v1/reports/{report_id}/events", json=event, headers=officer)
                    assert done.status_code == 201, done.text
            screen.wait_text(f"Reference {REFERENCE}", timeout=60_000)
            screen.wait_text("Seen by police")
            screen.wait_text("2 new from the police")
            screen.shot("seen-by-police")
            screen.tap("Sending")
            screen.wait_text("Nothing waiting")
            screen.shot("sync-screen-done")
    finally:
        app.stop()
        server.stop()
