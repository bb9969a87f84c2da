"""Must-show 2 of issue 19 in a real browser: with the backend up and the farmer app open on home (its alert places
set, nobody pressing anything), an officer draws an alert on the console's map; the app shows it on home within
90 s on its own 60 s pull; "I've seen this" makes a report linked to the alert, which reaches the server and shows
on the alert's console page."""

from __future__ import annotations

import math
import re
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.state.alerts import distance_words
from app.store import alerts as alert_store
from core.geo import distance_m
from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium
from tests.app.sync_support import registered_phone
from tests.backend.console_browser import LAPTOP, log_in
from tests.support import DEMO_AREAS, LiveServer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FARM = (51.2502, 0.9004)  # Hill Farm, in the demo Kent area
SIGHTING = {"latitude": 51.2611, "longitude": 0.9102, "accuracy": 7}  # where the farmer sees the pickup
TITLE = "Hare coursers seen on the Ridgeway"
OFFICER, PASSWORD = "pc.ridgeway", "pc.ridgeway-password-123"
WITHIN_S = 90


def phone_value(data_dir: Path, sql: str) -> object:
    db = sqlite3.connect(f"file:{data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute(sql).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def server_rows(server: LiveServer, sql: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{server.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def click_map_at(page: Page, target: tuple[float, float]) -> tuple[float, float]:
    """Click the alert form's map where `target` is, as an officer who knows the lane would: two clicks to learn
    where the map shows what (Web Mercator: x follows the longitude, y its Mercator value), then the click that
    counts. Returns the centre the form took from it."""
    area = page.get_by_role("region", name="Map for the alert's area: a click sets the centre")
    expect(area.locator(".leaflet-map-pane")).to_have_count(1)
    area.scroll_into_view_if_needed()
    latitude, longitude = page.get_by_label("Centre latitude"), page.get_by_label("Centre longitude")
    seen = []
    for x, y in ((100, 100), (400, 300)):
        area.click(position={"x": x, "y": y})
        expect(latitude).not_to_have_value("")
        wait_until(lambda: not seen or float(latitude.input_value()) != seen[-1][2], "the second click read")
        seen.append((x, y, float(latitude.input_value()), float(longitude.input_value())))
    (x1, y1, lat1, lon1), (x2, y2, lat2, lon2) = seen
    x = x1 + (target[1] - lon1) * (x2 - x1) / (lon2 - lon1)
    y = y1 + (_mercator(target[0]) - _mercator(lat1)) * (y2 - y1) / (_mercator(lat2) - _mercator(lat1))
    area.click(position={"x": round(x), "y": round(y)})
    wait_until(lambda: float(latitude.input_value()) != lat2, "the centre set by the last click")
    return float(latitude.input_value()), float(longitude.input_value())


def test_an_alert_drawn_in_the_console_reaches_the_open_app_within_90_s_and_ive_seen_this_sends_a_linked_report(
    tmp_path: Path, artifacts: Path
) -> None:
    server = LiveServer(tmp_path / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    added = server.cli("users", "add", OFFICER, "--role", "officer", "--force", "Kent Police", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
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

            # The officer, at a laptop: logs in and draws the alert by clicking the map near the farm.
            console = context.new_page()
            console.set_viewport_size(LAPTOP)  # type: ignore[arg-type]
            log_in(console, server.url, OFFICER, PASSWORD, queue_of="Kent Police")
            console.get_by_role("navigation", name="Console").get_by_role("link", name="Alerts").click()
            console.get_by_role("link", name="New alert").click()
            centre = click_map_at(console, (51.27, 0.92))
            assert distance_m(*centre, 51.27, 0.92) < 3000, centre  # where the officer meant, to a map pixel or two
            console.get_by_label("Radius in km").fill("8")
            console.get_by_label("Radius in km").press("Tab")
            expect(console.locator("path.alert-circle")).to_have_count(1)
            console.get_by_label("Title (what farmers see first)").fill(TITLE)
            console.get_by_label("Message").fill(
                "Three men with lurchers in a white pickup, heading towards Faversham."
            )
            console.get_by_label("Category (optional)").select_option(label="Hare coursing")
            console.get_by_label("Vehicle registration (optional)").fill("ab12 cde")
            console.screenshot(path=shots / "console-alert-new.png", full_page=True)
            console.get_by_role("button", name="Issue alert").click()
            issued_at = time.monotonic()
            expect(console.get_by_role("status")).to_contain_text("Alert issued")
            alert_page = console.url
            [(alert_id, lat, lon)] = server_rows(server, "SELECT id, lat, lon FROM alerts")
            assert (lat, lon) == centre

            screen.page.bring_to_front()
            screen.wait_text(TITLE, timeout=WITHIN_S * 1000)
            waited = time.monotonic() - issued_at
            assert waited < WITHIN_S, f"the alert took {waited:.0f} s to show"
            screen.wait_text("Police alerts near you: 1 new")
            screen.wait_text(distance_words(distance_m(lat, lon, *FARM) / 1000, "Hill Farm"))
            screen.shot("home-alert", PHONE_SIZES)

            screen.text(TITLE).first.click()
            screen.wait_text("Police alert from Kent Police")
            screen.wait_text("AB12CDE")
            screen.shot("alert", PHONE_SIZES)
            screen.tap("I've seen this")
            screen.wait_text("Is it happening now, or is anyone in danger?")
            screen.tap("No")
            screen.wait_text("What happened?")
            screen.tap("Hare coursing")  # chosen from the alert: the farmer confirms it
            screen.wait_text("0 of 6 photos")
            screen.tap("Next")
            screen.tap("Use my position (GPS)")
            screen.wait_text("Your position, accurate to ±7 m")
            screen.tap("Next")
            screen.fill("How many dogs (optional)", "3")
            screen.tap("Next")
            screen.tap("No")
            screen.tap("Next")
            screen.wait_text("Answers the police alert")
            screen.wait_text("AB12CDE")
            screen.shot("review-linked", PHONE_SIZES)
            screen.tap("Save report")
            screen.on_screen(re.compile(r"\bSent\b")).first.wait_for(timeout=WITHIN_S * 1000)
            screen.shot("home-sent", PHONE_SIZES)

            [(report_id, linked_alert, registration)] = server_rows(
                server,
                "SELECT r.id, r.alert_id, v.registration FROM reports r JOIN report_vehicles v ON v.report_id = r.id",
            )
            assert (linked_alert, registration) == (alert_id, "AB12CDE")

            # The officer's page for the alert: the phone that pulled it and the report made from it.
            console.bring_to_front()
            console.goto(alert_page)
            expect(console.locator("#alert-reach")).to_contain_text("1 phone pulled it")
            linked = console.locator("#alert-linked")
            expect(linked.get_by_role("link")).to_have_count(1)
            expect(linked.get_by_role("link")).to_have_attribute("href", f"/console/reports/{report_id}")
            expect(linked).to_contain_text(f"Hare coursing {report_id[:8]}")
            console.screenshot(path=shots / "console-alert-linked.png", full_page=True)
            linked.get_by_role("link").click()
            expect(console.get_by_text("AB12CDE").first).to_be_visible()
            console.screenshot(path=shots / "console-linked-report.png", full_page=True)
    finally:
        app.stop()
        server.stop()
