"""The report flow's state, driven as the views drive it, against a real phone database."""

from __future__ import annotations

import asyncio

import pytest

from app.services.location import Fix
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.state.ports import PickedFile, Ports
from app.store import Store
from app.store import outbox as outbox_store
from app.store import reports as report_store
from tests.app.conftest import LONDON_WINTER, UNREACHABLE, FakeClock, FakePhone, register
from tests.app.images import camera_jpeg, heic
from wire.reports import ReportCreate

KENT = (51.25, 0.90)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def reopen(store: Store, ports: Ports) -> AppState:
    """As after the app was killed: a new database connection and new state from what is on the disk."""
    store.close()
    return AppState.open(Store(store.data_dir), ports, LONDON_WINTER, UNREACHABLE)


def fly_tip(app: AppState, phone: FakePhone) -> ReportDraft:
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("fly_tipping")
    phone.fixes = [Fix(*KENT, accuracy_m=8.0)]
    run(draft.find_gps())
    draft.set_detail("size_band", "small van load")
    return draft


def test_first_run_shows_registration_and_after_it_the_home_screen(app: AppState) -> None:
    assert app.screen == "register"
    assert app.registration.server_url == UNREACHABLE
    register(app)
    assert app.screen == "home"
    assert app.profile is not None and not app.profile.registered
    assert "sent when there is signal" in app.notice


