"""The farmer's whole path on the phone's own timers: register and report with no signal, the app killed and
started again, the server coming up, and the police's answers read on the report screen, with nobody pressing
"Sync now". The app runs with its real timings (a 60 s pull, a 30 s backoff, a 30 s probe)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium, publish_screens
from tests.app.images import camera_jpeg
from tests.support import DEMO_AREAS, LiveServer, staff_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD_GATE = {"latitude": 51.2502, "longitude": 0.9004, "accuracy": 8}  # in the demo Kent area
REFERENCE = "KT-2026-0417"
UPDATE = "An officer will visit Hill Farm tomorrow morning"
CLOSING = "We found the trailer at a scrapyard in Sittingbourne and it is on its way back to you."
WITHIN_S = 90


def test_a_report_made_offline_reaches_the_police_and_their_answers_reach_the_farmer_without_a_tap(
    tmp_path: Path, artifacts: Path
) -> None:
    server = LiveServer(tmp_path / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    data_dir = tmp_path / "phone"
    photos = [tmp_path / "trailer-1.jpg", tmp_path / "trailer-2.jpg"]
    photos[0].write_bytes(camera_jpeg(1600, 1200))
    photos[1].write_bytes(camera_jpeg(1200, 1600))
    shots = artifacts / "app" / "end-to-end"
    app = AppProcess(data_dir, server_url=server.url).start()  # the server's port: nothing listens there yet
    try:
        with chromium(geolocation=FIELD_GATE, permissions=["geolocation"]) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.register()
            screen.tap("Report an incident")
            screen.tap("No")
            screen.tap("Machinery")
            with screen.page.expect_file_chooser() as chooser:
                screen.tap("Add photos")
            chooser.value.set_files([str(p) for p in photos])
            screen.wait_text("2 of 6 photos")
            screen.tap("Next")
            screen.tap("Use my position (GPS)")
            screen.wait_text("Your position, accurate to ±8 m")
            screen.tap("Next")
            screen.fill("What was taken (optional)", "Ifor Williams livestock trailer")
            screen.tap("Next")
            screen.tap("No")
            screen.tap("Next")
            screen.tap("Save report")
            screen.wait_text("Saved on this phone. It will be sent as soon as there is signal.")
            screen.wait_text("Waiting to send: your details, 1 report, 2 photos")
            screen.shot("offline-saved", PHONE_SIZES)

        app.proc.kill()  # as a phone kills an app in the background: no goodbye
        app.proc.wait(10)
        server.start()
        app = AppProcess(data_dir, server_url=server.url).start()
        with chromium() as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            # A second screen on the same phone app (another tab): every open screen follows the sending.
            other = FletScreen(context.new_page(), shots / "second-tab").open(app.url)
            sent = re.compile(r"\bSent\b")  # the report's state, not "sent when there is signal"
            screen.on_screen(sent).first.wait_for(timeout=WITHIN_S * 1000)
            other.on_screen(sent).first.wait_for(timeout=5_000)
            other.page.close()
            # The photos went too: home no longer says anything is waiting.
            expect(screen.on_screen("Waiting to send")).to_have_count(0, timeout=WITHIN_S * 1000)
            screen.text("Open the report").first.click()
            screen.wait_text("Sent to the police")
            screen.wait_text("Photo 2: sent")
            screen.shot("report-sent", PHONE_SIZES)

            report_id = _only_report_id(server)
            with httpx.Client(base_url=server.url, timeout=30) as client:
                officer = staff_token(server, client, "kent-officer", "officer", "Kent Police")
                for event in (
                    {"kind": "acknowledged"},
                    {"kind": "reference_added", "reference": REFERENCE},
                    {"kind": "update_sent", "text": UPDATE},
                    {"kind": "closed", "outcome": "property_recovered", "text": CLOSING},
                ):
                    done = client.post(f"/api/v1/reports/{report_id}/events", json=event, headers=officer)
                    assert done.status_code == 201, done.text
            # Read on the open report screen as they arrive: the app's own timer brings them.
            screen.wait_text(f"Closed: Property recovered. {CLOSING}", timeout=WITHIN_S * 1000)
            for text in ("Seen by the rural crime team", f"Crime reference: {REFERENCE}", UPDATE):
                screen.wait_text(text, timeout=5_000)
            assert screen.text("New", exact=True).count() == 4  # each answer marked until the farmer leaves
            screen.shot("report-answered", PHONE_SIZES)
            screen.tap("Back to your reports")
            screen.wait_text(f"Reference {REFERENCE}")
            assert screen.text("new from the police").count() == 0  # read on the report screen
            screen.shot("home-answered", PHONE_SIZES)
    finally:
        app.stop()
        server.stop()
    publish_screens(shots)


def _only_report_id(server: LiveServer) -> str:
    import sqlite3

    db = sqlite3.connect(server.data_dir / "hedgerow.db")
    try:
        [(report_id,)] = db.execute("SELECT id FROM reports").fetchall()
    finally:
        db.close()
    return str(report_id)
