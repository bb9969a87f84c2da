"""A search for a word common in other forces' reports stops at its time budget with what it has found, and the
next page carries on; the queue service on a real SQLite file, with reports put through intake."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.db import open_and_migrate
from backend.security import iso
from backend.services.areas.boundaries import import_areas
from backend.services.intake import reports
from backend.services.triage import queue
from tests.support import DEMO_AREAS, HAMPSHIRE, KENT, report_body
from wire.reports import ReportCreate


def test_a_slow_search_stops_at_its_budget_and_the_next_page_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_and_migrate(tmp_path / "hedgerow.db")
    import_areas(db, DEMO_AREAS)
    now = datetime.now(UTC)
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES ('d', 'h', 'Jo', '07700 900123', ?)",
        [iso(now)],
    )

    def put(where: tuple[float, float], text: str) -> str:
        report_id = str(uuid.uuid4())
        body = ReportCreate.model_validate(report_body(where=where, description=text))
        assert reports.put_report(db, "d", report_id, body, now)
        return report_id

    kent = put(KENT, "Muddy gateway churned up by a quad")
    for i in range(600):
        put(HAMPSHIRE, f"Muddy gateway number {i}")
    wanted = queue.QueueFilter(force="Kent Police", text="muddy gateway", status="any")

    whole = queue.page(db, wanted)
    assert [r.id for r in whole.rows] == [kent] and not whole.partial

    monkeypatch.setattr(queue, "SEARCH_BUDGET_S", 0.0)
    cut = queue.page(db, wanted)
    assert cut.partial and cut.rows == []  # the Hampshire matches come first, newest first, and use up the budget
    hampshire = queue.QueueFilter(force="Hampshire and Isle of Wight Constabulary", text="muddy", status="any")
    first = queue.page(db, hampshire, size=500)
    assert first.partial and first.next_cursor is not None and len(first.rows) < 500
    monkeypatch.setattr(queue, "SEARCH_BUDGET_S", 60.0)
    rest = queue.page(db, hampshire, after=first.next_cursor, size=1000)
    assert not rest.partial
    seen = [r.id for r in first.rows] + [r.id for r in rest.rows]
    assert len(seen) == len(set(seen)) == 600  # nothing lost or repeated across the cut
    db.close()
