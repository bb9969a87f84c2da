"""The console's alerts pages through the real server: issuing from the form and from a report (nothing personal
copied), the alert's page (phones reached, reports made from it, history), editing and withdrawing, and every
refusal: bad fields, missing or wrong CSRF tokens, other forces, NFU users, oversized posts."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from core.uktime import LONDON
from tests.backend.alerts_support import Phone
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    SUSSEX_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    login,
)
from tests.support import report_body

SPOT = {"lat": "51.30", "lon": "1.10", "radius_km": "4"}


def form(**fields: str) -> dict[str, str]:
    base = {
        "title": "Quad stolen from a yard",
        "text": "A red Honda quad taken overnight, on a trailer behind a silver pickup.",
        "category": "theft_quad",
        "vehicle_registration": "",
        "expires": "",
        "report_id": "",
        **SPOT,
    }
    return base | fields


def issued(staff: Staff, **fields: str) -> int:
    answer = staff.post("/console/alerts", form(**fields))
    assert answer.status_code == 303, answer.text[:2000]
    found = re.fullmatch(r"/console/alerts/(\d+)\?done=issued", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def words(html: str) -> str:
    """The page's text, as a reader reads it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def alert_count(console: ConsoleServer) -> int:
    return console.scalar("SELECT count(*) FROM alerts")


def test_an_officer_issues_an_alert_from_the_form_and_sees_it_listed_and_on_its_page(
    console: ConsoleServer, officer: Staff
) -> None:
    new = officer.get("/console/alerts/new")
    assert new.status_code == 200
    assert 'id="alert-form-map"' in new.text and 'data-bounds="[[50.91, 0.03], [51.48, 1.45]]"' in new.text
    alert_id = issued(officer, vehicle_registration="ab12 cde")
    page = words(officer.get(f"/console/alerts/{alert_id}?done=issued").text)
    assert "Quad stolen from a yard" in page and "Active until" in page and "Alert issued" in page
    assert "Vehicle AB12CDE" in page and "4 km around 51.30000, 1.10000" in page and "by PC Kent" in page
    assert "0 phones pulled it" in page and "None yet." in page
    listed = words(officer.get("/console/alerts").text)
    assert "Quad stolen from a yard Active" in listed
    row = console.query("SELECT force, issued_by, expires_at, issued_at FROM alerts WHERE id = ?", alert_id)[0]
    assert row["force"] == KENT_POLICE


def test_an_alert_started_from_a_report_holds_its_category_and_place_to_the_km_and_nothing_personal(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console, "Marjorie Private-Name")
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="theft_machinery",
        description="My neighbour Dave Suspect took the telehandler",
        location={"lat": 51.253417, "lon": 1.201873, "source": "gps", "place_name": "Lower Barn"},
    )
    report_page = officer.get(f"/console/reports/{report_id}")
    assert f'href="/console/alerts/new?report={report_id}"' in report_page.text
    assert "Alert farmers about this" in report_page.text
    new = officer.get(f"/console/alerts/new?report={report_id}")
    assert new.status_code == 200
    text = new.text
    assert re.search(r'<option value="theft_machinery" selected>', text)
    assert 'name="lat" inputmode="decimal" required value="51.25"' in text
    assert 'name="lon" inputmode="decimal" required value="1.2"' in text
    assert f'name="report_id" value="{report_id}"' in text
    for personal in ("Marjorie", "Dave Suspect", "telehandler", "Lower Barn", "07700", "51.2534", "1.2018"):
        assert personal not in text
    assert 'name="title" maxlength="120" required value=""' in text
    alert_id = issued(officer, report_id=report_id, category="theft_machinery", lat="51.25", lon="1.2")
    assert console.scalar("SELECT report_id FROM alerts WHERE id = ?", alert_id) == report_id
    assert f'href="/console/reports/{report_id}"' in officer.get(f"/console/alerts/{alert_id}").text
    # A report the officer may not act on cannot start one.
    sussex_report = Farmer(console).report((51.0, -0.3))
    assert officer.get(f"/console/alerts/new?report={sussex_report}").status_code == 404
    assert officer.get("/console/alerts/new?report=not-a-report").status_code == 404


