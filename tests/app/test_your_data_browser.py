"""Issue 17, "The farmer's own data", on the phone: the "Your data" screen in a real browser against the real
backend. The download says where the ZIP was saved and how big it is; asking the police to erase the farmer's
contact details asks first, then shows the server's own words; "Delete everything on this phone" asks first, says
how many reports the police have not received and that they will be lost, and leaves an empty app at its first
screen."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium
from tests.support import DEMO_AREAS, LiveServer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD_GATE = {"latitude": 51.2502, "longitude": 0.9004, "accuracy": 8}  # in the demo Kent area
SAVED = re.compile(r"Saved on this phone: (\S+\.zip) \((\d+(?:\.\d)? [KM]B)\)")


def _phone(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(f"file:{data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _server(server: LiveServer, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(f"file:{server.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _report(screen: FletScreen) -> None:
    """A machinery theft with the phone's position and nothing else, saved on the phone."""
    screen.tap("Report an incident")
    screen.tap("No")
    screen.tap("Machinery")
    screen.wait_text("0 of 6 photos")
    screen.tap("Next")
    screen.tap("Use my position (GPS)")
    screen.wait_text("Your position, accurate to ±8 m")
    screen.tap("Next")
    screen.tap("Next")
    screen.wait_text("Have you already called 101 or 999?")
    screen.tap("No")
    screen.tap("Next")
    screen.tap("Save report")
    screen.wait_text("Saved on this phone. It will be sent as soon as there is signal.")


def test_the_your_data_screen_downloads_erases_and_deletes_with_the_farmer_told_each_time(
    tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LiveServer(tmp_path / "server", env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    server.start()
    monkeypatch.setenv("HEDGEROW_SYNC_PERIOD_S", "2")
    monkeypatch.setenv("HEDGEROW_SYNC_BACKOFF_S", "1")
    shots = artifacts / "app" / "your-data"
    phone = tmp_path / "phone"
    app = AppProcess(phone, server_url=server.url).start()
    try:
        with chromium(geolocation=FIELD_GATE, permissions=["geolocation"]) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.register()
            _report(screen)
            screen.on_screen(re.compile(r"\bSent\b")).first.wait_for(timeout=60_000)
            [(device_id, token)] = _phone(phone, "SELECT device_id, token FROM profile")
            [(report_id,)] = _server(server, "SELECT id FROM reports")

            screen.press_until("Your data", screen.text("A copy of your data"))
            screen.shot("your-data", PHONE_SIZES)

            # Download: the ZIP lands in the app's data folder, and the screen says where and how big.
            said = screen.on_screen(SAVED).first
            screen.press_until("Download my data", said, wait_s=30)
            found = SAVED.search(said.inner_text())
            assert found is not None
            [saved] = list((phone / "exports").glob("*.zip"))
            assert found.group(1) == str(saved)
            assert re.fullmatch(r"hedgerow-my-data-\d{4}-\d\d-\d\d\.zip", saved.name)
            assert found.group(2) == f"{max(1, round(saved.stat().st_size / 1000))} KB"
            with zipfile.ZipFile(saved) as z:
                assert {"device.json", f"reports/{report_id}.json", "manifest.json", "README.txt"} <= set(z.namelist())
                assert b"07700 900123" in z.read("device.json")
            screen.shot("your-data-downloaded", PHONE_SIZES)

            # Erasure: asked first, on a screen of its own; "Keep my details" changes nothing.
            screen.press_until("Ask the police to erase my contact details", screen.text("Erase your contact details?"))
            screen.wait_text("They will not be able to call you back about any of your reports")
            screen.shot("your-data-erase-asked", PHONE_SIZES)
            screen.press_until("Keep my details", screen.text("A copy of your data"))
            assert _server(server, f"SELECT name FROM devices WHERE id = '{device_id}'") == [("Jo Farmer",)]
            screen.press_until("Ask the police to erase my contact details", screen.text("Erase your contact details?"))
            screen.tap("Erase them")
            screen.wait_text("Done. Your name, phone number, email address, farm name and postcode were erased")
            # The server's own words, as a second request (which changes nothing) gets them.
            again = httpx.post(f"{server.url}/api/v1/me/erasure", headers={"Authorization": f"Bearer {token}"})
            assert again.status_code == 200
            screen.wait_text(again.json()["message"])
            contact = "SELECT name, phone, farm_name, postcode FROM devices WHERE id = "
            assert _server(server, f"{contact} '{device_id}'") == [("", "", None, None)]
            assert _phone(phone, "SELECT name, phone, farm_name, postcode, token FROM profile") == [
                ("", "", None, None, token)  # the phone forgets them too, and keeps its registration
            ]
            screen.shot("your-data-erased", PHONE_SIZES)

            # Delete everything: with a report the police have not received, the question says so.
            server.stop()
            screen.tap("Back")
            _report(screen)
            screen.press_until("Your data", screen.text("A copy of your data"))
            question = "1 report has not been sent yet: it will be lost, and the police will never get it."
            screen.press_until("Delete everything on this phone", screen.text(question))
            screen.wait_text("Delete everything?")
            screen.shot("your-data-delete-asked", PHONE_SIZES)
            screen.press_until("Keep everything", screen.text("A copy of your data"))
            expect(screen.on_screen(question)).to_have_count(0)
            assert len(_phone(phone, "SELECT id FROM reports")) == 2
            screen.press_until("Delete everything on this phone", screen.text(question))
            screen.tap("Delete everything")
            screen.wait_text("Welcome to Hedgerow")
            screen.shot("deleted-welcome", PHONE_SIZES)
            wait_until(lambda: not _phone(phone, "SELECT 1 FROM profile"), "the phone's profile gone")
            tables = [r[0] for r in _phone(phone, "SELECT name FROM sqlite_master WHERE type = 'table'")]
            kept = ("_migrations", "settings")
            holding = [t for t in tables if t not in kept and _phone(phone, f'SELECT 1 FROM "{t}"')]
            assert holding == []
            # What the sync engine notes after its next pass (when it last ran, and how it ended), and nothing else.
            assert {k for (k,) in _phone(phone, "SELECT key FROM settings")} <= {"sync_last_at", "sync_last_error"}
            assert [p for p in (phone / "photos").rglob("*") if p.is_file()] == []
            assert list((phone / "exports").iterdir()) == []
            assert b"Jo Farmer" not in (phone / "hedgerow.db").read_bytes()
    finally:
        app.stop()
        server.stop()
