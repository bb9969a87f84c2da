"""Sending without a name, on the phone: the intimidation category offers it, the draft keeps the choice through
an app restart, and the saved report carries `"anonymous": true` only where the category offers it."""

from __future__ import annotations

import pytest

from app.services.location import Fix
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.state.ports import Ports
from app.state.report_detail import ReportDetail
from app.store import Store
from app.store import reports as report_store
from tests.app.conftest import LONDON_WINTER, FakeClock, FakePhone, register
from tests.app.test_report_state import KENT, reopen, run
from wire.categories import BY_CODE, CATEGORIES
from wire.reports import ReportCreate


def _threat(app: AppState, phone: FakePhone) -> ReportDraft:
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("intimidation")
    phone.fixes = [Fix(*KENT, accuracy_m=8.0)]
    run(draft.find_gps())
    draft.set_detail("what_was_said", "They said they would be back for the dog")
    return draft


def _saved_body(app: AppState) -> ReportCreate:
    return ReportCreate.model_validate(report_store.report_body(app._store, app.reports[0].id))


def test_only_the_intimidation_category_offers_sending_without_a_name() -> None:
    assert [c.code for c in CATEGORIES if c.anonymous_offered] == ["intimidation"]


def test_a_threat_sent_without_a_name_is_saved_with_anonymous_true(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = _threat(app, phone)
    assert draft.anonymous is False  # with the name unless the farmer chooses otherwise
    draft.send_without_name(True)
    draft.go_to("review")
    assert draft.errors == {}
    assert app.save_report()
    report = _saved_body(app)
    assert report.anonymous is True and report.category == "intimidation"
    assert report.canonical()["anonymous"] is True


def test_a_threat_sent_with_the_name_is_saved_as_before(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = _threat(app, phone)
    draft.send_without_name(True)
    draft.send_without_name(False)  # changed their mind
    assert app.save_report()
    report = _saved_body(app)
    assert report.anonymous is False and "anonymous" not in report.canonical()


def test_the_choice_survives_the_app_being_killed(app: AppState, phone: FakePhone, store: Store, ports: Ports) -> None:
    register(app)
    _threat(app, phone).send_without_name(True)
    again = reopen(store, ports)
    assert again.draft is not None and again.draft.anonymous is True
    assert again.draft.snapshot()["anonymous"] is True
    again._store.close()


def test_changing_to_a_category_that_does_not_offer_it_drops_the_choice(app: AppState, phone: FakePhone) -> None:
    register(app)
    draft = _threat(app, phone)
    draft.send_without_name(True)
    draft.choose_category("theft_fuel")
    assert draft.anonymous is False
    with pytest.raises(ValueError, match=r"^theft_fuel cannot be sent without a name$"):
        draft.send_without_name(True)
    assert app.save_report()
    assert _saved_body(app).anonymous is False


def test_a_choice_left_in_an_old_draft_for_another_category_is_not_sent(app: AppState, phone: FakePhone) -> None:
    """Whatever a draft holds, the report is sent without a name only where its category offers that."""
    register(app)
    draft = _threat(app, phone)
    draft.choose_category("theft_fuel")
    draft.anonymous = True  # as a draft saved by a build that did not clear it would hold
    assert app.save_report()
    assert _saved_body(app).anonymous is False


def test_the_saved_report_says_it_went_without_the_name(
    app: AppState, phone: FakePhone, clock: FakeClock, store: Store
) -> None:
    register(app)
    _threat(app, phone).send_without_name(True)
    assert app.save_report()
    detail = ReportDetail.open(store, app.reports[0].id, BY_CODE, LONDON_WINTER, clock())
    assert detail is not None
    assert detail.details[0] == "Sent without your name: the police cannot see who you are or call you back"
