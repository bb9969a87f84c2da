"""An officer draws an alert in the console in headless Chromium, against the real backend: a click on the map
sets the centre, the radius sizes the circle drawn, the alert is saved and shown on its page with its circle,
reaches a phone there, and is withdrawn; screenshots are kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.backend.alerts_support import Phone
from tests.backend.console_browser import chromium, log_in
from tests.backend.console_support import KENT_POLICE, ConsoleServer

pytestmark = pytest.mark.browser


def test_an_officer_draws_an_alert_on_the_map_saves_it_and_withdraws_it(
    console: ConsoleServer, artifacts: Path
) -> None:
    shots = artifacts / "console"
    shots.mkdir(exist_ok=True)
    password = console.add_user("pc.alerts", "officer", KENT_POLICE, "PC Alerts")
    with chromium() as context:
        page = context.new_page()
        log_in(page, console.url, "pc.alerts", password, queue_of="Kent Police")
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Alerts").click()
        expect(page.get_by_role("heading", name="Alerts to farmers · Kent Police")).to_be_visible()
        page.get_by_role("link", name="New alert").click()

        # The map opens on the force's area; a click sets the centre, the radius field sizes the circle.
        area = page.get_by_role("region", name="Map for the alert's area: a click sets the centre")
        expect(area.locator(".leaflet-map-pane")).to_have_count(1)
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        assert box is not None
        area.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.45})
        latitude, longitude = page.get_by_label("Centre latitude"), page.get_by_label("Centre longitude")
        expect(latitude).to_have_value(re.compile(r"^51\.\d{5}$"))
        expect(longitude).to_have_value(re.compile(r"^[01]\.\d{5}$"))
        circle = area.locator("path.alert-circle")
        expect(circle).to_have_count(1)  # drawn at the default radius
        drawn = circle.get_attribute("d")
        page.get_by_label("Radius in km").fill("12")
        page.get_by_label("Radius in km").press("Tab")  # the change event fits the map to the circle
        expect(circle).not_to_have_attribute("d", drawn or "")
        page.get_by_label("Title (what farmers see first)").fill("Hare coursers on the downs")
        page.get_by_label("Message").fill("Four men with lurchers and a grey Subaru. Do not approach them.")
        page.get_by_label("Category (optional)").select_option(label="Hare coursing")
        page.get_by_label("Vehicle registration (optional)").fill("gf19 xyz")
        page.screenshot(path=shots / "alert-new.png", full_page=True)
        centre = (float(latitude.input_value()), float(longitude.input_value()))
        page.get_by_role("button", name="Issue alert").click()

        expect(page.get_by_role("heading", name="Hare coursers on the downs")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Alert issued")
        expect(page.locator("#alert-state")).to_contain_text("Active until")
        expect(page.locator("#alert-map path.alert-circle")).to_have_count(1)
        expect(page.get_by_text("12 km around", exact=False)).to_be_visible()
        expect(page.get_by_text("GF19XYZ")).to_be_visible()
        page.screenshot(path=shots / "alert-page.png", full_page=True)
        alert_id = int(page.url.split("/console/alerts/")[1].split("?")[0])
        stored = console.query("SELECT lat, lon, radius_km, title, category FROM alerts WHERE id = ?", alert_id)[0]
        assert (stored["lat"], stored["lon"], stored["radius_km"]) == (*centre, 12.0)
        assert (stored["title"], stored["category"]) == ("Hare coursers on the downs", "hare_coursing")

        # A phone 10 km from the centre, with a 3 km place, gets it; the page counts it once pulled.
        phone = Phone(console, (centre[0] + 0.09, centre[1], 3.0))
        assert phone.pulled_ids() == [alert_id]
        page.reload()
        expect(page.locator("#alert-reach")).to_contain_text("1 phone pulled it")

        page.get_by_role("button", name="Withdraw alert").click()
        expect(page.get_by_role("status")).to_contain_text("Alert withdrawn")
        expect(page.locator("#alert-state")).to_contain_text("Withdrawn")
        expect(page.get_by_role("button", name="Withdraw alert")).to_have_count(0)
        expect(page.locator("#alert-history li")).to_have_count(2)
        page.screenshot(path=shots / "alert-withdrawn.png", full_page=True)
        page.get_by_role("link", name="← Alerts").click()
        row = page.locator("tbody tr", has=page.get_by_role("link", name="Hare coursers on the downs"))
        expect(row).to_contain_text("Withdrawn")
    assert phone.pull() == {"alerts": [], "withdrawn": [alert_id], "cursor": phone.cursor}
