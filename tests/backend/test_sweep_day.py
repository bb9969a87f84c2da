"""A day of activity with the injected clock moving in five-minute steps and the real sweep after each step.

Reports arrive and are answered at set times; the sweep raises each flag once when its clock runs out and
clears it when the answer comes; escalations and digests reach a real local webhook receiver that fails the
first two tries of every notification, exactly once each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from backend.services.clocks import sweep
from backend.services.staff.accounts import add_user
from backend.settings import Settings
from tests.backend.clocks_support import ClockDb, utc
from tests.backend.notify_support import WebhookReceiver

SUSSEX = (50.95, -0.3)
STEP = timedelta(minutes=5)


def test_a_day_of_activity_raises_each_flag_once_clears_it_and_notifies_exactly_once(tmp_path: Path) -> None:
    cdb = ClockDb(tmp_path / "hedgerow.db")
    db = cdb.db
    add_user(db, "kent-sup", "kent-password-123", "supervisor", "Kent Police", utc("2025-08-01 00:00"))
    ids: dict[str, str] = {}
    # Report F arrived the Friday before: its answer is due Monday 10:00 UTC, its reference was due Sunday.
    ids["F"] = cdb.report(utc("2025-08-29 10:00"), "theft_fuel")

    plan: list[tuple[datetime, Callable[[], None]]] = [
        (utc("2025-09-01 07:10"), lambda: ids.__setitem__("A", cdb.report(utc("2025-09-01 07:10"), "hare_coursing"))),
        (utc("2025-09-01 07:30"), lambda: ids.__setitem__("E", cdb.report(utc("2025-09-01 07:30"), "fly_tipping"))),
        (utc("2025-09-01 08:00"), lambda: ids.__setitem__("B", cdb.report(utc("2025-09-01 08:00"), "hare_coursing"))),
        (utc("2025-09-01 08:30"), lambda: cdb.act(ids["A"], "acknowledged", utc("2025-09-01 08:30"))),
        (
            utc("2025-09-01 09:00"),
            lambda: ids.__setitem__("C", cdb.report(utc("2025-09-01 09:00"), "livestock_worrying", happening_now=True)),
        ),
        (utc("2025-09-01 10:40"), lambda: cdb.act(ids["C"], "attended", utc("2025-09-01 10:40"))),
        (utc("2025-09-01 12:00"), lambda: ids.__setitem__("D", cdb.report(utc("2025-09-01 12:00"), "poaching"))),
        (utc("2025-09-01 13:00"), lambda: cdb.act(ids["B"], "acknowledged", utc("2025-09-01 13:00"))),
        (
            utc("2025-09-01 15:00"),
            lambda: cdb.act(ids["F"], "reference_added", utc("2025-09-01 15:00"), reference="KP/2025/4471"),
        ),
        (
            utc("2025-09-01 16:00"),
            lambda: ids.__setitem__("G", cdb.report(utc("2025-09-01 16:00"), "hare_coursing", SUSSEX)),
        ),
    ]
    with WebhookReceiver(failures=2) as receiver, httpx.Client() as client:
        settings = Settings(data_dir=tmp_path, webhook_url=receiver.url, digest_hour=7, escalate_within_hours=24)
        now = utc("2025-09-01 07:00")
        while now <= utc("2025-09-02 07:00"):
            for _, action in [p for p in plan if now - STEP < p[0] <= now]:
                action()
            sweep.run_cycle(db, settings, now, client)
            now += STEP

    name = {v: k for k, v in ids.items()}
    raised = Counter(
        (name[r["report_id"]], r["flag"], r["at"])
        for r in db.execute(
            "SELECT report_id, json_extract(data, '$.flag') AS flag, at FROM events WHERE kind = 'flag_raised'"
        )
    )
    cleared = Counter(
        (name[r["report_id"]], r["flag"], r["at"])
        for r in db.execute(
            "SELECT report_id, json_extract(data, '$.flag') AS flag, at FROM events WHERE kind = 'flag_cleared'"
        )
    )
    # Each flag once, at the first sweep after its clock ran out ...
    assert raised == {
        ("F", "no_reference", "2025-09-01T07:00:00Z"): 1,
        ("C", "attendance_late", "2025-09-01T10:05:00Z"): 1,
        ("B", "unanswered", "2025-09-01T10:05:00Z"): 1,
        ("F", "unanswered", "2025-09-01T10:05:00Z"): 1,
        ("D", "unanswered", "2025-09-01T14:05:00Z"): 1,
        ("G", "unanswered", "2025-09-01T18:05:00Z"): 1,
    }
    # ... and cleared by the sweep that follows the answer (in the same step).
    assert cleared == {
        ("C", "attendance_late", "2025-09-01T10:40:00Z"): 1,
        ("B", "unanswered", "2025-09-01T13:00:00Z"): 1,
        ("F", "no_reference", "2025-09-01T15:00:00Z"): 1,
        ("F", "unanswered", "2025-09-01T15:00:00Z"): 1,
    }
    held = {(name[r[0]], r[1]) for r in db.execute("SELECT report_id, flag FROM report_flags")}
    assert held == {("D", "unanswered"), ("G", "unanswered")}

    # Every notification reached the receiver exactly once, on its third try.
    assert sorted(receiver.accepted_keys) == sorted(set(receiver.accepted_keys))
    assert set(receiver.tries.values()) == {3}
    escalated = sorted(
        (name[p["report_id"]], p["force"], p["raised_at"]) for p in receiver.accepted if p["type"] == "escalation"
    )
    assert escalated == [
        ("B", "Kent Police", "2025-09-01T10:05:00Z"),
        ("D", "Kent Police", "2025-09-01T14:05:00Z"),
        ("F", "Kent Police", "2025-09-01T10:05:00Z"),
        ("G", "Sussex Police", "2025-09-01T18:05:00Z"),
    ]
    kent_escalation = next(p for p in receiver.accepted if p["type"] == "escalation" and p["force"] == "Kent Police")
    assert kent_escalation["supervisors"] == ["kent-sup"]
    assert "description" not in kent_escalation and "location" not in kent_escalation
    digests = sorted(
        (p["force"], p["date"], [name[r["report_id"]] for r in p["reports"]])
        for p in receiver.accepted
        if p["type"] == "digest"
    )
    # The first step is past 07:00 UK time on Monday, so Monday's digest goes out then with what is overdue.
    assert digests == [
        ("Kent Police", "2025-09-01", ["F"]),
        ("Kent Police", "2025-09-02", ["D"]),
        ("Sussex Police", "2025-09-02", ["G"]),
    ]
    delivered = db.execute(
        "SELECT count(*), min(attempts), max(attempts) FROM notifications WHERE delivered_at IS NOT NULL"
    ).fetchone()
    assert tuple(delivered) == (7, 3, 3)
    assert db.execute("SELECT count(*) FROM notifications WHERE delivered_at IS NULL").fetchone()[0] == 0
    cdb.close()
