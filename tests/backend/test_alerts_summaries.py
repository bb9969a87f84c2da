"""Alerts in the NFU summaries: alerts issued per force in the period, and the median time from the report an alert
was started from to the alert; small counts hidden as every other figure is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from backend.services.alerts import issuing
from backend.services.staff.accounts import add_user
from backend.services.summaries.alert_figures import TOTAL, alert_lines, alert_rows
from backend.services.summaries.summary_periods import parse_period
from backend.settings import Settings
from tests.backend.alerts_support import SUSSEX, alert_body
from tests.backend.clocks_support import ClockDb, utc
from tests.backend.console_support import KENT_POLICE, SUSSEX_POLICE
from wire.alerts import AlertCreate

SEPTEMBER = parse_period("2025-09", date(2026, 1, 1))


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


def test_alerts_are_counted_per_force_with_the_median_time_from_their_report_and_small_counts_hidden(
    cdb: ClockDb, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, sms_url="", smtp_host="")
    kent = add_user(cdb.db, "kent.nfu.alerts", "kent-password-1", "officer", KENT_POLICE, utc("2025-01-01 00:00"))
    sussex = add_user(
        cdb.db, "sussex.nfu.alerts", "sussex-password-1", "officer", SUSSEX_POLICE, utc("2025-01-01 00:00")
    )
    # Kent: six alerts in September, five started from reports 10, 50, 20, 40 and 30 minutes earlier.
    for day, minutes in enumerate((10, 50, 20, 40, 30, None), start=2):
        received = utc(f"2025-09-{day:02d} 08:00")
        extra = {}
        if minutes is not None:
            extra["report_id"] = cdb.report(received, "hare_coursing")
        issued_at = received + timedelta(minutes=minutes or 5)
        issuing.issue(cdb.db, kent, AlertCreate.model_validate(alert_body(**extra)), issued_at, settings)
    # Sussex: two in September; one in August and one in October for Kent are outside the period.
    for day in (3, 4):
        at = utc(f"2025-09-{day:02d} 12:00")
        issuing.issue(cdb.db, sussex, AlertCreate.model_validate(alert_body(SUSSEX, 2.0)), at, settings)
    for at in (utc("2025-08-31 22:59"), utc("2025-10-01 00:00")):  # 23:59 in August and 01:00 in October, UK time
        issuing.issue(cdb.db, kent, AlertCreate.model_validate(alert_body()), at, settings)

    rows = {r.force: r for r in alert_rows(cdb.db, None, None, SEPTEMBER)}
    assert sorted(rows) == [TOTAL, KENT_POLICE, SUSSEX_POLICE]
    assert (rows[KENT_POLICE].report_to_alert.status, rows[KENT_POLICE].report_to_alert.value) == ("shown", 30 * 60)
    assert rows[SUSSEX_POLICE].issued.status == "small" and rows[SUSSEX_POLICE].report_to_alert.status == "none"
    # The total is Kent's and Sussex's: with Sussex hidden, one of the others is too, or Sussex would be 8 - 6.
    shown = [f for f in (KENT_POLICE, TOTAL) if rows[f].issued.status == "shown"]
    assert len(shown) == 1 and rows[shown[0]].issued.value == {KENT_POLICE: 6, TOTAL: 8}[shown[0]]
    assert rows[TOTAL].report_to_alert.value == 30 * 60  # the same five reports
    # A force's officer sees their own force only, without a total.
    [own] = alert_rows(cdb.db, KENT_POLICE, None, SEPTEMBER)
    assert (own.force, own.issued.value, own.issued.status) == (KENT_POLICE, 6, "shown")
    assert alert_lines([own]) == [
        ["Force", "Alerts issued", "Median time from the report to the alert"],
        [KENT_POLICE, "6", "30 min"],
    ]
    assert alert_lines(alert_rows(cdb.db, SUSSEX_POLICE, None, SEPTEMBER))[1] == [SUSSEX_POLICE, "fewer than 5", "–"]
    assert alert_rows(cdb.db, None, None, parse_period("2025-07", date(2026, 1, 1))) == []
