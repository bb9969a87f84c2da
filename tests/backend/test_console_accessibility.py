"""WCAG 2.2 AA in the officer console, checked in Debian's headless Chromium against the real backend.

axe-core (Deque's rules engine, installed from npm by `make setup`, never a CDN) runs on every console page, logged
in as each role, at a laptop's 1366x900 and a phone's 390x844, and must find nothing at levels A and AA of WCAG
2.0, 2.1 and 2.2. At 390 px no page may scroll sideways. Triage works with the keyboard alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.backend.alerts_support import issuer
from tests.backend.console_browser import chromium
from tests.backend.console_browser import log_in as console_log_in
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    event_kinds,
    login,
)
from tests.support import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "build" / "npm-axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLE_FORCES = {"officer": KENT_POLICE, "supervisor": KENT_POLICE, "admin": None, "nfu": None}


@pytest.fixture(scope="module")
def site(console: ConsoleServer) -> dict[str, Any]:
    """A force's queue as a shift finds it: a fly-tip ten days unanswered, then the same van at a fuel theft and a
    quad bike stolen, both fresh."""
    farmer = Farmer(console, "Jo Farmer")
    van = [{"registration": "AB12 CDE", "make": "Ford", "model": "Transit", "colour": "white"}]
    overdue = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="fly_tipping",
        description="Builders' rubble dumped in the top gateway",
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "place_name": "Top gateway"},
        vehicles=van,
    )
    console.advance(days=10)
    console.sweep()
    farmer.report((51.27, 1.21), category="theft_fuel", description="Diesel siphoned", vehicles=van)
    farmer.report((51.2, 1.1), category="theft_machinery", description="Quad bike gone from the yard")
    passwords = {role: console.add_user(f"a11y.{role}", role, force) for role, force in ROLE_FORCES.items()}
    alert = issuer(console, "a11y.alerts", "officer", KENT_POLICE).issue()
    return {"overdue": overdue, "passwords": passwords, "alert": alert["id"]}


def pages_for(console: ConsoleServer, site: dict[str, Any], role: str) -> list[str]:
    """Every console page this role can open (a 200 for its session), found by asking, not assumed."""
    staff = login(console, f"a11y.list.{role}", role, ROLE_FORCES[role])
    candidates = [
        "/console",
        "/console?view=overdue",
        f"/console/reports/{site['overdue']}",
        "/console/map",
        "/console/summaries",
        "/console/nfu",
        "/console/admin",
        "/console/admin/users",
        "/console/admin/policy",
        "/console/admin/templates",
        "/console/admin/access-log",
        "/console/admin/invite",
        "/console/alerts",
        "/console/alerts/new",
        f"/console/alerts/new?report={site['overdue']}",
        f"/console/alerts/{site['alert']}",
        "/accessibility",
    ]
    found = []
    for path in candidates:
        r = staff.get(path, follow_redirects=True)
        if r.status_code == 200 and "text/html" in r.headers["content-type"] and str(r.url.path) != "/console/login":
            found.append(path)
    return sorted(set(found))


def log_in(page: Page, console: ConsoleServer, username: str, password: str) -> None:
    console_log_in(page, console.url, username, password)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # Evaluated through the devtools protocol: the console's Content-Security-Policy rightly refuses inline scripts.
    page.evaluate(AXE.read_text() + "\n;true")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [n["target"] for n in v["nodes"]][:5],
            "why": v["nodes"][0]["failureSummary"][:300] if v["nodes"] else "",
        }
        for v in result["violations"]
    ]


def sideways_overflow(page: Page) -> list[str]:
    """Elements that stick out past the right edge of the viewport, widest first (empty when nothing scrolls)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const clipped = e => {
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return true;
                }
                return false;
            };
            const out = Array.from(document.body.querySelectorAll('*'))
                .map(e => [e, e.getBoundingClientRect()])
                .filter(([e, r]) => r.right > width + 1 && !clipped(e))
                .sort((a, b) => b[1].right - a[1].right)
                .slice(0, 8)
                .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.getAttribute('class')} right=${Math.round(r.right)}`);
            return out.length ? out : [`the page is ${document.documentElement.scrollWidth} px wide`];
        }"""
    )


@pytest.fixture(scope="module")
def audited_pages(console: ConsoleServer, site: dict[str, Any]) -> dict[str, list[str]]:
    return {role: pages_for(console, site, role) for role in ROLE_FORCES}


def test_every_role_is_audited_on_the_pages_it_works_in(audited_pages: dict[str, list[str]]) -> None:
    # The audit below is only as good as this list: each role must reach its own pages, and no page is missed.
    assert {"/console", "/console/map", "/console/summaries", "/console/alerts/new"} <= set(audited_pages["officer"])
    assert "/console/admin/users" in audited_pages["admin"] and "/console/admin/policy" in audited_pages["admin"]
    assert "/console/nfu" in audited_pages["nfu"] or "/console/summaries" in audited_pages["nfu"]
    assert not any(p.startswith("/console/reports/") for p in audited_pages["nfu"]), "an NFU rep reads no report"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366x900", "390x844"])
@pytest.mark.parametrize("role", list(ROLE_FORCES))
def test_every_console_page_has_no_wcag_aa_violations_and_never_scrolls_sideways(
    console: ConsoleServer,
    site: dict[str, Any],
    audited_pages: dict[str, list[str]],
    role: str,
    viewport: dict[str, int],
    artifacts: Path,
) -> None:
    shots = artifacts / "console" / "accessibility"
    shots.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    with chromium(viewport) as context:
        page = context.new_page()
        pages = []
        for public in ("/console/login", "/accessibility"):
            page.goto(f"{console.url}{public}")
            pages.append((public, axe_violations(page), sideways_overflow(page)))
        log_in(page, console, f"a11y.{role}", site["passwords"][role])
        for path in audited_pages[role]:
            page.goto(f"{console.url}{path}")
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "console"
            page.screenshot(path=str(shots / f"{role}-{viewport['width']}-{name}.png"), full_page=True)
            pages.append((path, axe_violations(page), sideways_overflow(page) if viewport is PHONE else []))
    for path, violations, overflow in pages:
        if violations or overflow:
            found[path] = {"axe": violations, "sideways": overflow}
    assert not found, json.dumps(found, indent=1)


def test_the_accessibility_statement_is_public_and_says_how_the_service_was_tested(console: ConsoleServer) -> None:
    r = console.client().get("/accessibility")
    assert r.status_code == 200, r.text[:300]
    for words in (
        "Accessibility statement for Hedgerow",
        "Enforcement procedure",
        "Compliance status",
        "against WCAG 2.0, 2.1 and 2.2 levels A and AA",
        "using only the keyboard",
    ):
        assert words in r.text, words
    queue = console.client().get("/console/login")
    assert '<a href="/accessibility">Accessibility statement</a>' in queue.text  # every page links to it


def test_an_officer_triages_the_most_overdue_report_with_the_keyboard_alone(
    console: ConsoleServer, site: dict[str, Any]
) -> None:
    with chromium(LAPTOP) as context:
        page = context.new_page()
        page.goto(f"{console.url}/console/login")
        # The first Tab lands on the skip link; following it puts the next Tab on the form, past the header.
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to main content")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("name", "username")
        page.keyboard.type("a11y.officer")
        page.keyboard.press("Tab")
        page.keyboard.type(site["passwords"]["officer"])
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"Queue · {KENT_POLICE}")).to_be_visible()
        # An officer's queue opens on what came in this shift; the "Most overdue" view is one Tab stop away, and
        # there the first report Tab reaches is the one the shift must answer first.
        _tab_to(page, lambda p: _focused_text(p) == "Most overdue")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "view=overdue" in url)
        focus_visible = _tab_to(page, lambda p: "/console/reports/" in _focused_href(p))
        assert _focused_href(page).endswith(site["overdue"]), _focused_href(page)
        assert focus_visible, "the focused link is drawn with a visible outline"
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{console.url}/console/reports/{site['overdue']}")
        _tab_to(page, lambda p: _focused_text(p) == "Acknowledge")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Acknowledged").first).to_be_visible()
        _tab_to(page, lambda p: _focused_name(p) == "reference")
        page.keyboard.type("KT-2026-88123")
        page.keyboard.press("Enter")
        expect(page.get_by_text("KT-2026-88123").first).to_be_visible()
    kinds = event_kinds(console, site["overdue"])
    assert "acknowledged" in kinds and "reference_added" in kinds, kinds


def _focused_href(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.getAttribute('href') || ''")


def _focused_text(page: Page) -> str:
    return page.evaluate("() => (document.activeElement && document.activeElement.innerText || '').trim()")


def _focused_name(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.getAttribute('name') || ''")


def _tab_to(page: Page, reached: Any, limit: int = 120) -> bool:
    """Press Tab until `reached(page)`; returns whether the focused element shows a focus outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if reached(page):
            return page.evaluate(
                """() => { const s = getComputedStyle(document.activeElement);
                           return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                                  || s.boxShadow !== 'none'; }"""
            )
    raise AssertionError("Tab never reached the control")
