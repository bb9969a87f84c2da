"""The queue's views for a shift, in the browser on seeded reports with the injected clock: each view lists the
reports it should, in its order; the view is remembered; a supervisor closes the backlog in bulk."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.backend.console_browser import chromium, log_in
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    login,
)

pytestmark = pytest.mark.browser

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday, away from bank holidays


@pytest.fixture(scope="module")
def seeded(console: ConsoleServer) -> dict[str, str]:
    """Five reports of one force, sent at known times; `old` was acknowledged at once, the rest never."""
    farmer = Farmer(console, "Jo Farmer")
    sergeant = login(console, "views.setup", "officer", KENT_POLICE)
    sent: dict[str, str] = {}
    for name, ago in (
        ("old", timedelta(days=40)),
        ("fortnight", timedelta(days=15)),
        ("days", timedelta(days=2)),
        ("morning", timedelta(hours=3)),
        ("just_now", timedelta(minutes=30)),
    ):
        moment = NOW - ago
        console.set_now(moment)
        at = moment.isoformat()
        sent[name] = farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_tools_burglary", occurred_at=at, created_at=at)
    console.set_now(NOW - timedelta(days=40, minutes=-5))
    assert sergeant.act(sent["old"], "acknowledged").status_code == 303
    console.set_now(NOW)
    console.sweep()
    return sent


def _listed(page: Page) -> list[str]:
    return [
        (link.get_attribute("href") or "").rsplit("/", 1)[-1]
        for link in page.locator("tbody a[href^='/console/reports/']").all()
    ]


def _open_view(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Queue views").get_by_role("link", name=name).click()
    expect(page.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")


def _log_in(page: Page, console: ConsoleServer, username: str, password: str) -> None:
    log_in(page, console.url, username, password, queue_of="Kent Police")


def test_each_view_lists_its_reports_in_its_order_and_is_remembered(
    console: ConsoleServer, seeded: dict[str, str], artifacts: Path
) -> None:
    s = seeded
    password = console.add_user("pc.views", "officer", KENT_POLICE, "PC Views")
    with chromium() as context:
        page = context.new_page()
        _log_in(page, console, "pc.views", password)
        # An officer starts on what came in: unanswered reports, newest first.
        expect(page.get_by_role("link", name="New and unanswered")).to_have_attribute("aria-current", "page")
        assert _listed(page) == [s["just_now"], s["morning"], s["days"], s["fortnight"]]
        _open_view(page, "Due soonest")
        assert _listed(page) == [s["morning"], s["just_now"]]  # not yet late, the next due first
        _open_view(page, "Most overdue")
        assert _listed(page) == [s["old"], s["fortnight"], s["days"]]
        _open_view(page, "Backlog")
        assert _listed(page) == [s["old"]]  # overdue by more than 30 days
        expect(page.get_by_role("button", name="Close selected")).to_have_count(0)  # officers do not bulk-close
        _open_view(page, "Most overdue")
        page.screenshot(path=artifacts / "console" / "view-most-overdue.png", full_page=True)
        page.goto(f"{console.url}/console")  # the next visit opens on the view chosen last
        expect(page.get_by_role("link", name="Most overdue")).to_have_attribute("aria-current", "page")
        assert _listed(page) == [s["old"], s["fortnight"], s["days"]]


def test_a_supervisor_closes_the_backlog_in_bulk_with_words_for_each_farmer(
    console: ConsoleServer, seeded: dict[str, str]
) -> None:
    password = console.add_user("sgt.backlog", "supervisor", KENT_POLICE, "Sgt Backlog")
    with chromium() as context:
        page = context.new_page()
        _log_in(page, console, "sgt.backlog", password)
        expect(page.get_by_role("link", name="Most overdue")).to_have_attribute("aria-current", "page")
        _open_view(page, "Backlog")
        page.get_by_role("checkbox", name=re.compile("Select Tools")).first.check()
        page.get_by_role("button", name="Close selected").click()
        expect(page.locator("#bulk-reason")).to_be_visible()  # the browser asks for the words: nothing was sent
        assert console.scalar("SELECT status FROM reports WHERE id = ?", seeded["old"]) != "closed"
        page.get_by_role("checkbox", name=re.compile("Select Tools")).first.check()
        page.get_by_label("Close with the outcome").select_option("no_further_action")
        page.get_by_label("Closing words to each farmer (required)").fill("Reviewed: no further lines of enquiry.")
        page.get_by_role("button", name="Close selected").click()
        expect(page.get_by_role("status")).to_have_text("Closed 1 report.")
        assert _listed(page) == []
    assert console.scalar("SELECT status FROM reports WHERE id = ?", seeded["old"]) == "closed"
    words = console.scalar(
        "SELECT json_extract(data, '$.text') FROM events WHERE report_id = ? AND kind = 'closed'", seeded["old"]
    )
    assert words == "Reviewed: no further lines of enquiry."


def test_bulk_closing_is_refused_to_an_officer_and_without_words(
    console: ConsoleServer, seeded: dict[str, str]
) -> None:
    officer = login(console, "pc.noclose", "officer", KENT_POLICE)
    form = {"action": "close", "report_ids": [seeded["fortnight"]], "outcome": "no_further_action", "reason": "x"}
    refused = officer.post("/console/bulk", form)
    assert refused.status_code == 403 and "only a supervisor can close reports in bulk" in refused.text
    supervisor = login(console, "sgt.noclose", "supervisor", KENT_POLICE)
    wordless = supervisor.post("/console/bulk", {**form, "reason": "  "})
    assert wordless.status_code == 422 and "give the closing words each farmer will read" in wordless.text
    no_outcome = supervisor.post("/console/bulk", {**form, "outcome": "made_up"})
    assert no_outcome.status_code == 422 and "choose the outcome" in no_outcome.text
    assert console.scalar("SELECT status FROM reports WHERE id = ?", seeded["fortnight"]) == "received"
    bad_view = officer.get("/console?view=everything")
    assert bad_view.status_code == 422 and "view must be one of new, due, overdue, backlog" in bad_view.text
