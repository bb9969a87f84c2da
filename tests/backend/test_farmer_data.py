"""Issue 17, must-show 2: the farmer's own data through the real API. The export ZIP holds every report of the
phone, as the farmer sees it, and its photos as sent (their SHA-256 is the one declared, and the manifest's), and
nothing of another phone; `hedgerow sar` gives the same and the staff's reads. After the farmer asks for their
contact details to be erased, none of their distinctive contact strings is in any console page, staff API answer,
CSV, Open311 answer, nor in the database's file or WAL; the reports stay, the police's answers still reach the
phone, and asking again answers the same."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.uktime import LONDON
from tests.backend.console_support import KENT_FAR_FROM_SUSSEX, KENT_POLICE, ConsoleServer, Staff, login
from tests.backend.intake import noise_jpeg, uploader
from tests.backend.open311_support import add_partner, staff_and_partner_answers
from tests.support import photo_decl, report_body
from wire.farmer_data import ContactErasure

FARMER = {
    "name": "Gwendolyn Fairweather-Oakhurst",
    "phone": "07700 900862",
    "farm_name": "Quenby Moor Grange",
    "postcode": "ME9 8XQ",
    "email": "g.fairweather.oakhurst@example.net",
}
# Each contact detail, and the parts of it a page could show on their own (a phone without its space, a tel: link).
CONTACT = ("Gwendolyn", "Fairweather", "Oakhurst", "900862", "07700900862", "Quenby", "ME9 8XQ", "ME98XQ")
NEIGHBOUR = {"name": "Tobias Wexcombe", "phone": "07700 900731", "farm_name": "Larkhollow Barton"}
DESCRIPTION = "Cut the padlock on the implement shed and took the hedge trimmer"
UPDATE_BEFORE = "We have logged the hedge trimmer's serial number with the national database."
UPDATE_AFTER = "A hedge trimmer matching yours was recovered in Faversham; please call in to identify it."


@dataclass
class World:
    device_id: str
    farmer: dict[str, str]  # auth headers
    reports: dict[str, dict[str, bytes]]  # report id -> photo id -> the bytes sent
    declared: dict[str, str]  # photo id -> the sha256 the phone declared
    neighbour: dict[str, str]
    neighbour_report: str
    neighbour_photo: bytes
    officer: Staff
    api: dict[str, str]  # the officer's staff API headers


def _register(client: httpx.Client, details: dict[str, str]) -> tuple[str, dict[str, str]]:
    r = client.post("/api/v1/devices", json=details)
    assert r.status_code == 201, r.text
    return r.json()["device_id"], {"Authorization": f"Bearer {r.json()['token']}"}


def _send(console: ConsoleServer, headers: dict[str, str], photos: list[bytes], **body: Any) -> dict[str, bytes]:
    """A report with its photos uploaded over tus, as the app sends them; returns photo id -> bytes."""
    client, report_id = console.client(), str(uuid.uuid4())
    decls = [photo_decl(data) for data in photos]
    sent = client.put(
        f"/api/v1/reports/{report_id}",
        json=report_body(where=KENT_FAR_FROM_SUSSEX, photos=decls, **body),
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    for data, decl in zip(photos, decls, strict=True):
        uploader(console.url, headers, data, report_id, decl).upload()
    return {"id": report_id.encode()} | {d["photo_id"]: data for data, d in zip(photos, decls, strict=True)}


@pytest.fixture(scope="module")
def world(console: ConsoleServer) -> World:
    client = console.client()
    device_id, farmer = _register(client, FARMER)
    _, neighbour = _register(client, NEIGHBOUR)
    place = {"lat": KENT_FAR_FROM_SUSSEX[0], "lon": KENT_FAR_FROM_SUSSEX[1], "radius_km": 5}
    assert client.put("/api/v1/me/alert-places", json={"places": [place]}, headers=farmer).status_code == 200
    channels = client.put("/api/v1/me/alert-channels", json={"sms": True, "email": True}, headers=farmer)
    assert channels.status_code == 200, channels.text
    first = _send(
        console, farmer, [noise_jpeg(1), noise_jpeg(2)], category="theft_tools_burglary", description=DESCRIPTION
    )
    second = _send(console, farmer, [noise_jpeg(3)])
    third = _send(console, farmer, [])
    theirs = _send(console, neighbour, [noise_jpeg(4)])
    reports = {}
    for sent in (first, second, third):
        report_id = sent.pop("id").decode()
        reports[report_id] = sent
    officer = login(console, "data.officer", "officer", KENT_POLICE, name="PC Data")
    password = console.add_user("data.api", "officer", KENT_POLICE)
    token = client.post("/api/v1/tokens", json={"username": "data.api", "password": password}).json()["token"]
    for report_id in reports:  # the officer reads each: the access log has something to show
        assert officer.get(f"/console/reports/{report_id}").status_code == 200
    first_id = next(iter(reports))
    assert officer.act(first_id, "update_sent", text=UPDATE_BEFORE).status_code == 303
    declared = {pid: hashlib.sha256(data).hexdigest() for photos in reports.values() for pid, data in photos.items()}
    return World(
        device_id,
        farmer,
        reports,
        declared,
        neighbour,
        theirs.pop("id").decode(),
        next(iter(theirs.values())),
        officer,
        {"Authorization": f"Bearer {token}"},
    )


def _zip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


def _leaks(text: str | bytes) -> list[str]:
    low = text.lower() if isinstance(text, str) else text.decode("utf-8", "replace").lower()
    return [c for c in CONTACT if c.lower() in low]


def _expected_names(world: World) -> set[str]:
    names = {"device.json", "alerts.json", "manifest.json", "README.txt"} | {f"reports/{r}.json" for r in world.reports}
    return names | {f"photos/{r}/{p}.jpg" for r, photos in world.reports.items() for p in photos}


def test_the_export_is_one_dated_zip_of_every_report_of_the_phone_and_its_photos_as_sent(
    console: ConsoleServer, world: World
) -> None:
    got = console.client().get("/api/v1/me/export", headers=world.farmer)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    day = console.now().astimezone(LONDON).date().isoformat()  # the server's clock, as a UK day
    assert got.headers["content-disposition"] == f'attachment; filename="hedgerow-my-data-{day}.zip"'
    assert int(got.headers["content-length"]) == len(got.content)
    files = _zip(got.content)
    assert set(files) == _expected_names(world)

    manifest = json.loads(files["manifest.json"])
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, data in files.items():
        if name != "manifest.json":
            assert listed[name] == {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert (manifest["device_id"], manifest["reports"], manifest["photos"]) == (world.device_id, 3, 3)
    assert manifest["photos_missing"] == []

    for report_id, photos in world.reports.items():
        report = json.loads(files[f"reports/{report_id}.json"])
        # As the farmer's own API answers it, field for field.
        assert report == console.client().get(f"/api/v1/reports/{report_id}", headers=world.farmer).json()
        assert {p["photo_id"]: p["sha256"] for p in report["photos"]} == {p: world.declared[p] for p in photos}
        for photo_id, sent in photos.items():
            stored = files[f"photos/{report_id}/{photo_id}.jpg"]
            assert stored == sent  # the bytes as sent ...
            assert hashlib.sha256(stored).hexdigest() == world.declared[photo_id]  # ... so the declared sha256
            assert listed[f"photos/{report_id}/{photo_id}.jpg"]["sha256"] == world.declared[photo_id]
    first = json.loads(files[f"reports/{next(iter(world.reports))}.json"])
    assert first["description"] == DESCRIPTION
    assert UPDATE_BEFORE in [entry["text"] for entry in first["timeline"]]
    assert json.loads(files["device.json"]) == {
        "device_id": world.device_id,
        **FARMER,
        "language": "en",
        "registered_at": json.loads(files["device.json"])["registered_at"],
        "contact_erased_at": None,
    }
    alerts = json.loads(files["alerts.json"])
    assert alerts["channels"] == {"sms": True, "email": True}
    [place] = alerts["places"]  # as the server keeps it: the 1 km square's centre, within a kilometre of the farm
    assert place["radius_km"] == 5
    assert abs(place["lat"] - KENT_FAR_FROM_SUSSEX[0]) < 0.01 and abs(place["lon"] - KENT_FAR_FROM_SUSSEX[1]) < 0.015
    readme = files["README.txt"].decode()
    assert "It holds 3 reports and 3 photos." in readme and "SHA-256" in readme


def test_a_phone_that_reads_welsh_gets_its_export_explained_in_welsh(console: ConsoleServer) -> None:
    client = console.client()
    _, headers = _register(client, {"name": "Elin Prys", "phone": "07700 900555", "language": "cy"})
    _send(console, headers, [noise_jpeg(9)], category="fly_tipping", description="Teiars yn y gilfan")
    got = client.get("/api/v1/me/export", headers=headers)
    assert got.status_code == 200, got.text
    files = _zip(got.content)
    assert json.loads(files["device.json"])["language"] == "cy"
    readme = files["README.txt"].decode()
    assert readme.startswith("Eich data o Hedgerow\n====================\n"), readme[:200]
    assert "\nmanifest.json\n    Pob ffeil yma" in readme  # each file's name as it is in the ZIP, then its words
    words = " ".join(readme.split())  # as read, whatever the line breaks
    assert "Mae'n cynnwys: 1 adroddiad, 1 llun." in words and "Beth sydd ynddo" in words
    assert "ôl bys SHA-256" in words and '"Gofyn i\'r heddlu ddileu fy manylion cyswllt"' in words
    assert "It holds" not in words and "What is in it" not in words and "police records" not in words


def test_the_export_holds_nothing_of_another_phone(console: ConsoleServer, world: World) -> None:
    mine = console.client().get("/api/v1/me/export", headers=world.farmer).content
    files = _zip(mine)
    neighbour_sha = hashlib.sha256(world.neighbour_photo).hexdigest()
    for name, data in files.items():
        for foreign in (world.neighbour_report, neighbour_sha, "Wexcombe", "Larkhollow", "900731"):
            assert foreign.encode() not in data, (name, foreign)
    assert world.neighbour_photo not in mine
    theirs = _zip(console.client().get("/api/v1/me/export", headers=world.neighbour).content)
    assert set(theirs) == {
        "device.json",
        "alerts.json",
        "manifest.json",
        "README.txt",
        f"reports/{world.neighbour_report}.json",
        *[n for n in theirs if n.startswith(f"photos/{world.neighbour_report}/")],
    }
    assert len([n for n in theirs if n.startswith("photos/")]) == 1
    assert all(_leaks(data) == [] and world.device_id.encode() not in data for data in theirs.values())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer hd_not-a-token-this-server-gave"},
        {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Authorization": "Bearer hs_a-staff-token-shape-this-server-never-gave"},
    ],
    ids=["missing", "unknown", "not bearer", "staff-shaped"],
)
def test_the_export_and_the_erasure_need_the_phones_own_token(
    console: ConsoleServer, world: World, headers: dict[str, str]
) -> None:
    client = console.client()
    for answer in (
        client.get("/api/v1/me/export", headers=headers),
        client.post("/api/v1/me/erasure", headers=headers),
    ):
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == "Bearer"
        assert _leaks(answer.text) == []
    assert console.scalar("SELECT name FROM devices WHERE id = ?", world.device_id) == FARMER["name"]


def test_a_staff_token_cannot_export_or_erase_a_farmers_data(console: ConsoleServer, world: World) -> None:
    client = console.client()
    for answer in (
        client.get("/api/v1/me/export", headers=world.api),
        client.post("/api/v1/me/erasure", headers=world.api),
    ):
        assert answer.status_code == 401
        assert answer.json()["detail"] == "this needs a device token"


def test_hedgerow_sar_writes_the_same_zip_with_the_staffs_reads_for_a_phone_found_by_id_or_number(
    console: ConsoleServer, world: World, tmp_path: Path
) -> None:
    by_id, by_phone = tmp_path / "by-id.zip", tmp_path / "by-phone.zip"
    done = console.live.cli("sar", "--device", world.device_id, str(by_id))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {by_id} (") and f"for the phone {world.device_id}" in done.stdout
    assert "3 report(s), 3 photo(s), access_log.csv" in done.stdout
    # The number as an admin might type it, without the space the farmer typed: the same phone.
    done = console.live.cli("sar", "--phone", " 07700900862 ", str(by_phone))
    assert done.returncode == 0, done.stderr
    files = _zip(by_id.read_bytes())
    assert set(files) == _expected_names(world) | {"access_log.csv"}
    assert set(_zip(by_phone.read_bytes())) == set(files)
    manifest = json.loads(files["manifest.json"])
    assert {f["path"] for f in manifest["files"]} == set(files) - {"manifest.json"}
    for report_id, photos in world.reports.items():
        for photo_id, sent in photos.items():
            assert files[f"photos/{report_id}/{photo_id}.jpg"] == sent
    reads = list(csv.DictReader(io.StringIO(files["access_log.csv"].decode())))
    assert {(r["username"], r["role"], r["via"]) for r in reads} == {("data.officer", "officer", "console")}
    assert {r["report_id"] for r in reads} == set(world.reports)  # the neighbour's report is not theirs
    assert all(r["at"] for r in reads)
    assert "access_log.csv" in files["README.txt"].decode()


def test_hedgerow_sar_says_plainly_when_it_cannot_and_exits_2(
    console: ConsoleServer, world: World, tmp_path: Path
) -> None:
    out = tmp_path / "out.zip"
    unknown = console.live.cli("sar", "--device", str(uuid.uuid4()), str(out))
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr.startswith("error: no farmer's phone is registered with the id")
    nobody = console.live.cli("sar", "--phone", "01632 960000", str(out))
    assert nobody.returncode == 2 and "no farmer's phone is registered with the number '01632 960000'" in nobody.stderr
    nonsense = console.live.cli("sar", "--phone", "call me", str(out))
    assert nonsense.returncode == 2 and "is not a phone number" in nonsense.stderr
    assert not out.exists()
    out.write_bytes(b"an earlier answer")
    kept = console.live.cli("sar", "--device", world.device_id, str(out))
    assert kept.returncode == 2 and "File exists" in kept.stderr
    assert out.read_bytes() == b"an earlier answer"
    neither = console.live.cli("sar", str(out))
    assert neither.returncode == 2 and "one of the arguments --device --phone is required" in neither.stderr
    helped = console.live.cli("sar", "--help")
    assert helped.returncode == 0
    assert "usage: hedgerow sar [-h] (--device ID | --phone N) OUT.zip" in helped.stdout
    assert "access_log.csv" in helped.stdout


def _database_bytes(console: ConsoleServer) -> bytes:
    """The database file and its WAL, after a checkpoint by a connection of our own."""
    path = console.live.data_dir / "hedgerow.db"
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    wal = path.with_name("hedgerow.db-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_before_erasure_the_contact_details_are_there_to_find(console: ConsoleServer, world: World) -> None:
    """The searches below would find them: the officer's report page and the database file hold them now."""
    page = world.officer.get(f"/console/reports/{next(iter(world.reports))}").text
    assert set(_leaks(page)) >= {"Gwendolyn", "Quenby", "900862", "07700900862", "ME9 8XQ"}
    stored = _database_bytes(console)
    assert all(value.encode() in stored for value in FARMER.values())


