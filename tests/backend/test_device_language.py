"""The language a farmer reads, on the server (issue 18): chosen at registration (`"language": "cy" | "en"`),
changed with `PATCH /api/v1/me`, stored on the device, and every farmer-facing text the server writes for the
phone (the timeline's words, the police's templated updates) in it. The words expected are the Welsh catalogue's
own, so that a Welsh speaker's corrections to the .po keep these tests true; each is checked to be Welsh, not the
English source."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from babel.dates import format_date

from backend.i18n import catalogue
from backend.security import token_hash
from core.uktime import LONDON
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    SUSSEX_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    login,
    report_through_every_event,
)
from tests.support import jpeg_bytes, photo_decl, staff_token


def welsh(message: str, *values: Any) -> str:
    """A farmer-facing message as the Welsh catalogue has it, filled in; never the English source."""
    words = catalogue("cy").pgettext("farmer", message)
    assert words != message, f"no Welsh for {message!r}"
    return words % values[0] if values else words


@pytest.fixture(scope="module")
def api(console: ConsoleServer) -> httpx.Client:
    return console.client()


@pytest.fixture(scope="module")
def officer_api(console: ConsoleServer, api: httpx.Client) -> dict[str, str]:
    return staff_token(console.live, api, "language.api.officer", "officer", KENT_POLICE)


def device_language(console: ConsoleServer, farmer: Farmer) -> str:
    token = farmer.headers["Authorization"].removeprefix("Bearer ")
    return console.scalar("SELECT language FROM devices WHERE token_hash = ?", token_hash(token))


def test_a_phone_registered_in_welsh_reads_every_event_of_its_report_in_welsh(
    console: ConsoleServer, api: httpx.Client, officer_api: dict[str, str]
) -> None:
    farmer = Farmer(console, "Elin Jones", language="cy")
    assert device_language(console, farmer) == "cy"
    report_id = report_through_every_event(
        console,
        farmer,
        officer_api,
        (30, 90, 30),
        ("Daethon nhw'n ôl neithiwr", "Does neb wedi fy ffonio"),
        [
            {"kind": "acknowledged"},
            {"kind": "assigned"},
            {"kind": "reference_added", "reference": "46/777/26"},
            {"kind": "contacted"},
            {"kind": "attended", "text": "Buom yn y fynedfa gyda'r ffermwr"},
            {"kind": "decision", "decision": "no_further_action", "reason": "Does dim tystion na chamerâu."},
            {"kind": "update_sent", "text": "Rydym wedi gofyn i'r cyngor ei glirio."},
            {"kind": "closed", "outcome": "passed_to_council"},
            {"kind": "reopened"},
        ],
    )

    timeline = farmer.view(report_id)["timeline"]

    no_further_action = welsh("No further action")
    assert [(e["kind"], e["text"]) for e in timeline] == [
        ("received", welsh("Received by Hedgerow")),
        ("photo_received", welsh("Photo received")),
        ("farmer_update", welsh("You added: %(text)s", {"text": "Daethon nhw'n ôl neithiwr"})),
        ("chased", welsh("You chased this report: %(text)s", {"text": "Does neb wedi fy ffonio"})),
        ("acknowledged", welsh("Seen by the rural crime team")),
        ("assigned", welsh("An officer has been assigned")),
        ("reference_added", welsh("Crime reference: %(reference)s", {"reference": "46/777/26"})),
        ("contacted", welsh("An officer contacted you")),
        ("attended", f"{welsh('An officer attended')}. Buom yn y fynedfa gyda'r ffermwr"),
        ("decision", f"{no_further_action}: Does dim tystion na chamerâu."),
        ("update_sent", "Rydym wedi gofyn i'r cyngor ei glirio."),
        ("closed", welsh("Closed: %(outcome)s", {"outcome": welsh("Passed to the council")})),
        ("reopened", welsh("Reopened")),
    ]
    # The pull of changes says the same words as the read.
    [pulled] = [r for r in farmer.pull()["reports"] if r["id"] == report_id]
    assert pulled["timeline"] == timeline
    # The officer's API view keeps the English words (staff read English unless their console says otherwise).
    staff = api.get(f"/api/v1/reports/{report_id}", headers=officer_api).json()
    assert staff["timeline"][0]["text"] == "Received by Hedgerow"


def test_a_phone_that_adds_photos_reads_the_count_in_welsh(console: ConsoleServer) -> None:
    farmer = Farmer(console, language="cy")
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    photos = [photo_decl(jpeg_bytes(color=(10 * n, 40, 40))) for n in range(1, 4)]
    sent = farmer.client.post(
        f"/api/v1/reports/{report_id}/updates",
        json={"update_id": str(uuid.uuid4()), "text": "", "photos": photos},
        headers=farmer.headers,
    )
    assert sent.status_code == 201, sent.text
    words = catalogue("cy").npgettext("farmer", "You added %(count)d photo", "You added %(count)d photos", 3)
    assert words != "You added %(count)d photos"
    assert sent.json()["timeline"][-1]["text"] == words % {"count": 3}


def test_a_phone_registered_without_a_language_reads_english(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    assert device_language(console, farmer) == "en"
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    assert farmer.view(report_id)["timeline"][0]["text"] == "Received by Hedgerow"


def test_patch_me_changes_the_language_and_reports_sent_before_read_in_it(console: ConsoleServer) -> None:
    farmer = Farmer(console, language="en")
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    assert farmer.view(report_id)["timeline"][0]["text"] == "Received by Hedgerow"

    changed = farmer.client.patch("/api/v1/me", json={"language": "cy"}, headers=farmer.headers)

    assert changed.status_code == 200, changed.text
    assert changed.json() == {"language": "cy"}
    assert device_language(console, farmer) == "cy"
    assert farmer.view(report_id)["timeline"][0]["text"] == welsh("Received by Hedgerow")
    back = farmer.client.patch("/api/v1/me", json={"language": "en"}, headers=farmer.headers)
    assert back.status_code == 200 and back.json() == {"language": "en"}
    assert farmer.view(report_id)["timeline"][0]["text"] == "Received by Hedgerow"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"language": "fr"}, "language"),
        ({"language": "CY"}, "language"),
        ({"language": 1}, "language"),
        ({"language": None}, "language"),
        ({}, "language"),
        ({"language": "cy", "name": "Someone Else"}, "name"),
    ],
)
def test_patch_me_refuses_an_unknown_language_a_wrong_type_and_other_fields_with_422(
    console: ConsoleServer, body: dict[str, Any], expected: str
) -> None:
    farmer = Farmer(console, language="cy")
    refused = farmer.client.patch("/api/v1/me", json=body, headers=farmer.headers)
    assert refused.status_code == 422, refused.text
    assert expected in refused.text
    assert device_language(console, farmer) == "cy"  # unchanged


def test_patch_me_refuses_a_body_that_is_not_json_with_422(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    refused = farmer.client.patch(
        "/api/v1/me", content=b"language=cy", headers={**farmer.headers, "Content-Type": "application/json"}
    )
    assert refused.status_code == 422, refused.text


@pytest.mark.parametrize("language", ["fr", "", 7, ["cy"]])
def test_registration_refuses_an_unknown_language_or_a_wrong_type_with_422(
    console: ConsoleServer, language: Any
) -> None:
    client = console.client()
    body = {"name": "Jo Farmer", "phone": "07700 900123", "language": language}
    refused = client.post("/api/v1/devices", json=body)
    assert refused.status_code == 422, refused.text
    assert "language" in refused.text


def test_patch_me_needs_a_valid_device_token(console: ConsoleServer, api: httpx.Client, officer_api: dict) -> None:
    body = {"language": "cy"}
    assert api.patch("/api/v1/me", json=body).status_code == 401
    wrong = api.patch("/api/v1/me", json=body, headers={"Authorization": "Bearer hd_not-a-real-token"})
    assert wrong.status_code == 401
    assert "unknown or revoked device token" in wrong.json()["detail"]
    staff = api.patch("/api/v1/me", json=body, headers=officer_api)
    assert staff.status_code == 401 and staff.json()["detail"] == "this needs a device token"


def test_one_phone_changing_its_language_leaves_every_other_phone_alone(console: ConsoleServer) -> None:
    welsh_farmer, english_farmer = Farmer(console, language="cy"), Farmer(console, language="en")
    changed = english_farmer.client.patch("/api/v1/me", json={"language": "en"}, headers=english_farmer.headers)
    assert changed.status_code == 200
    assert device_language(console, welsh_farmer) == "cy"
    report_id = welsh_farmer.report(KENT_FAR_FROM_SUSSEX)
    assert welsh_farmer.view(report_id)["timeline"][0]["text"] == welsh("Received by Hedgerow")


# -- Update templates in the farmer's language -----------------------------------------------------------------


# A force's own templates replace the built-in ones of their language for the whole force: the test that writes
# one does it in Sussex, so that Kent keeps the built-in ones for the other tests in any order.
IN_SUSSEX = (50.9, -0.4)


@pytest.fixture(scope="module")
def sussex_supervisor(console: ConsoleServer) -> Staff:
    return login(console, "language.supervisor", "supervisor", SUSSEX_POLICE, name="Sgt Sussex")


@pytest.fixture(scope="module")
def sussex_officer(console: ConsoleServer) -> Staff:
    return login(console, "language.sussex.officer", "officer", SUSSEX_POLICE, name="PC Sussex")


def test_an_officer_is_offered_the_built_in_templates_in_the_language_the_farmer_reads(
    console: ConsoleServer, officer: Staff
) -> None:
    welsh_report = Farmer(console, language="cy").report(KENT_FAR_FROM_SUSSEX)
    english_report = Farmer(console, language="en").report(KENT_FAR_FROM_SUSSEX)

    welsh_page = officer.get(f"/console/reports/{welsh_report}").text
    english_page = officer.get(f"/console/reports/{english_report}").text

    # The officer's console is English; the farmer's language is said, and the templates are in it.
    assert '<html lang="en-GB">' in welsh_page
    assert 'The farmer reads <span lang="cy">Cymraeg</span>.' in welsh_page
    assert 'The farmer reads <span lang="en-GB">English</span>.' in english_page
    thanks = "Thank you for your report. The rural crime team has it and {officer} is looking at it."
    assert welsh("Acknowledged") in welsh_page
    assert welsh(thanks).replace("{officer}", "PC Kent").replace("'", "&#39;") in welsh_page
    assert thanks.replace("{officer}", "PC Kent") not in welsh_page
    assert thanks.replace("{officer}", "PC Kent") in english_page


def test_a_force_s_own_welsh_template_is_offered_for_welsh_farmers_only(
    console: ConsoleServer, sussex_supervisor: Staff, sussex_officer: Staff
) -> None:
    supervisor, officer = sussex_supervisor, sussex_officer
    body = "Diolch, {officer}. Cyfeirnod: {reference}. Daeth i law: {received}."
    saved = supervisor.post("/console/admin/templates", {"title": "Diolch am adrodd", "body": body, "language": "cy"})
    assert saved.status_code == 303, saved.text[:500]
    assert console.query("SELECT language, body FROM update_templates WHERE title = 'Diolch am adrodd'")[0][:] == (
        "cy",
        body,
    )
    welsh_report = Farmer(console, language="cy").report(IN_SUSSEX)
    english_report = Farmer(console, language="en").report(IN_SUSSEX)

    welsh_page = officer.get(f"/console/reports/{welsh_report}").text
    english_page = officer.get(f"/console/reports/{english_report}").text

    assert ">Diolch am adrodd</option>" in welsh_page
    # The force has a Welsh template of its own now: the built-in Welsh ones step aside, the English ones stay.
    assert welsh("Officer attending") not in welsh_page
    assert "Diolch am adrodd" not in english_page
    assert ">Officer attending</option>" in english_page
    # Filled in in Welsh: the date as a Welsh reader writes it (a Welsh month name, from Babel's Welsh data).
    received = format_date(console.now().astimezone(LONDON).date(), "d MMMM y", locale="cy")
    assert f"Daeth i law: {received}." in welsh_page

    refused = supervisor.post("/console/admin/templates", {"title": "Ffrangeg", "body": "Bonjour", "language": "fr"})
    assert refused.status_code == 422
    assert console.scalar("SELECT count(*) FROM update_templates WHERE title = 'Ffrangeg'") == 0


def test_an_update_written_from_a_welsh_template_reaches_the_farmer_in_welsh(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console, "Elin Jones", language="cy")
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    attending = welsh(
        "An officer is on the way to you. If anyone is in danger or the offenders are still there, call 999."
    )
    # Without JavaScript the template fills the box from the page's own link, as the console offers it.
    filled = officer.get(f"/console/reports/{report_id}", params={"template": welsh("Officer attending")}).text
    assert f">{attending.replace(chr(39), '&#39;')}</textarea>" in filled

    sent = officer.act(report_id, "update_sent", text=attending)

    assert sent.status_code == 303, sent.text[:500]
    assert farmer.view(report_id)["timeline"][-1] == {
        "kind": "update_sent",
        "at": farmer.view(report_id)["timeline"][-1]["at"],
        "text": attending,
        "reference": None,
    }
