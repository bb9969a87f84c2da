"""A phone's alert places and choices go with it when the retention purge deletes its registration (silent for
three years), R*Tree entries included, and the alerts it pulled stay, counted one fewer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend.db import open_and_migrate
from backend.services.alerts import issuing, places, reach
from backend.services.areas.boundaries import import_areas
from backend.services.intake import devices
from backend.services.retention import purge
from backend.services.staff.accounts import add_user
from backend.settings import Settings
from tests.backend.alerts_support import FARM, alert_body
from tests.support import DEMO_AREAS
from wire.alerts import AlertChannels, AlertCreate, AlertPlace
from wire.reports import DeviceCreate

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_the_purge_of_a_silent_phone_takes_its_alert_places_and_choices_and_leaves_the_alerts(tmp_path: Path) -> None:
    db = open_and_migrate(tmp_path / "hedgerow.db")
    try:
        import_areas(db, DEMO_AREAS)
        settings = Settings(data_dir=tmp_path, sms_url="", smtp_host="")
        officer = add_user(db, "kent.retention", "kent-retention-pw", "officer", "Kent Police", T0)
        phones = [devices.register(db, DeviceCreate(name="Jo", phone="07700 900123"), "127.0.0.1", T0)[0] for _ in "ab"]
        for phone in phones:
            places.set_places(db, phone, [AlertPlace(lat=FARM[0], lon=FARM[1], radius_km=5)], T0)
            places.set_channels(db, phone, AlertChannels(sms=True, email=False), T0)
        alert_id = issuing.issue(db, officer, AlertCreate.model_validate(alert_body()), T0, settings)
        for phone in phones:
            reach.record_pulled(db, phone, [alert_id], T0)
        # The second phone is heard from later (it sent a report): only the first is silent for three years.
        db.execute("UPDATE devices SET last_seen_at = ? WHERE id = ?", ["2028-06-01T00:00:00Z", phones[1]])

        result = purge.run(db, settings, T0 + timedelta(days=4 * 365))

        assert [(d.kind, d.key) for d in result.items if d.kind == "device"] == [("device", phones[0])]
        for table in ("alert_places", "alert_subscriptions", "alert_reached"):
            kept = db.execute(f"SELECT DISTINCT device_id FROM {table}").fetchall()
            assert [r[0] for r in kept] == [phones[1]], table
        assert db.execute("SELECT count(*) FROM alert_place_boxes").fetchone()[0] == 1
        assert reach.devices_reached(db, *FARM, 1.0) == [phones[1]]
        assert db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1
    finally:
        db.close()
