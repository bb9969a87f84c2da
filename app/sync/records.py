"""The sync engine's reads and writes of the phone database, beyond the outbox's own functions."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.store.db import Store
from app.store.profile import LANGUAGE_UNSENT
from app.store.settings import get_setting, set_setting
from wire.events import POLICE_KINDS

CURSOR = "sync_cursor"
LAST_SYNC = "sync_last_at"
LAST_ERROR = "sync_last_error"
NEEDS_REGISTRATION = "sync_needs_registration"
PHOTOS_WIFI_ONLY = "photos_wifi_only"


@dataclass(frozen=True)
class Waiting:
    """What is still to go: the sync screen's counts."""

    registrations: int
    reports: int
    photos: int
    photo_bytes: int
    other: int
    needing_attention: int

    @property
    def total(self) -> int:
        return self.registrations + self.reports + self.photos + self.other


def token(store: Store) -> str | None:
    with store.read() as db:
        row = db.execute("SELECT token FROM profile WHERE id = 1").fetchone()
    return row[0] if row else None


def forget_token(store: Store, now: datetime) -> None:
    """The server refused the token (401). Keep the device id and every report: only the token goes, so
    that saving the farmer's details queues a new registration."""
    with store.write() as db:
        db.execute("UPDATE profile SET token = NULL WHERE id = 1")
    set_setting(store, NEEDS_REGISTRATION, True, now)


def report_sent(store: Store, report_id: str) -> bool:
    with store.read() as db:
        row = db.execute("SELECT sent_at FROM reports WHERE id = ?", [report_id]).fetchone()
    return bool(row and row[0])


def set_problem(store: Store, report_id: str | None, problem: str | None) -> None:
    if report_id is None:
        return
    with store.write() as db:
        db.execute("UPDATE reports SET problem = ? WHERE id = ?", [problem, report_id])


def known_report_ids(store: Store, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    with store.read() as db:
        rows = db.execute(f"SELECT id FROM reports WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
    return {r[0] for r in rows}


def status_update_count(store: Store, report_id: str, kinds: frozenset[str]) -> int:
    marks = ",".join("?" * len(kinds))
    with store.read() as db:
        return int(
            db.execute(
                f"SELECT count(*) FROM status_updates WHERE report_id = ? AND kind IN ({marks})", [report_id, *kinds]
            ).fetchone()[0]
        )


def queue_chase(store: Store, report_id: str, text: str, now: datetime) -> str:
    """Queue a chase of an unanswered report; sent by the next sync. Returns the chase id."""
    chase_id = str(uuid.uuid4())
    with store.write() as db:
        db.execute(
            "INSERT INTO outbox (kind, report_id, payload, created_at) VALUES ('chase', ?, ?, ?)",
            [report_id, json.dumps({"chase_id": chase_id, "text": text}), now.isoformat()],
        )
    return chase_id


def waiting(store: Store) -> Waiting:
    """Items still to go. An item the server refused, and the photos of a refused report, need the farmer
    instead: they are counted apart, and kept."""
    held = (
        "(o.state = 'failed' AND o.next_attempt_at >= '9999') "
        "OR (o.kind = 'photo' AND EXISTS (SELECT 1 FROM reports r WHERE r.id = o.report_id AND r.problem IS NOT NULL))"
    )
    with store.read() as db:
        rows = db.execute(
            "SELECT o.kind, count(*), COALESCE(sum(p.upload_bytes - o.upload_offset), 0) FROM outbox o "
            f"LEFT JOIN photos p ON p.id = o.photo_id WHERE o.state != 'sent' AND NOT ({held}) GROUP BY o.kind"
        ).fetchall()
        attention = db.execute(f"SELECT count(*) FROM outbox o WHERE o.state != 'sent' AND ({held})").fetchone()[0]
        unsent_language = db.execute("SELECT 1 FROM settings WHERE key = ?", [LANGUAGE_UNSENT]).fetchone() is not None
    counts: dict[str, Any] = {r[0]: (r[1], r[2]) for r in rows}
    return Waiting(
        registrations=counts.get("register", (0, 0))[0],
        reports=counts.get("report", (0, 0))[0],
        photos=counts.get("photo", (0, 0))[0],
        photo_bytes=int(counts.get("photo", (0, 0))[1]),
        # A language the server has not yet been told is a message waiting too.
        other=counts.get("update", (0, 0))[0] + counts.get("chase", (0, 0))[0] + int(unsent_language),
        needing_attention=int(attention),
    )


def get(store: Store, key: str, default: Any = None) -> Any:
    return get_setting(store, key, default)


def put(store: Store, key: str, value: Any, now: datetime) -> None:
    set_setting(store, key, value, now)


def report_extras(store: Store) -> dict[str, tuple[int, str | None]]:
    """Per report: police answers the farmer has not opened yet, and the problem the server found."""
    marks = ",".join("?" * len(POLICE_KINDS))
    with store.read() as db:
        rows = db.execute(
            "SELECT r.id, (SELECT count(*) FROM status_updates s WHERE s.report_id = r.id AND s.seen_at IS NULL "
            f"AND s.kind IN ({marks})), r.problem FROM reports r",
            sorted(POLICE_KINDS),
        ).fetchall()
    return {r[0]: (int(r[1]), r[2]) for r in rows}
