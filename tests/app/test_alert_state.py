"""The alerts as the farmer meets them (home, the alert screen, "I've seen this", the Alerts settings), driven as
the views drive them, against a real phone database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.services.location import Fix
from app.state import alerts as alert_state
from app.state.app_state import AppState
from app.store import Store
from app.store import alerts as alert_store
from app.store import reports as report_store
from app.store.places import save_place
from tests.app.conftest import FakeClock, FakePhone
from tests.app.test_alert_store import MANOR_FARM, alert
from wire.alerts import MAX_ALERT_PLACES
from wire.reports import ReportCreate


def register(app: AppState, farm_name: str = "Manor Farm") -> None:
    fields = {"name": "Jo Farmer", "phone": "07700 900123", "farm_name": farm_name, "postcode": "ME13 9AB"}
    for name, value in fields.items():
        app.registration.set_field(name, value)
    assert app.register(), app.registration.errors


def opt_in_with_farm(app: AppState) -> None:
    app.open_alert_settings()
    form = app.alert_settings
    assert form is not None
    form.set_opted_in(True)
    form.set_farm_grid_ref_text("TR 02528 54118")  # Manor Farm's yard
    assert form.use_farm_grid_ref()
    app.close_alert_settings()


def pulled(store: Store, clock: FakeClock, *alerts: object) -> None:
    alert_store.store_pull(store, list(alerts), [], "c1", True, clock())  # type: ignore[arg-type]


def test_home_lists_alerts_nearest_first_with_the_distance_to_the_farm_and_marks_unread(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    opt_in_with_farm(app)
    far = alert(1, 51.30, 1.05, title="Trailer stolen near Canterbury")  # about 12 km from the farm
    near = alert(2, 51.2952, 0.9004, title="Hare coursers on the Ridgeway")  # about 5 km north
    pulled(store, clock, far, near)
    app.refresh()
    rows = app.alerts.rows
    assert [r.title for r in rows] == ["Hare coursers on the Ridgeway", "Trailer stolen near Canterbury"]
    assert [r.distance for r in rows] == ["5 km from Manor Farm", "12 km from Manor Farm"]
    assert all(r.unread for r in rows) and app.alerts.unread == 2
    assert rows[0].until == "Until Sun 22 Nov 2026, 05:30 (UK time)"

    app.open_alert(2)
    assert app.screen == "alert" and app.alerts.opened is not None
    assert app.alerts.opened.category == "Hare coursing" and app.alerts.opened.vehicle_registration == "AB12CDE"
    assert app.alerts.unread == 1  # read once opened
    app.mark_alert_unread()
    assert app.screen == "home" and app.alerts.unread == 2


def test_an_alert_past_its_end_leaves_home_by_the_phones_clock_and_cannot_be_opened(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    opt_in_with_farm(app)
    pulled(store, clock, alert(1, expires_at=(clock() + timedelta(minutes=5)).isoformat()), alert(2))
    app.refresh()
    assert sorted(r.id for r in app.alerts.rows) == [1, 2]
    clock.advance(minutes=6)
    app.open_alert(1)
    assert app.screen == "home"
    assert app.notice == "That alert has ended or was withdrawn by the police."
    assert [r.id for r in app.alerts.rows] == [2]


def test_an_alert_open_on_screen_that_is_withdrawn_closes_with_the_next_refresh(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    opt_in_with_farm(app)
    pulled(store, clock, alert(1))
    app.refresh()
    app.open_alert(1)
    alert_store.store_pull(store, [], [1], "c2", False, clock())
    app.refresh()
    assert app.alerts.opened is None and app.alerts.rows == []


def test_ive_seen_this_starts_a_report_linked_to_the_alert_that_goes_on_as_usual(
    app: AppState, store: Store, clock: FakeClock, phone: FakePhone
) -> None:
    register(app)
    opt_in_with_farm(app)
    pulled(store, clock, alert(7, title="Hare coursers on the Ridgeway"))
    app.refresh()
    app.open_alert(7)
    app.seen_alert()
    draft = app.draft
    assert app.screen == "report" and draft is not None
    assert draft.step == "danger"  # the danger question first, as in every report
    assert (draft.alert_id, draft.category) == (7, "hare_coursing")
    assert draft.vehicles == [{"registration": "AB12CDE", "make": "", "model": "", "colour": "", "direction": ""}]
    draft.answer_danger(False)
    draft.choose_category("hare_coursing")
    phone.fixes = [Fix(51.29, 0.93, accuracy_m=8.0)]
    asyncio.run(draft.find_gps())
    draft.set_detail("dogs_count", "3")
    draft.go_to("review")
    assert app.save_report()
    [saved] = report_store.list_reports(store)
    body = ReportCreate.model_validate({**report_store.report_body(store, saved.id)})
    assert body.alert_id == 7 and body.category == "hare_coursing"
    assert [v.registration for v in body.vehicles] == ["AB12CDE"]


def test_ive_seen_this_with_an_unfinished_report_keeps_it_and_says_so(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    opt_in_with_farm(app)
    app.start_report()
    unfinished = app.draft
    assert unfinished is not None
    app.leave_report()
    pulled(store, clock, alert(3))
    app.refresh()
    app.open_alert(3)
    app.seen_alert()
    assert app.draft is unfinished and unfinished.alert_id is None
    assert app.screen == "alert" and "unfinished report" in app.notice


def test_an_alert_without_category_or_vehicle_starts_a_plain_report_linked_to_it(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    opt_in_with_farm(app)
    pulled(store, clock, alert(4, category=None, vehicle_registration=None))
    app.refresh()
    app.open_alert(4)
    app.seen_alert()
    assert app.draft is not None
    assert (app.draft.alert_id, app.draft.category, app.draft.vehicles) == (4, None, [])


def test_settings_keep_each_choice_at_once_and_ask_for_a_sync(app: AppState, store: Store, phone: FakePhone) -> None:
    register(app)
    asked: list[bool] = []
    app.open_alert_settings()
    form = app.alert_settings
    assert form is not None
    form._changed = lambda: asked.append(True)
    assert not form.opted_in and form.farm is None
    form.set_opted_in(True)
    form.set_farm_grid_ref_text("TR 025 54")  # odd digits
    assert not form.use_farm_grid_ref()
    assert form.message and form.farm is None
    phone.fixes = [Fix(*MANOR_FARM, accuracy_m=6.0)]
    asyncio.run(form.use_farm_position())  # "I'm at the farm": the farmer's choice of place, kept on the phone
    assert form.farm is not None and form.farm.name == "Manor Farm" and form.farm.radius_km == 10.0
    form.set_radius("farm", 20.0)
    form.set_sms(True)
    assert form.waiting and len(asked) == 4
    stored = alert_store.load_settings(store)
    assert (stored.opted_in, stored.farm_lat, stored.farm_radius_km, stored.sms) == (True, MANOR_FARM[0], 20.0, True)
    form.set_email(True)  # no email address on this farmer's details
    assert form.message == "Alerts by email need an email address in your details." and not form.email
    with pytest.raises(KeyError, match="place-99"):
        form.set_radius("place-99", 5.0)


def test_no_more_than_the_servers_limit_of_places_can_be_chosen(app: AppState, store: Store, clock: FakeClock) -> None:
    register(app)
    for n in range(MAX_ALERT_PLACES + 1):
        save_place(store, f"Field {n:02d}", 51.25 + n / 100, 0.9, 5.0, None, clock())
    app.open_alert_settings()
    form = app.alert_settings
    assert form is not None
    form.set_opted_in(True)
    for place in form.places[:MAX_ALERT_PLACES]:
        form.set_radius(place.key, 5.0)
    form.set_radius(form.places[-1].key, 5.0)
    assert form.message == f"Up to {MAX_ALERT_PLACES} places. Turn one off first."
    assert form.places[-1].radius_km is None and form.chosen == MAX_ALERT_PLACES
    form.set_radius(form.places[0].key, None)
    form.set_radius(form.places[-1].key, 20.0)
    assert form.places[-1].radius_km == 20.0


def test_opting_out_clears_the_alerts_from_home(app: AppState, store: Store, clock: FakeClock) -> None:
    register(app)
    opt_in_with_farm(app)
    pulled(store, clock, alert(1))
    app.refresh()
    assert app.alerts.rows
    app.open_alert_settings()
    assert app.alert_settings is not None
    app.alert_settings.set_opted_in(False)
    app.close_alert_settings()
    assert app.alerts.rows == [] and app.screen == "home"


def test_valid_until_reads_in_uk_time_whatever_the_phones_zone() -> None:
    assert alert_state.uk_time("2026-07-01T12:00:00+00:00") == "Wed 01 Jul 2026, 13:00"
    assert alert_state.uk_time("2026-12-01T12:00:00-05:00") == "Tue 01 Dec 2026, 17:00"
