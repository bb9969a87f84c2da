"""Staff accounts, API tokens, console sessions, and who may see which report."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlite_utils

from backend.security import (
    STAFF_TOKEN_PREFIX,
    hash_password,
    iso,
    new_token,
    token_hash,
    verify_password,
)
from backend.services.areas import border
from backend.services.errors import Conflict, Invalid, NotFound
from backend.writes import write
from core.i18n import LANGUAGES

Role = Literal["officer", "supervisor", "nfu", "admin"]
ROLES: tuple[Role, ...] = ("officer", "supervisor", "nfu", "admin")
POLICE_ROLES = frozenset({"officer", "supervisor"})
MIN_PASSWORD = 10


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: str
    force: str | None
    language: str | None = None  # the console language they chose; None follows their browser

    @classmethod
    def from_row(cls, row: Any) -> StaffUser:
        return cls(row["id"], row["username"], row["display_name"], row["role"], row["force"], row["language"])

    @property
    def is_police(self) -> bool:
        return self.role in POLICE_ROLES


def add_user(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    role: str,
    force: str | None,
    now: datetime,
    display_name: str | None = None,
) -> StaffUser:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if role in POLICE_ROLES and not force:
        raise Invalid("officers and supervisors belong to a force: give --force")
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
    username = username.strip()
    if not username or len(username) > 80:
        raise Invalid("a username needs 1 to 80 characters")
    if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise Conflict(f"user {username!r} already exists")
    with write(db):
        user_id = db.execute(
            "INSERT INTO users (username, display_name, password_hash, role, force, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                username,
                display_name or username,
                hash_password(password),
                role,
                force if role != "nfu" else None,
                iso(now),
            ],
        ).lastrowid
    return get_user(db, user_id)


def get_user(db: sqlite_utils.Database, user_id: int) -> StaffUser:
    row = db.execute("SELECT * FROM users WHERE id = ? AND disabled_at IS NULL", [user_id]).fetchone()
    if row is None:
        raise NotFound("no such user")
    return StaffUser.from_row(row)


def display_names(db: sqlite_utils.Database, user_ids: set[int]) -> dict[int, str]:
    """The name shown for each of these staff accounts (disabled ones included: their past actions keep a name)."""
    if not user_ids:
        return {}
    marks = ", ".join("?" for _ in user_ids)
    rows = db.execute(f"SELECT id, display_name FROM users WHERE id IN ({marks})", sorted(user_ids))
    return {r[0]: r[1] for r in rows}


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> StaffUser | None:
    row = db.execute("SELECT * FROM users WHERE username = ? AND disabled_at IS NULL", [username]).fetchone()
    ok = verify_password(row["password_hash"] if row else None, password)
    return StaffUser.from_row(row) if ok and row else None


def issue_api_token(
    db: sqlite_utils.Database, user: StaffUser, now: datetime, days: int, label: str | None
) -> tuple[str, datetime]:
    token = new_token(STAFF_TOKEN_PREFIX)
    expires = now + timedelta(days=days)
    db.execute(
        "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [token_hash(token), user.id, label, iso(now), iso(expires)],
    )
    return token, expires


def user_for_token(db: sqlite_utils.Database, token: str, now: datetime) -> StaffUser | None:
    row = db.execute(
        "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled_at IS NULL",
        [token_hash(token), iso(now)],
    ).fetchone()
    return StaffUser.from_row(row) if row else None


def start_session(db: sqlite_utils.Database, user: StaffUser, now: datetime, hours: int) -> tuple[str, str]:
    """Returns (session id for the cookie, CSRF token for the forms)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [token_hash(session_id), user.id, csrf, iso(now), iso(now + timedelta(hours=hours))],
    )
    return session_id, csrf


def session_user(db: sqlite_utils.Database, session_id: str, now: datetime) -> tuple[StaffUser, str] | None:
    row = db.execute(
        "SELECT u.*, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
        [token_hash(session_id), iso(now)],
    ).fetchone()
    return (StaffUser.from_row(row), row["csrf_token"]) if row else None


def set_language(db: sqlite_utils.Database, user_id: int, language: str | None) -> None:
    """The console language a member of staff chose (None: follow the browser's Accept-Language)."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(f"language must be one of {', '.join(LANGUAGES)}")
    with write(db):
        db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def end_session(db: sqlite_utils.Database, session_id: str) -> None:
    db.execute("DELETE FROM sessions WHERE id_hash = ?", [token_hash(session_id)])


def can_read_report(user: StaffUser, report: dict[str, Any]) -> bool:
    if user.role == "admin":
        return True
    return user.is_police and report["force"] is not None and report["force"] == user.force


def can_act_on_report(user: StaffUser, report: dict[str, Any]) -> bool:
    return can_read_report(user, report)


Access = Literal["act", "border"]


def report_access(
    db: sqlite_utils.Database, user: StaffUser, report: dict[str, Any], border_km: float
) -> Access | None:
    """How a staff user may use a report: "act" (their force's, or any for an admin); "border" (read-only: another
    force's report within `border_km` of their force's area, as neighbouring forces share intelligence); None."""
    if can_act_on_report(user, report):
        return "act"
    if user.is_police and user.force and report["force"] is not None:
        distance = border.distance_to_force(db, report["id"], user.force)
        if distance is not None and distance <= border_km * 1000:
            return "border"
    return None


def log_read(db: sqlite_utils.Database, user: StaffUser, report_id: str, via: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO staff_reads (user_id, report_id, at, via) VALUES (?, ?, ?, ?)",
        [user.id, report_id, iso(now), via],
    )
