"""Alerts through the real server (issue 19, must-show 1): an alert reaches the phones whose places its circle
meets and no other; withdrawn and expired alerts leave with the next pull; only the force's officers (and admins)
issue and change them; the places the server keeps are coarse whatever the phone sends; bad input is refused.

Each test works at its own spot in the demo Kent area, at least 10 km from the others', so the alerts one test
issues never reach another test's phones on the shared server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from backend.services.areas.national_grid import snap_to_square
from tests.backend.alerts_support import FAR_EAST, FARM, SUSSEX, TEXT, TITLE, Issuer, Phone, alert_body, issuer
from tests.backend.console_support import HAMPSHIRE_POLICE, KENT_POLICE, SUSSEX_POLICE, ConsoleServer, console_server
from tests.support import report_body

WITHDRAW_SPOT = (51.05, 0.30)
EXPIRE_SPOT = (51.05, 0.55)
EDIT_SPOT = (51.40, 0.30)
LATER_SPOT = (51.05, 1.10)
LINK_SPOT = (51.40, 1.20)
CHANNEL_SPOT = (51.15, 1.35)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    yield from console_server(tmp_path_factory)


@pytest.fixture(scope="module")
def kent(console: ConsoleServer) -> Issuer:
    return issuer(console, "kent.alerts", "officer", KENT_POLICE)


@pytest.fixture(scope="module")
def sussex(console: ConsoleServer) -> Issuer:
    return issuer(console, "sussex.alerts", "officer", SUSSEX_POLICE)


def utc_text(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


# -- reach ---------------------------------------------------------------------------------------------------------


def test_an_alert_reaches_a_phone_whose_place_is_inside_its_area_and_not_one_30_km_away(
    console: ConsoleServer, kent: Issuer
) -> None:
    near = Phone(console, (FARM[0] + 0.01, FARM[1] + 0.01, 2.0))
    far = Phone(console, (*FAR_EAST, 2.0))
    alert = kent.issue(FARM, 5.0)
    assert alert["force"] == KENT_POLICE and alert["devices_reached"] == 0
    assert alert["vehicle_registration"] == "AB12CDE"  # normalised as report registrations are

    pulled = near.pull()
    assert [a["id"] for a in pulled["alerts"]] == [alert["id"]]
    assert pulled["withdrawn"] == []
    sent = pulled["alerts"][0]
    assert sent == {
        "id": alert["id"],
        "force": KENT_POLICE,
        "title": TITLE,
        "text": TEXT,
        "category": "hare_coursing",
        "vehicle_registration": "AB12CDE",
        "area": {"lat": FARM[0], "lon": FARM[1], "radius_km": 5.0},
        "issued_at": alert["issued_at"],
        "updated_at": alert["updated_at"],
        "expires_at": alert["expires_at"],
        "photo_url": None,
    }
    assert "issued_by" not in sent  # nothing about the officer goes to phones
    assert far.pull() == {"alerts": [], "withdrawn": [], "cursor": far.cursor}
    # Pulled again with its cursor: nothing new, and the count of devices reached is one.
    assert near.pull()["alerts"] == []
    view = kent.client.get(f"/api/v1/alerts/{alert['id']}", headers=kent.headers)
    assert view.status_code == 200, view.text
    assert view.json()["devices_reached"] == 1
    assert console.scalar("SELECT device_id FROM alert_reached WHERE alert_id = ?", alert["id"]) == near.device_id


def test_an_alert_lasts_48_hours_unless_told_otherwise(console: ConsoleServer, kent: Issuer) -> None:
    alert = kent.issue(CHANNEL_SPOT, 1.0)
    now = console.now()
    assert alert["issued_at"] == utc_text(now)
    assert alert["expires_at"] == utc_text(now + timedelta(hours=48))
    events = console.query("SELECT kind, user_id FROM alert_events WHERE alert_id = ?", alert["id"])
    assert [(e["kind"], e["user_id"] is not None) for e in events] == [("issued", True)]


# -- withdrawn and expired -----------------------------------------------------------------------------------------


def test_a_withdrawn_alert_leaves_with_the_next_pull(console: ConsoleServer, kent: Issuer) -> None:
    phone = Phone(console, (*WITHDRAW_SPOT, 1.0))
    staying = kent.issue(WITHDRAW_SPOT, 2.0, title="Quad stolen")
    going = kent.issue(WITHDRAW_SPOT, 2.0, title="Trailer stolen")
    assert phone.pulled_ids() == sorted([staying["id"], going["id"]])

    answer = kent.change(going["id"], withdrawn=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["withdrawn_at"] == utc_text(console.now())
    pulled = phone.pull()
    assert pulled["alerts"] == [] and pulled["withdrawn"] == [going["id"]]
    assert phone.pull()["withdrawn"] == []  # said once
    assert phone.pulled_ids(full=True) == [staying["id"]]
    kinds = [r["kind"] for r in console.query("SELECT kind FROM alert_events WHERE alert_id = ?", going["id"])]
    assert kinds == ["issued", "withdrawn"]

    # A withdrawal stands: it cannot be undone, and a withdrawn alert cannot be changed; withdrawing again is a no-op.
    again = kent.change(going["id"], withdrawn=False)
    assert again.status_code == 409 and "cannot be restored" in again.json()["message"]
    edit = kent.change(going["id"], title="Trailer found")
    assert edit.status_code == 409 and "cannot be changed" in edit.json()["message"]
    assert kent.change(going["id"], withdrawn=True).status_code == 200
    assert console.scalar("SELECT count(*) FROM alert_events WHERE alert_id = ?", going["id"]) == 2


def test_an_expired_alert_leaves_with_the_next_pull_once_the_clock_has_passed_its_end(
    console: ConsoleServer, kent: Issuer
) -> None:
    phone = Phone(console, (*EXPIRE_SPOT, 1.0))
    brief = kent.issue(EXPIRE_SPOT, 2.0, expires_at=(console.now() + timedelta(hours=1)).isoformat())
    lasting = kent.issue(EXPIRE_SPOT, 2.0, expires_at=(console.now() + timedelta(hours=5)).isoformat())
    assert phone.pulled_ids() == sorted([brief["id"], lasting["id"]])
    console.advance(minutes=59)
    assert phone.pull() == {"alerts": [], "withdrawn": [], "cursor": phone.cursor}
    console.advance(minutes=2)  # past the brief one's end
    pulled = phone.pull()
    assert pulled["alerts"] == [] and pulled["withdrawn"] == [brief["id"]]
    assert phone.pulled_ids(full=True) == [lasting["id"]]
    console.advance(hours=5)
    assert phone.pull()["withdrawn"] == [lasting["id"]]
    assert phone.pulled_ids(full=True) == []


def test_an_edit_comes_with_the_next_pull_and_a_move_out_of_reach_takes_the_alert_away(
    console: ConsoleServer, kent: Issuer
) -> None:
    phone = Phone(console, (*EDIT_SPOT, 1.0))
    alert = kent.issue(EDIT_SPOT, 2.0)
    assert phone.pulled_ids() == [alert["id"]]
    console.advance(minutes=1)
    changed = kent.change(alert["id"], text="Now seen heading north on the A249.", category=None)
    assert changed.status_code == 200, changed.text
    assert changed.json()["category"] is None and changed.json()["title"] == TITLE  # the rest stays
    [pulled] = phone.pull()["alerts"]
    assert pulled["text"] == "Now seen heading north on the A249." and pulled["updated_at"] > pulled["issued_at"]
    moved = kent.change(alert["id"], area={"lat": EDIT_SPOT[0], "lon": EDIT_SPOT[1] + 0.2, "radius_km": 2.0})
    assert moved.status_code == 200, moved.text
    assert phone.pull() == {"alerts": [], "withdrawn": [alert["id"]], "cursor": phone.cursor}
    history = console.query("SELECT kind, data FROM alert_events WHERE alert_id = ? ORDER BY id", alert["id"])
    assert [h["kind"] for h in history] == ["issued", "edited", "edited"]
    assert '"text": ["' in history[1]["data"] and '"category": ["hare_coursing", null]' in history[1]["data"]
    # A body that changes nothing records nothing, and answers the alert as it stands.
    same = kent.change(alert["id"])
    assert same.status_code == 200 and same.json()["area"]["lon"] == pytest.approx(EDIT_SPOT[1] + 0.2)
    assert console.scalar("SELECT count(*) FROM alert_events WHERE alert_id = ?", alert["id"]) == 3


def test_a_place_chosen_later_brings_the_active_alerts_there_even_with_an_old_cursor(
    console: ConsoleServer, kent: Issuer
) -> None:
    phone = Phone(console, (*FAR_EAST, 1.0))
    alert = kent.issue(LATER_SPOT, 2.0)
    assert alert["id"] not in phone.pulled_ids()
    phone.set_places((*FAR_EAST, 1.0), (*LATER_SPOT, 1.0))
    assert phone.pulled_ids() == [alert["id"]]  # with the cursor from before the places changed
    assert phone.pull()["alerts"] == []  # and once only
    phone.set_places((*FAR_EAST, 1.0))
    assert phone.pull() == {"alerts": [], "withdrawn": [alert["id"]], "cursor": phone.cursor}
    phone.set_places()  # [] opts out
    assert phone.pulled_ids(full=True) == []


# -- who may ---------------------------------------------------------------------------------------------------------


def test_another_forces_officer_can_neither_change_nor_read_it_but_its_supervisor_and_an_admin_can(
    console: ConsoleServer, kent: Issuer, sussex: Issuer
) -> None:
    alert = kent.issue(LINK_SPOT, 1.0)
    refused = sussex.change(alert["id"], withdrawn=True)
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "this alert belongs to Kent Police: only its officers and supervisors (or an admin) can see or change it"
    )
    assert sussex.client.get(f"/api/v1/alerts/{alert['id']}", headers=sussex.headers).status_code == 403
    assert console.scalar("SELECT withdrawn_at FROM alerts WHERE id = ?", alert["id"]) is None
    supervisor = issuer(console, "kent.alerts.sup", "supervisor", KENT_POLICE)
    assert supervisor.change(alert["id"], title="Quad stolen from Manor Farm").status_code == 200
    admin = issuer(console, "alerts.admin", "admin", None)
    assert admin.change(alert["id"], withdrawn=True).status_code == 200
    hampshire = issuer(console, "hants.alerts", "officer", HAMPSHIRE_POLICE)
    assert hampshire.client.get(f"/api/v1/alerts/{alert['id']}", headers=hampshire.headers).status_code == 403
    missing = kent.client.get("/api/v1/alerts/999999", headers=kent.headers)
    assert missing.status_code == 404 and missing.json()["message"] == "no such alert"
    huge = kent.client.get(f"/api/v1/alerts/{2**70}", headers=kent.headers)
    assert huge.status_code == 422 and "alert_id: Input should be less than or equal to" in huge.json()["message"]


def test_a_phone_cannot_issue_change_or_read_an_alert_and_nfu_users_cannot_either(
    console: ConsoleServer, kent: Issuer
) -> None:
    alert = kent.issue(LINK_SPOT, 1.0)
    phone = Phone(console)
    client = phone.client
    created = client.post("/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0), headers=phone.headers)
    assert created.status_code == 401 and created.json()["message"] == "this needs a staff API token"
    assert client.patch(f"/api/v1/alerts/{alert['id']}", json={}, headers=phone.headers).status_code == 401
    assert client.get(f"/api/v1/alerts/{alert['id']}", headers=phone.headers).status_code == 401
    assert client.post("/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0)).status_code == 401
    nfu = issuer(console, "nfu.alerts", "nfu", None)
    refused = nfu.client.post("/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0), headers=nfu.headers)
    assert refused.status_code == 403 and refused.json()["message"] == "only police staff and admins may do this"
    # ...and a staff token cannot pull as a phone, nor set places.
    assert kent.client.get("/api/v1/alerts", headers=kent.headers).status_code == 401
    places = kent.client.put("/api/v1/me/alert-places", json={"places": []}, headers=kent.headers)
    assert places.status_code == 401 and places.json()["message"] == "this needs a device token"
    assert console.scalar("SELECT count(*) FROM alerts WHERE id > ?", alert["id"]) == 0


def test_an_officer_alerts_only_inside_their_forces_area_and_no_further_than_it_reaches(
    console: ConsoleServer, kent: Issuer, sussex: Issuer
) -> None:
    before = console.scalar("SELECT count(*) FROM alerts")
    other = kent.client.post("/api/v1/alerts", json=alert_body(SUSSEX, 2.0), headers=kent.headers)
    assert other.status_code == 403
    assert other.json()["message"].startswith("the centre lies in Sussex Police's area")
    nowhere = kent.client.post("/api/v1/alerts", json=alert_body((48.85, 2.35), 2.0), headers=kent.headers)
    assert nowhere.status_code == 422
    assert nowhere.json()["message"] == "area: the centre lies outside every force's area"
    # From the farm, the furthest corner of the demo Kent area is about 70 km away.
    wide = kent.client.post("/api/v1/alerts", json=alert_body(FARM, 75.0), headers=kent.headers)
    assert wide.status_code == 422
    assert wide.json()["message"].startswith("area: the radius goes beyond Kent Police's whole area; at most 7")
    widest = kent.issue(FARM, 60.0)
    assert widest["area"]["radius_km"] == 60.0
    assert kent.change(widest["id"], withdrawn=True).status_code == 200  # so that it reaches no later test's phone
    assert sussex.issue(SUSSEX, 2.0)["force"] == SUSSEX_POLICE
    assert console.scalar("SELECT count(*) FROM alerts") == before + 2
    # An edit moving the centre into another force's area is refused too.
    alert = kent.issue(LINK_SPOT, 1.0)
    moved = kent.change(alert["id"], area={"lat": SUSSEX[0], "lon": SUSSEX[1], "radius_km": 1.0})
    assert moved.status_code == 422 and moved.json()["message"] == "area: the centre must stay in Kent Police's area"
    kent.change(alert["id"], withdrawn=True)


# -- coarse places ---------------------------------------------------------------------------------------------------


def test_the_places_stored_on_the_server_are_coarse_whatever_precision_the_phone_sends(console: ConsoleServer) -> None:
    phone = Phone(console)
    exact = [(51.2502123, 0.9004567, 5.04), (51.2508901, 0.9010123, 5.0), (51.312345678, 0.812345678, 2.26)]
    stored = phone.set_places(*exact)
    square = snap_to_square(51.2502123, 0.9004567)
    # The first two lie in the same 1 km square with the same radius once rounded: one place is kept for both.
    assert stored == [
        {"lat": square[0], "lon": square[1], "radius_km": 5.0},
        {
            "lat": snap_to_square(51.312345678, 0.812345678)[0],
            "lon": snap_to_square(51.312345678, 0.812345678)[1],
            "radius_km": 2.3,
        },
    ]
    rows = console.query(
        "SELECT lat, lon, radius_km FROM alert_places WHERE device_id = ? ORDER BY id", phone.device_id
    )
    assert [dict(r) for r in rows] == stored
    for row in rows:
        assert round(row["lat"], 5) == row["lat"] and round(row["lon"], 5) == row["lon"]
        assert (row["lat"], row["lon"]) not in [(lat, lon) for lat, lon, _ in exact]
    # Every point of the square gives the same stored place: the exact one cannot be recovered.
    again = phone.set_places((square[0] - 0.002, square[1] + 0.003, 5.0))
    assert again == [stored[0]]
    # Off the National Grid too (0.1 degree cells), even at the edges of the map.
    assert phone.set_places((0.0, 180.0, 1e-300), (90.0, -180.0, 50.0), (-12.34567, 45.67891, 3.0)) == [
        {"lat": 0.05, "lon": 180.0, "radius_km": 0.1},
        {"lat": 90.0, "lon": -179.95, "radius_km": 50.0},
        {"lat": -12.35, "lon": 45.65, "radius_km": 3.0},
    ]
    text = " ".join(str(v) for r in console.query("SELECT * FROM alert_places") for v in tuple(r))
    assert "51.2502123" not in text and "0.9004567" not in text and "51.3123456" not in text


# -- reports made from an alert ------------------------------------------------------------------------------------


def test_a_report_made_from_an_alert_is_linked_to_it_and_one_naming_no_alert_is_refused(
    console: ConsoleServer, kent: Issuer
) -> None:
    phone = Phone(console, (*LINK_SPOT, 1.0))
    alert = kent.issue(LINK_SPOT, 1.0)
    report_id = str(uuid.uuid4())
    body = report_body("hare_coursing", LINK_SPOT, alert_id=alert["id"])
    sent = phone.client.put(f"/api/v1/reports/{report_id}", json=body, headers=phone.headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["alert_id"] == alert["id"]
    view = kent.client.get(f"/api/v1/alerts/{alert['id']}", headers=kent.headers).json()
    assert view["linked_reports"] == [report_id]
    staff = kent.client.get(f"/api/v1/reports/{report_id}", headers=kent.headers)
    assert staff.json()["alert_id"] == alert["id"]
    # The same report again is the same report; another naming an alert that never was is refused, and not stored.
    assert phone.client.put(f"/api/v1/reports/{report_id}", json=body, headers=phone.headers).status_code == 200
    bad_id = str(uuid.uuid4())
    bad = phone.client.put(f"/api/v1/reports/{bad_id}", json=report_body(alert_id=10_000_000), headers=phone.headers)
    assert bad.status_code == 422
    assert bad.json()["message"] == "alert_id: there is no alert 10000000; send the report without it"
    assert console.scalar("SELECT count(*) FROM reports WHERE id = ?", bad_id) == 0
    # An alert started from a report is linked to it, and keeps when that report arrived.
    started = kent.issue(LINK_SPOT, 1.0, report_id=report_id)
    assert started["report_id"] == report_id
    received = console.scalar("SELECT received_at FROM reports WHERE id = ?", report_id)
    assert console.scalar("SELECT first_report_at FROM alerts WHERE id = ?", started["id"]) == received
    other = kent.client.post(
        "/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0, report_id=str(uuid.uuid4())), headers=kent.headers
    )
    assert (
        other.status_code == 422 and other.json()["message"] == "report_id: no such report among those you may act on"
    )


# -- channels --------------------------------------------------------------------------------------------------------


def test_a_phone_chooses_sms_and_email_only_with_a_number_and_an_address_on_record(console: ConsoleServer) -> None:
    without_email = Phone(console)
    answer = without_email.client.put(
        "/api/v1/me/alert-channels", json={"sms": True, "email": True}, headers=without_email.headers
    )
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("email: this phone was registered without an email address")
    sms = without_email.client.put(
        "/api/v1/me/alert-channels", json={"sms": True, "email": False}, headers=without_email.headers
    )
    assert sms.status_code == 200 and sms.json() == {"sms": True, "email": False}
    with_email = Phone(console, email="jo@hillfarm.example")
    both = with_email.client.put(
        "/api/v1/me/alert-channels", json={"sms": True, "email": True}, headers=with_email.headers
    )
    assert both.status_code == 200 and both.json() == {"sms": True, "email": True}
    rows = console.query(
        "SELECT device_id, sms, email FROM alert_subscriptions WHERE device_id IN (?, ?) ORDER BY sms + email",
        without_email.device_id,
        with_email.device_id,
    )
    assert [tuple(r) for r in rows] == [(without_email.device_id, 1, 0), (with_email.device_id, 1, 1)]


# -- bad input -------------------------------------------------------------------------------------------------------

AREA = {"lat": 51.3, "lon": 0.7, "radius_km": 2}
BAD_CREATES: dict[str, tuple[dict[str, Any], str]] = {
    "no title": ({"text": "x", "area": AREA}, "title: Field required"),
    "no area": ({"title": "t", "text": "x"}, "area: Field required"),
    "empty title": ({"title": "   ", "text": "x", "area": AREA}, "title: String should have at least 1 character"),
    "title as a number": ({"title": 5, "text": "x", "area": AREA}, "title: Input should be a valid string"),
    "radius as words": (
        {"title": "t", "text": "x", "area": {**AREA, "radius_km": "ten"}},
        "area.radius_km: Input should be a valid number",
    ),
    "radius of 0": ({"title": "t", "text": "x", "area": {**AREA, "radius_km": 0}}, "area.radius_km: Input should be"),
    "radius over 80 km": (
        {"title": "t", "text": "x", "area": {**AREA, "radius_km": 81}},
        "area.radius_km: Input should be less than or equal to 80",
    ),
    "latitude off the Earth": ({"title": "t", "text": "x", "area": {**AREA, "lat": 91}}, "area.lat: Input should be"),
    "unknown category": ({"title": "t", "text": "x", "area": AREA, "category": "ufo"}, "category: Input should be"),
    "unknown field": ({"title": "t", "text": "x", "area": AREA, "colour": "red"}, "colour: Extra inputs"),
    "expiry without a zone": (
        {"title": "t", "text": "x", "area": AREA, "expires_at": "2030-01-01T10:00:00"},
        "expires_at: Input should have timezone info",
    ),
    "expiry before year 1 in UTC": (
        {"title": "t", "text": "x", "area": AREA, "expires_at": "0001-01-01T00:00:01+01:01"},
        "expires_at: the time is out of range",
    ),
    "report id not a uuid": ({"title": "t", "text": "x", "area": AREA, "report_id": "abc"}, "report_id: Input should"),
    "a list": ([AREA], "Input should be a valid dictionary"),  # type: ignore[dict-item]
}


@pytest.mark.parametrize("case", sorted(BAD_CREATES))
def test_an_alert_with_wrong_types_or_missing_fields_is_refused_with_what_is_wrong(
    console: ConsoleServer, kent: Issuer, case: str
) -> None:
    body, words = BAD_CREATES[case]
    before = console.scalar("SELECT count(*) FROM alerts")
    answer = kent.client.post("/api/v1/alerts", json=body, headers=kent.headers)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["message"]
    assert console.scalar("SELECT count(*) FROM alerts") == before


def test_an_expiry_in_the_past_or_beyond_30_days_is_refused(console: ConsoleServer, kent: Issuer) -> None:
    now = console.now()
    for expires, words in (
        (now - timedelta(minutes=1), "expires_at: the alert must end in the future"),
        (now + timedelta(days=31), "expires_at: an alert lasts at most 30 days"),
    ):
        answer = kent.client.post(
            "/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0, expires_at=expires.isoformat()), headers=kent.headers
        )
        assert answer.status_code == 422 and answer.json()["message"] == words


BAD_UPDATES: dict[str, tuple[dict[str, Any], str]] = {
    "title removed": ({"title": None}, "title: an alert cannot be left without one"),
    "area removed": ({"area": None}, "area: an alert cannot be left without one"),
    "withdrawn as words": ({"withdrawn": "yes please"}, "withdrawn: Input should be a valid boolean"),
    "area half given": ({"area": {"lat": 51.3}}, "area.lon: Field required"),
    "unknown field": ({"force": "Sussex Police"}, "force: Extra inputs are not permitted"),
}


@pytest.mark.parametrize("case", sorted(BAD_UPDATES))
def test_a_change_with_wrong_types_is_refused_and_changes_nothing(
    console: ConsoleServer, kent: Issuer, case: str
) -> None:
    alert = kent.issue(LINK_SPOT, 1.0)
    body, words = BAD_UPDATES[case]
    answer = kent.change(alert["id"], **body)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["message"]
    assert console.scalar("SELECT count(*) FROM alert_events WHERE alert_id = ?", alert["id"]) == 1
    kent.change(alert["id"], withdrawn=True)


BAD_PLACES: dict[str, tuple[Any, str]] = {
    "no places key": ({}, "places: Field required"),
    "a place without a radius": ({"places": [{"lat": 51.3, "lon": 0.7}]}, "places.0.radius_km: Field required"),
    "radius over 50 km": (
        {"places": [{"lat": 51.3, "lon": 0.7, "radius_km": 51}]},
        "places.0.radius_km: Input should be less than or equal to 50",
    ),
    "eleven places": (
        {"places": [{"lat": 51.3, "lon": 0.7, "radius_km": 1}] * 11},
        "places: List should have at most 10 items",
    ),
    "latitude as words": (
        {"places": [{"lat": "north", "lon": 0.7, "radius_km": 1}]},
        "places.0.lat: Input should be a valid number",
    ),
    "a name with the place": (
        {"places": [{"lat": 51.3, "lon": 0.7, "radius_km": 1, "name": "Top gate"}]},
        "places.0.name: Extra inputs are not permitted",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PLACES))
def test_places_with_wrong_types_or_missing_fields_are_refused_and_the_old_ones_kept(
    console: ConsoleServer, case: str
) -> None:
    phone = Phone(console, (*FAR_EAST, 1.0))
    body, words = BAD_PLACES[case]
    answer = phone.client.put("/api/v1/me/alert-places", json=body, headers=phone.headers)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["message"]
    assert console.scalar("SELECT count(*) FROM alert_places WHERE device_id = ?", phone.device_id) == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"sms": True}, "email: Field required"),
        ({"sms": "sometimes", "email": False}, "sms: Input should be a valid boolean"),
        ({"sms": True, "email": False, "voice": True}, "voice: Extra inputs are not permitted"),
    ],
)
def test_channels_with_wrong_types_or_missing_fields_are_refused(
    console: ConsoleServer, body: dict[str, Any], words: str
) -> None:
    phone = Phone(console)
    answer = phone.client.put("/api/v1/me/alert-channels", json=body, headers=phone.headers)
    assert answer.status_code == 422 and words in answer.json()["message"]


@pytest.mark.parametrize("since", ["yesterday", "12", "1-2", "-1-5-1", "1-2-3-4", "9" * 41])
def test_a_cursor_this_server_never_gave_is_refused(console: ConsoleServer, since: str) -> None:
    phone = Phone(console)
    answer = phone.client.get("/api/v1/alerts", params={"since": since}, headers=phone.headers)
    assert answer.status_code == 422
    assert "since" in answer.json()["message"]


def test_oversized_bodies_are_refused_before_they_are_read(console: ConsoleServer, kent: Issuer) -> None:
    huge = alert_body(LINK_SPOT, 1.0, text="x" * (300 * 1024))
    answer = kent.client.post("/api/v1/alerts", json=huge, headers=kent.headers)
    assert answer.status_code == 413 and "256 KiB" in answer.json()["message"]
    phone = Phone(console)
    places = {"places": [{"lat": 51.3, "lon": 0.7, "radius_km": 1, "pad": "y" * (300 * 1024)}]}
    assert phone.client.put("/api/v1/me/alert-places", json=places, headers=phone.headers).status_code == 413
    # Under the server's limit but over the alert's own: 2,000 characters of text.
    long = kent.client.post("/api/v1/alerts", json=alert_body(LINK_SPOT, 1.0, text="x" * 2001), headers=kent.headers)
    assert long.status_code == 422 and "text: String should have at most 2000 characters" in long.json()["message"]


def test_the_api_documents_every_alert_route(console: ConsoleServer) -> None:
    with httpx.Client(base_url=console.url, timeout=30) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/alerts"]) == {"get", "post"}
    assert set(paths["/api/v1/alerts/{alert_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/me/alert-places"]) == {"put"}
    assert set(paths["/api/v1/me/alert-channels"]) == {"put"}
    assert paths["/api/v1/alerts"]["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AlertStaff"
    }
