"""Issue 17, must-show 3, in real browsers against the real backend: a farmer reports a threat from the app
without their name; the officer's report page in the console says "Anonymous reporter" and shows none of the
farmer's contact details; the officer sends an update from that page; the farmer reads it on the phone."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium, saved_value
from tests.backend.console_browser import chromium as console_browser
from tests.backend.console_browser import log_in
from tests.support import LiveServer, server_with_kent_officer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD_GATE = {"latitude": 51.2502, "longitude": 0.9004, "accuracy": 8}  # in the demo Kent area
# What FletScreen.register() gives as the farmer's details, as a page could show each of them.
CONTACT = ("Jo Farmer", "07700 900123", "07700900123", "900123", "Hill Farm", "ME13 9AB")
SAID = "Said they would torch the hay barn if I rang the police again"
UPDATE = "Thank you for telling us. We have put extra patrols on your lane at night and are tracing the pickup."
OFFICER_PASSWORD = "kent-officer-password-123"


def _report_ids(server: LiveServer) -> list[tuple[str, int]]:
    db = sqlite3.connect(f"file:{server.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=30)
    try:
        return [(r[0], r[1]) for r in db.execute("SELECT id, anonymous FROM reports")]
    finally:
        db.close()


def test_an_anonymous_threat_reaches_the_officer_without_a_name_and_the_answer_reaches_the_farmer(
    tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = server_with_kent_officer(tmp_path / "server", OFFICER_PASSWORD)
    monkeypatch.setenv("HEDGEROW_SYNC_PERIOD_S", "2")  # the phone checks for answers every 2 s, not every minute
    shots = artifacts / "app" / "anonymous"
    app = AppProcess(tmp_path / "phone", server_url=server.url).start()
    try:
        with chromium(geolocation=FIELD_GATE, permissions=["geolocation"]) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.register()
            screen.tap("Report an incident")
            screen.tap("No")
            screen.tap("Threats or violence")
            screen.wait_text("0 of 6 photos")
            screen.tap("Next")
            screen.tap("Use my position (GPS)")
            screen.wait_text("Your position, accurate to ±8 m")
            screen.tap("Next")

            # The details step offers it first, and says what it means before the farmer chooses.
            screen.wait_text("Send without your name?")
            screen.wait_text("The police will not see your name, phone number, email, farm name or postcode.")
            screen.wait_text("They cannot call you back, so tell them everything they need here.")
            screen.wait_text("You will still see their answers here, in the app.")
            expect(screen.page.get_by_role("radio", name="Send with my name")).to_be_checked()
            screen.shot("details-with-name", PHONE_SIZES)
            screen.page.get_by_role("radio", name="Send without my name").click()
            screen.wait_until(lambda: saved_value(app.data_dir, "draft", "anonymous") is True, "the choice saved")
            expect(screen.page.get_by_role("radio", name="Send without my name")).to_be_checked()
            screen.fill(
                "What was said (optional)",
                SAID,
                kept=lambda: saved_value(app.data_dir, "draft", "details", "what_was_said") == SAID,
                exact=True,  # not "What they looked like, accents, what was said (optional)"
            )
            screen.shot("details-without-name", PHONE_SIZES)
            screen.tap("Next")
            screen.wait_text("Have you already called 101 or 999?")
            screen.tap("No")
            screen.tap("Next")

            screen.wait_text("Check and save")
            screen.wait_text("Not sent: the police will not see your name, phone or farm, and cannot call you back")
            screen.shot("review-without-name", PHONE_SIZES)
            screen.tap("Save report")
            screen.on_screen(re.compile(r"\bSent\b")).first.wait_for(timeout=90_000)
            wait_until(lambda: _report_ids(server), "the report on the server", timeout=30)
            [(report_id, anonymous)] = _report_ids(server)
            assert anonymous == 1
            taken = screen.count

        # The officer, at a station, in a browser of their own.
        with console_browser() as officer_context:
            page = officer_context.new_page()
            log_in(page, server.url, "kent.officer", OFFICER_PASSWORD, queue_of="Kent Police")
            page.get_by_role("link", name="Threats or violence").first.click()
            expect(page).to_have_url(re.compile(f"/console/reports/{report_id}$"))
            reporter = page.locator("#reporter")
            expect(reporter).to_contain_text("Anonymous reporter")
            expect(reporter).to_contain_text("you cannot call them back")
            expect(page.get_by_text(SAID)).to_be_visible()
            expect(page.locator('a[href^="tel:"]')).to_have_count(0)
            html = page.content()
            assert [c for c in CONTACT if c in html] == []
            page.screenshot(path=shots / "console-report-anonymous.png", full_page=True)

            page.get_by_label("Update to the farmer (they see this)").fill(UPDATE)
            page.get_by_role("button", name="Send update").click()
            expect(page.get_by_role("status")).to_have_text(re.compile("^Update sent"))
            expect(page.locator("#timeline")).to_contain_text(UPDATE)
            assert [c for c in CONTACT if c in page.content()] == []
            page.screenshot(path=shots / "console-report-updated.png", full_page=True)

        # The farmer opens the app again: the answer came through the phone's own token, with nobody pressing a thing.
        with chromium() as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.count = taken  # the screenshots go on numbered in order
            screen.wait_text("new from the police", timeout=60_000)
            screen.shot("home-answered", PHONE_SIZES)
            screen.text("Open the report").first.click()
            screen.wait_text(UPDATE)
            screen.wait_text("Sent without your name: the police cannot see who you are or call you back")
            screen.shot("report-answered", PHONE_SIZES)
    finally:
        app.stop()
        server.stop()
