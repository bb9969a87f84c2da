"""The officer console in Debian's headless Chromium, against the real backend: triage a flagged report, act on
it, see the farmer informed, bulk-acknowledge, search by registration, and the map; screenshots are kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.backend.console_browser import chromium
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    event_kinds,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 412, "height": 900}
RUBBLE = "Builders' rubble dumped in the top gateway <script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def world(console: ConsoleServer) -> dict[str, Any]:
    """Reports as farmers sent them: a fly-tip left unanswered for ten days and the same van's other visits."""
    farmer = Farmer(console, "Jo Farmer")
    neighbour = Farmer(console, "Alex Neighbour")
    van = [{"registration": "AB12 CDE", "make": "Ford", "model": "Transit", "colour": "white"}]
    flagged = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="fly_tipping",
        description=RUBBLE,
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "place_name": "Top gateway"},
        vehicles=van,
    )
    same_van_near = neighbour.report((51.27, 1.2), category="suspicious_activity", description="White van casing")
    same_van = neighbour.report((51.1, 0.8), category="theft_fuel", description="Diesel siphoned", vehicles=van)
    console.advance(days=10)
    console.sweep()
    officer_password = console.add_user("pc.browser", "officer", KENT_POLICE, "PC Browser")
    return {
        "farmer": farmer,
        "flagged": flagged,
        "same_van": same_van,
        "same_van_near": same_van_near,
        "password": officer_password,
    }


def log_in(page: Page, console: ConsoleServer, password: str) -> None:
    page.goto(f"{console.url}/console")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console$"))
    page.get_by_label("Username").fill("pc.browser")
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Queue · Kent Police")).to_be_visible()


