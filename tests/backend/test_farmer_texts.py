"""What the farmer reads, against the real backend: every event in the farmer's timeline in plain words, the
officer's closing words and the outcome after a close from the staff API or the console, and validation messages
without pydantic's "Value error, " in front."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from backend.schemas import CLOSE_OUTCOMES
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    report_through_every_event,
)
from tests.support import act, report_body, staff_token
from wire.events import PUBLIC_KINDS

CLOSING_WORDS = "We have closed this for now. If they come back, tell us and we will reopen it."
# A code is lower-case words joined by underscores, such as no_further_action: never a farmer's word.
RAW_CODE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


@pytest.fixture(scope="module")
def api(console: ConsoleServer) -> httpx.Client:
    return console.client()


@pytest.fixture(scope="module")
def officer_api(console: ConsoleServer, api: httpx.Client) -> dict[str, str]:
    """An officer of Kent Police, acting through the staff API."""
    return staff_token(console.live, api, "texts.api.officer", "officer", KENT_POLICE)


def farmer_timeline(farmer: Farmer, report_id: str, since: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's timeline as the farmer reads it: from GET /reports/{id}, and from the pull after `since`."""
    pulled = farmer.pull(since)
    [changed] = [r for r in pulled["reports"] if r["id"] == report_id]
    return farmer.view(report_id)["timeline"], changed["timeline"]


def test_the_farmer_reads_the_outcome_and_closing_words_when_an_officer_closes_through_the_staff_api(
    console: ConsoleServer, api: httpx.Client, officer_api: dict[str, str]
) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    since = int(farmer.pull()["cursor"])

    act(api, officer_api, report_id, kind="closed", outcome="no_further_action", text=CLOSING_WORDS)

    expected = f"Closed: No further action. {CLOSING_WORDS}"
    viewed, pulled = farmer_timeline(farmer, report_id, since)
    for timeline in (viewed, pulled):
        assert timeline[-1]["kind"] == "closed"
        assert timeline[-1]["text"] == expected
    # The officer's view keeps what was recorded, codes and all, beside the farmer's words.
    staff_view = api.get(f"/api/v1/reports/{report_id}", headers=officer_api).json()
    closed = staff_view["timeline"][-1]
    assert closed["data"] == {"outcome": "no_further_action", "text": CLOSING_WORDS}
    assert closed["text"] == expected


def test_the_farmer_reads_the_outcome_and_closing_words_when_an_officer_closes_in_the_console(
    console: ConsoleServer, officer: Staff
) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    since = int(farmer.pull()["cursor"])

    closed = officer.act(report_id, "closed", outcome="passed_to_council", text=CLOSING_WORDS)
    assert closed.status_code == 303, closed.text[:500]

    expected = f"Closed: Passed to the council. {CLOSING_WORDS}"
    viewed, pulled = farmer_timeline(farmer, report_id, since)
    for timeline in (viewed, pulled):
        assert timeline[-1] == {"kind": "closed", "at": timeline[-1]["at"], "text": expected, "reference": None}
    # The console shows the same outcome words to the officer, and the closing words under them.
    page = officer.get(f"/console/reports/{report_id}").text
    assert "Closed: Passed to the council" in page and CLOSING_WORDS in page


