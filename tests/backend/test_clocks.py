"""Each report's clocks, computed from the real event log in a real SQLite database at chosen moments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backend.services.clocks import policy
from backend.writes import write
from tests.backend.clocks_support import NORTHERN_IRELAND, ClockDb, utc
from tests.support import KENT, SCOTTISH_BORDERS

MINUTE = timedelta(minutes=1)


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


# (case, category, where, happening_now, received (UTC), clock, due (UTC))
DUE_CASES = [
    (
        "friday_1700_before_bank_holiday_answer",
        "fly_tipping",
        KENT,
        False,
        "2025-08-22 16:00",
        "answered",
        "2025-08-26 16:00",
    ),
    (
        "friday_1700_before_bank_holiday_decision",
        "fly_tipping",
        KENT,
        False,
        "2025-08-22 16:00",
        "decision",
        "2025-09-01 16:00",
    ),
    (
        "friday_1700_reference_is_48_real_hours",
        "fly_tipping",
        KENT,
        False,
        "2025-08-22 16:00",
        "reference",
        "2025-08-24 16:00",
    ),
    (
        "scotland_has_no_august_bank_holiday_then",
        "fly_tipping",
        SCOTTISH_BORDERS,
        False,
        "2025-08-22 16:00",
        "answered",
        "2025-08-25 16:00",
    ),
    ("night_clocks_go_back_0130_bst", "theft_fuel", KENT, False, "2025-10-26 00:30", "answered", "2025-10-28 00:00"),
    ("night_clocks_go_back_0130_gmt", "theft_fuel", KENT, False, "2025-10-26 01:30", "answered", "2025-10-28 00:00"),
    (
        "night_clocks_go_back_urgent_two_real_hours",
        "hare_coursing",
        KENT,
        False,
        "2025-10-26 00:30",
        "answered",
        "2025-10-26 02:30",
    ),
    (
        "night_clocks_go_back_update_thirty_days",
        "theft_fuel",
        KENT,
        False,
        "2025-10-26 00:30",
        "update",
        "2025-11-25 00:30",
    ),
    ("england_new_year", "theft_quad", KENT, False, "2025-12-31 10:00", "answered", "2026-01-02 10:00"),
    (
        "scotland_second_of_january",
        "theft_quad",
        SCOTTISH_BORDERS,
        False,
        "2025-12-31 10:00",
        "answered",
        "2026-01-05 10:00",
    ),
    ("england_st_andrews_day", "theft_quad", KENT, False, "2025-11-28 10:00", "answered", "2025-12-01 10:00"),
    (
        "scotland_st_andrews_day_observed",
        "theft_quad",
        SCOTTISH_BORDERS,
        False,
        "2025-11-28 10:00",
        "answered",
        "2025-12-02 10:00",
    ),
    (
        "scotland_decision_over_st_andrews",
        "theft_quad",
        SCOTTISH_BORDERS,
        False,
        "2025-11-28 10:00",
        "decision",
        "2025-12-08 10:00",
    ),
    (
        "northern_ireland_st_patricks_day",
        "theft_quad",
        NORTHERN_IRELAND,
        False,
        "2026-03-16 12:00",
        "answered",
        "2026-03-18 12:00",
    ),
    (
        "urgent_attendance_grade_2",
        "livestock_worrying",
        KENT,
        True,
        "2025-10-01 09:00",
        "attendance",
        "2025-10-01 10:00",
    ),
    ("other_attendance_grade_3", "theft_fuel", KENT, True, "2025-10-01 09:00", "attendance", "2025-10-03 09:00"),
]


@pytest.mark.parametrize(
    ("category", "where", "happening_now", "received", "name", "due"),
    [c[1:] for c in DUE_CASES],
    ids=[c[0] for c in DUE_CASES],
)
def test_clock_due_time_for_report(
    cdb: ClockDb, category: str, where: tuple[float, float], happening_now: bool, received: str, name: str, due: str
) -> None:
    rid = cdb.report(utc(received), category, where, happening_now=happening_now)
    clock = cdb.clock(rid, name, utc(received) + MINUTE)
    assert (clock.start, clock.due, clock.stop, clock.state) == (utc(received), utc(due), None, "running")


# (case, answer offset from the due time, state)
ANSWER_CASES = [
    ("one_minute_before_target", -MINUTE, "met"),
    ("at_the_target", timedelta(0), "met"),
    ("one_minute_after_target", MINUTE, "met_late"),
]


@pytest.mark.parametrize(("offset", "state"), [c[1:] for c in ANSWER_CASES], ids=[c[0] for c in ANSWER_CASES])
@pytest.mark.parametrize("category", ["fly_tipping", "hare_coursing"])
def test_answer_just_before_or_after_the_target(cdb: ClockDb, category: str, offset: timedelta, state: str) -> None:
    received = utc("2025-09-02 08:00")
    rid = cdb.report(received, category)
    due = cdb.clock(rid, "answered", received).due
    assert due == received + (timedelta(hours=2) if category == "hare_coursing" else timedelta(days=1))
    cdb.act(rid, "acknowledged", due + offset)
    clock = cdb.clock(rid, "answered", due + timedelta(days=3))
    assert (clock.stop, clock.state, clock.overdue) == (due + offset, state, False)


def test_unanswered_clock_is_breached_only_after_its_due_second(cdb: ClockDb) -> None:
    received = utc("2025-09-02 08:00")
    rid = cdb.report(received, "hare_coursing")
    due = received + timedelta(hours=2)
    assert cdb.clock(rid, "answered", due).state == "running"
    late = cdb.clock(rid, "answered", due + timedelta(seconds=1))
    assert (late.state, late.overdue) == ("breached", True)
    assert cdb.clocks(rid, due + timedelta(seconds=1)).overdue_flags() == {"unanswered"}


def test_report_reopened_after_closing_runs_unsatisfied_clocks_again(cdb: ClockDb) -> None:
    received = utc("2025-09-01 09:00")  # Monday
    rid = cdb.report(received, "theft_fuel")
    cdb.act(rid, "acknowledged", received + timedelta(hours=1))
    cdb.act(rid, "closed", received + timedelta(hours=3), outcome="duplicate")
    closed = cdb.clocks(rid, received + timedelta(days=2))
    states = {c.clock: c.state for c in closed.clocks}
    # Closing answered the decision; no reference was needed before the closure; the update cadence ended.
    assert states == {
        "answered": "met",
        "reference": "not_applicable",
        "decision": "met",
        "update": "met",
        "attendance": "not_applicable",
    }
    reopened_at = received + timedelta(days=4)
    cdb.act(rid, "reopened", reopened_at)
    reference = cdb.clock(rid, "reference", reopened_at + timedelta(hours=1))
    assert (reference.start, reference.due, reference.state) == (
        reopened_at,
        reopened_at + timedelta(hours=48),
        "running",
    )
    assert reference.first_reported_at is None  # a run from a reopening is not measured from the first call
    update = cdb.clock(rid, "update", reopened_at + timedelta(hours=1))
    assert (update.start, update.due, update.state) == (reopened_at, reopened_at + timedelta(days=30), "running")
    # Satisfied clocks stay as they were: the report was answered within its target.
    answered = cdb.clock(rid, "answered", reopened_at + timedelta(days=9))
    assert (answered.stop, answered.state) == (received + timedelta(hours=1), "met")
    late = cdb.clocks(rid, reopened_at + timedelta(hours=49))
    assert late.by_name("reference").overdue and late.overdue_flags() == {"no_reference"}


def test_report_closed_after_its_target_passed_stays_breached_and_counts_when_reopened(cdb: ClockDb) -> None:
    received = utc("2025-09-01 09:00")
    rid = cdb.report(received, "theft_fuel")
    cdb.act(rid, "acknowledged", received + timedelta(hours=1))
    cdb.act(rid, "closed", received + timedelta(days=3), outcome="other")
    reference = cdb.clock(rid, "reference", received + timedelta(days=5))
    assert (reference.stop, reference.state, reference.overdue) == (received + timedelta(days=3), "breached", False)
    cdb.act(rid, "reopened", received + timedelta(days=6))
    cdb.act(rid, "reference_added", received + timedelta(days=6, hours=2), reference="KP-123")
    reference = cdb.clock(rid, "reference", received + timedelta(days=7))
    assert (reference.state, reference.missed) == ("met", 1)


def test_policy_changed_midway_old_report_keeps_its_old_target(cdb: ClockDb) -> None:
    before = utc("2025-09-01 09:00")
    old = cdb.report(before, "theft_fuel")
    changed_at = utc("2025-09-01 12:00")
    with write(cdb.db):
        policy.set_override(cdb.db, "Kent Police", "answered", None, "4 hours", "test supervisor", changed_at)
    new = cdb.report(utc("2025-09-01 13:00"), "theft_fuel")
    now = utc("2025-09-01 18:00")
    assert cdb.clock(old, "answered", now).due == utc("2025-09-02 09:00")
    assert cdb.clock(new, "answered", now).due == utc("2025-09-01 17:00")
    assert cdb.clock(new, "answered", now).state == "breached"
    assert cdb.clock(old, "answered", now).state == "running"
    # A force-wide override does not relax the 2-hour answer for urgent categories ...
    urgent = cdb.report(utc("2025-09-01 13:00"), "hare_coursing")
    assert cdb.clock(urgent, "answered", now).due == utc("2025-09-01 15:00")
    # ... nor touch another force's reports.
    sussex = cdb.report(utc("2025-09-01 13:00"), "theft_fuel", (50.95, -0.3))
    assert cdb.clock(sussex, "answered", now).due == utc("2025-09-02 13:00")


def test_removing_an_override_brings_back_the_defaults_for_later_reports(cdb: ClockDb) -> None:
    with write(cdb.db):
        policy.set_override(
            cdb.db, "Kent Police", "decision", "theft_fuel", "1 working day", "s", utc("2025-09-01 00:00")
        )
        policy.set_override(cdb.db, "Kent Police", "decision", "theft_fuel", None, "s", utc("2025-09-10 00:00"))
    during = cdb.report(utc("2025-09-02 09:00"), "theft_fuel")
    after = cdb.report(utc("2025-09-15 09:00"), "theft_fuel")
    assert cdb.clock(during, "decision", utc("2025-09-20 00:00")).due == utc("2025-09-03 09:00")
    assert cdb.clock(after, "decision", utc("2025-09-20 00:00")).due == utc("2025-09-22 09:00")


def test_suspicious_activity_runs_no_victims_code_clocks(cdb: ClockDb) -> None:
    rid = cdb.report(utc("2025-09-01 09:00"), "suspicious_activity")
    rc = cdb.clocks(rid, utc("2025-12-01 09:00"))
    assert rc.by_name("decision").state == "not_applicable"
    assert rc.by_name("update").state == "not_applicable"
    assert rc.overdue_flags() == {"unanswered", "no_reference"}


def test_attendance_runs_only_for_incidents_happening_now_and_is_not_public(cdb: ClockDb) -> None:
    later = cdb.report(utc("2025-09-01 09:00"), "livestock_worrying", happening_now=False)
    live = cdb.report(utc("2025-09-01 09:00"), "livestock_worrying", happening_now=True)
    assert cdb.clock(later, "attendance", utc("2025-09-05 09:00")).state == "not_applicable"
    attendance = cdb.clock(live, "attendance", utc("2025-09-01 09:30"))
    assert (attendance.state, attendance.public) == ("running", False)
    cdb.act(live, "attended", utc("2025-09-01 10:20"))
    assert cdb.clock(live, "attendance", utc("2025-09-01 11:00")).state == "met_late"


def test_update_cadence_counts_a_late_update_and_restarts_at_each_update(cdb: ClockDb) -> None:
    received = utc("2025-09-01 09:00")
    rid = cdb.report(received, "theft_machinery")
    cdb.act(rid, "update_sent", received + timedelta(days=20), text="Enquiries continue.")
    cdb.act(rid, "update_sent", received + timedelta(days=55), text="A suspect was interviewed.")
    update = cdb.clock(rid, "update", received + timedelta(days=60))
    assert (update.start, update.due, update.state, update.missed) == (
        received + timedelta(days=55),
        received + timedelta(days=85),
        "running",
        1,
    )
    overdue = cdb.clock(rid, "update", received + timedelta(days=86))
    assert (overdue.state, overdue.overdue) == ("breached", True)
    cdb.act(rid, "closed", received + timedelta(days=90), outcome="no_further_action")
    closed = cdb.clock(rid, "update", received + timedelta(days=100))
    assert (closed.state, closed.missed, closed.overdue) == ("met_late", 2, False)


def test_chases_show_on_the_running_clocks_and_first_call_starts_the_reported_view(cdb: ClockDb) -> None:
    received = utc("2025-09-01 09:00")
    calls = [
        {"channel": "101", "called_at": "2025-09-01T07:00:00Z", "waited_s": 1200, "outcome": "answered"},
        {"channel": "999", "called_at": "2025-09-01T06:30:00Z", "outcome": "answered"},
    ]
    rid = cdb.report(received, "theft_machinery", calls=calls)
    chase = received + timedelta(days=1, hours=3)
    cdb.act(rid, "chased", chase, text="Anyone there?")
    cdb.act(rid, "acknowledged", received + timedelta(days=2))
    rc = cdb.clocks(rid, received + timedelta(days=3))
    assert rc.first_reported_at == utc("2025-09-01 06:30")
    assert rc.call_mark == "red"  # a 101 wait over 15 minutes
    answered = rc.by_name("answered")
    assert (answered.first_reported_at, answered.chases, answered.state) == (
        utc("2025-09-01 06:30"),
        (chase,),
        "met_late",
    )
    assert rc.by_name("reference").chases == (chase,)


@pytest.mark.parametrize(
    ("calls", "mark"),
    [
        ([], None),
        ([{"channel": "999", "waited_s": 2000, "outcome": "abandoned"}], None),
        ([{"channel": "101", "waited_s": 120, "outcome": "answered"}], "green"),
        ([{"channel": "101", "waited_s": 301, "outcome": "answered"}], "amber"),
        ([{"channel": "101", "waited_s": 900, "outcome": "answered"}], "amber"),
        ([{"channel": "101", "waited_s": 901, "outcome": "answered"}], "red"),
        ([{"channel": "101", "waited_s": 30, "outcome": "abandoned"}], "red"),
        (
            [{"channel": "101", "outcome": "abandoned"}, {"channel": "101", "waited_s": 10, "outcome": "answered"}],
            "red",
        ),
    ],
)
def test_101_calls_mark_the_report_for_the_101_figures(cdb: ClockDb, calls: list[dict], mark: str | None) -> None:
    for call in calls:
        call["called_at"] = "2025-09-01T08:00:00Z"
    rid = cdb.report(utc("2025-09-01 09:00"), "theft_fuel", calls=calls)
    assert cdb.clocks(rid, utc("2025-09-01 10:00")).call_mark == mark
    stored = cdb.db.execute("SELECT call_mark FROM report_clocks WHERE report_id = ?", [rid]).fetchone()[0]
    assert stored == mark


def test_every_event_keeps_the_materialised_clocks_and_next_due_time_current(cdb: ClockDb) -> None:
    received = utc("2025-09-01 09:00")
    rid = cdb.report(received, "theft_fuel")

    def row() -> dict:
        return dict(cdb.db.execute("SELECT * FROM report_clocks WHERE report_id = ?", [rid]).fetchone())

    # The earliest due time: the answer, due the next working day (before the 48-hour reference).
    assert row()["next_due_s"] == int((received + timedelta(days=1)).timestamp())
    assert row()["answered_state"] == "running"
    cdb.act(rid, "acknowledged", received + timedelta(hours=2))
    stored = row()
    assert stored["answered_stop_s"] == int((received + timedelta(hours=2)).timestamp())
    assert stored["answered_state"] == "met"
    assert stored["next_due_s"] == int((received + timedelta(hours=48)).timestamp())
    cdb.act(rid, "reference_added", received + timedelta(hours=3), reference="KP/1")
    cdb.act(rid, "decision", received + timedelta(hours=4), decision="investigate")
    assert row()["next_due_s"] == int((received + timedelta(hours=4, days=30)).timestamp())
    cdb.act(rid, "closed", received + timedelta(hours=5), outcome="arrest")
    assert row()["next_due_s"] is None
