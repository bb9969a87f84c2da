"""The report screen's state, the checks beside each field and the location step's question, on a real phone
database with the fakes for what a test machine lacks (GPS, the clock)."""

from __future__ import annotations

import pytest

from app.services.location import Fix
from app.state.app_state import AppState
from app.state.field_checks import detail_problem, minutes_problem, people_problem, time_problem
from app.store import reports as report_store
from app.store.outbox import mark_sent, pending_items
from tests.app.conftest import LONDON_WINTER, FakeClock, FakePhone, register
from tests.app.test_report_state import KENT, fly_tip, run
from wire.categories import BY_CODE

HARE = BY_CODE["hare_coursing"]
DOGS = next(f for f in HARE.fields if f.name == "dogs_count")
SIZE = next(f for f in BY_CODE["fly_tipping"].fields if f.name == "size_band")


def _sent_report(app: AppState, phone: FakePhone, clock: FakeClock) -> str:
    register(app)
    fly_tip(app, phone)
    assert app.save_report()
    report_id = app.reports[0].id
    for item in pending_items(app._store, clock()):
        mark_sent(app._store, item.id, clock())
    with app._store.write() as db:
        db.execute("UPDATE reports SET sent_at = ? WHERE id = ?", [clock().isoformat(), report_id])
    return report_id


def _answers(
    app: AppState, report_id: str, clock: FakeClock, *entries: dict[str, str], status: str = "in_progress"
) -> None:
    report_store.record_server_state(app._store, report_id, status, "KT-2611-0042", None, "u", list(entries), clock())
    app.refresh_reports()


def test_opening_a_report_shows_every_answer_newest_first_and_marks_them_read(
    app: AppState, phone: FakePhone, clock: FakeClock
) -> None:
    report_id = _sent_report(app, phone, clock)
    _answers(
        app,
        report_id,
        clock,
        {"kind": "acknowledged", "at": "2026-11-20T07:00:00Z", "text": "Seen by the rural crime team"},
        {"kind": "reference_added", "at": "2026-11-20T08:00:00Z", "text": "Crime reference: KT-2611-0042"},
        {"kind": "update_sent", "at": "2026-11-20T09:00:00Z", "text": "An officer will visit tomorrow"},
    )
    assert app.reports[0].unread == 3
    app.open_report(report_id)
    assert app.screen == "detail" and app.detail is not None
    detail = app.detail
    assert [(e.title, e.text, e.new) for e in detail.entries] == [
        ("Update from the police", "An officer will visit tomorrow", True),
        ("Crime reference", "Crime reference: KT-2611-0042", True),
        ("Seen by police", "Seen by the rural crime team", True),
        ("Sent to the police", None, False),
        ("Saved on this phone", None, False),
    ]
    assert detail.reference == "KT-2611-0042" and detail.state == "Reference KT-2611-0042"
    assert app.reports[0].unread == 0  # read on the phone as soon as the screen opened
    # An answer that arrives while the screen is open is shown new, and read at once.
    closed = {"kind": "closed", "at": "2026-11-21T10:00:00Z", "text": "Closed: Arrest made"}
    _answers(app, report_id, clock, closed, status="closed")
    assert [(e.title, e.new) for e in detail.entries][:2] == [("Closed", True), ("Update from the police", True)]
    assert detail.state == "Closed (reference KT-2611-0042)"
    assert app.reports[0].unread == 0
    app.close_report()
    assert app.screen == "home" and app.detail is None
    app.open_report(report_id)  # opened again: nothing is new any more
    assert app.detail is not None and not any(e.new for e in app.detail.entries)


def test_a_repeated_answer_keeps_its_read_mark_and_takes_the_servers_new_words(
    app: AppState, phone: FakePhone, clock: FakeClock
) -> None:
    report_id = _sent_report(app, phone, clock)
    closed = {"kind": "closed", "at": "2026-11-21T10:00:00Z", "text": "no_further_action"}
    _answers(app, report_id, clock, closed)
    app.open_report(report_id)
    app.close_report()
    _answers(app, report_id, clock, {**closed, "text": "Closed: No further action. Nothing more can be done."})
    assert app.reports[0].unread == 0
    [update] = report_store.status_updates(app._store, report_id)
    assert update.text == "Closed: No further action. Nothing more can be done."


def test_an_unanswered_report_offers_a_chase_on_its_screen(app: AppState, phone: FakePhone, clock: FakeClock) -> None:
    report_id = _sent_report(app, phone, clock)
    app.open_report(report_id)
    assert app.detail is not None and not app.detail.overdue
    clock.advance(days=2)
    app.refresh_reports()
    assert app.detail.overdue and app.detail.state == "No answer yet after 2 days"
    app.chase(report_id)
    assert app.detail.notice == "Chase saved. It will be sent as soon as there is signal."
    assert [i.kind for i in pending_items(app._store, clock())] == ["chase"]