def test_the_alert_page_shows_the_phones_reached_and_links_the_reports_made_from_it(
    console: ConsoleServer, officer: Staff
) -> None:
    phone = Phone(console, (51.06, 0.41, 1.0))  # 15 km and more from every other alert of this module
    alert_id = issued(officer, lat="51.05", lon="0.40", radius_km="2")
    assert phone.pulled_ids() == [alert_id]
    report_id = str(uuid.uuid4())
    body = report_body("theft_quad", (51.055, 0.405), alert_id=alert_id)
    assert phone.client.put(f"/api/v1/reports/{report_id}", json=body, headers=phone.headers).status_code == 201
    page = officer.get(f"/console/alerts/{alert_id}").text
    assert "1 phone pulled it" in words(page)
    linked = re.search(r'<ul class="linked" id="alert-linked">(.*?)</ul>', page, re.S)
    assert linked and f'href="/console/reports/{report_id}"' in linked.group(1)
    assert "Quad, ATV or UTV" in linked.group(1)
    listed = words(officer.get("/console/alerts").text)
    assert re.search(r"Quad stolen from a yard Active .*? 1 1 ", listed)


def test_an_officer_changes_an_alert_then_withdraws_it_and_each_change_is_in_its_history(
    console: ConsoleServer, officer: Staff
) -> None:
    alert_id = issued(officer, lat="51.20", lon="1.30")
    page = officer.get(f"/console/alerts/{alert_id}").text
    current = {
        name: value for name, value in re.findall(r'name="(title|lat|lon|radius_km|expires)"[^>]*value="([^"]*)"', page)
    }
    assert current["lat"] == "51.2" and current["radius_km"] == "4"
    # The same values posted back change nothing.
    same = officer.post(f"/console/alerts/{alert_id}", form(**current))
    assert same.status_code == 303
    assert console.scalar("SELECT count(*) FROM alert_events WHERE alert_id = ?", alert_id) == 1
    changed = officer.post(f"/console/alerts/{alert_id}", form(**current | {"title": "Quad found", "radius_km": "6"}))
    assert changed.status_code == 303 and changed.headers["location"] == f"/console/alerts/{alert_id}?done=edited"
    page = words(officer.get(f"/console/alerts/{alert_id}").text)
    assert "Quad found" in page and "Changed: radius, title" in page and "6 km around" in page
    withdrawn = officer.post(f"/console/alerts/{alert_id}/withdraw")
    assert withdrawn.headers["location"] == f"/console/alerts/{alert_id}?done=withdrawn"
    page_html = officer.get(f"/console/alerts/{alert_id}").text
    assert "Withdrawn" in words(page_html) and "Withdraw alert" not in page_html and "Save changes" not in page_html
    assert "Told it was withdrawn SMS: 0 sent; email: 0 sent" in words(page_html)  # this server sends neither
    kinds = [r[0] for r in console.query("SELECT kind FROM alert_events WHERE alert_id = ? ORDER BY id", alert_id)]
    assert kinds == ["issued", "edited", "withdrawn"]
    again = officer.post(f"/console/alerts/{alert_id}", form(**current))
    assert again.status_code == 409 and "a withdrawn alert cannot be changed" in again.text


BAD_FORMS: dict[str, tuple[dict[str, str], str]] = {
    "no title": ({"title": ""}, "Title: String should have at least 1 character"),
    "no message": ({"text": "  "}, "Message: String should have at least 1 character"),
    "no centre": ({"lat": "", "lon": ""}, "Centre latitude: Field required; Centre longitude: Field required"),
    "latitude in words": ({"lat": "north"}, "Centre latitude: Input should be a valid number"),
    "radius of 0": ({"radius_km": "0"}, "Radius: Input should be greater than 0"),
    "radius over 80": ({"radius_km": "90"}, "Radius: Input should be less than or equal to 80"),
    "unknown category": ({"category": "ufo"}, "Category: Input should be"),
    "valid until in words": ({"expires": "tomorrow"}, "Valid until: give a date and time, like 2026-03-01T14:30"),
    "valid until passed": ({"expires": "2020-01-01T10:00"}, "Valid until: the alert must end in the future"),
    "centre in Sussex": ({"lat": "51.0", "lon": "-0.3"}, "the centre lies in Sussex Police's area"),
    "centre abroad": ({"lat": "48.85", "lon": "2.35"}, "Area: the centre lies outside every force's area"),
    "report id not a report": ({"report_id": "12345"}, "Report: Input should be a valid UUID"),
}