def test_the_farmer_asks_for_erasure_and_is_told_in_plain_words_the_same_each_time(
    console: ConsoleServer, world: World
) -> None:
    client = console.client()
    first = client.post("/api/v1/me/erasure", headers=world.farmer)
    assert first.status_code == 200, first.text
    answer = ContactErasure.model_validate(first.json())
    assert answer.message.startswith("Done. Your name, phone number, email address, farm name and postcode were erased")
    assert "Your reports stay: they are police records of crimes" in answer.message
    assert "The police's answers to your reports still come to this app." in answer.message
    assert answer.removed == [
        "your name",
        "your phone number",
        "your email address",
        "your farm's name",
        "your postcode",
    ]
    console.advance(hours=1)
    second = client.post("/api/v1/me/erasure", headers=world.farmer)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert _leaks(first.text) == []
    row = console.query(
        "SELECT name, phone, email, farm_name, postcode, contact_erased_at, revoked_at FROM devices WHERE id = ?",
        world.device_id,
    )[0]
    assert tuple(row)[:5] == ("", "", None, None, None) and row["contact_erased_at"] and row["revoked_at"] is None
    # Alerts by SMS and email would go to nobody now: switched off. The app's alerts carry on.
    subscribed = console.query("SELECT sms, email FROM alert_subscriptions WHERE device_id = ?", world.device_id)
    assert [tuple(r) for r in subscribed] == [(0, 0)]
    assert client.get("/api/v1/alerts", headers=world.farmer).status_code == 200
    # One event on each report, with nothing in it; the reports themselves stay.
    events = console.query(
        "SELECT report_id, actor_kind, public, data FROM events WHERE kind = 'contact_erased' ORDER BY report_id"
    )
    assert [tuple(e) for e in events] == [(r, "device", 0, "{}") for r in sorted(world.reports)]
    assert console.scalar("SELECT count(*) FROM reports WHERE device_id = ?", world.device_id) == 3


