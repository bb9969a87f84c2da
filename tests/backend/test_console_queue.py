"""The queue against the real backend: its order by the clocks, flag counts, filters, search, paging, bulk actions
and linked reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    event_kinds,
    login,
)
from tests.support import HAMPSHIRE, MAIDSTONE_PATCH

ROW = re.compile(r'<a href="/console/reports/([0-9a-f-]{36})">')


@pytest.fixture(scope="module")
def farmer(console: ConsoleServer) -> Iterator[Farmer]:
    f = Farmer(console)
    yield f


def rows(page: str) -> list[str]:
    """The report ids of the queue's rows, in order (the table's links; linked lists are not on the queue)."""
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return ROW.findall(table)


def counts(page: str) -> dict[str, int]:
    found = re.findall(r'href="/console\?flag=(\w+)[^"]*"[^>]*>[^<]*: <strong>(\d+)</strong>', page)
    return {flag: int(n) for flag, n in found}


def test_overdue_reports_come_first_and_are_flagged_after_the_sweep(console: ConsoleServer, farmer: Farmer) -> None:
    officer = login(console, "order.officer", "officer", KENT_POLICE)
    routine = farmer.report(KENT_FAR_FROM_SUSSEX, category="fly_tipping", description="routine one")
    console.advance(days=10)
    fresh_urgent = farmer.report(KENT_FAR_FROM_SUSSEX, category="hare_coursing", description="urgent fresh")
    console.sweep()
    page = officer.get("/console", params={"sort": "due"}).text  # every open report, by its next due time
    order = rows(page)
    assert order.index(routine) < order.index(fresh_urgent)  # ten days overdue before two hours to go
    flagged_row = page.split(routine, 1)[1].split("</tr>", 1)[0]
    assert "Not answered" in flagged_row and "flag-red" in flagged_row and "overdue by" in flagged_row
    fresh_row = page.split(fresh_urgent, 1)[1].split("</tr>", 1)[0]
    assert "Not answered" not in fresh_row and "due in 2 h" in fresh_row
    before = counts(page)
    assert before["unanswered"] >= 1
    # Acknowledging stops the clock, clears the flag and drops the count in the same commit: no sweep needed.
    assert officer.act(routine, "acknowledged").status_code == 303
    after_page = officer.get("/console", params={"sort": "due"}).text
    assert counts(after_page)["unanswered"] == before["unanswered"] - 1
    assert "Not answered" not in after_page.split(routine, 1)[1].split("</tr>", 1)[0]
    assert event_kinds(console, routine)[-2:] == ["acknowledged", "flag_cleared"]


def test_the_queue_filters_by_status_flag_category_area_assignment_and_date(
    console: ConsoleServer, farmer: Farmer, officer: Staff
) -> None:
    quad = farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_quad", description="filter quad")
    patch = farmer.report(MAIDSTONE_PATCH, category="fly_tipping", description="filter patch")
    closed = farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_quad", description="filter closed")
    assert officer.act(closed, "closed", outcome="no_further_action").status_code == 303
    assert officer.act(quad, "assigned").status_code == 303

    def ids(**params: str) -> list[str]:
        # An order asked for takes over from the officer's view: every open report, then these filters.
        r = officer.get("/console", params={"sort": "due", **params})
        assert r.status_code == 200, r.text
        return rows(r.text)

    assert quad in ids(category="theft_quad") and patch not in ids(category="theft_quad")
    assert closed not in ids() and closed in ids(status="closed") and closed in ids(status="any")
    assert quad in ids(assigned="me") and patch not in ids(assigned="me")
    assert patch in ids(assigned="none") and quad not in ids(assigned="none")
    assert quad in ids(status="acknowledged") and patch in ids(status="received")
    area = console.scalar("SELECT id FROM areas WHERE name = 'Maidstone rural patch'")
    assert ids(area=str(area)) == [patch] or (patch in ids(area=str(area)) and quad not in ids(area=str(area)))
    today = console.now().date()
    assert patch in ids(**{"from": str(today), "to": str(today)})
    assert patch not in ids(**{"from": str(today + timedelta(days=1))})
    hampshire = farmer.report(HAMPSHIRE, description="not ours")
    assert hampshire not in ids(status="any")


def test_paging_walks_the_whole_queue_forwards_and_back(console: ConsoleServer, farmer: Farmer) -> None:
    supervisor = login(console, "paging.sup", "supervisor", KENT_POLICE)
    for i in range(55):
        farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_fuel", description=f"paging {i}")
    first = supervisor.get("/console", params={"category": "theft_fuel", "sort": "due"}).text
    page1 = rows(first)
    assert len(page1) == 50
    after = re.search(r'after=([^"&]+)" rel="next"', first)
    assert after, "no next page link"
    second = supervisor.get(f"/console?category=theft_fuel&sort=due&after={after.group(1)}").text
    page2 = rows(second)
    assert len(page2) >= 5 and not set(page1) & set(page2)
    before = re.search(r'before=([^"&]+)" rel="prev"', second)
    assert before
    back = rows(supervisor.get(f"/console?category=theft_fuel&sort=due&before={before.group(1)}").text)
    assert back == page1


def test_search_finds_descriptions_places_and_registrations_of_the_force_only(
    console: ConsoleServer, farmer: Farmer, officer: Staff
) -> None:
    van = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="theft_machinery",
        description="Telehandler taken overnight",
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "place_name": "Long Meadow"},
        vehicles=[{"registration": "GK19 XYZ", "make": "Ford", "model": "Ranger"}],
    )
    elsewhere = farmer.report(HAMPSHIRE, description="Telehandler taken in Hampshire")

    def found(text: str) -> list[str]:
        r = officer.get("/console", params={"q": text})
        assert r.status_code == 200
        return rows(r.text)

    assert van in found("telehandler") and elsewhere not in found("telehandler")
    assert van in found("Long Mea")  # the last word is a prefix
    assert van in found("gk19 xyz") and van in found("GK19XYZ") and van in found("GK19")
    assert found("gk19 xyz zzz") == []
    assert found('"unbalanced (quote OR') == []  # typed text is never FTS5 syntax


def test_bulk_acknowledge_and_assign_record_one_event_per_report(console: ConsoleServer, farmer: Farmer) -> None:
    officer = login(console, "bulk.officer", "officer", KENT_POLICE)
    colleague = login(console, "bulk.colleague", "officer", KENT_POLICE, name="PC Colleague")
    colleague_id = console.scalar("SELECT id FROM users WHERE username = 'bulk.colleague'")
    reports = [farmer.report(KENT_FAR_FROM_SUSSEX, description=f"bulk {i}") for i in range(10)]
    closed = farmer.report(KENT_FAR_FROM_SUSSEX, description="bulk closed")
    officer.act(closed, "closed", outcome="other")
    not_ours = farmer.report(HAMPSHIRE, description="bulk not ours")
    r = officer.post(
        "/console/bulk", {"action": "acknowledge", "report_ids": [*reports, closed, not_ours], "back": "/console?q=x"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/console?q=x&bulk=acknowledged&n=10&skipped=2"
    assert all(event_kinds(console, rid) == ["received", "acknowledged"] for rid in reports)
    assert event_kinds(console, not_ours) == ["received"]
    assert "Acknowledged 10 reports. 2 skipped" in officer.get(r.headers["location"]).text
    r = officer.post("/console/bulk", {"action": "assign", "assignee": str(colleague_id), "report_ids": reports[:3]})
    assert r.status_code == 303
    assigned = console.query(
        f"SELECT assigned_to FROM reports WHERE id IN ({', '.join('?' for _ in reports[:3])})", *reports[:3]
    )
    assert {row[0] for row in assigned} == {colleague_id}
    assert reports[0] in rows(colleague.get("/console", params={"assigned": "me", "sort": "due"}).text)
    # An officer of another force cannot be an assignee, and nothing is half done.
    other = login(console, "bulk.hampshire", "officer", "Hampshire and Isle of Wight Constabulary")
    other_id = console.scalar("SELECT id FROM users WHERE username = 'bulk.hampshire'")
    r = officer.post("/console/bulk", {"action": "assign", "assignee": str(other_id), "report_ids": reports[3:6]})
    assert r.status_code == 422 and "officer of its force" in r.text
    assert all(console.scalar("SELECT assigned_to FROM reports WHERE id = ?", rid) is None for rid in reports[3:6])
    assert other.get("/console").status_code == 200
    assert officer.post("/console/bulk", {"action": "delete", "report_ids": reports[:1]}).status_code == 422
    assert officer.post("/console/bulk", {"action": "acknowledge"}).status_code == 422


def test_linked_reports_are_those_near_in_place_and_time_or_sharing_a_registration(
    console: ConsoleServer, farmer: Farmer, officer: Staff
) -> None:
    base = (51.30, 1.00)
    now = console.now()

    def at(days: float) -> str:
        return (now + timedelta(days=days)).isoformat()

    subject = farmer.report(base, description="subject", occurred_at=at(-20), vehicles=[{"registration": "LN51 ABC"}])
    near = farmer.report((51.33, 1.00), description="3.3 km north, 10 days later", occurred_at=at(-10))
    too_far = farmer.report((51.36, 1.00), description="6.7 km north", occurred_at=at(-20))
    too_late = farmer.report(base, description="same place, 16 days later", occurred_at=at(-4))
    same_van = farmer.report(
        HAMPSHIRE, description="same van, another force", vehicles=[{"registration": "ln51abc"}], occurred_at=at(-1)
    )
    same_van_kent = farmer.report(
        (51.1, 0.9), description="same van, long after", vehicles=[{"registration": "LN51 ABC"}], occurred_at=at(0)
    )
    page = officer.get(f"/console/reports/{subject}").text
    near_list = page.split('id="linked-near"', 1)[1].split("</ul>", 1)[0]
    vehicle_list = page.split('id="linked-vehicle"', 1)[1].split("</ul>", 1)[0]
    assert near in near_list and "3.3" in near_list.split(near[:8], 1)[1]
    assert too_far not in near_list and too_late not in near_list
    assert same_van_kent in vehicle_list and "LN51ABC" in vehicle_list
    assert same_van not in vehicle_list  # another force's, not near the border: not shown
    # A search by the registration finds the linked reports of the force too.
    assert set(rows(officer.get("/console", params={"q": "LN51 ABC"}).text)) == {subject, same_van_kent}


def test_police_reach_their_forces_response_times_from_every_page(console: ConsoleServer, officer: Staff) -> None:
    queue = officer.get("/console")
    assert '<a href="/console/summaries">Response times</a>' in queue.text
    summaries = officer.get("/console/summaries")
    assert summaries.status_code == 200, summaries.text
    assert KENT_POLICE in summaries.text
    assert "Hampshire and Isle of Wight Constabulary" not in summaries.text  # an officer sees their own force's
