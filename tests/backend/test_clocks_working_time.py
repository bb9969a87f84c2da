"""Table-driven tests of the working-day and elapsed-time arithmetic every target is measured with."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from backend.services.clocks.working_time import BadTarget, Target, add_working_days, is_working_day
from tests.backend.clocks_support import utc

# (case, received (UTC), target, nation, due (UTC))
CASES = [
    # Friday 17:00 BST before the August bank holiday Monday in England: Tuesday 17:00.
    ("friday_before_bank_holiday_england", "2025-08-22 16:00", "1 working day", "england_wales", "2025-08-26 16:00"),
    # Scotland's summer holiday was 4 August, so its Monday 25 August is a working day.
    ("friday_before_english_holiday_scotland", "2025-08-22 16:00", "1 working day", "scotland", "2025-08-25 16:00"),
    ("five_working_days_over_bank_holiday", "2025-08-22 16:00", "5 working days", "england_wales", "2025-09-01 16:00"),
    # Received on a Saturday before the bank holiday: counting starts Tuesday 00:00 BST, due at its end.
    ("saturday_before_bank_holiday", "2025-08-23 09:00", "1 working day", "england_wales", "2025-08-26 23:00"),
    # Received at exactly 00:00 BST on a Monday: that whole day counts.
    ("midnight_on_a_working_day", "2025-08-31 23:00", "1 working day", "england_wales", "2025-09-01 23:00"),
    # 01:30 on the night the clocks go back, both times round (BST, then GMT): a Sunday, so the end of Monday.
    ("clocks_go_back_first_0130", "2025-10-26 00:30", "1 working day", "england_wales", "2025-10-28 00:00"),
    ("clocks_go_back_second_0130", "2025-10-26 01:30", "1 working day", "england_wales", "2025-10-28 00:00"),
    # Hours are elapsed time: 2 hours after 01:30 BST is 02:30 GMT, whatever the wall clock did in between.
    ("clocks_go_back_two_hours", "2025-10-26 00:30", "2 hours", "england_wales", "2025-10-26 02:30"),
    ("clocks_go_back_48_hours", "2025-10-25 12:00", "48 hours", "england_wales", "2025-10-27 12:00"),
    # Friday 01:30 BST, 1 working day: Monday 01:30 GMT by the wall clock (73 real hours).
    ("friday_0130_before_clocks_go_back", "2025-10-24 00:30", "1 working day", "england_wales", "2025-10-27 01:30"),
    # Friday 01:30 GMT before the clocks go forward: Monday 01:30 BST.
    ("friday_0130_before_clocks_go_forward", "2026-03-27 01:30", "1 working day", "england_wales", "2026-03-30 00:30"),
    # 2 January is a bank holiday in Scotland only.
    ("new_year_england", "2025-12-31 10:00", "1 working day", "england_wales", "2026-01-02 10:00"),
    ("new_year_scotland", "2025-12-31 10:00", "1 working day", "scotland", "2026-01-05 10:00"),
    # St Andrew's Day fell on a Sunday in 2025: Scotland had Monday 1 December off instead.
    ("st_andrews_day_england", "2025-11-28 10:00", "1 working day", "england_wales", "2025-12-01 10:00"),
    ("st_andrews_day_scotland", "2025-11-28 10:00", "1 working day", "scotland", "2025-12-02 10:00"),
    # St Patrick's Day (Tuesday 17 March 2026) in Northern Ireland only.
    ("st_patricks_day_northern_ireland", "2026-03-16 12:00", "1 working day", "northern_ireland", "2026-03-18 12:00"),
    ("st_patricks_day_england", "2026-03-16 12:00", "1 working day", "england_wales", "2026-03-17 12:00"),
    ("thirty_days_is_elapsed_time", "2025-10-01 09:00", "30 days", "england_wales", "2025-10-31 09:00"),
    ("sixty_minutes", "2025-10-01 09:00", "60 minutes", "scotland", "2025-10-01 10:00"),
]


@pytest.mark.parametrize(("received", "target", "nation", "due"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_target_due_time_follows_uk_working_days_and_dst(received: str, target: str, nation: str, due: str) -> None:
    assert Target.parse(target).due(utc(received), nation) == utc(due)


@pytest.mark.parametrize(
    ("day", "nation", "working"),
    [
        ("2025-08-25", "england_wales", False),
        ("2025-08-25", "scotland", True),
        ("2025-08-04", "scotland", False),
        ("2026-01-02", "scotland", False),
        ("2026-01-02", "england_wales", True),
        ("2026-07-13", "northern_ireland", False),
        ("2026-07-13", "england_wales", True),
        ("2025-08-23", "england_wales", False),
    ],
)
def test_working_days_differ_by_nation(day: str, nation: str, working: bool) -> None:
    assert is_working_day(datetime.fromisoformat(day).date(), nation) is working


def test_working_days_count_whole_local_days_so_a_25_hour_day_is_one_day() -> None:
    # Thursday 23 October 2025 12:00 BST + 3 working days: Tuesday 28 October 12:00 GMT.
    assert add_working_days(utc("2025-10-23 11:00"), 3, "england_wales") == utc("2025-10-28 12:00")


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("2 hours", "2 hours"),
        ("1 Working Day", "1 working day"),
        ("5 working days", "5 working days"),
        ("1 hours", "1 hour"),
        ("90 minutes", "90 minutes"),
        ("30 day", "30 days"),
    ],
)
def test_targets_are_read_in_words_and_normalised(text: str, normalised: str) -> None:
    assert str(Target.parse(text)) == normalised


NOT_A_TARGET = "a target is a whole number and a unit: 'N minutes', 'N hours', 'N days' or 'N working days', not "


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", NOT_A_TARGET + "''"),
        ("hours", NOT_A_TARGET + "'hours'"),
        ("2", NOT_A_TARGET + "'2'"),
        ("0 hours", "a target in hours must be between 1 and 8784 (a year)"),
        ("-1 hours", NOT_A_TARGET + "'-1 hours'"),
        ("2 fortnights", NOT_A_TARGET + "'2 fortnights'"),
        ("1.5 hours", NOT_A_TARGET + "'1.5 hours'"),
        ("400 days", "a target in days must be between 1 and 366 (a year)"),
        ("300 working days", "a target in working days must be between 1 and 262 (a year)"),
        ("2 hours please", NOT_A_TARGET + "'2 hours please'"),
    ],
)
def test_a_target_that_is_not_a_whole_number_of_a_known_unit_is_refused(text: str, message: str) -> None:
    with pytest.raises(BadTarget, match=f"^{re.escape(message)}$"):
        Target.parse(text)
