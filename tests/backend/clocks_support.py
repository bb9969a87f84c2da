"""A real Hedgerow database in a temporary directory, with reports received and acted on at chosen times."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from backend.db import open_and_migrate
from backend.security import iso
from backend.services.areas.boundaries import import_areas
from backend.services.clocks import response_clocks
from backend.services.intake import events, reports
from backend.writes import write
from tests.support import DEMO_AREAS, KENT, report_body
from wire.reports import ReportCreate

# A square in County Fermanagh, for Northern Ireland's bank holidays (the demo areas have none there).
NORTHERN_IRELAND = (54.35, -7.6)
_NI_AREA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Fermanagh", "force": "PSNI", "nation": "northern_ireland"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-7.8, 54.2], [-7.4, 54.2], [-7.4, 54.5], [-7.8, 54.5], [-7.8, 54.2]]],
            },
        }
    ],
}


def utc(text: str) -> datetime:
    """'2025-08-22 16:00' (UTC) -> an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class ClockDb:
    """The real schema, the real intake and the real event log; only the times are chosen by the test."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: sqlite_utils.Database = open_and_migrate(path)
        import_areas(self.db, DEMO_AREAS)
        ni = path.parent / "ni.geojson"
        ni.write_text(json.dumps(_NI_AREA))
        import_areas(self.db, ni)
        self.device_id = str(uuid.uuid4())
        self.db.execute(
            "INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES (?, ?, 'Jo', '07700 900123', ?)",
            [self.device_id, uuid.uuid4().hex, iso(datetime(2020, 1, 1, tzinfo=UTC))],
        )

    def report(
        self,
        received: datetime,
        category: str = "fly_tipping",
        where: tuple[float, float] = KENT,
        **overrides: Any,
    ) -> str:
        body = report_body(category, where, **overrides)
        body["occurred_at"] = body["created_at"] = iso(received)
        report_id = str(uuid.uuid4())
        assert reports.put_report(self.db, self.device_id, report_id, ReportCreate.model_validate(body), received)
        return report_id

    def act(self, report_id: str, kind: str, at: datetime, **data: Any) -> None:
        """Record an event as staff (or the farmer, for a chase) would, in its own write."""
        actor = "device" if kind == "chased" else "user"
        with write(self.db):
            row = reports.report_row(self.db, report_id)
            events.record_event(self.db, row, kind, at, actor, "1", data)

    def clocks(self, report_id: str, now: datetime) -> response_clocks.ReportClocks:
        rc = response_clocks.report_clocks(self.db, report_id, now)
        assert rc is not None
        return rc

    def clock(self, report_id: str, name: str, now: datetime) -> response_clocks.ClockState:
        return self.clocks(report_id, now).by_name(name)

    def close(self) -> None:
        self.db.close()