@pytest.mark.parametrize("case", sorted(BAD_FORMS))
def test_a_bad_alert_form_comes_back_with_the_problem_said_and_the_officers_words_kept(
    console: ConsoleServer, officer: Staff, case: str
) -> None:
    fields, message = BAD_FORMS[case]
    before = alert_count(console)
    answer = officer.post("/console/alerts", form(**fields | {"text": fields.get("text", "Kept words 4321")}))
    assert answer.status_code in (403, 422), answer.text[:500]
    assert message in answer.text.replace("&#39;", "'")
    assert 'role="alert"' in answer.text
    if "text" not in fields:
        assert "Kept words 4321" in answer.text
    assert alert_count(console) == before


def test_an_alert_form_without_its_token_or_with_another_is_refused_and_nothing_is_issued(
    console: ConsoleServer, officer: Staff
) -> None:
    before = alert_count(console)
    assert officer.post("/console/alerts", form(), csrf=False).status_code == 403
    assert officer.post("/console/alerts", form() | {"csrf_token": "forged"}, csrf=False).status_code == 403
    alert_id = issued(officer)
    assert officer.post(f"/console/alerts/{alert_id}/withdraw", csrf=False).status_code == 403
    assert console.scalar("SELECT withdrawn_at FROM alerts WHERE id = ?", alert_id) is None
    assert alert_count(console) == before + 1


def test_another_forces_officer_and_nfu_users_cannot_see_or_change_an_alert(
    console: ConsoleServer, officer: Staff
) -> None:
    alert_id = issued(officer)
    sussex = login(console, "sussex.console.alerts", "officer", SUSSEX_POLICE)
    assert sussex.get(f"/console/alerts/{alert_id}").status_code == 403
    assert sussex.post(f"/console/alerts/{alert_id}", form(title="Hijacked")).status_code == 403
    assert sussex.post(f"/console/alerts/{alert_id}/withdraw").status_code == 403
    assert f"/console/alerts/{alert_id}" not in sussex.get("/console/alerts").text
    assert console.scalar("SELECT title FROM alerts WHERE id = ?", alert_id) == "Quad stolen from a yard"
    nfu = login(console, "nfu.console.alerts", "nfu")
    assert nfu.get("/console/alerts").status_code == 403
    assert nfu.post("/console/alerts", form()).status_code == 403
    assert officer.get("/console/alerts/99999999").status_code == 404
    assert officer.get("/console/alerts/abc").status_code == 404


@pytest.mark.parametrize(
    ("fields", "status"),
    [({"title": "t" * 201}, 422), ({"text": "x" * 2101}, 422), ({"text": "x" * (300 * 1024)}, 413)],
)
def test_oversized_alert_forms_are_refused(
    console: ConsoleServer, officer: Staff, fields: dict[str, Any], status: int
) -> None:
    before = alert_count(console)
    assert officer.post("/console/alerts", form(**fields)).status_code == status
    assert alert_count(console) == before


def test_the_summaries_page_counts_the_alerts_issued_per_force(console: ConsoleServer, officer: Staff) -> None:
    issued(officer)
    month = console.now().astimezone(LONDON).strftime("%Y-%m")
    kent = console.scalar("SELECT count(*) FROM alerts WHERE force = ?", KENT_POLICE)
    expected = f"{kent:,}" if kent >= 5 else "fewer than 5"
    nfu = login(console, "nfu.summaries.alerts", "nfu")
    page = nfu.get(f"/console/summaries?period={month}")
    assert page.status_code == 200
    table = re.search(r'<table class="summary-table" id="table-alerts">(.*?)</table>', page.text, re.S)
    assert table, "no alerts table on the summaries page"
    assert re.search(rf"Kent Police</th>\s*<td[^>]*>\s*{expected}\b", table.group(1)), words(table.group(1))
    assert "Quad stolen" not in page.text  # counts only: no alert's words