def test_the_officers_report_page_says_the_details_were_erased_at_the_farmers_request(
    console: ConsoleServer, world: World
) -> None:
    for report_id in world.reports:
        page = world.officer.get(f"/console/reports/{report_id}")
        assert page.status_code == 200
        assert "Contact details erased at the farmer's request" in page.text
        assert "The farmer asked for their contact details to be erased" in page.text
        assert "tel:" not in page.text
        assert _leaks(page.text) == []
    assert DESCRIPTION in world.officer.get(f"/console/reports/{next(iter(world.reports))}").text


def test_the_farmer_still_gets_the_polices_answer_after_erasure(console: ConsoleServer, world: World) -> None:
    first_id = next(iter(world.reports))
    assert world.officer.act(first_id, "update_sent", text=UPDATE_AFTER).status_code == 303
    pulled = console.client().get("/api/v1/reports", params={"since": 0, "limit": 200}, headers=world.farmer)
    assert pulled.status_code == 200
    [report] = [r for r in pulled.json()["reports"] if r["id"] == first_id]
    assert UPDATE_AFTER in [entry["text"] for entry in report["timeline"]]
    assert "contact_erased" not in [entry["kind"] for entry in report["timeline"]]  # the police's note, not news


def test_after_erasure_no_page_api_answer_csv_or_export_holds_the_farmers_contact_details(
    console: ConsoleServer, world: World
) -> None:
    officer, first_id = world.officer, next(iter(world.reports))
    admin = login(console, "data.admin", "admin")
    nfu = login(console, "data.nfu", "nfu")
    partner_key = add_partner(console.live, "Kent Farm Watch", ["theft_tools_burglary", "fly_tipping"], [KENT_POLICE])
    client = console.client()
    staff_view = client.get(f"/api/v1/reports/{first_id}", headers=world.api)
    assert staff_view.status_code == 200
    assert staff_view.json()["reporter"] is None and staff_view.json()["contact_erased"] is True
    acted = client.post(f"/api/v1/reports/{first_id}/events", json={"kind": "acknowledged"}, headers=world.api)
    assert acted.status_code == 201, acted.text
    search = officer.get("/console", params={"q": "trimmer"})
    assert first_id in search.text  # found by its words ...
    answers = {
        **staff_and_partner_answers(client, officer, admin, nfu, search.text, partner_key),
        **{f"report page {r}": officer.get(f"/console/reports/{r}").text for r in world.reports},
        "staff API report": staff_view.text,
        "staff API event": acted.text,
        "the farmer's export": client.get("/api/v1/me/export", headers=world.farmer).content.decode("latin-1"),
    }
    assert first_id in answers["open311 json"] and first_id in answers["access log CSV"]
    assert {name: _leaks(text) for name, text in answers.items()} == {name: [] for name in answers}
    for word in ("Gwendolyn", "Quenby", "900862"):  # ... and by none of its farmer's
        assert first_id not in officer.get("/console", params={"q": word}).text