def test_closing_words_typed_in_the_console_are_kept_when_the_close_is_refused(
    console: ConsoleServer, officer: Staff
) -> None:
    report_id = Farmer(console).report(KENT_FAR_FROM_SUSSEX)
    tomorrow = (console.now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")

    refused = officer.act(report_id, "closed", outcome="other", text="Sorry, we found nobody.", at=tomorrow)

    assert refused.status_code == 422
    assert "an action cannot be recorded in the future" in refused.text
    assert '<textarea id="close-text" name="text" rows="2" maxlength="5000">Sorry, we found nobody.</textarea>' in (
        refused.text
    )


def test_every_outcome_reaches_the_farmer_in_words(
    console: ConsoleServer, api: httpx.Client, officer_api: dict[str, str]
) -> None:
    farmer = Farmer(console)
    words_for = {
        "arrest": "Closed: Arrest made",
        "property_recovered": "Closed: Property recovered",
        "no_further_action": "Closed: No further action",
        "passed_to_council": "Closed: Passed to the council",
        "passed_to_environment_agency": "Closed: Passed to the Environment Agency",
        "duplicate": "Closed: Duplicate of another report",
        "mistake": "Closed: Sent by mistake",
        "other": "Closed",  # "Other" tells the farmer nothing: the closing words say what happened
    }
    assert sorted(words_for) == sorted(CLOSE_OUTCOMES)
    for outcome, words in words_for.items():
        bare, worded = farmer.report(KENT_FAR_FROM_SUSSEX), farmer.report(KENT_FAR_FROM_SUSSEX)
        act(api, officer_api, bare, kind="closed", outcome=outcome)
        act(api, officer_api, worded, kind="closed", outcome=outcome, text="Thank you for telling us.")
        assert farmer.view(bare)["timeline"][-1]["text"] == words
        assert farmer.view(worded)["timeline"][-1]["text"] == f"{words}. Thank you for telling us."


def test_every_event_the_farmer_sees_has_farmer_words_and_no_code(
    console: ConsoleServer, officer_api: dict[str, str]
) -> None:
    farmer = Farmer(console)
    report_id = report_through_every_event(
        console,
        farmer,
        officer_api,
        (90, 30, 30),
        ("They came back last night", "Nobody has rung me back"),
        [
            {"kind": "acknowledged"},
            {"kind": "assigned"},
            {"kind": "reference_added", "reference": "46/777/26"},
            {"kind": "contacted"},
            {"kind": "attended", "text": "Visited the gateway with the farmer"},
            {"kind": "decision", "decision": "no_further_action", "reason": "There are no witnesses or cameras."},
            {"kind": "update_sent", "text": "We have asked the council to clear it."},
            {"kind": "note", "text": "Internal: same van seen at Manor Farm"},
            {"kind": "closed", "outcome": "other", "text": "The council cleared it on Monday."},
            {"kind": "reopened"},
        ],
    )

    timeline = farmer.view(report_id)["timeline"]

    assert [(e["kind"], e["text"]) for e in timeline] == [
        ("received", "Received by Hedgerow"),
        ("photo_received", "Photo received"),
        ("farmer_update", "You added: They came back last night"),
        ("chased", "You chased this report: Nobody has rung me back"),
        ("acknowledged", "Seen by the rural crime team"),
        ("assigned", "An officer has been assigned"),
        ("reference_added", "Crime reference: 46/777/26"),
        ("contacted", "An officer contacted you"),
        ("attended", "An officer attended. Visited the gateway with the farmer"),
        ("decision", "No further action: There are no witnesses or cameras."),
        ("update_sent", "We have asked the council to clear it."),
        ("closed", "Closed. The council cleared it on Monday."),
        ("reopened", "Reopened"),
    ]
    assert {e["kind"] for e in timeline} == PUBLIC_KINDS
    for entry in timeline:
        assert entry["text"], entry["kind"]
        assert not RAW_CODE.search(entry["text"]), entry
    assert "texts.api.officer" not in str(timeline)


def test_a_decision_to_investigate_reads_as_a_sentence_with_its_reason(
    console: ConsoleServer, api: httpx.Client, officer_api: dict[str, str]
) -> None:
    farmer = Farmer(console)
    plain, reasoned = farmer.report(KENT_FAR_FROM_SUSSEX), farmer.report(KENT_FAR_FROM_SUSSEX)
    act(api, officer_api, plain, kind="decision", decision="investigate")
    act(api, officer_api, reasoned, kind="decision", decision="investigate", reason="The van was caught on camera.")
    assert farmer.view(plain)["timeline"][-1]["text"] == "The police will investigate"
    assert farmer.view(reasoned)["timeline"][-1]["text"] == "The police will investigate: The van was caught on camera."


# -- validation messages ------------------------------------------------------------------------------------------


def test_a_report_refused_by_its_own_checks_says_why_without_value_error(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    body = report_body(
        where=KENT_FAR_FROM_SUSSEX, occurred_at="2026-03-01T10:00:00+00:00", occurred_until="2026-03-01T09:00:00+00:00"
    )
    r = farmer.client.put(f"/api/v1/reports/{uuid.uuid4()}", json=body, headers=farmer.headers)
    assert r.status_code == 422
    assert r.json() == {
        "detail": [{"loc": ["body"], "msg": "occurred_until is before occurred_at", "type": "value_error"}],
        "message": "occurred_until is before occurred_at",
    }
    assert "Value error" not in r.text


def test_a_report_missing_a_required_detail_says_which_without_value_error(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    body = report_body(where=KENT_FAR_FROM_SUSSEX, details={"waste_types": ["household"]})
    r = farmer.client.put(f"/api/v1/reports/{uuid.uuid4()}", json=body, headers=farmer.headers)
    assert r.status_code == 422
    assert r.json()["message"] == "How much (size_band) is required for Fly-tipping"
    assert "Value error" not in r.text


def test_an_empty_farmer_update_says_why_without_value_error(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    empty = {"update_id": str(uuid.uuid4()), "text": "  "}
    r = farmer.client.post(f"/api/v1/reports/{report_id}/updates", json=empty, headers=farmer.headers)
    assert r.status_code == 422
    assert r.json()["message"] == "an update needs text or photos"
    assert "Value error" not in r.text


def test_a_registration_refused_says_why_without_value_error(api: httpx.Client) -> None:
    r = api.post("/api/v1/devices", json={"name": "Jo Farmer", "phone": "call me"})
    assert r.status_code == 422
    assert r.json()["message"] == "phone: String should match pattern '^[0-9+() -]+$'"
    assert "Value error" not in r.text


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"kind": "closed"}, "a closed event needs outcome"),
        ({"kind": "reference_added"}, "a reference_added event needs reference"),
        ({"kind": "decision", "decision": "no_further_action"}, "a decision of no further action needs a reason"),
    ],
)
def test_a_staff_event_refused_says_why_without_value_error(
    console: ConsoleServer, api: httpx.Client, officer_api: dict[str, str], event: dict[str, str], message: str
) -> None:
    report_id = Farmer(console).report(KENT_FAR_FROM_SUSSEX)
    r = api.post(f"/api/v1/reports/{report_id}/events", json=event, headers=officer_api)
    assert r.status_code == 422
    assert r.json() == {"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}], "message": message}
    assert "Value error" not in r.text


def test_a_console_action_refused_says_why_without_value_error(console: ConsoleServer, officer: Staff) -> None:
    report_id = Farmer(console).report(KENT_FAR_FROM_SUSSEX)
    r = officer.act(report_id, "decision", decision="no_further_action")
    assert r.status_code == 422
    assert "a decision of no further action needs a reason" in r.text
    assert "Value error" not in r.text
