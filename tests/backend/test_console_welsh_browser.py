"""Must-show 1 of issue 18, the console half, in Debian's headless Chromium against the real backend: an officer
chooses Cymraeg in the console's header; the queue and the report page are then `<html lang="cy">` in Welsh; the
officer writes to a Welsh-reading farmer from a Welsh template, and the farmer's own API gives the update in
Welsh. Screenshots are kept (test-artifacts/console-cy/, and docs/screens/console-cy-*.png with
HEDGEROW_UPDATE_SCREENS=1, as `make screens` runs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend.i18n import catalogue
from tests.app.browser import DOCS_SCREENS
from tests.backend.console_browser import chromium
from tests.backend.console_support import KENT_FAR_FROM_SUSSEX, KENT_POLICE, ConsoleServer, Farmer
from tests.backend.test_console_accessibility import LAPTOP, PHONE, axe_violations, sideways_overflow

pytestmark = pytest.mark.browser
WELSH_PAGES = (
    "/console",
    "/console/map",
    "/console/reports/{report}",
    "/console/summaries",
    "/console/admin",
    "/console/admin/users",
    "/console/admin/templates",
    "/console/admin/policy",
    "/console/admin/invite",
)


def cy(message: str, context: str | None = None) -> str:
    words = catalogue("cy").pgettext(context, message) if context else catalogue("cy").gettext(message)
    assert words != message, f"no Welsh for {message!r}"
    return words


def shoot(page: Page, shots: Path, name: str) -> None:
    path = shots / f"console-cy-{name}.png"
    page.screenshot(path=path, full_page=True)
    if os.environ.get("HEDGEROW_UPDATE_SCREENS") == "1":
        DOCS_SCREENS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENS / path.name)


def test_an_officer_who_chose_cymraeg_works_in_welsh_and_the_farmer_reads_the_welsh_update(
    console: ConsoleServer, artifacts: Path
) -> None:
    shots = artifacts / "console-cy"
    shots.mkdir(exist_ok=True)
    farmer = Farmer(console, "Elin Jones", language="cy")
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="fly_tipping",
        description="Sbwriel adeiladu wedi'i adael yn y fynedfa uchaf",
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "place_name": "Y fynedfa uchaf"},
    )
    console.advance(days=3)
    console.sweep()
    password = console.add_user("swyddog.porwr", "officer", KENT_POLICE, "PC Elis")
    attending = cy(
        "An officer is on the way to you. If anyone is in danger or the offenders are still there, call 999.",
        "farmer",
    )
    with chromium() as context:
        page = context.new_page()
        page.goto(f"{console.url}/console")
        page.get_by_label("Username").fill("swyddog.porwr")
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_role("heading", name=f"Queue · {KENT_POLICE}")).to_be_visible()

        # The header's switch: the staff user's choice, kept for every page and every later session.
        page.get_by_role("button", name="Cymraeg").click()
        queue_heading = cy("Queue · %(force)s") % {"force": KENT_POLICE}
        expect(page.get_by_role("heading", name=queue_heading)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        assert console.scalar("SELECT language FROM users WHERE username = 'swyddog.porwr'") == "cy"
        expect(page.get_by_role("link", name=cy("Skip to main content"))).to_be_attached()
        row = page.locator("tbody tr", has=page.locator(f'a[href="/console/reports/{report_id}"]'))
        expect(row).to_contain_text(cy("Not answered"))
        expect(row).to_contain_text(cy("overdue by %(time)s").split("%")[0].strip())
        shoot(page, shots, "queue")

        page.locator(f'a[href="/console/reports/{report_id}"]').first.click()
        expect(page.get_by_role("heading", name=cy("What happened"))).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.locator("#farmer-reads")).to_have_text(
            cy("The farmer reads %(language)s.") % {"language": "Cymraeg"}
        )
        expect(page.locator(".status-line")).to_contain_text(cy("Not answered"))

        # A Welsh template fills the box (the console's script), and the update goes to the farmer.
        page.get_by_label(cy("Start from a template")).select_option(label=cy("Officer attending", "farmer"))
        box = page.get_by_label(cy("Update to the farmer (they see this)"))
        expect(box).to_have_value(attending)
        shoot(page, shots, "report")
        page.get_by_role("button", name=cy("Send update")).click()
        expect(page.get_by_role("status")).to_have_text(cy("Update sent: the farmer's app shows it at its next check."))
        expect(page.locator("#timeline")).to_contain_text(cy("Update sent to the farmer"))

        page.goto(f"{console.url}/console/summaries?period=12m")
        expect(page.get_by_role("heading", name=cy("Response-time summaries"), exact=True)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        shoot(page, shots, "summaries")

    timeline = farmer.view(report_id)["timeline"]
    assert timeline[-1]["kind"] == "update_sent"
    assert timeline[-1]["text"] == attending
    assert timeline[0]["text"] == cy("Received by Hedgerow", "farmer")
    assert not any(re.search(r"\b(the|and|your|report)\b", e["text"]) for e in timeline), timeline


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x900", "390x844"])
def test_the_welsh_console_has_no_wcag_aa_violations_and_never_scrolls_sideways(
    console: ConsoleServer, viewport: dict[str, int], artifacts: Path
) -> None:
    """Welsh words are longer than English ones: the pages a Welsh supervisor works in pass the same audit."""
    report_id = Farmer(console, language="cy").report(KENT_FAR_FROM_SUSSEX, description="Giât wedi'i thorri")
    password = console.add_user(f"rhingyll.{viewport['width']}", "supervisor", KENT_POLICE, "Rhingyll Cymraeg")
    shots = artifacts / "console-cy" / "accessibility"
    shots.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    with chromium(viewport) as context:
        page = context.new_page()
        page.goto(f"{console.url}/console/login?lang=cy")
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        found["/console/login"] = (axe_violations(page), sideways_overflow(page))
        page.get_by_label(cy("Username")).fill(f"rhingyll.{viewport['width']}")
        page.get_by_label(cy("Password")).fill(password)
        page.get_by_label(cy("Password")).press("Enter")
        page.wait_for_url(lambda url: "/console/login" not in url)
        # No choice of their own yet: the login page's Welsh, kept by its cookie, carries on.
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        for path in WELSH_PAGES:
            page.goto(f"{console.url}{path.format(report=report_id)}")
            page.wait_for_load_state("networkidle")
            expect(page.locator("html")).to_have_attribute("lang", "cy")
            name = path.strip("/").replace("/", "-").replace("{report}", "report") or "console"
            page.screenshot(path=str(shots / f"{viewport['width']}-{name}.png"), full_page=True)
            found[path] = (axe_violations(page), sideways_overflow(page))
    faults = {path: {"axe": axe, "sideways": wide} for path, (axe, wide) in found.items() if axe or wide}
    assert not faults, json.dumps(faults, indent=1)
