"""Must-show 2 of issue 19 in real browsers: with the backend up and the farmer app open on home (its alert places
set, nobody pressing anything), an officer issues an alert; the app shows it on home within 90 s on its own 60 s
pull; "I've seen this" makes a report linked to the alert, which reaches the server and shows from the alert's
page for the police."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.store import alerts as alert_store
from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium
from tests.app.sync_support import registered_phone
from tests.support import DEMO_AREAS, LiveServer, staff_token, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FARM = (51.2502, 0.9004)  # Hill Farm, in the demo Kent area
SIGHTING = {"latitude": 51.2611, "longitude": 0.9102, "accuracy": 7}  # where the farmer sees the pickup
TITLE = "Hare coursers seen on the Ridgeway"
WITHIN_S = 90


def phone_value(data_dir: Path, sql: str) -> object:
    db = sqlite3.connect(f"file:{data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute(sql).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def test_an_alert_reaches_the_open_app_within_90_s_and_ive_seen_this_sends_a_linked_report(
    tmp_path: Path, artifacts: Path
) -> None:
    server = LiveServer(tmp_path / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    server.start()
    data_dir = tmp_path / "phone"
    phone = registered_phone(data_dir, server.url)
    alert_store.set_opted_in(phone.store, True, datetime.now(UTC))
    alert_store.set_farm(phone.store, *FARM, None, datetime.now(UTC))
    phone.store.close()
    shots = artifacts / "app" / "alert-must-show"
    app = AppProcess(data_dir, server_url=server.url).start()  # the phone's own timers: a pull every 60 s
    try:
        with chromium(geolocation=SIGHTING, permissions=["geolocation"]) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.wait_text("Hello Jo")
            # The first pass registers the phone and sends its places; then nobody touches the app.
            wait_until(
                lambda: (
                    phone_value(
                        data_dir, "SELECT places_sent_version = places_version AND opted_in FROM alert_settings"
                    )
                    == 1
                ),
                "the phone registered and its alert places sent",
                timeout=60,
            )
            screen.shot("home-before", PHONE_SIZES)

            with httpx.Client(base_url=server.url, timeout=30) as client:
                officer = staff_token(server, client, "kent-officer", "officer", "Kent Police")
                issued_at = time.monotonic()
                created = client.post(
                    "/api/v1/alerts",
                    json={
                        "title": TITLE,
                        "text": "Three men with lurchers in a white pickup, heading towards Faversham.",
                        "category": "hare_coursing",
                        "vehicle_registration": "AB12CDE",
                        "area": {"lat": 51.27, "lon": 0.92, "radius_km": 8},
                    },
                    headers=officer,
                )
                assert created.status_code == 201, created.text
                alert_id = created.json()["id"]

            screen.wait_text(TITLE, timeout=WITHIN_S * 1000)
            waited = time.monotonic() - issued_at
            assert waited < WITHIN_S, f"the alert took {waited:.0f} s to show"
            screen.wait_text("Police alerts near you: 1 new")
            screen.wait_text("3 km from Hill Farm")
            screen.shot("home-alert", PHONE_SIZES)

            screen.text(TITLE).first.click()
            screen.wait_text("Police alert from Kent Police")
            screen.shot("alert", PHONE_SIZES)
            screen.button("I've seen this").click()
            screen.wait_text("Is it happening now, or is anyone in danger?")
            screen.button("No").click()
            screen.wait_text("What happened?")
            screen.button("Hare coursing").click()  # chosen from the alert: the farmer confirms it
            screen.wait_text("0 of 6 photos")
            screen.button("Next").click()
            screen.button("Use my position (GPS)").click()
            screen.wait_text("Your position, accurate to ±7 m")
            screen.button("Next").click()
            screen.fill("How many dogs (optional)", "3")
            screen.button("Next").click()
            screen.button("No").click()
            screen.button("Next").click()
            screen.wait_text("Answers the police alert")
            screen.wait_text("AB12CDE")
            screen.shot("review-linked", PHONE_SIZES)
            screen.button("Save report").click()
            screen.on_screen(re.compile(r"\bSent\b")).first.wait_for(timeout=WITHIN_S * 1000)
            screen.shot("home-sent", PHONE_SIZES)

        with httpx.Client(base_url=server.url, timeout=30) as client:
            [report_id] = [
                r[0] for r in sqlite3.connect(server.data_dir / "hedgerow.db").execute("SELECT id FROM reports")
            ]
            report = client.get(f"/api/v1/reports/{report_id}", headers=officer)
            assert report.status_code == 200, report.text
            assert report.json()["alert_id"] == alert_id
            assert report.json()["vehicles"][0]["registration"] == "AB12CDE"
            staff_view = client.get(f"/api/v1/alerts/{alert_id}", headers=officer)
            assert staff_view.status_code == 200, staff_view.text
            assert staff_view.json()["linked_reports"] == [report_id]
            assert staff_view.json()["devices_reached"] == 1
    finally:
        app.stop()
        server.stop()
