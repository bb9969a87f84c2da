"""Reports without a name (issue 17): a report sent with `"anonymous": true` is never shown with its farmer's
contact details, not even to the area's own officers; a named report from the same phone is unchanged; the
farmer still reads the police's answers. Every page, API answer and CSV staff or partners can reach is searched
for the farmer's name, phone, email, farm name and postcode."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.backend.console_support import KENT_FAR_FROM_SUSSEX, KENT_POLICE, ConsoleServer, Staff, login
from tests.backend.open311_support import add_partner, staff_and_partner_answers
from tests.support import report_body
from wire.reports import ReportCreate

FARMER = {
    "name": "Morwenna Quillfeather",
    "phone": "07700 900417",
    "farm_name": "Pendragon Barton",
    "postcode": "ME13 7QZ",
    "email": "morwenna.quill@example.org",
}
# Each contact detail, and the parts of it a page could show on their own (a phone without its space, a tel: link).
CONTACT = ("Morwenna", "Quillfeather", "900417", "07700900417", "Pendragon", "ME13 7QZ", "morwenna.quill")
THREAT = "Two men in a grey pickup said they would burn the lambing shed if I called the police again"
THREAT_WORD = "lambing"  # a word of the anonymous report, to find it by search
UPDATE = "We have increased patrols past your farm at night and are looking for the grey pickup."


@dataclass
class World:
    device_id: str
    farmer: dict[str, str]  # the farmer's auth headers
    anonymous: str  # report ids
    named: str
    officer: Staff
    api: dict[str, str]  # the officer's staff API headers


def _staff_api(console: ConsoleServer, client: httpx.Client, username: str, role: str) -> dict[str, str]:
    password = console.add_user(username, role, KENT_POLICE)
    r = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _put(client: httpx.Client, headers: dict[str, str], body: dict[str, Any], report_id: str = "") -> httpx.Response:
    return client.put(f"/api/v1/reports/{report_id or uuid.uuid4()}", json=body, headers=headers)


@pytest.fixture(scope="module")
def world(console: ConsoleServer) -> World:
    client = console.client()
    registered = client.post("/api/v1/devices", json=FARMER)
    assert registered.status_code == 201, registered.text
    farmer = {"Authorization": f"Bearer {registered.json()['token']}"}
    anonymous, named = str(uuid.uuid4()), str(uuid.uuid4())
    threat = report_body(
        "intimidation",
        where=KENT_FAR_FROM_SUSSEX,
        description=THREAT,
        details={"what_was_said": "You'll regret it", "weapon_seen": True},
        anonymous=True,
    )
    assert _put(client, farmer, threat, anonymous).status_code == 201
    assert _put(client, farmer, report_body(where=KENT_FAR_FROM_SUSSEX), named).status_code == 201
    officer = login(console, "anon.officer", "officer", KENT_POLICE, name="PC Anon")
    api = _staff_api(console, client, "anon.api", "officer")
    return World(registered.json()["device_id"], farmer, anonymous, named, officer, api)


def _leaks(text: str) -> list[str]:
    return [c for c in CONTACT if c.lower() in text.lower()]


def test_an_anonymous_report_is_stored_as_such_and_its_farmer_reads_it_back(
    console: ConsoleServer, world: World
) -> None:
    assert console.scalar("SELECT anonymous FROM reports WHERE id = ?", world.anonymous) == 1
    assert console.scalar("SELECT anonymous FROM reports WHERE id = ?", world.named) == 0
    mine = console.client().get(f"/api/v1/reports/{world.anonymous}", headers=world.farmer)
    assert mine.status_code == 200 and mine.json()["anonymous"] is True
    assert console.client().get(f"/api/v1/reports/{world.named}", headers=world.farmer).json()["anonymous"] is False


def test_the_staff_api_gives_no_reporter_and_no_phone_id_for_an_anonymous_report(
    console: ConsoleServer, world: World
) -> None:
    client = console.client()
    got = client.get(f"/api/v1/reports/{world.anonymous}", headers=world.api)
    assert got.status_code == 200, got.text
    view = got.json()
    assert view["reporter"] is None and view["anonymous"] is True
    assert view["description"] == THREAT  # everything else the farmer sent is there
    received = [e for e in view["timeline"] if e["kind"] == "received"]
    assert [(e["actor_kind"], e["actor_id"]) for e in received] == [("device", None)]
    # Nothing that names the farmer, nor the phone's id (which would tie this report to the named one).
    assert _leaks(got.text) == [] and world.device_id not in got.text
    acted = client.post(f"/api/v1/reports/{world.anonymous}/events", json={"kind": "acknowledged"}, headers=world.api)
    assert acted.status_code == 201, acted.text
    assert acted.json()["reporter"] is None
    assert _leaks(acted.text) == [] and world.device_id not in acted.text


def test_a_named_report_from_the_same_phone_still_shows_its_reporter_to_the_areas_officers(
    console: ConsoleServer, world: World
) -> None:
    got = console.client().get(f"/api/v1/reports/{world.named}", headers=world.api)
    assert got.status_code == 200, got.text
    assert got.json()["reporter"] == FARMER and got.json()["anonymous"] is False
    assert world.device_id in got.text  # its timeline names the phone, as before
    page = world.officer.get(f"/console/reports/{world.named}")
    assert page.status_code == 200
    assert "Morwenna Quillfeather" in page.text and 'href="tel:07700900417"' in page.text
    assert "Anonymous reporter" not in page.text


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin"])
def test_the_console_report_page_says_anonymous_reporter_and_holds_no_contact_detail(
    console: ConsoleServer, world: World, role: str
) -> None:
    reader = login(console, f"anon.page.{role}", role, None if role == "admin" else KENT_POLICE)
    page = reader.get(f"/console/reports/{world.anonymous}")
    assert page.status_code == 200
    assert "Anonymous reporter" in page.text
    assert "you cannot call them back" in page.text
    assert THREAT in page.text
    assert _leaks(page.text) == []
    assert "tel:" not in page.text  # no call-the-farmer link
    assert world.device_id not in page.text


def test_no_staff_page_csv_or_partner_answer_holds_the_farmers_contact_details(
    console: ConsoleServer, world: World
) -> None:
    officer = world.officer
    admin = login(console, "anon.admin.csv", "admin")
    nfu = login(console, "anon.nfu", "nfu")
    partner_key = add_partner(console.live, "Kent Rural Victim Support", ["intimidation"], [KENT_POLICE])
    search = officer.get("/console", params={"q": THREAT_WORD})
    assert world.anonymous in search.text  # the search finds the report by its words ...
    for word in ("Pendragon", "Quillfeather", "900417"):  # ... and by none of its farmer's (the page repeats them)
        found = officer.get("/console", params={"q": word}).text
        assert world.anonymous not in found and world.named not in found
    pages = staff_and_partner_answers(console.client(), officer, admin, nfu, search.text, partner_key)
    assert world.anonymous in pages["open311 json"] and world.anonymous in pages["access log CSV"]
    assert {name: _leaks(text) for name, text in pages.items()} == {name: [] for name in pages}


def test_the_farmers_contact_details_are_in_the_devices_table_alone(console: ConsoleServer, world: World) -> None:
    """Nothing staff read is built from anywhere else: no report, event, notification, search index or log row
    holds them (the search index is checked by asking it, as it keeps no text to read back)."""
    conn = sqlite3.connect(f"file:{console.live.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=30)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        holding = sorted(
            table
            for table in tables
            if any(_leaks(" ".join(str(v) for v in row)) for row in conn.execute(f'SELECT * FROM "{table}"'))
        )
        matched = [
            word
            for word in ("Morwenna", "Quillfeather", "Pendragon", "900417", "7QZ")
            if conn.execute("SELECT count(*) FROM report_text WHERE report_text MATCH ?", [word]).fetchone()[0]
        ]
    finally:
        conn.close()
    assert holding == ["devices"]
    assert matched == []


def test_the_officers_update_reaches_the_farmer_of_an_anonymous_report(console: ConsoleServer, world: World) -> None:
    sent = world.officer.act(world.anonymous, "update_sent", text=UPDATE)
    assert sent.status_code == 303, sent.text
    pulled = console.client().get("/api/v1/reports", params={"since": 0}, headers=world.farmer)
    assert pulled.status_code == 200
    [report] = [r for r in pulled.json()["reports"] if r["id"] == world.anonymous]
    assert UPDATE in [entry["text"] for entry in report["timeline"]]
    assert report["anonymous"] is True


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, [], {"on": True}])
def test_anonymous_must_be_true_or_false(console: ConsoleServer, world: World, value: object) -> None:
    report_id = str(uuid.uuid4())
    refused = _put(console.client(), world.farmer, report_body("intimidation", anonymous=value), report_id)
    assert refused.status_code == 422, refused.text
    assert ["body", "anonymous"] in [e["loc"] for e in refused.json()["detail"]]
    assert console.scalar("SELECT count(*) FROM reports WHERE id = ?", report_id) == 0


def test_a_report_sent_before_anonymous_existed_keeps_its_hash_and_cannot_be_made_anonymous_by_a_resend(
    console: ConsoleServer, world: World
) -> None:
    client, report_id = console.client(), str(uuid.uuid4())
    body = report_body("intimidation", where=KENT_FAR_FROM_SUSSEX)
    assert "anonymous" not in body
    assert _put(client, world.farmer, body, report_id).status_code == 201
    # An app that knows the field sends `false` for the same report: the same content, so the same report.
    assert _put(client, world.farmer, {**body, "anonymous": False}, report_id).status_code == 200
    made_anonymous = _put(client, world.farmer, {**body, "anonymous": True}, report_id)
    assert made_anonymous.status_code == 409
    assert "a different report was already sent with this id" in made_anonymous.json()["detail"]
    assert console.scalar("SELECT anonymous FROM reports WHERE id = ?", report_id) == 0
    unnamed = ReportCreate.model_validate({**body, "anonymous": False})
    assert "anonymous" not in unnamed.canonical()
    assert unnamed.content_hash() == ReportCreate.model_validate(body).content_hash()
    assert ReportCreate.model_validate({**body, "anonymous": True}).canonical()["anonymous"] is True


def test_an_officer_of_another_force_far_from_the_border_reads_neither_report(
    console: ConsoleServer, world: World
) -> None:
    """Another force's officer, far from this report's border, cannot read it at all (404), anonymous or not."""
    client = console.client()
    password = console.add_user("anon.sussex", "officer", "Sussex Police")
    token = client.post("/api/v1/tokens", json={"username": "anon.sussex", "password": password}).json()["token"]
    for report_id in (world.anonymous, world.named):
        other = client.get(f"/api/v1/reports/{report_id}", headers={"Authorization": f"Bearer {token}"})
        assert other.status_code == 404 and _leaks(other.text) == []
