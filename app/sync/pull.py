"""Bringing the police's answers back: `GET /api/v1/reports?since=<cursor>` until nothing more has changed.

New public events (seen by police, a reference, an officer's update, closed) are stored against the report
and counted as unread, for the marker on the report and on the home screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx

from app.store import reports as report_store
from app.store.db import Store
from app.sync import records
from app.sync.errors import classify, is_json, network_error, portal
from wire.events import POLICE_KINDS

PAGE = 200
MAX_PAGES = 50  # one pass; the rest comes with the next


async def pull_changes(
    store: Store, client: httpx.AsyncClient, server_url: str, token: str, clock: Callable[[], datetime]
) -> int:
    """Fetch every change since the stored cursor; returns how many new police events arrived."""
    new_events = 0
    for _ in range(MAX_PAGES):
        cursor = records.get(store, records.CURSOR, "0")
        try:
            response = await client.get(
                f"{server_url}/api/v1/reports",
                params={"since": cursor, "limit": PAGE},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            raise network_error(exc) from exc
        classify(response, {200})
        if not is_json(response):
            raise portal(response)
        page = response.json()
        if not isinstance(page, dict) or not isinstance(page.get("reports"), list) or "cursor" not in page:
            raise portal(response)
        now = clock()
        known = records.known_report_ids(store, [str(r.get("id")) for r in page["reports"]])
        for report in page["reports"]:
            rid = str(report["id"])
            if rid not in known:
                continue  # sent from another phone of the same farmer, or deleted here
            before = records.status_update_count(store, rid, POLICE_KINDS)
            report_store.record_server_state(
                store,
                rid,
                report["status"],
                report.get("police_reference"),
                _acknowledged_at(report),
                report["updated_at"],
                report.get("timeline") or [],
                now,
                answer_due_at=_answer_due_at(report),
            )
            # Unread until the farmer opens the report (each entry keeps its own read mark).
            new_events += records.status_update_count(store, rid, POLICE_KINDS) - before
        # The cursor moves only after the page is stored: a cut here repeats the page, which is harmless.
        records.put(store, records.CURSOR, str(page["cursor"]), now)
        if not page.get("more"):
            break
    return new_events


def _acknowledged_at(report: dict) -> str | None:
    for entry in report.get("timeline") or []:
        if entry.get("kind") == "acknowledged":
            return str(entry.get("at"))
    return None


def _answer_due_at(report: dict) -> str | None:
    """The server's due time for the police's first answer, as an aware ISO time; None when it has none, does not
    say (an older server) or says something that is not a time."""
    value = report.get("answer_due_at")
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due.isoformat() if due.tzinfo is not None else None