def test_a_fly_tipping_report_is_saved_on_the_phone_and_queued(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    phone.picks = [[PickedFile("a.jpg", camera_jpeg()), PickedFile("b.jpg", camera_jpeg(900, 1200))]]
    run(draft.pick_photos())
    assert len(draft.photos) == 2
    draft.go_to("review")
    assert draft.errors == {}
    assert app.save_report()
    assert app.screen == "home"
    assert [r.state for r in app.reports] == ["Saved on this phone"]
    assert app.reports[0].photos == 2
    report = ReportCreate.model_validate(report_store.report_body(app._store, app.reports[0].id))
    assert report.category == "fly_tipping"
    assert report.details == {"size_band": "small van load"}
    assert (report.location.lat, report.location.lon, report.location.accuracy_m) == (51.25, 0.90, 8.0)
    assert len(report.photos) == 2


def test_saving_without_a_location_or_the_required_size_band_says_which_steps_to_fix(
    app: AppState, phone: FakePhone
) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.choose_category("fly_tipping")
    assert not app.save_report()
    assert set(draft.errors) == {"location", "details"}
    assert "How much: please choose one" in draft.errors["details"]
    assert app.screen == "report"
    assert report_store.list_reports(app._store) == []


def test_every_change_is_kept_and_the_draft_is_restored_after_the_app_is_killed(
    app: AppState, store: Store, ports: Ports, phone: FakePhone
) -> None:
    register(app)
    draft = fly_tip(app, phone)
    phone.picks = [[PickedFile("a.jpg", camera_jpeg(gps=(51.2502, 0.9001)))]]
    run(draft.pick_photos())
    draft.go_to("details")
    draft.set_text("description", "Three bags and a mattress")
    draft.add_vehicle()
    draft.set_vehicle(0, "registration", "ab12 cde")

    again = reopen(store, ports)
    assert again.screen == "report"
    restored = again.draft
    assert restored is not None
    assert restored.id == draft.id
    assert restored.step == "details"
    assert restored.category == "fly_tipping"
    assert restored.description == "Three bags and a mattress"
    assert restored.vehicles == [{"registration": "ab12 cde", "make": "", "model": "", "colour": "", "direction": ""}]
    assert restored.details == {"size_band": "small van load"}
    assert restored.location is not None and restored.location["source"] == "gps"
    assert [p.upload_sha256 for p in restored.photos] == [p.upload_sha256 for p in draft.photos]
    assert restored.photos[0].gps_lat == pytest.approx(51.2502)


def test_registration_is_normalised_when_the_farmer_leaves_the_box(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    draft.add_vehicle()
    draft.set_vehicle(0, "registration", " ab12 cde ")
    draft.tidy_registration(0)
    assert draft.vehicles[0]["registration"] == "AB12CDE"


def test_yes_to_danger_puts_999_first_and_the_report_records_the_call(
    app: AppState, phone: FakePhone, clock: FakeClock
) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(True)
    assert draft.step == "danger" and draft.happening_now is True
    run(draft.call_999())
    assert phone.launched == ["tel:999"]
    draft.go_to("category")
    draft.choose_category("hare_coursing")
    phone.fixes = [Fix(*KENT, accuracy_m=12.0)]
    run(draft.find_gps())
    # The call is logged with nothing pre-ticked: the farmer says how it ended before the report is saved.
    assert draft.calls[0]["outcome"] == ""
    assert not app.save_report()
    assert draft.errors == {"calls": ["Call 1: how did the call end? Choose one"]}
    assert draft.field_errors == {"call-0-outcome": "How did the call end? Choose one"}
    draft.set_call(0, "outcome", "answered")
    assert "call-0-outcome" not in draft.field_errors
    assert app.save_report()
    body = report_store.report_body(app._store, app.reports[0].id)
    assert body["happening_now"] is True
    assert [(c["channel"], c["called_at"], c["outcome"]) for c in body["calls"]] == [
        ("999", "2026-11-20T06:30:00Z", "answered")
    ]


def test_call_101_from_home_logs_the_start_and_asks_on_return_even_after_a_restart(
    app: AppState, store: Store, ports: Ports, phone: FakePhone, clock: FakeClock
) -> None:
    register(app)
    run(app.call_101())
    assert phone.launched == ["tel:101"]
    clock.advance(minutes=26)
    again = reopen(store, ports)
    assert again.pending_call == {
        "channel": "101",
        "started_at": "2026-11-20T06:30:00+00:00",
        "waited_min": "",
        "outcome": "",  # nothing pre-ticked
        "reference": "",
    }
    assert again.pending_call_minutes() == 26
    again.set_call_answer("waited_min", "25")
    again.set_call_answer("outcome", "abandoned")
    again = reopen(again._store, ports)  # killed while answering: the answers are kept too
    assert again.pending_call is not None and again.pending_call["waited_min"] == "25"
    again.record_call_outcome()
    assert again.pending_call is None
    assert again.screen == "report"
    draft = again.draft
    assert draft is not None
    assert draft.calls == [
        {
            "channel": "101",
            "called_text": "20/11/2026 06:30",
            "waited_min": "25",
            "outcome": "abandoned",
            "reference": "",
        }
    ]
    draft.choose_category("hare_coursing")
    phone.fixes = [Fix(*KENT, accuracy_m=5.0)]
    run(draft.find_gps())
    assert again.save_report()
    call = report_store.report_body(again._store, again.reports[0].id)["calls"][0]
    assert (call["waited_s"], call["outcome"], call["called_at"]) == (1500, "abandoned", "2026-11-20T06:30:00Z")


def test_gps_takes_the_best_fix_within_the_time_allowed(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    phone.fixes = [Fix(51.0, 0.0, 900.0), RuntimeError("timeout"), Fix(51.25, 0.9, 35.0), Fix(51.26, 0.9, 60.0)]
    run(draft.find_gps())
    assert draft.location == {"lat": 51.25, "lon": 0.9, "accuracy_m": 35.0, "source": "gps"}
    assert draft.gps_status == "Your position, accurate to ±35 m"
    assert sum(phone.slept) <= 20  # the whole wait fits the 20 second budget


def test_a_poor_fix_is_used_with_a_warning(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    phone.fixes = [Fix(51.25, 0.9, 120.0)]
    run(draft.find_gps())
    assert draft.location is not None and draft.location["accuracy_m"] == 120.0
    assert "only accurate to ±120 m (worse than 50 m)" in draft.gps_status


def test_no_gps_at_all_says_what_to_do_instead(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    phone.fixes = [PermissionError("denied")]
    run(draft.find_gps())
    assert draft.location is None
    assert "Use a grid reference instead" in draft.gps_status
    assert not draft.gps_busy


def test_grid_reference_sets_the_location_and_a_bad_one_says_why(app: AppState) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.set_grid_ref_text("TR 0156 6012")
    assert draft.use_grid_ref()
    assert draft.location is not None
    assert draft.location["source"] == "grid_ref" and draft.location["grid_ref"] == "TR 0156 6012"
    assert draft.location["lat"] == pytest.approx(51.30, abs=0.05)
    draft.set_grid_ref_text("TR 0156 601")
    assert not draft.use_grid_ref()
    assert "7 digits" in draft.grid_ref_error
    assert draft.location["grid_ref"] == "TR 0156 6012"  # the good one stands


def test_a_saved_place_is_offered_next_time(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    assert draft.save_place("Top gate")
    assert app.save_report()
    app.start_report()
    second = app.draft
    assert second is not None
    [place] = second.places()
    second.use_place(place.id)
    assert second.location == {
        "lat": 51.25,
        "lon": 0.9,
        "accuracy_m": 8.0,
        "source": "saved_place",
        "place_name": "Top gate",
        "grid_ref": None,
    }
    assert second.location_summary().startswith("Top gate")


def test_photos_are_limited_to_six_and_unreadable_ones_are_named(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    phone.picks = [[PickedFile("iphone.heic", heic()), *[PickedFile(f"{n}.jpg", camera_jpeg()) for n in range(5)]]]
    run(draft.pick_photos())
    assert len(draft.photos) == 5
    assert "iphone.heic: This photo is in HEIC format" in draft.photo_message
    run(draft.add_photos([("6.jpg", camera_jpeg()), ("7.jpg", camera_jpeg())]))
    assert len(draft.photos) == 6
    assert "7.jpg: a report can have up to 6 photos" in draft.photo_message
    draft.remove_photo(draft.photos[0].id)
    assert len(draft.photos) == 5 and draft.photo_room == 1


def test_a_photo_taken_far_from_the_reports_location_is_pointed_out(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)  # at 51.25, 0.90
    run(draft.add_photos([("here.jpg", camera_jpeg(gps=(51.2502, 0.9003))), ("far.jpg", camera_jpeg(gps=(51.3, 0.9)))]))
    warnings = draft.photo_distance_warnings()
    assert warnings == ["Photo 2 was taken 5.6 km from this location. Is it the right photo?"]


def test_discarding_a_report_removes_its_photos(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    run(draft.add_photos([("a.jpg", camera_jpeg())]))
    photo_dir = app._store.photo_dir
    assert len(list(photo_dir.iterdir())) == 2
    app.ask_discard()
    app.keep_report()  # "Keep it": nothing is deleted
    assert app.draft is draft and len(list(photo_dir.iterdir())) == 2
    app.discard_report()  # asks first, deletes nothing yet
    assert app.confirm_discard and app.draft is draft and len(list(photo_dir.iterdir())) == 2
    app.discard_report()  # "Delete it"
    assert app.draft is None and not app.confirm_discard
    assert list(photo_dir.iterdir()) == []


def test_home_list_words_follow_the_reports_progress(app: AppState, phone: FakePhone, clock: FakeClock) -> None:
    register(app)
    fly_tip(app, phone)
    assert app.save_report()
    store = app._store
    report_id = app.reports[0].id
    item = next(i for i in outbox_store.pending_items(store, clock()) if i.kind == "report")

    outbox_store.mark_sending(store, item.id, clock())
    app.refresh_reports()
    assert app.reports[0].state == "Sending"
    outbox_store.mark_sent(store, item.id, clock())
    app.refresh_reports()
    assert app.reports[0].state == "Sent"
    clock.advance(days=2, hours=3)
    app.refresh_reports()
    assert app.reports[0].state == "No answer yet after 2 days"
    report_store.record_server_state(store, report_id, "acknowledged", None, "2026-11-22T10:00:00Z", "x", [], clock())
    app.refresh_reports()
    assert app.reports[0].state == "Seen by police"
    report_store.record_server_state(store, report_id, "in_progress", "KT-2611-0042", None, "y", [], clock())
    app.refresh_reports()
    assert app.reports[0].state == "Reference KT-2611-0042"


def test_categories_come_from_the_server_and_are_kept_for_offline_use(server, store: Store, ports: Ports) -> None:  # type: ignore[no-untyped-def]
    offline = AppState.open(store, ports, LONDON_WINTER, UNREACHABLE)
    assert not run(offline.refresh_categories())
    assert [c.code for c in offline.categories][:2] == ["theft_machinery", "theft_quad"]  # the built-in copy

    online = AppState.open(store, ports, LONDON_WINTER, server.url)
    assert run(online.refresh_categories())
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM settings WHERE key = 'categories'").fetchone()[0] == 1
    assert {c.code for c in online.categories} >= {"fly_tipping", "hare_coursing"}
    assert next(c for c in online.categories if c.code == "hare_coursing").urgent


def test_time_of_the_incident_can_be_typed_and_a_bad_one_is_explained(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    draft.set_text("occurred_text", "19/11/2026 23:40")
    assert app.save_report()
    body = report_store.report_body(app._store, app.reports[0].id)
    assert body["occurred_at"] == "2026-11-19T23:40:00Z"

    second = fly_tip(app, phone)
    second.set_text("occurred_text", "last night")
    assert not app.save_report()
    assert any("When it happened" in m for m in second.errors["details"])


def test_unknown_category_and_detail_fields_are_refused(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = fly_tip(app, phone)
    with pytest.raises(ValueError, match=r"^unknown category burglary_of_the_moon$"):
        draft.choose_category("burglary_of_the_moon")
    with pytest.raises(ValueError, match=r"^dogs_count is not a field of fly_tipping$"):
        draft.set_detail("dogs_count", "3")  # a hare coursing field, not fly-tipping's