def test_after_erasure_the_database_file_and_its_wal_hold_none_of_the_contact_details(
    console: ConsoleServer, world: World
) -> None:
    stored = _database_bytes(console)
    assert [value for value in FARMER.values() if value.encode() in stored] == []
    assert [part for part in CONTACT if part.encode() in stored] == []
    assert b"Tobias Wexcombe" in stored  # the neighbour, who asked for nothing, is still there


def test_after_erasure_the_phone_is_no_longer_found_by_its_number(
    console: ConsoleServer, world: World, tmp_path: Path
) -> None:
    gone = console.live.cli("sar", "--phone", FARMER["phone"], str(tmp_path / "sar.zip"))
    assert gone.returncode == 2 and "no farmer's phone is registered with the number" in gone.stderr
    by_id = console.live.cli("sar", "--device", world.device_id, str(tmp_path / "sar.zip"))
    assert by_id.returncode == 0, by_id.stderr
    device = json.loads(_zip((tmp_path / "sar.zip").read_bytes())["device.json"])
    assert (device["name"], device["phone"], device["email"]) == ("", "", None)
    assert device["contact_erased_at"]


def test_a_farmer_registered_in_welsh_is_told_of_the_erasure_in_welsh(console: ConsoleServer) -> None:
    client = console.client()
    _, headers = _register(client, {"name": "Gwenllian Ty'n-y-Coed", "phone": "07700 900555", "language": "cy"})
    answered = client.post("/api/v1/me/erasure", headers=headers)
    assert answered.status_code == 200, answered.text
    answer = ContactErasure.model_validate(answered.json())
    assert answer.message.startswith("Wedi'i wneud. Cafodd eich enw, rhif ffôn, cyfeiriad e-bost")
    assert "Mae eich adroddiadau'n aros" in answer.message
    assert answer.removed == ["eich enw", "eich rhif ffôn", "eich cyfeiriad e-bost", "enw eich fferm", "eich cod post"]
    assert "Done." not in answered.text and "your name" not in answered.text