def test_the_location_step_cannot_be_left_without_an_answer(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("fly_tipping")
    draft.next_step()
    assert draft.step == "location"
    draft.next_step()
    assert draft.step == "location"
    assert draft.errors["location"] == [
        "Give a location: use your GPS, a saved place or a grid reference, or press “I can't give a location”"
    ]
    draft.cannot_give_location()
    draft.next_step()
    assert draft.step == "location"
    assert draft.errors["location"][0].startswith("Describe the place in words")
    draft.set_place_description("the lay-by on the B2163 past the church")
    draft.next_step()  # no position ever given on this phone: it needs one once
    assert draft.step == "location" and draft.errors["location"][0].startswith("Hedgerow needs a rough position once")
    phone.fixes = [Fix(*KENT, accuracy_m=8.0)]
    run(draft.find_gps())
    assert not draft.no_location and draft.location is not None and draft.location["source"] == "gps"
    draft.next_step()
    assert draft.step == "details"


def test_a_place_in_words_goes_with_the_last_known_point_once_there_is_one(
    app: AppState, phone: FakePhone, clock: FakeClock
) -> None:
    register(app)
    fly_tip(app, phone)
    assert app.save_report()  # its GPS point is the phone's last known place
    clock.advance(minutes=5)
    fly_tip(app, phone)
    draft = app.draft
    assert draft is not None
    draft.location = None
    draft.cannot_give_location()
    draft.set_place_description("the gateway on Mill Lane")
    assert draft.location == {
        "lat": KENT[0],
        "lon": KENT[1],
        "accuracy_m": None,
        "source": "described",
        "place_name": "the gateway on Mill Lane",
    }
    assert draft.location_summary() == "In words: the gateway on Mill Lane"
    assert app.save_report()
    body = report_store.report_body(app._store, app.reports[0].id)
    assert (body["location"]["source"], body["location"]["place_name"]) == ("described", "the gateway on Mill Lane")


def test_each_typed_value_is_explained_in_a_farmers_words() -> None:
    assert detail_problem(DOGS, "three") == "How many dogs: type a whole number, for example 3"
    assert detail_problem(DOGS, "2.5") == "How many dogs: type a whole number, for example 3"
    assert detail_problem(DOGS, "101") == "How many dogs: type a number from 0 to 100"
    assert detail_problem(DOGS, "3") is None
    assert detail_problem(DOGS, "") is None  # optional
    assert detail_problem(SIZE, None) == "How much: please choose one"
    assert people_problem("a few") == "How many people: type a whole number, for example 3"
    assert minutes_problem("twenty") == "Minutes you waited: type a number, for example 20"
    assert minutes_problem("1,500") == "Minutes you waited: type a number from 0 to 1,440"
    assert time_problem("When it happened", "yesterday", LONDON_WINTER) == (
        "When it happened: write the time as day/month/year hours:minutes, for example 23/11/2026 14:05"
    )
    assert time_problem("When it happened", "19/11/2026 23:40", LONDON_WINTER) is None


def test_a_field_says_what_is_wrong_as_it_is_typed_and_clears_when_put_right(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("hare_coursing")
    draft.set_detail("dogs_count", "three")
    assert draft.field_errors == {"detail-dogs_count": "How many dogs: type a whole number, for example 3"}
    draft.set_text("people_count", "lots")
    assert draft.field_errors["detail-people-count"] == "How many people: type a whole number, for example 3"
    draft.set_detail("dogs_count", "3")
    draft.set_text("people_count", "4")
    assert draft.field_errors == {}


def test_each_photo_goes_with_its_provenance_and_its_position_never_becomes_the_reports(
    app: AppState, phone: FakePhone
) -> None:
    from app.store import photos as photo_store
    from tests.app.images import camera_jpeg

    register(app)
    draft = fly_tip(app, phone)  # located by GPS at KENT
    run(draft.add_photos([("gate.jpg", camera_jpeg(gps=(51.30, 1.0), taken="2026:11:20 06:00:00"))]))
    assert app.save_report()
    body = report_store.report_body(app._store, app.reports[0].id)
    [stored] = photo_store.report_photos(app._store, app.reports[0].id)
    [declared] = body["photos"]
    assert declared["taken_at"] == "2026-11-20T06:00:00Z"
    assert (declared["taken_lat"], declared["taken_lon"]) == (pytest.approx(51.30), pytest.approx(1.0))
    assert declared["original_sha256"] == stored.original_sha256 != declared["sha256"]
    assert (body["location"]["lat"], body["location"]["lon"], body["location"]["source"]) == (*KENT, "gps")
