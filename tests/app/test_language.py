"""The farmer's language on the phone (issue 18): chosen at registration or later, kept on the phone, every word
already on screen said again in it, and the server told, at registration or by PATCH /api/v1/me when there is
signal. A real phone database, with the fakes for GPS, the clock and the dialler."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.i18n import _, current_language, shown_time
from app.state.app_state import AppState
from app.state.ports import Ports
from app.store import Store
from app.store import profile as profile_store
from app.store.outbox import pending_items
from app.sync import records
from core.gridref import GridRefError, parse_grid_ref
from tests.app.conftest import LONDON_WINTER, UNREACHABLE, FakeClock, FakePhone, register
from tests.app.test_report_screen import _answers, _sent_report
from tests.app.test_report_state import fly_tip


def _registration(app: AppState) -> dict[str, object]:
    [item] = [i for i in pending_items(app._store, datetime.now(UTC)) if i.kind == "register"]
    return json.loads(item.payload or "{}")


def test_the_app_opens_in_english_until_the_farmer_chooses(app: AppState) -> None:
    assert app.language == current_language() == "en"
    assert profile_store.phone_language(app._store) == "en"
    assert _("Report an incident") == "Report an incident"


def test_choosing_welsh_on_the_first_screen_says_the_screen_again_in_welsh_and_keeps_the_choice(
    app: AppState, store: Store, ports: Ports
) -> None:
    app.register()  # nothing filled in: the mistakes are on screen
    assert app.registration.errors["name"] == "Write your name"
    app.choose_language("cy")
    assert app.language == current_language() == "cy"
    assert app.registration.errors["name"] == "Ysgrifennwch eich enw"  # the mistake already shown, in Welsh
    assert _("Welcome to Hedgerow") == "Croeso i Hedgerow"
    assert profile_store.phone_language(store) == "cy"
    assert profile_store.language_to_send(store) is None  # nobody to tell yet: the registration will carry it
    again = AppState.open(store, ports, LONDON_WINTER, UNREACHABLE)  # the app killed and opened again
    assert again.language == current_language() == "cy"


def test_a_registration_made_in_welsh_carries_the_language_and_one_made_in_english_leaves_it_out(
    app: AppState,
) -> None:
    register(app)
    assert "language" not in _registration(app)  # English: exactly as before languages, for any server
    app.choose_language("cy")  # before the registration has gone: the queued one is rewritten
    assert _registration(app)["language"] == "cy"
    assert _registration(app)["name"] == "Jo Farmer"
    app.choose_language("en")
    assert "language" not in _registration(app)


def test_a_language_chosen_after_registration_waits_to_be_sent_and_is_counted_as_waiting(
    app: AppState, store: Store, clock: FakeClock
) -> None:
    register(app)
    profile_store.set_registered(store, "dev-1", "token-1", clock())
    assert records.waiting(store).other == 0
    app.choose_language("cy")
    assert profile_store.language_to_send(store) == "cy"
    assert records.waiting(store).other == 1
    profile_store.language_sent(store, "en")  # the server's answer to an older change: this one still waits
    assert profile_store.language_to_send(store) == "cy"
    profile_store.language_sent(store, "cy")
    assert profile_store.language_to_send(store) is None
    assert records.waiting(store).other == 0


def test_choosing_welsh_says_the_reports_and_their_answers_again_in_welsh(
    app: AppState, phone: FakePhone, clock: FakeClock
) -> None:
    report_id = _sent_report(app, phone, clock)
    _answers(
        app,
        report_id,
        clock,
        {"kind": "acknowledged", "at": "2026-11-20T07:00:00Z", "text": "Gwelwyd gan y tîm troseddau cefn gwlad"},
        status="acknowledged",
    )
    app.open_report(report_id)
    assert app.reports[0].title == "Fly-tipping" and app.reports[0].state == "Reference KT-2611-0042"
    app.choose_language("cy")
    [row] = app.reports
    assert (row.title, row.state, row.when) == (
        "Tipio anghyfreithlon",
        "Cyfeirnod KT-2611-0042",
        "20 Tach 2026, 06:30",
    )
    assert app.detail is not None and app.detail.title == "Tipio anghyfreithlon"
    assert [e.title for e in app.detail.entries] == [
        "Wedi'i weld gan yr heddlu",
        "Wedi'i anfon at yr heddlu",
        "Wedi'i gadw ar y ffôn hwn",
    ]
    assert app.detail.entries[0].text == "Gwelwyd gan y tîm troseddau cefn gwlad"  # the server's words, as sent
    assert app.language_notice == "Iaith wedi newid: mae'r ap hwn yn Gymraeg nawr."


def test_an_overdue_report_is_offered_a_chase_in_welsh_too(app: AppState, phone: FakePhone, clock: FakeClock) -> None:
    """Whether a report is overdue no longer reads the English words of its state."""
    _sent_report(app, phone, clock)
    app.choose_language("cy")
    clock.advance(days=2)
    app.refresh_reports()
    [row] = app.reports
    assert row.overdue and row.state == "Dim ateb eto ar ôl 2 diwrnod"


def test_the_checks_beside_each_field_speak_welsh(app: AppState, phone: FakePhone) -> None:
    register(app)
    app.choose_language("cy")
    fly_tip(app, phone)
    draft = app.draft
    assert draft is not None
    draft.set_text("people_count", "three")
    assert draft.field_errors["detail-people-count"] == "Faint o bobl: teipiwch rif cyfan, er enghraifft 3"
    draft.set_text("occurred_text", "yesterday")
    assert draft.field_errors["detail-occurred"] == (
        "Pryd y digwyddodd: ysgrifennwch yr amser fel diwrnod/mis/blwyddyn oriau:munudau, "
        "er enghraifft 23/11/2026 14:05"
    )
    draft.set_grid_ref_text("SU 1234")
    assert not draft.use_grid_ref()
    assert draft.grid_ref_error == "4 digid: defnyddiwch 6, 8 neu 10 digid, er enghraifft SN 123 678"
    assert draft.location_summary().startswith("GPS ")


def test_grid_reference_mistakes_stay_english_for_the_server_and_say_welsh_on_the_phone() -> None:
    with pytest.raises(GridRefError, match=r"^XY is not a grid square in Great Britain$") as raised:
        parse_grid_ref("XY 123 456")
    assert raised.value.say() == "XY is not a grid square in Great Britain"
    from app.i18n import set_language

    set_language("cy")
    assert raised.value.say(_) == "Nid yw XY yn sgwâr grid ym Mhrydain Fawr"
    assert str(raised.value) == "XY is not a grid square in Great Britain"


def test_times_are_shown_in_the_farmers_language_on_the_clocks_of_great_britain() -> None:
    from app.i18n import set_language

    summer = "2026-07-01T12:05:00+00:00"  # 13:05 in London (BST)
    assert shown_time(summer) == "01 Jul 2026, 13:05"
    set_language("cy")
    assert shown_time(summer) == "01 Gorff 2026, 13:05"


@pytest.mark.parametrize("language", ["fr", "CY", "", "welsh"])
def test_a_language_the_app_does_not_offer_is_refused(app: AppState, language: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        app.choose_language(language)
    assert app.language == current_language() == "en"
    assert profile_store.phone_language(app._store) == "en"


def test_a_stored_language_the_app_no_longer_offers_opens_in_english(store: Store, ports: Ports) -> None:
    profile_store.save_language(store, "cy", datetime.now(UTC))
    with store.write() as db:
        db.execute("UPDATE settings SET value = ? WHERE key = ?", [json.dumps("fr"), profile_store.LANGUAGE])
    assert AppState.open(store, ports, LONDON_WINTER, UNREACHABLE).language == "en"
