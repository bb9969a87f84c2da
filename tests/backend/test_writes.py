"""The one write path on a real Hedgerow database: a write's batch computes the clocks of the reports it changed
once, as of their latest change, before it commits; nested writes and the group-commit writer's jobs share it,
and what a failed part undid is forgotten by it too."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from backend.db import connect
from backend.schemas import EventCreate
from backend.services.clocks import response_clocks, sweep
from backend.services.clocks.policy import current_policy
from backend.services.intake import events, reports
from backend.services.staff.accounts import add_user
from backend.services.triage import actions
from backend.settings import Settings
from backend.writes import GroupCommitWriter, open_batch, write
from tests.backend.clocks_support import ClockDb, utc

RECEIVED = utc("2025-09-01 08:00")  # a Monday
LATER = utc("2025-09-04 09:00")  # answer (1 working day) and reference (48 hours) have run out
OUTSIDE = r"^a report changed outside backend\.writes\.write"


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


def _stored(db: sqlite_utils.Database, report_id: str) -> dict[str, Any]:
    return dict(db.execute("SELECT * FROM report_clocks WHERE report_id = ?", [report_id]).fetchone())


def _computed_at(db: sqlite_utils.Database, report_id: str) -> datetime:
    return datetime.fromtimestamp(_stored(db, report_id)["computed_s"], RECEIVED.tzinfo)


def _event_kinds(db: sqlite_utils.Database, report_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT kind FROM events WHERE report_id = ? ORDER BY id", [report_id])]


def _flags(db: sqlite_utils.Database, report_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT flag FROM report_flags WHERE report_id = ? ORDER BY flag", [report_id])]


class _Undo(Exception):
    pass


def _row_of_a_fresh_compute(db: sqlite_utils.Database, report_id: str, now: datetime) -> dict[str, Any]:
    """The row that storing the report's clocks computed afresh at `now`, with the flags it holds, would give
    (stored in a write that is then rolled back)."""
    facts = response_clocks.load_facts(db, [report_id])[report_id]
    fresh = response_clocks.compute(facts, current_policy(db), now)
    row: dict[str, Any] = {}
    with pytest.raises(_Undo, match="only to read the row"), write(db):
        response_clocks.materialise(db, [(fresh, facts.flags)])
        row = _stored(db, report_id)
        raise _Undo("only to read the row")
    return row


def _chase(cdb: ClockDb, report_id: str, at: datetime) -> Callable[[sqlite_utils.Database], int]:
    """A writer's job: the farmer chases the report at `at`."""

    def job(db: sqlite_utils.Database) -> int:
        with write(db):
            return events.record_event(db, reports.report_row(db, report_id), "chased", at, "device", cdb.device_id)

    return job


def _fail_after(job: Callable[[sqlite_utils.Database], int]) -> Callable[[sqlite_utils.Database], int]:
    def failing(db: sqlite_utils.Database) -> int:
        job(db)
        raise ValueError("refused after its event")

    return failing


def test_recording_an_event_outside_a_write_is_refused_before_anything_is_written(cdb: ClockDb) -> None:
    rid = cdb.report(RECEIVED)
    row = reports.report_row(cdb.db, rid)
    with pytest.raises(RuntimeError, match=OUTSIDE):
        events.record_event(cdb.db, row, "acknowledged", RECEIVED + timedelta(hours=1), "user", "1")
    assert _event_kinds(cdb.db, rid) == ["received"]
    assert reports.report_row(cdb.db, rid)["status"] == "received"
    assert not cdb.db.conn.in_transaction


def test_a_nested_write_joins_the_same_batch_and_a_failed_one_is_forgotten_with_its_rows(cdb: ClockDb) -> None:
    acted, refused = cdb.report(RECEIVED), cdb.report(RECEIVED)
    acknowledged_at = RECEIVED + timedelta(hours=1)
    with write(cdb.db) as outer:
        with write(cdb.db) as inner:
            assert inner is outer
            events.record_event(cdb.db, reports.report_row(cdb.db, acted), "acknowledged", acknowledged_at, "user", "1")
        with pytest.raises(ValueError, match="refused"), write(cdb.db):
            events.record_event(cdb.db, reports.report_row(cdb.db, refused), "acknowledged", LATER, "user", "1")
            raise ValueError("refused")
        assert outer.clocks_due == {acted: acknowledged_at}
        # The batch is the connection's: another connection to the same file has none.
        other = connect(cdb.path)
        with pytest.raises(RuntimeError, match=OUTSIDE):
            open_batch(other)
        other.close()
    with pytest.raises(RuntimeError, match=OUTSIDE):
        open_batch(cdb.db)  # closed with the outermost write
    assert (_event_kinds(cdb.db, acted), _event_kinds(cdb.db, refused)) == (["received", "acknowledged"], ["received"])
    assert (_computed_at(cdb.db, acted), _computed_at(cdb.db, refused)) == (acknowledged_at, RECEIVED)
    assert _stored(cdb.db, acted)["answered_state"] == "met"


