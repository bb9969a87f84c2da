"""The alert screens in a real browser with no signal: alerts pulled earlier show on home nearest first, open,
lead to a report, and the Alerts settings keep the farmer's choices; every state screenshotted and checked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.store import alerts as alert_store
from app.store.places import save_place
from app.store.profile import save_profile
from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium, publish_screens, saved_value
from tests.support import wait_until
from wire.alerts import AlertPublic
from wire.reports import DeviceCreate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FARM = (51.2502, 0.9004)
TOP_GATE = (51.2950, 0.9510)


def pulled_alert(alert_id: int, where: tuple[float, float], title: str, **extra: Any) -> AlertPublic:
    now = datetime.now(UTC)
    return AlertPublic.model_validate(
        {
            "id": alert_id,
            "force": "Kent Police",
            "title": title,
            "text": "Three men with lurchers seen in a white pickup heading towards Faversham. Do not approach them.",
            "category": "hare_coursing",
            "vehicle_registration": "AB12CDE",
            "area": {"lat": where[0], "lon": where[1], "radius_km": 10},
            "issued_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "expires_at": (now + timedelta(hours=48)).isoformat(),
            **extra,
        }
    )


def settings_value(app: AppProcess, column: str) -> Any:
    import sqlite3

    db = sqlite3.connect(f"file:{app.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute(f"SELECT {column} FROM alert_settings WHERE id = 1").fetchone()
    finally:
        db.close()
    return row[0] if row else None


def test_pulled_alerts_show_offline_open_lead_to_a_report_and_the_settings_keep_each_choice(
    tmp_path: Path, artifacts: Path
) -> None:
    from app.store import Store

    data_dir = tmp_path / "phone"
    store = Store(data_dir)
    now = datetime.now(UTC)
    details = DeviceCreate(name="Jo Farmer", phone="07700 900123", farm_name="Manor Farm", postcode="ME13 9AB")
    save_profile(store, details, "http://127.0.0.1:9", now)
    gate = save_place(store, "Top gate", *TOP_GATE, 6.0, None, now)
    alert_store.set_opted_in(store, True, now)
    alert_store.set_farm(store, *FARM, None, now)
    far = pulled_alert(1, (51.30, 1.05), "Trailer stolen near Canterbury", category="theft_machinery")
    near = pulled_alert(2, (51.2952, 0.9004), "Hare coursers seen on the Ridgeway")
    alert_store.store_pull(store, [far, near], [], "c1", True, now)
    store.close()

    shots = artifacts / "app" / "alerts"
    app = AppProcess(data_dir).start()  # the server's address answers nothing: no signal
    try:
        with chromium() as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.wait_text("Police alerts near you: 2 new")
            nearest, farther = screen.text("5 km from Manor Farm"), screen.text("12 km from Manor Farm")
            assert nearest.first.bounding_box()["y"] < farther.first.bounding_box()["y"]  # type: ignore[index]
            report_button = screen.button("Report an incident").bounding_box()
            assert farther.first.bounding_box()["y"] < report_button["y"]  # type: ignore[index]  # alerts on top
            # A screen reader reads each tile whole, "New" first while it is unread.
            expect(screen.page.get_by_role("button", name=re.compile(r"^New\b"))).to_have_count(2)
            screen.shot("home-alerts", PHONE_SIZES)

            screen.text("Hare coursers seen on the Ridgeway").first.click()
            screen.wait_text("Police alert from Kent Police")
            for words in ("5 km from Manor Farm", "Hare coursing", "AB12CDE", "(UK time)"):
                screen.wait_text(words)
            screen.shot("alert", PHONE_SIZES)
            screen.tap("Back")
            screen.wait_text("Police alerts near you: 1 new")
            expect(screen.page.get_by_role("button", name=re.compile(r"^New\s+Trailer stolen"))).to_have_count(1)
            expect(screen.page.get_by_role("button", name=re.compile(r"^Hare coursers seen"))).to_have_count(1)  # read

            screen.text("Hare coursers seen on the Ridgeway").first.click()
            screen.tap("I've seen this")
            screen.wait_text("Is it happening now, or is anyone in danger?")
            wait_until(lambda: saved_value(app.data_dir, "draft", "alert_id") == 2, "the draft linked to the alert")
            assert saved_value(app.data_dir, "draft", "category") == "hare_coursing"
            assert saved_value(app.data_dir, "draft", "vehicles", 0, "registration") == "AB12CDE"
            screen.shot("seen-report-step-1", PHONE_SIZES)
            screen.tap("No")
            screen.wait_text("What happened?")
            screen.tap("Home (the report is kept)")

            screen.tap("Alerts from the police")
            screen.wait_text("Only the places you choose here are sent")
            screen.wait_text("Alerts within 10 km")  # the farm, chosen with its position
            screen.shot("settings", PHONE_SIZES)
            screen.in_view(screen.button("Top gate: 20 km")).click()
            wait_until(lambda: saved_value_radius(app, gate.id) == 20.0, "the saved place chosen at 20 km")
            screen.wait_text("Alerts within 20 km")
            screen.tap("Manor Farm: Off")
            wait_until(lambda: settings_value(app, "farm_radius_km") is None, "the farm turned off")
            screen.in_view(screen.page.get_by_role("checkbox", name=re.compile("Text message to 07700 900123"))).click()
            wait_until(lambda: settings_value(app, "sms") == 1, "SMS chosen")
            screen.wait_text("Waiting to send your choices")
            screen.shot("settings-chosen", PHONE_SIZES)

            screen.page.get_by_role("checkbox", name="Send me alerts").click()
            wait_until(lambda: settings_value(app, "opted_in") == 0, "opted out")
            screen.wait_text("No more alerts")
            screen.tap("Back")
            screen.wait_text("Carry on with your unfinished report")
            expect(screen.on_screen("Police alerts near you")).to_have_count(0)
            screen.shot("home-opted-out", PHONE_SIZES)
    finally:
        app.stop()
    publish_screens(shots)


def saved_value_radius(app: AppProcess, place_id: int) -> float | None:
    import sqlite3

    db = sqlite3.connect(f"file:{app.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute("SELECT radius_km FROM alert_places WHERE place_id = ?", [place_id]).fetchone()
    finally:
        db.close()
    return row[0] if row else None
