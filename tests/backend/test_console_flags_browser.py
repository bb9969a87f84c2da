"""Flags move with the officer: acknowledging one report, or three at once, takes them off "Not answered" and its
count on the next page load, with no sweep run (the server's own sweep is off here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.backend.console_browser import chromium, log_in
from tests.backend.console_support import KENT_FAR_FROM_SUSSEX, KENT_POLICE, ConsoleServer, Farmer

pytestmark = pytest.mark.browser


def _not_answered(page: Page) -> str:
    return page.locator(".flag-counts a[href^='/console?flag=unanswered']").inner_text()


def test_acknowledging_one_and_then_three_clears_their_flags_at_once(console: ConsoleServer, artifacts: Path) -> None:
    farmer = Farmer(console, "Jo Farmer")
    ids = [farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_fuel") for _ in range(4)]
    console.advance(days=5)
    console.sweep()  # the only sweep: it raises the four flags
    assert console.scalar("SELECT count(*) FROM report_flags WHERE flag = 'unanswered'") == 4
    password = console.add_user("pc.flags", "officer", KENT_POLICE, "PC Flags")
    with chromium() as context:
        page = context.new_page()
        log_in(page, console.url, "pc.flags", password, queue_of="Kent Police")
        assert _not_answered(page) == "Not answered: 4"

        page.goto(f"{console.url}/console/reports/{ids[0]}")
        page.get_by_role("button", name="Acknowledge", exact=True).click()
        expect(page.get_by_text("Acknowledged.")).to_be_visible()
        page.goto(f"{console.url}/console")
        assert _not_answered(page) == "Not answered: 3"
        page.goto(f"{console.url}/console?flag=unanswered")
        boxes = page.get_by_role("checkbox", name=re.compile("Select Fuel"))
        expect(boxes).to_have_count(3)
        for box in boxes.all():
            box.check()
        page.get_by_role("button", name="Acknowledge selected").click()
        expect(page.get_by_role("status")).to_have_text("Acknowledged 3 reports.")
        page.goto(f"{console.url}/console?flag=unanswered")
        assert _not_answered(page) == "Not answered: 0"
        expect(page.get_by_role("checkbox", name=re.compile("Select Fuel"))).to_have_count(0)
        page.screenshot(path=artifacts / "console" / "flags-cleared.png", full_page=True)
    assert console.scalar("SELECT count(*) FROM report_flags WHERE flag = 'unanswered'") == 0
    cleared = console.scalar(
        "SELECT count(*) FROM events WHERE kind = 'flag_cleared' AND json_extract(data, '$.flag') = 'unanswered'"
    )
    assert cleared == 4  # each with its own event in the report's log, as the sweep would write it
    # The clocks that acknowledging does not stop (no crime reference yet) keep their flags.
    assert console.scalar("SELECT count(*) FROM report_flags WHERE flag != 'unanswered'") == 4