def test_the_writer_computes_each_changed_reports_clocks_once_per_batch_as_of_its_latest_change(
    cdb: ClockDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    often, once = cdb.report(RECEIVED), cdb.report(RECEIVED)
    computed: list[str] = []
    real_compute = response_clocks.compute

    def counting(facts: response_clocks.ReportFacts, *args: Any) -> response_clocks.ReportClocks:
        computed.append(facts.id)
        return real_compute(facts, *args)

    monkeypatch.setattr(response_clocks, "compute", counting)
    times = [RECEIVED + timedelta(hours=h) for h in (2, 5, 1)]  # the latest is not the last one recorded
    writer = GroupCommitWriter(cdb.path)
    commits: list[str] = []
    writer.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)

    async def main() -> list[int]:
        jobs = [_chase(cdb, often, at) for at in times] + [_chase(cdb, once, RECEIVED + timedelta(hours=3))]
        return await asyncio.gather(*(writer.run_async(job) for job in jobs))

    assert len(asyncio.run(main())) == 4
    writer.close()
    assert commits == ["COMMIT"]  # one batch
    assert sorted(computed) == sorted([often, once])
    assert _computed_at(cdb.db, often) == RECEIVED + timedelta(hours=5)
    assert _computed_at(cdb.db, once) == RECEIVED + timedelta(hours=3)
    assert (_stored(cdb.db, often)["chases"], _stored(cdb.db, once)["chases"]) == (3, 1)


def test_a_failing_job_is_forgotten_by_the_batch_and_the_other_jobs_clocks_are_stored(cdb: ClockDb) -> None:
    first, failing, last = (cdb.report(RECEIVED) for _ in range(3))
    chased_at = RECEIVED + timedelta(hours=4)
    writer = GroupCommitWriter(cdb.path)

    async def main() -> list[object]:
        return await asyncio.gather(
            writer.run_async(_chase(cdb, first, chased_at)),
            writer.run_async(_fail_after(_chase(cdb, failing, chased_at))),
            writer.run_async(_chase(cdb, last, chased_at)),
            return_exceptions=True,
        )

    results = asyncio.run(main())
    writer.close()
    assert isinstance(results[1], ValueError) and str(results[1]) == "refused after its event"
    assert isinstance(results[0], int) and isinstance(results[2], int)
    assert [_event_kinds(cdb.db, r) for r in (first, failing, last)] == [
        ["received", "chased"],
        ["received"],
        ["received", "chased"],
    ]
    # The failed job's report keeps the clocks stored when it was received, not ones computed at its chase.
    assert [_computed_at(cdb.db, r) for r in (first, failing, last)] == [chased_at, RECEIVED, chased_at]
    assert [_stored(cdb.db, r)["chases"] for r in (first, failing, last)] == [1, 0, 1]


def test_after_an_officers_action_the_stored_clocks_are_those_computed_at_the_moment_it_was_recorded(
    cdb: ClockDb, tmp_path: Path
) -> None:
    """The action is dated an hour back; the flags it settles are worked out now, and so are the stored clocks:
    the batch must not store them again as of the action's own earlier time."""
    rid = cdb.report(RECEIVED, "theft_fuel")
    settings = Settings(data_dir=tmp_path)
    sweep.sweep(cdb.db, LATER, settings)
    assert _flags(cdb.db, rid) == ["no_reference", "unanswered"]
    officer = add_user(cdb.db, "pc.kent", "pc-password-123", "officer", "Kent Police", RECEIVED)
    now = LATER + timedelta(hours=2)
    body = EventCreate(kind="acknowledged", at=now - timedelta(hours=1))
    actions.record_action(cdb.db, officer, rid, body, now, settings)
    assert _flags(cdb.db, rid) == ["no_reference"]
    stored = _stored(cdb.db, rid)
    assert stored == _row_of_a_fresh_compute(cdb.db, rid, now)
    assert stored["computed_s"] == math.floor(now.timestamp())
    assert stored["answered_state"] == "met_late"


def test_after_a_bulk_action_every_reports_stored_clocks_are_those_computed_at_that_moment(
    cdb: ClockDb, tmp_path: Path
) -> None:
    ids = [cdb.report(RECEIVED + timedelta(minutes=i), "theft_fuel") for i in range(3)]
    settings = Settings(data_dir=tmp_path)
    sweep.sweep(cdb.db, LATER, settings)
    supervisor = add_user(cdb.db, "ps.kent", "ps-password-123", "supervisor", "Kent Police", RECEIVED)
    now = LATER + timedelta(hours=2)
    result = actions.bulk(cdb.db, supervisor, ids, "acknowledged", now, settings)
    assert (result.done, result.skipped) == (ids, {})
    for rid in ids:
        assert _flags(cdb.db, rid) == ["no_reference"]
        assert _stored(cdb.db, rid) == _row_of_a_fresh_compute(cdb.db, rid, now)
