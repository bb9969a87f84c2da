"""The spec's limits on GET requests: a window of at most 90 days (the last 90 by default) and at most 1,000 items.

The server runs on an injected clock (HEDGEROW_CLOCK_FILE). Its database is filled before it starts through the
one intake function, `put_report`, with each report received at a chosen time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from backend.db import open_and_migrate
from backend.services.intake.reports import put_report
from backend.writes import write
from tests.backend.open311_support import OPEN311, add_partner, as_xml_text, errors_of, xml_items
from tests.support import DEMO_AREAS, KENT, LiveServer
from wire.reports import ReportCreate

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
RECENT = 1005  # fly-tipping reports, one a minute back from NOW
# Fuel thefts received these many days before NOW, to test the window's edges.
OLD_DAYS = (100, 91, 89)


def _report(category: str, details: dict[str, str], at: datetime) -> ReportCreate:
    return ReportCreate.model_validate(
        {
            "category": category,
            "occurred_at": at.isoformat(),
            "created_at": at.isoformat(),
            "location": {"lat": KENT[0], "lon": KENT[1], "source": "map"},
            "details": details,
        }
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, dict[int, str], Path]]:
    """A server whose partner submitted RECENT fly-tips and three fuel thefts long ago."""
    data_dir = tmp_path_factory.mktemp("open311-limits")
    clock = data_dir / "clock"
    clock.write_text(NOW.isoformat())
    live = LiveServer(data_dir, env={"HEDGEROW_CLOCK_FILE": str(clock)})
    assert live.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    key = add_partner(live, "Kent County Council", [], [])
    db = open_and_migrate(data_dir / "hedgerow.db")
    device_id = db.execute("SELECT device_id FROM partners").fetchone()[0]
    old: dict[int, str] = {}
    with write(db):
        for minutes in range(RECENT):
            at = NOW - timedelta(minutes=minutes)
            body = _report("fly_tipping", {"size_band": "single item"}, at)
            assert put_report(db, device_id, str(uuid.uuid4()), body, at)
        for days in OLD_DAYS:
            at = NOW - timedelta(days=days)
            old[days] = str(uuid.uuid4())
            assert put_report(db, device_id, old[days], _report("theft_fuel", {}, at), at)
    db.close()
    live.start()
    yield live, key, old, clock
    live.stop()


def _get(live: LiveServer, key: str, fmt: str = "json", **params: str) -> httpx.Response:
    return httpx.get(f"{live.url}{OPEN311}/requests.{fmt}", params={"api_key": key, **params}, timeout=60)


def _w3c(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_requests_are_capped_at_1000_newest_first_and_xml_agrees_with_json(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, _, _ = seeded
    as_json = _get(live, key)
    assert as_json.status_code == 200
    items = as_json.json()
    assert len(items) == 1000
    times = [datetime.fromisoformat(i["requested_datetime"]) for i in items]
    assert times == sorted(times, reverse=True)
    assert times[0] == NOW
    assert times[-1] == NOW - timedelta(minutes=999)
    as_xml = _get(live, key, "xml")
    in_xml = xml_items(as_xml.text, "service_requests", "request")
    assert len(in_xml) == 1000
    assert in_xml == [{k: as_xml_text(v) for k, v in item.items()} for item in items]


def test_more_than_1000_service_request_ids_are_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, _, _ = seeded
    # Short ids: 1,001 UUIDs would not fit in a request line.
    too_many = _get(live, key, service_request_id=",".join(str(i) for i in range(1001)))
    assert too_many.status_code == 400
    assert errors_of(too_many) == [{"code": 400, "description": "at most 1000 service_request_id values at once"}]
    assert _get(live, key, service_request_id=",".join(str(i) for i in range(1000))).json() == []


def test_default_window_is_the_90_days_before_the_server_clock(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, old, clock = seeded
    fuel = _get(live, key, service_code="theft_fuel").json()
    assert [i["service_request_id"] for i in fuel] == [old[89]]
    clock.write_text((NOW + timedelta(days=2)).isoformat())
    try:
        assert _get(live, key, service_code="theft_fuel").json() == []
    finally:
        clock.write_text(NOW.isoformat())


def test_a_window_of_90_days_is_answered_and_one_of_more_is_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, old, _ = seeded
    start = NOW - timedelta(days=100, hours=1)
    ninety = _get(
        live, key, service_code="theft_fuel", start_date=_w3c(start), end_date=_w3c(start + timedelta(days=90))
    )
    assert [i["service_request_id"] for i in ninety.json()] == [old[89], old[91], old[100]]
    for fmt in ("json", "xml"):
        longer = _get(live, key, fmt, start_date=_w3c(start), end_date=_w3c(start + timedelta(days=90, seconds=1)))
        assert longer.status_code == 400
        assert errors_of(longer) == [
            {"code": 400, "description": "start_date and end_date may not span more than 90 days"}
        ]
    backwards = _get(live, key, start_date=_w3c(NOW), end_date=_w3c(NOW - timedelta(days=1)))
    assert errors_of(backwards) == [{"code": 400, "description": "end_date is before start_date"}]
    garbled = _get(live, key, "xml", start_date="yesterday")
    assert garbled.status_code == 400
    assert "start_date must be a W3C datetime" in errors_of(garbled)[0]["description"]


def test_one_end_of_the_window_sets_the_other_90_days_away(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, old, _ = seeded
    from_start = _get(live, key, service_code="theft_fuel", start_date=_w3c(NOW - timedelta(days=185)))
    assert [i["service_request_id"] for i in from_start.json()] == [old[100]]  # up to 95 days ago
    # A date alone is midnight UTC: 90 days ago at 00:00, so 91 and 100 days ago (at noon) are in, 89 is not.
    from_end = _get(live, key, service_code="theft_fuel", end_date=(NOW - timedelta(days=90)).date().isoformat())
    assert [i["service_request_id"] for i in from_end.json()] == [old[91], old[100]]


def test_service_request_id_overrides_the_window(seeded) -> None:  # type: ignore[no-untyped-def]
    live, key, old, _ = seeded
    by_id = _get(live, key, service_request_id=f"{old[100]},{old[91]}", start_date=_w3c(NOW - timedelta(days=1)))
    assert sorted(i["service_request_id"] for i in by_id.json()) == sorted([old[100], old[91]])
    assert all(i["status"] == "open" for i in by_id.json())
