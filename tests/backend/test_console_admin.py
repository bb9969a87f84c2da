"""Supervisors' pages against the real backend: the force's users, update templates, response policy; and the
admins' export of the access log."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.backend.console_support import (
    HAMPSHIRE_POLICE,
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    login,
)
from tests.support import console_login


@pytest.fixture(scope="module")
def supervisor(console: ConsoleServer) -> Staff:
    return login(console, "kent.sup", "supervisor", KENT_POLICE, name="PS Kent")


def _can_log_in(console: ConsoleServer, username: str, password: str) -> bool:
    with httpx.Client(base_url=console.url, follow_redirects=False) as c:
        return console_login(c, username, password).status_code == 303


def test_a_supervisor_adds_disables_and_resets_their_forces_officers(console: ConsoleServer, supervisor: Staff) -> None:
    r = supervisor.post(
        "/console/admin/users",
        {"username": "pc.new", "display_name": "PC New", "role": "officer", "password": "first-password-1"},
    )
    assert r.status_code == 303
    assert console.query("SELECT role, force FROM users WHERE username = 'pc.new'")[0][:] == ("officer", KENT_POLICE)
    assert "PC New" in supervisor.get("/console/admin/users").text
    new = Staff(console, "pc.new", "first-password-1")
    assert new.get("/console").status_code == 200
    user_id = console.scalar("SELECT id FROM users WHERE username = 'pc.new'")
    assert supervisor.post(f"/console/admin/users/{user_id}/disable").status_code == 303
    assert new.get("/console").status_code == 303  # the open session ended at once
    assert not _can_log_in(console, "pc.new", "first-password-1")
    assert supervisor.post(f"/console/admin/users/{user_id}/enable").status_code == 303
    assert supervisor.post(f"/console/admin/users/{user_id}/password", {"password": "short"}).status_code == 422
    assert (
        supervisor.post(f"/console/admin/users/{user_id}/password", {"password": "second-password-2"}).status_code
        == 303
    )
    assert _can_log_in(console, "pc.new", "second-password-2")
    assert not _can_log_in(console, "pc.new", "first-password-1")
    # Bad input is said and nothing is added.
    for form, words in (
        ({"username": "pc.new", "role": "officer", "password": "another-pass-1"}, "already exists"),
        ({"username": "pc.admin", "role": "admin", "password": "another-pass-1"}, "role must be one of"),
        ({"username": "pc.short", "role": "officer", "password": "short"}, "at least 10"),
    ):
        r = supervisor.post("/console/admin/users", form)
        assert r.status_code in (409, 422) and words in r.text, (form, r.status_code)
    assert console.scalar("SELECT count(*) FROM users WHERE username IN ('pc.admin', 'pc.short')") == 0
    own_id = console.scalar("SELECT id FROM users WHERE username = 'kent.sup'")
    assert supervisor.post(f"/console/admin/users/{own_id}/disable").status_code == 422


def test_supervisors_cannot_touch_another_forces_users_and_officers_cannot_manage(
    console: ConsoleServer, supervisor: Staff
) -> None:
    login(console, "hants.pc", "officer", HAMPSHIRE_POLICE)
    hants_id = console.scalar("SELECT id FROM users WHERE username = 'hants.pc'")
    for action in ("disable", "enable"):
        assert supervisor.post(f"/console/admin/users/{hants_id}/{action}").status_code == 404
    assert (
        supervisor.post(f"/console/admin/users/{hants_id}/password", {"password": "hijacked-pass-1"}).status_code == 404
    )
    assert console.scalar("SELECT disabled_at FROM users WHERE id = ?", hants_id) is None
    # A supervisor's force is their own, whatever the form says.
    r = supervisor.post(
        "/console/admin/users",
        {"username": "sneaky", "role": "officer", "password": "sneaky-pass-12", "force": HAMPSHIRE_POLICE},
    )
    assert r.status_code == 303
    assert console.scalar("SELECT force FROM users WHERE username = 'sneaky'") == KENT_POLICE
    assert "hants.pc" not in supervisor.get("/console/admin/users", params={"force": HAMPSHIRE_POLICE}).text
    officer = login(console, "kent.pc.plain", "officer", KENT_POLICE)
    for path in ("/console/admin", "/console/admin/users", "/console/admin/templates", "/console/admin/policy"):
        assert officer.get(path).status_code == 403
    admin = login(console, "the.admin", "admin")
    page = admin.get("/console/admin/users", params={"force": HAMPSHIRE_POLICE}).text
    assert "hants.pc" in page
    assert admin.get("/console/admin/users", params={"force": "Atlantis Police"}).status_code == 422


def test_a_supervisor_edits_and_deletes_their_forces_templates_only(console: ConsoleServer, supervisor: Staff) -> None:
    assert supervisor.post("/console/admin/templates", {"title": "Visit", "body": "We will visit."}).status_code == 303
    template_id = console.scalar("SELECT id FROM update_templates WHERE title = 'Visit'")
    r = supervisor.post(
        "/console/admin/templates", {"title": "Visit soon", "body": "We will visit today.", "template_id": template_id}
    )
    assert r.status_code == 303
    assert console.query("SELECT title, body FROM update_templates WHERE id = ?", template_id)[0][:] == (
        "Visit soon",
        "We will visit today.",
    )
    assert supervisor.post("/console/admin/templates", {"title": "Visit soon", "body": "x"}).status_code == 409
    assert supervisor.post("/console/admin/templates", {"title": " ", "body": "x"}).status_code == 422
    hants = login(console, "hants.sup", "supervisor", HAMPSHIRE_POLICE)
    assert hants.post(f"/console/admin/templates/{template_id}/delete").status_code == 404
    r = hants.post("/console/admin/templates", {"title": "Hijack", "body": "x", "template_id": template_id})
    assert r.status_code == 404
    assert "Visit soon" not in hants.get("/console/admin/templates").text
    assert supervisor.post(f"/console/admin/templates/{template_id}/delete").status_code == 303
    assert console.scalar("SELECT count(*) FROM update_templates WHERE id = ?", template_id) == 0


def test_a_supervisors_target_applies_to_reports_received_from_then_on(
    console: ConsoleServer, supervisor: Staff
) -> None:
    farmer = Farmer(console)
    before = farmer.report(KENT_FAR_FROM_SUSSEX, category="fly_tipping")
    console.advance(seconds=1)  # the server's clock stands still between moves: the change comes after receipt
    r = supervisor.post("/console/admin/policy", {"clock": "answered", "category": "fly_tipping", "target": "4 hours"})
    assert r.status_code == 303
    page = supervisor.get(r.headers["location"]).text
    assert "Target saved" in page and "4 hours" in page and "override" in page
    console.advance(seconds=1)
    after = farmer.report(KENT_FAR_FROM_SUSSEX, category="fly_tipping")
    clocks = {
        rid: supervisor.get(f"/console/reports/{rid}").text.split("Answered by the rural crime team", 1)[1][:200]
        for rid in (before, after)
    }
    assert "4 hours" in clocks[after] and "1 working day" in clocks[before]
    r = supervisor.post("/console/admin/policy", {"clock": "answered", "target": "soon"})
    assert r.status_code == 422 and "Not saved" in r.text
    assert supervisor.post("/console/admin/policy", {"clock": "tea_break", "target": "1 hour"}).status_code == 422


def test_an_admin_exports_the_access_log_and_nobody_else_can(console: ConsoleServer, supervisor: Staff) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    officer = login(console, "log.officer", "officer", KENT_POLICE, name='=HYPERLINK("http://x")')
    assert officer.get(f"/console/reports/{report_id}").status_code == 200
    for who in (officer, supervisor):
        assert who.get("/console/admin/access-log").status_code == 403
        assert who.get("/console/admin/access-log.csv").status_code == 403
    admin = login(console, "log.admin", "admin")
    assert "log.officer" in admin.get("/console/admin/access-log").text
    today = console.now().date().isoformat()
    r = admin.get("/console/admin/access-log.csv", params={"since": today, "until": today})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    mine = [row for row in rows if row["username"] == "log.officer"]
    assert [(row["report_id"], row["via"], row["report_force"]) for row in mine] == [
        (report_id, "console", KENT_POLICE)
    ]
    assert mine[0]["display_name"].startswith("'=")  # not run as a formula by a spreadsheet
    empty = admin.get("/console/admin/access-log.csv", params={"since": "2001-01-01", "until": "2001-01-02"})
    assert empty.text.strip().splitlines() == [
        ",".join(("at", "username", "display_name", "role", "force", "report_id", "report_force", "via"))
    ]
    assert admin.get("/console/admin/access-log.csv", params={"since": "yesterday"}).status_code == 422
