"""Supervisors manage their force's console users; admins export the access log of staff reads.

A supervisor may add officers and supervisors to their own force, disable and re-enable them, and set a new
password; an admin may do so for any force. Nobody disables themselves (a force must not lock out its last
supervisor by accident), and a supervisor never touches admins or NFU accounts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from backend.security import hash_password, iso
from backend.services.errors import Forbidden, Invalid, NotFound
from backend.services.staff import accounts
from backend.services.staff.accounts import StaffUser
from backend.writes import write

MANAGED_ROLES = ("officer", "supervisor")


@dataclass(frozen=True)
class ManagedUser:
    id: int
    username: str
    display_name: str
    role: str
    force: str | None
    created_at: str
    disabled_at: str | None
    email: str | None


def can_manage(manager: StaffUser) -> bool:
    return manager.role == "admin" or (manager.role == "supervisor" and bool(manager.force))


def _require_manager(manager: StaffUser, force: str | None) -> None:
    if manager.role == "admin":
        return
    if manager.role != "supervisor" or not manager.force or force != manager.force:
        raise Forbidden("only a supervisor of this force (or an admin) may manage its users")


def users_of(db: sqlite_utils.Database, manager: StaffUser, force: str) -> list[ManagedUser]:
    _require_manager(manager, force)
    rows = db.execute(
        "SELECT * FROM users WHERE force = ? AND role IN ('officer', 'supervisor') ORDER BY disabled_at IS NOT NULL, "
        "display_name COLLATE NOCASE",
        [force],
    ).fetchall()
    return [
        ManagedUser(
            r["id"],
            r["username"],
            r["display_name"],
            r["role"],
            r["force"],
            r["created_at"],
            r["disabled_at"],
            r["email"],
        )
        for r in rows
    ]


def officers_of(db: sqlite_utils.Database, force: str) -> list[StaffUser]:
    """Everyone a report of the force may be assigned to."""
    rows = db.execute(
        "SELECT * FROM users WHERE force = ? AND role IN ('officer', 'supervisor') AND disabled_at IS NULL "
        "ORDER BY display_name COLLATE NOCASE",
        [force],
    ).fetchall()
    return [StaffUser.from_row(r) for r in rows]


def add(
    db: sqlite_utils.Database,
    manager: StaffUser,
    force: str,
    username: str,
    display_name: str,
    role: str,
    password: str,
    now: datetime,
) -> StaffUser:
    _require_manager(manager, force)
    if role not in MANAGED_ROLES:
        raise Invalid(f"role must be one of {', '.join(MANAGED_ROLES)}")
    if len(display_name.strip()) > 120:
        raise Invalid("a name has at most 120 characters")
    with write(db):
        return accounts.add_user(db, username, password, role, force, now, display_name.strip() or None)


def _managed(db: sqlite_utils.Database, manager: StaffUser, user_id: int) -> dict[str, Any]:
    row = db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None or row["role"] not in MANAGED_ROLES:
        raise NotFound("no such user")
    if manager.role != "admin" and row["force"] != manager.force:
        raise NotFound("no such user")  # another force's accounts are not even named
    _require_manager(manager, row["force"])
    return dict(row)


def force_of(db: sqlite_utils.Database, user_id: int) -> str:
    """The force of a staff account, disabled or not ("" for none, or for no such account)."""
    row = db.execute("SELECT force FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row and row[0] else ""


def set_disabled(db: sqlite_utils.Database, manager: StaffUser, user_id: int, disabled: bool, now: datetime) -> None:
    if user_id == manager.id:
        raise Invalid("you cannot disable or enable your own account")
    with write(db):
        _managed(db, manager, user_id)
        db.execute("UPDATE users SET disabled_at = ? WHERE id = ?", [iso(now) if disabled else None, user_id])
        if disabled:
            db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def set_password(db: sqlite_utils.Database, manager: StaffUser, user_id: int, password: str) -> None:
    if len(password) < accounts.MIN_PASSWORD:
        raise Invalid(f"a password needs at least {accounts.MIN_PASSWORD} characters")
    with write(db):
        _managed(db, manager, user_id)
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hash_password(password), user_id])
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def recent_reads(db: sqlite_utils.Database, limit: int) -> list[Any]:
    """The latest staff reads of reports, newest first, with who read."""
    return db.execute(
        "SELECT s.at, u.username, u.display_name, u.role, u.force, s.report_id, s.via FROM staff_reads s "
        "JOIN users u ON u.id = s.user_id ORDER BY s.id DESC LIMIT ?",
        [limit],
    ).fetchall()


def read_count(db: sqlite_utils.Database) -> int:
    """How many staff reads the access log holds."""
    return db.execute("SELECT count(*) FROM staff_reads").fetchone()[0]


ACCESS_LOG_COLUMNS = ("at", "username", "display_name", "role", "force", "report_id", "report_force", "via")


def access_log_csv(
    db: sqlite_utils.Database,
    since: datetime | None = None,
    until: datetime | None = None,
    device_id: str | None = None,
) -> Iterator[str]:
    """Every staff read of a report (oldest first) as CSV text, streamed a chunk at a time; with `device_id`, the
    reads of that phone's reports only (a subject access request, `hedgerow sar`)."""
    where, params = [], []
    if device_id:
        where.append("r.device_id = ?")
        params.append(device_id)
    if since:
        where.append("s.at >= ?")
        params.append(iso(since))
    if until:
        where.append("s.at < ?")
        params.append(iso(until))
    sql = (
        "SELECT s.at, u.username, u.display_name, u.role, u.force, s.report_id, r.force AS report_force, s.via "
        "FROM staff_reads s JOIN users u ON u.id = s.user_id LEFT JOIN reports r ON r.id = s.report_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY s.at, s.id"
    )
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(ACCESS_LOG_COLUMNS)
    cursor = db.execute(sql, params)
    while rows := cursor.fetchmany(1000):
        for row in rows:
            writer.writerow([_csv_safe(v) for v in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula ("=HYPERLINK(...)" in a display name) is quoted as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def queue_view(db: sqlite_utils.Database, user_id: int) -> str | None:
    """The queue view this member of staff chose last, if any."""
    row = db.execute("SELECT queue_view FROM users WHERE id = ?", [user_id]).fetchone()
    return row[0] if row else None


def remember_queue_view(db: sqlite_utils.Database, user_id: int, view: str) -> None:
    """Keep the view for the next visit (a write only when it changes: the queue is read far more than set)."""
    if queue_view(db, user_id) != view:
        with write(db):
            db.execute("UPDATE users SET queue_view = ? WHERE id = ?", [view, user_id])
