"""The report page against the real backend: what it shows, each action as one event, and what reaches the farmer."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    event_kinds,
    login,
)
from tests.backend.intake import jpeg_with_exif, uploader
from tests.support import photo_decl, report_body


def uk_local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def test_the_page_shows_what_the_farmer_sent_and_who_sent_it(console: ConsoleServer, officer: Staff) -> None:
    farmer = Farmer(console, "Sam Hill")
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="theft_quad",
        description="Red Honda quad taken from the barn",
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "accuracy_m": 8, "place_name": "Top barn"},
        details={"make": "Honda", "value_gbp": 6500, "immobiliser_fitted": False},
        vehicles=[{"registration": "WX12 ABC", "make": "Ford", "model": "Ranger", "colour": "grey"}],
        calls=[{"channel": "101", "called_at": console.now().isoformat(), "waited_s": 1200, "outcome": "abandoned"}],
    )
    page = officer.get(f"/console/reports/{report_id}").text
    for expected in (
        "Red Honda quad taken from the barn",
        "Sam Hill",
        "07700 900123",
        "Hill Farm",
        "Top barn",
        "51.25000, 1.20000",
        "TR 23411 54957",  # the OS grid reference computed from the point
        "WX12ABC",
        "Honda",
        "6500",
        "No",  # immobiliser fitted
        "20.0 min",
        "abandoned",
        "Answered by the rural crime team",
        "1 working day",
        "Running",
        "Report received",
    ):
        assert expected in page, expected
    assert 'id="report-map"' in page and 'data-lat="51.25"' in page
    reads = console.query("SELECT via FROM staff_reads WHERE report_id = ?", report_id)
    assert [r["via"] for r in reads] == ["console"]


def _people_line(page: str) -> str | None:
    found = re.search(r"<dt>People</dt><dd>(.*?)</dd>", page)
    return found.group(1) if found else None


@pytest.mark.parametrize(
    ("people", "line"),
    [
        ({"count": 2, "description": "two men in hi-vis"}, "2 people: two men in hi-vis"),
        ({"count": 1, "description": "a woman with a lurcher"}, "1 person: a woman with a lurcher"),
        ({"count": 3}, "3 people"),
        ({"description": "several, could not count"}, "several, could not count"),
        ({}, None),
    ],
)
def test_the_people_line_reads_as_words(
    console: ConsoleServer, officer: Staff, people: dict[str, object], line: str | None
) -> None:
    report_id = Farmer(console).report(KENT_FAR_FROM_SUSSEX, category="hare_coursing", people=people)
    page = officer.get(f"/console/reports/{report_id}").text
    assert _people_line(page) == line


def test_each_action_is_one_event_shown_at_once_and_the_farmer_sees_only_the_public_ones(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, description="Sheep worried by two dogs")
    login(console, "report.colleague", "officer", KENT_POLICE, name="PC Colleague")
    colleague_id = console.scalar("SELECT id FROM users WHERE username = 'report.colleague'")
    since = farmer.pull()["cursor"]
    # The officer records that they attended three minutes ago, typed in UK time as the form asks.
    attended_at = console.advance(minutes=5) - timedelta(minutes=3)
    steps = [
        ("acknowledged", {}, "Acknowledged"),
        ("assigned", {"user_id": str(colleague_id)}, "Assigned to PC Colleague"),
        ("reference_added", {"reference": "46/12345/26"}, "Crime reference given: 46/12345/26"),
        ("contacted", {"text": "Spoke to the farmer by phone"}, "Farmer contacted"),
        ("attended", {"text": "Visited the field", "at": uk_local(attended_at)}, "Attended"),
        ("decision", {"decision": "investigate"}, "Decision: investigate"),
        ("update_sent", {"text": "We have identified the dogs' owner."}, "Update sent to the farmer"),
        ("note", {"text": "Owner known to us: previous incidents"}, "Internal note"),
        ("closed", {"outcome": "arrest", "text": "Owner charged"}, "Closed: Arrest"),
        ("reopened", {"text": "Owner appealed"}, "Reopened"),
    ]
    for kind, fields, words in steps:
        r = officer.act(report_id, kind, **fields)
        assert r.status_code == 303, (kind, r.text[:500])
        assert r.headers["location"] == f"/console/reports/{report_id}?done={kind}#timeline"
        page = officer.get(r.headers["location"]).text
        assert words in page, kind
    assert event_kinds(console, report_id) == ["received"] + [kind for kind, _, _ in steps]
    recorded = console.scalar("SELECT at FROM events WHERE report_id = ? AND kind = 'attended'", report_id)
    assert recorded.startswith(attended_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    assert console.scalar("SELECT assigned_to FROM reports WHERE id = ?", report_id) == colleague_id
    assert console.scalar("SELECT police_reference FROM reports WHERE id = ?", report_id) == "46/12345/26"
    # The farmer's next pull carries the public events, never the internal note.
    pulled = farmer.pull(int(since))
    mine = next(r for r in pulled["reports"] if r["id"] == report_id)
    texts = [e.get("text") for e in mine["timeline"]]
    kinds = [e["kind"] for e in mine["timeline"]]
    # Each public action in the farmer's words, the officer's own words after them; no staff name.
    assert texts == [
        "Received by Hedgerow",
        "Seen by the rural crime team",
        "An officer has been assigned",
        "Crime reference: 46/12345/26",
        "An officer contacted you. Spoke to the farmer by phone",
        "An officer attended. Visited the field",
        "The police will investigate",
        "We have identified the dogs' owner.",
        "Closed: Arrest made. Owner charged",
        "Reopened. Owner appealed",
    ]
    assert "PC Colleague" not in str(mine)
    assert "note" not in kinds and "Owner known to us: previous incidents" not in str(mine)
    assert mine["police_reference"] == "46/12345/26" and mine["status"] == "in_progress"


def test_a_duplicate_is_closed_with_a_link_to_the_report_it_repeats(console: ConsoleServer, officer: Staff) -> None:
    farmer = Farmer(console)
    first = farmer.report(KENT_FAR_FROM_SUSSEX, description="Fly-tip in the lane")
    second = farmer.report(KENT_FAR_FROM_SUSSEX, description="Same fly-tip, reported again")
    r = officer.act(second, "closed", duplicate_of=first.upper())
    assert r.status_code == 303
    row = console.query("SELECT status, closed_at FROM reports WHERE id = ?", second)[0]
    assert row["status"] == "closed" and row["closed_at"]
    data = console.scalar("SELECT data FROM events WHERE report_id = ? AND kind = 'closed'", second)
    assert '"outcome": "duplicate"' in data and first in data
    page = officer.get(f"/console/reports/{second}").text
    assert "Closed: Duplicate of another report" in page and f'href="/console/reports/{first}"' in page
    assert "Reopen" in page and "Record decision" not in page  # a closed report offers reopening


def test_update_templates_fill_in_the_report_and_work_without_javascript(console: ConsoleServer) -> None:
    supervisor = login(console, "templates.sup", "supervisor", KENT_POLICE, name="PS Template")
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, category="theft_fuel", description="Red diesel taken")
    # Until the force writes its own, the built-in templates are offered.
    page = supervisor.get(f"/console/reports/{report_id}").text
    assert "Crime reference" in page and "Officer attending" in page
    r = supervisor.post(
        "/console/admin/templates",
        {"title": "Fuel advice", "body": "Ref {reference}: {officer} will call about the {category}. {unknown}"},
    )
    assert r.status_code == 303
    supervisor.act(report_id, "reference_added", reference="46/999/26")
    page = supervisor.get(f"/console/reports/{report_id}").text
    assert "Officer attending" not in page  # the force's own replace the built-in ones
    template_id = console.scalar("SELECT id FROM update_templates WHERE title = 'Fuel advice'")
    filled = "Ref 46/999/26: PS Template will call about the Fuel or oil. {unknown}"
    assert f'data-text="{filled}"' in page
    # Without JavaScript, choosing a template reloads the page with the text in the box.
    nojs = supervisor.get(f"/console/reports/{report_id}", params={"template": str(template_id)}).text
    box = re.search(r'<textarea id="update-text"[^>]*>([^<]*)</textarea>', nojs)
    assert box and box.group(1) == filled
    assert supervisor.act(report_id, "update_sent", text=filled).status_code == 303
    assert filled in str(farmer.view(report_id)["timeline"])


def test_photos_are_shown_as_stripped_copies_and_the_original_is_logged(console: ConsoleServer, officer: Staff) -> None:
    farmer = Farmer(console)
    photo = jpeg_with_exif(51.2512, 1.2034, "2026:03:01 10:00:00")
    decl = photo_decl(photo)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, photos=[decl])
    uploader(console.url, farmer.headers, photo, report_id, decl).upload()
    page = officer.get(f"/console/reports/{report_id}").text
    base = f"/console/reports/{report_id}/photos/{decl['photo_id']}"
    assert f'src="{base}/thumb"' in page and f'href="{base}/original"' in page
    thumb = officer.get(f"{base}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) <= 400 and not image.getexif()  # downscaled, no EXIF (so no location)
    display = officer.get(f"{base}/display")
    with Image.open(io.BytesIO(display.content)) as image:
        assert max(image.size) <= 1600 and not image.getexif()
    reads_before = console.scalar("SELECT count(*) FROM staff_reads WHERE via = 'photo-original'")
    original = officer.get(f"{base}/original")
    assert original.status_code == 200 and original.content == photo
    assert console.scalar("SELECT count(*) FROM staff_reads WHERE via = 'photo-original'") == reads_before + 1
    assert officer.get(f"/console/reports/{report_id}/photos/{decl['photo_id']}/raw").status_code == 404


def test_a_place_given_only_in_words_is_shown_as_no_position_with_the_farmers_words(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console, "Ann Lane")
    words = "the lay-by on the B2163 past the church"
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        location={"lat": 51.25, "lon": 1.2, "source": "described", "place_name": words},
    )
    assert farmer.view(report_id)["location"]["source"] == "described"
    page = officer.get(f"/console/reports/{report_id}").text
    assert "<strong>None given.</strong> The farmer could not give a position" in page
    assert f"<dt>Place, in the farmer&#39;s words</dt><dd>{words}</dd>" in page


def test_photo_provenance_is_stored_and_shown_and_an_old_photo_is_pointed_out(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console, "Pat Provenance")
    occurred = console.now().replace(microsecond=0)
    old = jpeg_with_exif(51.2512, 1.2034, "2026:03:01 10:00:00")
    fresh = jpeg_with_exif(51.2512, 1.2034, "2026:03:01 10:00:00", make="OtherCam")
    original = "ab" * 32
    declared = [
        {  # taken ten days before the incident, 2.2 km north of the report's location
            **photo_decl(old),
            "taken_at": (occurred - timedelta(days=10)).isoformat(),
            "taken_lat": 51.27,
            "taken_lon": 1.2,
            "original_sha256": original,
        },
        {**photo_decl(fresh), "taken_at": (occurred - timedelta(hours=1)).isoformat()},  # no position given
    ]
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        occurred_at=occurred.isoformat(),
        photos=declared,
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "accuracy_m": 8},
    )
    stored = console.query(
        "SELECT taken_at, taken_lat, taken_lon, original_sha256 FROM report_photos WHERE report_id = ? "
        "ORDER BY declared_at, rowid",
        report_id,
    )
    assert [tuple(r) for r in stored] == [
        ((occurred - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ"), 51.27, 1.2, original),
        ((occurred - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), None, None, None),
    ]
    page = officer.get(f"/console/reports/{report_id}").text
    assert page.count("days before the incident") == 1
    assert "Taken 10 days before the incident: check it is a photo of this one." in page
    assert "2.2 km from the report's location" in page
    assert f"<code>{original}</code>" in page
    assert page.count("<dt>Where the camera was</dt><dd>the camera did not say</dd>") == 1  # the second photo


def test_a_photo_declared_with_half_a_position_is_refused(console: ConsoleServer) -> None:
    farmer = Farmer(console, "Half Position")
    decl = {**photo_decl(jpeg_with_exif(51.25, 1.2, "2026:03:01 10:00:00")), "taken_lat": 51.27}
    bad = farmer.client.put(
        "/api/v1/reports/6b1f3a2e-0000-4000-8000-000000000001",
        json=report_body(photos=[decl]),
        headers=farmer.headers,
    )
    assert bad.status_code == 422
    assert "give both taken_lat and taken_lon, or neither" in bad.text
    assert "Value error" not in bad.text