def no_dialogs(page: Page) -> list[str]:
    """Every alert/confirm a page opens (none should: stored text is never run)."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_an_officer_triages_a_flagged_report_and_the_farmer_sees_the_update(
    console: ConsoleServer, world: dict[str, Any], artifacts: Path
) -> None:
    shots = artifacts / "console"
    shots.mkdir(exist_ok=True)
    flagged = world["flagged"]
    with chromium() as context:
        page = context.new_page()
        dialogs = no_dialogs(page)
        log_in(page, console, world["password"])
        # The count of reports not answered, in words and colour, leads to them.
        counter = page.get_by_role("link", name=re.compile(r"Not answered: \d+"))
        unanswered_before = int(re.search(r"\d+", counter.inner_text()).group())  # type: ignore[union-attr]
        assert unanswered_before >= 3
        counter.click()
        expect(page).to_have_url(re.compile(r"flag=unanswered"))
        row = page.locator("tbody tr", has=page.locator(f'a[href="/console/reports/{flagged}"]'))
        expect(row).to_contain_text("Not answered")
        expect(row).to_contain_text("overdue by")
        page.screenshot(path=shots / "queue.png", full_page=True)
        row.get_by_role("link", name="Fly-tipping").click()

        expect(page.get_by_role("heading", name=re.compile("Fly-tipping"))).to_be_visible()
        expect(page.get_by_text("<script>document.title='pwned'</script>", exact=False)).to_be_visible()
        expect(page.locator(".status-line")).to_contain_text("Not answered")
        expect(page.locator("#report-map .leaflet-marker-icon")).to_have_count(1)
        page.screenshot(path=shots / "report.png", full_page=True)

        page.get_by_role("button", name="Acknowledge", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Acknowledged.")
        expect(page.locator(".status-line")).not_to_contain_text("Not answered")  # the clock stopped at once
        answered = page.locator("tr", has=page.get_by_role("rowheader", name="Answered by the rural crime team"))
        expect(answered).to_contain_text("Met late")
        page.get_by_role("textbox", name="Crime reference", exact=True).fill("46/4321/26")
        page.get_by_role("button", name="Add reference").click()
        expect(page.locator("#timeline")).to_contain_text("Crime reference given: 46/4321/26")
        # A template fills the box (the officer may still change it), then the update goes to the farmer.
        page.get_by_label("Start from a template").select_option(label="Crime reference")
        update = page.get_by_label("Update to the farmer (they see this)")
        expect(update).to_have_value(re.compile(r"The reference is 46/4321/26"))
        update.fill(update.input_value() + " We are checking the van's registration.")
        page.get_by_role("button", name="Send update").click()
        expect(page.locator("#timeline")).to_contain_text("Update sent to the farmer")
        page.get_by_label("Internal note (never shown to the farmer)").fill("Van linked to two other reports")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator("#timeline li").first).to_contain_text("Internal: not shown to the farmer")
        page.screenshot(path=shots / "report-after-actions.png", full_page=True)

        # The sweep clears the flag; the queue's count drops and the report leaves the flagged list.
        console.sweep()
        page.goto(f"{console.url}/console?flag=unanswered")
        expect(page.locator(f'a[href="/console/reports/{flagged}"]')).to_have_count(0)
        counter = page.get_by_role("link", name=re.compile(r"Not answered: \d+"))
        expect(counter).to_have_text(f"Not answered: {unanswered_before - 1}")
        assert dialogs == [] and page.title() != "pwned"

    staff_kinds = [kind for kind in event_kinds(console, flagged) if not kind.startswith("flag_")]
    assert staff_kinds[-4:] == ["acknowledged", "reference_added", "update_sent", "note"]
    cleared = [
        r["data"]
        for r in console.query("SELECT data FROM events WHERE report_id = ? AND kind = 'flag_cleared'", flagged)
    ]
    assert any('"unanswered"' in data for data in cleared) and any('"no_reference"' in data for data in cleared)
    # Through the farmer's own API: the update and the reference are there, the internal note is not.
    view = world["farmer"].view(flagged)
    texts = [entry.get("text") or "" for entry in view["timeline"]]
    assert any("We are checking the van's registration." in t for t in texts)
    assert not any("Van linked" in t for t in texts)
    assert "note" not in [entry["kind"] for entry in view["timeline"]]
    assert view["police_reference"] == "46/4321/26" and "unanswered" not in view["flags"]


def test_an_officer_bulk_acknowledges_ten_reports_with_the_keyboard(
    console: ConsoleServer, world: dict[str, Any]
) -> None:
    farmer = world["farmer"]
    batch = [farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_tools_burglary") for _ in range(12)]
    with chromium() as context:
        page = context.new_page()
        log_in(page, console, world["password"])
        page.goto(f"{console.url}/console?category=theft_tools_burglary&status=received")
        boxes = page.get_by_role("checkbox", name=re.compile("Select Tools, metal or break-in"))
        expect(boxes).to_have_count(12)
        boxes.nth(0).focus()
        page.keyboard.press("Space")
        for i in range(1, 10):
            boxes.nth(i).check()
        page.get_by_role("button", name="Acknowledge selected").click()
        expect(page.get_by_role("status")).to_have_text("Acknowledged 10 reports.")
        expect(page.get_by_role("checkbox", name=re.compile("Select Tools"))).to_have_count(2)
    acknowledged = [rid for rid in batch if event_kinds(console, rid) == ["received", "acknowledged"]]
    assert len(acknowledged) == 10


def test_a_search_by_registration_finds_the_linked_reports(console: ConsoleServer, world: dict[str, Any]) -> None:
    with chromium() as context:
        page = context.new_page()
        log_in(page, console, world["password"])
        page.get_by_text("Filter and search").click()
        search = page.get_by_label("Search descriptions, places, registrations")
        search.fill("ab12 cde")
        search.press("Enter")
        results = page.locator("tbody a[href^='/console/reports/']")
        expect(results).to_have_count(2)
        found = {link.get_attribute("href") for link in results.all()}
        assert found == {f"/console/reports/{world['flagged']}", f"/console/reports/{world['same_van']}"}
        page.locator(f"tbody a[href='/console/reports/{world['same_van']}']").click()
        vehicle = page.locator("#linked-vehicle")
        expect(vehicle).to_contain_text("AB12CDE")
        expect(vehicle.locator(f"a[href='/console/reports/{world['flagged']}']")).to_have_count(1)
        page.goto(f"{console.url}/console/reports/{world['flagged']}")
        near = page.locator("#linked-near")
        expect(near.locator(f"a[href='/console/reports/{world['same_van_near']}']")).to_have_count(1)
        expect(near).to_contain_text("2.22 km")


def test_the_map_shows_the_queue_as_markers_when_tiles_cannot_load(
    console: ConsoleServer, world: dict[str, Any], artifacts: Path
) -> None:
    with chromium() as context:
        page = context.new_page()
        log_in(page, console, world["password"])
        page.goto(f"{console.url}/console")
        page.get_by_role("link", name="Show these reports on a map").click()
        expect(page.get_by_role("heading", name="Map · Kent Police")).to_be_visible()
        markers = page.locator("#queue-map .leaflet-marker-icon")
        expect(markers.first).to_be_visible()
        expect(page.locator("#tiles-note")).to_be_visible()  # the tile server is not there; the markers are
        expected = len(page.locator("table tbody tr").all())
        shown = 0
        for icon in markers.all():
            classes = icon.get_attribute("class") or ""
            shown += int(icon.inner_text()) if "cluster" in classes else 1
        assert shown == expected >= 3
        expect(page.locator("#queue-map .marker-red, #queue-map .cluster-red").first).to_be_visible()
        page.screenshot(path=artifacts / "console" / "map.png", full_page=True)


def test_the_queue_fits_a_phone_and_starts_with_a_skip_link(
    console: ConsoleServer, world: dict[str, Any], artifacts: Path
) -> None:
    with chromium(PHONE) as context:
        page = context.new_page()
        log_in(page, console, world["password"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        page.screenshot(path=artifacts / "console" / "queue-phone.png", full_page=True)


def test_the_core_actions_work_without_javascript(console: ConsoleServer, world: dict[str, Any]) -> None:
    report_id = world["farmer"].report(KENT_FAR_FROM_SUSSEX, category="theft_gps", description="GPS receiver taken")
    with chromium(javascript=False) as context:
        page = context.new_page()
        log_in(page, console, world["password"])
        page.goto(f"{console.url}/console?category=theft_gps")
        page.get_by_role("checkbox", name=re.compile("Select GPS")).first.check()
        page.get_by_role("button", name="Acknowledge selected").click()
        expect(page.get_by_role("status")).to_have_text("Acknowledged 1 report.")
        page.goto(f"{console.url}/console/reports/{report_id}")
        # Without JavaScript a template is chosen by reloading the page with it in the box.
        page.get_by_label("Template (without JavaScript: fills the box above)").select_option(label="Officer attending")
        page.get_by_role("button", name="Use template").click()
        expect(page.get_by_label("Update to the farmer (they see this)")).to_have_value(re.compile("on the way"))
        page.get_by_role("button", name="Send update").click()
        expect(page.locator("#timeline")).to_contain_text("Update sent to the farmer")
        page.get_by_label("Outcome").select_option(label="Property recovered")
        page.get_by_role("button", name="Close report").click()
        expect(page.locator(".status-line")).to_contain_text("Closed")
    assert event_kinds(console, report_id) == ["received", "acknowledged", "update_sent", "closed"]
