"""The legal hold ("Keep as evidence") on the console's report page, in Debian's headless Chromium against the real
backend: an officer places a hold with a reason and sees it stand and in the timeline; a reason left blank is
refused beside the form, nothing recorded; a supervisor removes it; an officer of a neighbouring force, who may
read the report across the border, cannot place one (403). Screenshots are kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.backend.console_browser import chromium, log_in
from tests.backend.console_support import KENT_NEAR_SUSSEX, KENT_POLICE, SUSSEX_POLICE, ConsoleServer, Farmer

pytestmark = pytest.mark.browser

REASON = "Exhibit for the Crown Court trial of the quad thieves (R v Hale)"
ENDS = "Trial concluded; the exhibits officer released it"


@pytest.fixture(scope="module")
def stolen_quad(console: ConsoleServer) -> dict[str, Any]:
    """A farmer's report in Kent, about 5 km from Sussex: Sussex officers may read it, not act on it."""
    farmer = Farmer(console, "Jo Farmer")
    report_id = farmer.report(KENT_NEAR_SUSSEX, category="theft_quad", description="Quad taken from the yard")
    return {"farmer": farmer, "id": report_id}


def _log_in(page: Page, console: ConsoleServer, username: str, role: str, force: str, name: str) -> None:
    password = console.add_user(username, role, force, name)
    log_in(page, console.url, username, password, queue_of=force)


def _holds(console: ConsoleServer, report_id: str) -> list[tuple[str, str]]:
    return [
        (r["reason"], r["held_by"]) for r in console.query("SELECT * FROM report_holds WHERE report_id = ?", report_id)
    ]


def _hold_events(console: ConsoleServer, report_id: str) -> list[tuple[str, str | None]]:
    rows = console.query(
        "SELECT kind, json_extract(data, '$.reason') AS reason FROM events "
        "WHERE report_id = ? AND kind LIKE 'hold_%' ORDER BY id",
        report_id,
    )
    return [(r["kind"], r["reason"]) for r in rows]


def test_an_officer_keeps_a_report_as_evidence_and_a_supervisor_lets_it_go(
    console: ConsoleServer, stolen_quad: dict[str, Any], artifacts: Path
) -> None:
    shots = artifacts / "console" / "hold"
    shots.mkdir(parents=True, exist_ok=True)
    report_id = stolen_quad["id"]
    with chromium() as context:
        page = context.new_page()
        _log_in(page, console, "pc.hold", "officer", KENT_POLICE, "PC Hold")
        page.goto(f"{console.url}/console/reports/{report_id}")
        hold = page.locator("#legal-hold")
        expect(hold).to_contain_text("Not held: the retention policy will purge this report")

        # A reason of nothing but spaces passes the browser's own "required" check: the server says what is missing,
        # beside the form, and records nothing.
        hold.get_by_label("Why it must be kept (logged; not shown to the farmer)").fill("   ")
        hold.get_by_role("button", name="Keep as evidence").click()
        error = page.locator("#hold-error")
        expect(error).to_have_text("Not recorded: give the reason this report must be kept as evidence (it is logged)")
        expect(error).to_have_attribute("role", "alert")
        expect(page).to_have_url(re.compile(r"/actions#legal-hold$"))  # the page opens at the form, not its top
        expect(page.locator("#action-error")).to_have_count(0)
        expect(hold).to_contain_text("Not held")
        page.screenshot(path=shots / "hold-without-reason.png", full_page=True)
        assert _holds(console, report_id) == [] and _hold_events(console, report_id) == []

        hold.get_by_label("Why it must be kept (logged; not shown to the farmer)").fill(REASON)
        hold.get_by_role("button", name="Keep as evidence").click()
        expect(page.get_by_role("status")).to_have_text(
            "Kept as evidence: this report will not be purged while the hold stands."
        )
        expect(hold).to_contain_text("Kept as evidence since")
        expect(hold).to_contain_text(f"by PC Hold: {REASON}. It will not be purged while the hold stands.")
        expect(hold.get_by_role("button", name="Keep as evidence")).to_have_count(0)
        entry = page.locator("#timeline li", has_text="Kept as evidence (legal hold)")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("by PC Hold")
        expect(entry).to_contain_text(REASON)
        expect(entry).to_contain_text("Internal: not shown to the farmer")
        page.screenshot(path=shots / "held.png", full_page=True)
    [(reason, held_by)] = _holds(console, report_id)
    assert reason == REASON and held_by == str(console.scalar("SELECT id FROM users WHERE username = 'pc.hold'"))

    with chromium() as context:
        page = context.new_page()
        _log_in(page, console, "sgt.hold", "supervisor", KENT_POLICE, "Sgt Hold")
        page.goto(f"{console.url}/console/reports/{report_id}")
        hold = page.locator("#legal-hold")
        expect(hold).to_contain_text(f"by PC Hold: {REASON}")  # the supervisor sees who held it and why
        hold.get_by_label("Why the hold ends (logged)").fill(" ")
        hold.get_by_role("button", name="Remove hold").click()
        expect(page.locator("#hold-error")).to_have_text("Not recorded: give the reason the hold ends (it is logged)")
        expect(hold).to_contain_text(f"by PC Hold: {REASON}")  # still held
        hold.get_by_label("Why the hold ends (logged)").fill(ENDS)
        hold.get_by_role("button", name="Remove hold").click()
        expect(page.get_by_role("status")).to_have_text(
            "Hold removed: the retention policy applies to this report again."
        )
        expect(hold).to_contain_text("Not held")
        removed = page.locator("#timeline li", has_text="Legal hold removed")
        expect(removed).to_contain_text("by Sgt Hold")
        expect(removed).to_contain_text(ENDS)
        page.screenshot(path=shots / "hold-removed.png", full_page=True)

    assert _holds(console, report_id) == []
    assert _hold_events(console, report_id) == [("hold_placed", REASON), ("hold_removed", ENDS)]
    # The hold is the police's own working: the farmer's view of the report shows neither event.
    view = stolen_quad["farmer"].view(report_id)
    assert [e["kind"] for e in view["timeline"] if e["kind"].startswith("hold_")] == []
    assert not any(REASON in (e.get("text") or "") for e in view["timeline"])


def test_an_officer_of_another_force_can_read_the_report_but_not_hold_it(
    console: ConsoleServer, stolen_quad: dict[str, Any], artifacts: Path
) -> None:
    report_id = stolen_quad["id"]
    before = _hold_events(console, report_id)
    with chromium() as context:
        page = context.new_page()
        _log_in(page, console, "pc.sussex.hold", "officer", SUSSEX_POLICE, "PC Sussex")
        csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
        assert csrf
        page.goto(f"{console.url}/console/reports/{report_id}")
        expect(page.get_by_role("note")).to_contain_text("Cross-border report, read only.")
        expect(page.locator("#legal-hold")).to_have_count(0)  # no hold form to fill in
        expect(page.get_by_role("button", name="Keep as evidence")).to_have_count(0)
        page.screenshot(path=artifacts / "console" / "hold" / "cross-border-no-hold.png", full_page=True)

        # Posting the form anyway, with the session's own CSRF token, as a hand-made request would.
        refused = page.request.post(
            f"{console.url}/console/reports/{report_id}/actions",
            form={"csrf_token": csrf, "kind": "hold_placed", "reason": "Ours now"},
            max_redirects=0,
        )
        assert refused.status == 403
        assert f"this report belongs to {KENT_POLICE}: you can read it, not act on it" in refused.text()
    assert _hold_events(console, report_id) == before
    assert _holds(console, report_id) == []
