"""The sweep: incremental, idempotent, and safe when two run at once (threads, or `hedgerow sweep` processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backend.db import connect
from backend.services.clocks import sweep
from backend.services.staff.accounts import add_user
from backend.settings import Settings
from tests.backend.clocks_support import ClockDb, utc
from tests.support import ROOT

RECEIVED = utc("2025-09-01 08:00")  # a Monday
LATER = utc("2025-09-04 09:00")  # answer (1 working day) and reference (48 hours) have run out


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


def _flag_events(cdb: ClockDb, kind: str = "flag_raised") -> Counter[tuple[str, str]]:
    return Counter(
        (r[0], r[1])
        for r in cdb.db.execute(
            "SELECT report_id, json_extract(data, '$.flag') FROM events WHERE kind = ?", [kind]
        ).fetchall()
    )


def test_sweep_with_nothing_due_examines_no_report(cdb: ClockDb) -> None:
    rid = cdb.report(RECEIVED, "theft_fuel")
    first = sweep.sweep(cdb.db, RECEIVED + timedelta(hours=1), Settings())
    assert (first.examined, first.raised) == (0, [])
    result = sweep.sweep(cdb.db, LATER, Settings())
    assert result.examined == 1
    assert sorted(result.raised) == [(rid, "no_reference"), (rid, "unanswered")]
    # Everything is flagged and the rest is due weeks away: the next sweep looks at nothing.
    again = sweep.sweep(cdb.db, LATER + timedelta(minutes=1), Settings())
    assert (again.examined, again.raised, again.cleared) == (0, [], [])
    assert _flag_events(cdb) == {(rid, "no_reference"): 1, (rid, "unanswered"): 1}


def test_sweep_run_twice_at_the_same_moment_writes_nothing_the_second_time(cdb: ClockDb) -> None:
    ids = [cdb.report(RECEIVED + timedelta(minutes=i), "theft_fuel") for i in range(5)]
    assert len(sweep.sweep(cdb.db, LATER, Settings()).raised) == 10
    # Force every report to be looked at again: the flags are held already, so nothing new is written.
    cdb.db.execute("UPDATE report_clocks SET next_due_s = 0")
    second = sweep.sweep(cdb.db, LATER, Settings())
    assert (second.examined, second.raised, second.cleared) == (5, [], [])
    assert _flag_events(cdb) == {(rid, flag): 1 for rid in ids for flag in ("unanswered", "no_reference")}


def test_flag_of_a_clock_satisfied_later_is_cleared_once(cdb: ClockDb) -> None:
    rid = cdb.report(RECEIVED, "theft_fuel")
    sweep.sweep(cdb.db, LATER, Settings())
    cdb.act(rid, "acknowledged", LATER + timedelta(hours=1))
    result = sweep.sweep(cdb.db, LATER + timedelta(hours=1, minutes=1), Settings())
    assert (result.examined, result.cleared) == (1, [(rid, "unanswered")])
    assert _flag_events(cdb, "flag_cleared") == {(rid, "unanswered"): 1}
    assert sweep.sweep(cdb.db, LATER + timedelta(hours=2), Settings()).cleared == []
    flags = [r[0] for r in cdb.db.execute("SELECT flag FROM report_flags WHERE report_id = ?", [rid])]
    assert flags == ["no_reference"]


def test_old_breaches_are_flagged_but_do_not_page_supervisors(cdb: ClockDb, tmp_path: Path) -> None:
    add_user(cdb.db, "sup", "sup-password-123", "supervisor", "Kent Police", RECEIVED)
    old = cdb.report(RECEIVED - timedelta(days=30), "hare_coursing")
    fresh = cdb.report(LATER - timedelta(hours=3), "hare_coursing")
    settings = Settings(data_dir=tmp_path, webhook_url="http://127.0.0.1:9/unused", escalate_within_hours=24)
    result = sweep.sweep(cdb.db, LATER, settings)
    assert {(r, f) for r, f in result.raised if f == "unanswered"} == {(old, "unanswered"), (fresh, "unanswered")}
    queued = [r[0] for r in cdb.db.execute("SELECT report_id FROM notifications WHERE kind = 'escalation'")]
    assert (result.notifications, queued) == (1, [fresh])


def test_two_sweeps_in_two_threads_at_once_raise_no_duplicate(cdb: ClockDb) -> None:
    ids = [cdb.report(RECEIVED + timedelta(seconds=i), "theft_fuel") for i in range(400)]
    start = threading.Barrier(2)
    results: list[sweep.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        db = connect(cdb.path)
        try:
            start.wait()
            results.append(sweep.sweep(db, LATER, Settings(), batch=20))
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    first, second = results
    # Between them, every flag exactly once.
    assert set(first.raised).isdisjoint(second.raised)
    assert len(first.raised) + len(second.raised) == 800
    assert _flag_events(cdb) == {(rid, flag): 1 for rid in ids for flag in ("unanswered", "no_reference")}
    held = cdb.db.execute("SELECT count(*) FROM report_flags").fetchone()[0]
    assert held == 800


def test_two_hedgerow_sweep_processes_at_once_raise_no_duplicate(cdb: ClockDb, tmp_path: Path) -> None:
    ids = [cdb.report(RECEIVED + timedelta(seconds=i), "theft_fuel") for i in range(1500)]
    env = {**os.environ, "HEDGEROW_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "backend.cli", "sweep", "--now", LATER.isoformat(), "--no-deliver"]
    procs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    raised = [int(out.split("raised ")[1].split(" ")[0]) for out, _ in outputs]
    assert sum(raised) == 3000
    assert _flag_events(cdb) == {(rid, flag): 1 for rid in ids for flag in ("unanswered", "no_reference")}


def test_hedgerow_sweep_refuses_a_time_without_its_offset(cdb: ClockDb, tmp_path: Path) -> None:
    env = {**os.environ, "HEDGEROW_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "sweep", "--now", "2025-09-04T09:00:00"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "offset" in done.stderr


def test_a_report_inserted_without_the_event_log_is_timed_by_the_next_sweep(cdb: ClockDb) -> None:
    """A bulk loader (the demo generator) writes rows directly: a trigger marks them for the sweep."""
    rid = cdb.report(RECEIVED, "theft_fuel")
    cdb.db.execute("DELETE FROM report_clocks")
    columns = [r[1] for r in cdb.db.execute("PRAGMA table_info(reports)").fetchall() if r[1] != "id"]
    listed = ", ".join(columns)
    cdb.db.execute(f"INSERT INTO reports (id, {listed}) SELECT 'bulk-1', {listed} FROM reports WHERE id = ?", [rid])
    pending = cdb.db.execute("SELECT report_id, next_due_s, answered_state FROM report_clocks").fetchall()
    assert [tuple(r) for r in pending] == [("bulk-1", 0, None)]
    result = sweep.sweep(cdb.db, RECEIVED + timedelta(hours=1), Settings())
    assert (result.examined, result.raised) == (1, [])
    row = cdb.db.execute(
        "SELECT answered_state, answered_due_s FROM report_clocks WHERE report_id = 'bulk-1'"
    ).fetchone()
    assert tuple(row) == ("running", int((RECEIVED + timedelta(days=1)).timestamp()))
