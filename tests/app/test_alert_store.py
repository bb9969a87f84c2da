"""The phone's store of police alerts and of the farmer's alert choices (issue 19), on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.store import Store
from app.store import alerts as alert_store
from app.store.places import save_place
from app.sync.alerts import coarse_point, places_body
from core.geo import distance_m
from wire.alerts import AlertPublic

NOW = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
MANOR_FARM = (51.2502, 0.9004)


def alert(alert_id: int, lat: float = 51.26, lon: float = 0.91, **changes: Any) -> AlertPublic:
    body: dict[str, Any] = {
        "id": alert_id,
        "force": "Kent Police",
        "title": f"Alert {alert_id}",
        "text": "Hare coursers seen with lurchers in a white pickup",
        "category": "hare_coursing",
        "vehicle_registration": "AB12CDE",
        "area": {"lat": lat, "lon": lon, "radius_km": 10},
        "issued_at": (NOW - timedelta(hours=1)).isoformat(),
        "updated_at": (NOW - timedelta(hours=1)).isoformat(),
        "expires_at": (NOW + timedelta(hours=47)).isoformat(),
        "an_extra_field_from_a_newer_server": "ignored",
    }
    body.update(changes)
    return AlertPublic.model_validate(body)


def ids(store: Store, now: datetime = NOW) -> list[int]:
    return sorted(a.id for a in alert_store.active_alerts(store, now))


def test_a_pull_is_kept_with_its_cursor_and_reads_back_with_no_signal(store: Store) -> None:
    assert alert_store.alerts_cursor(store) is None  # the first pull asks for everything
    fresh = alert_store.store_pull(store, [alert(1), alert(2, vehicle_registration=None)], [], "c1", True, NOW)
    assert fresh == 2
    assert alert_store.alerts_cursor(store) == "c1"
    stored = alert_store.get_alert(store, 1, NOW)
    assert stored is not None
    assert (stored.title, stored.category, stored.vehicle_registration) == ("Alert 1", "hare_coursing", "AB12CDE")
    assert (stored.area_lat, stored.area_lon, stored.area_radius_km) == (51.26, 0.91, 10.0)
    assert stored.expires_at == "2026-11-22T05:30:00.000000+00:00"  # one stored form, UTC
    assert stored.read_at is None
    assert ids(store) == [1, 2]


def test_withdrawn_alerts_go_and_expired_ones_go_by_the_phones_own_clock(store: Store) -> None:
    soon = NOW + timedelta(minutes=30)
    alert_store.store_pull(store, [alert(1), alert(2), alert(3, expires_at=soon.isoformat())], [], "c1", True, NOW)
    alert_store.store_pull(store, [], [2], "c2", False, NOW)
    assert ids(store) == [1, 3]
    # No pull at all: the phone's clock alone hides the one past its end, on the list and when opened.
    later = NOW + timedelta(minutes=31)
    assert ids(store, later) == [1]
    assert alert_store.get_alert(store, 3, later) is None
    # The next pull removes it from the phone.
    alert_store.store_pull(store, [], [], "c3", False, later)
    with store.read() as db:
        assert [r[0] for r in db.execute("SELECT id FROM alerts")] == [1]


def test_a_full_pull_replaces_the_list_and_a_pull_since_a_cursor_adds_to_it(store: Store) -> None:
    alert_store.store_pull(store, [alert(1), alert(2)], [], "c1", True, NOW)
    alert_store.store_pull(store, [alert(3)], [], "c2", False, NOW)
    assert ids(store) == [1, 2, 3]
    alert_store.store_pull(store, [alert(3)], [], "c3", True, NOW)  # after the places changed
    assert ids(store) == [3]
    alert_store.store_pull(store, [], [], "c4", True, NOW)
    assert ids(store) == []


def test_a_read_alert_stays_read_unless_the_police_change_it(store: Store) -> None:
    alert_store.store_pull(store, [alert(1)], [], "c1", True, NOW)
    alert_store.mark_read(store, 1, NOW)
    assert alert_store.store_pull(store, [alert(1)], [], "c2", False, NOW) == 0
    first = alert_store.get_alert(store, 1, NOW)
    assert first is not None and first.read_at is not None
    changed = alert(1, text="Now heading north on the A2", updated_at=NOW.isoformat())
    assert alert_store.store_pull(store, [changed], [], "c3", False, NOW) == 1
    again = alert_store.get_alert(store, 1, NOW)
    assert again is not None and again.read_at is None and again.text == "Now heading north on the A2"
    alert_store.mark_read(store, 1, NOW)
    alert_store.mark_unread(store, 1)
    assert (alert_store.get_alert(store, 1, NOW) or again).read_at is None


def test_choices_wait_until_the_server_takes_them_and_a_change_meanwhile_waits_again(store: Store) -> None:
    assert alert_store.places_to_send(store) is None  # never opted in: nothing to send
    alert_store.set_opted_in(store, True, NOW)
    alert_store.set_farm(store, *MANOR_FARM, None, NOW)
    version, chosen = alert_store.places_to_send(store) or (0, [])
    assert [(p.lat, p.lon, p.radius_km) for p in chosen] == [(*MANOR_FARM, alert_store.DEFAULT_RADIUS_KM)]
    alert_store.store_pull(store, [], [], "c1", True, NOW)
    alert_store.choose_farm(store, 20.0, NOW)  # changed while the first version was on its way
    alert_store.places_sent(store, version, NOW)
    assert alert_store.load_settings(store).places_pending
    assert alert_store.alerts_cursor(store) is None  # new places: the whole list next time
    latest, chosen = alert_store.places_to_send(store) or (0, [])
    assert latest > version and [p.radius_km for p in chosen] == [20.0]
    alert_store.places_sent(store, latest, NOW)
    assert alert_store.places_to_send(store) is None
    assert not alert_store.load_settings(store).places_pending


def test_opting_out_sends_no_places_and_forgets_the_alerts(store: Store) -> None:
    alert_store.set_opted_in(store, True, NOW)
    alert_store.set_farm(store, *MANOR_FARM, None, NOW)
    alert_store.places_sent(store, (alert_store.places_to_send(store) or (0, []))[0], NOW)
    alert_store.store_pull(store, [alert(1)], [], "c1", True, NOW)
    alert_store.set_opted_in(store, False, NOW)
    assert alert_store.places_to_send(store) is not None
    assert (alert_store.places_to_send(store) or (0, ["x"]))[1] == []
    assert ids(store) == [] and alert_store.alerts_cursor(store) is None
    assert not alert_store.wants_alerts(store)


def test_saved_places_are_chosen_with_a_radius_and_a_moved_one_is_sent_again(store: Store) -> None:
    gate = save_place(store, "Top gate", 51.30, 0.95, 8.0, None, NOW)
    barn = save_place(store, "Old barn", 51.31, 0.96, 8.0, None, NOW)
    alert_store.set_opted_in(store, True, NOW)
    alert_store.choose_place(store, gate.id, 5.0, NOW)
    assert alert_store.load_settings(store).places == {gate.id: 5.0}
    assert [p.name for p in alert_store.chosen_places(store, "Manor Farm")] == ["Top gate"]  # no farm placed yet
    alert_store.places_sent(store, (alert_store.places_to_send(store) or (0, []))[0], NOW)
    save_place(store, "Old barn", 51.32, 0.97, 8.0, None, NOW)  # not an alert place: nothing to send
    assert alert_store.places_to_send(store) is None
    save_place(store, "Top gate", 51.301, 0.951, 8.0, None, NOW)  # the farmer corrected it
    _version, chosen = alert_store.places_to_send(store) or (0, [])
    assert [(p.lat, p.lon, p.radius_km) for p in chosen] == [(51.301, 0.951, 5.0)]
    alert_store.choose_place(store, gate.id, None, NOW)
    assert alert_store.load_settings(store).places == {}
    assert barn.id not in alert_store.load_settings(store).places


def test_a_radius_that_is_not_offered_and_a_place_that_does_not_exist_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="choose 5, 10, 20 km"):
        alert_store.choose_farm(store, 7.5, NOW)
    with pytest.raises(ValueError, match="choose 5, 10, 20 km"):
        alert_store.choose_place(store, 1, 100.0, NOW)
    with pytest.raises(KeyError, match="42"):
        alert_store.choose_place(store, 42, 5.0, NOW)
    assert alert_store.load_settings(store) == alert_store.AlertSettings(places={})


def test_a_place_leaves_the_phone_rounded_to_about_a_kilometre_with_no_name() -> None:
    for lat, lon in [MANOR_FARM, (55.6, -2.8), (50.07, -5.7), (51.249999, 0.900001)]:
        coarse = coarse_point(lat, lon)
        assert distance_m(lat, lon, *coarse) < 720  # at most half a 1 km cell's diagonal
    # Two points a few metres apart in one cell go out the same: the exact point cannot be read back.
    assert coarse_point(51.25020, 0.90040) == coarse_point(51.25030, 0.90050)
    body = places_body([alert_store.ChosenPlace("Manor Farm", *MANOR_FARM, 10.0)])
    assert body == {
        "places": [{"lat": coarse_point(*MANOR_FARM)[0], "lon": coarse_point(*MANOR_FARM)[1], "radius_km": 10.0}]
    }
    assert "Manor" not in str(body) and str(MANOR_FARM[0]) not in str(body)
