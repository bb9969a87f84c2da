"""Secrets: device and API tokens (random, stored as hashes), staff passwords (argon2id), sessions."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

DEVICE_TOKEN_PREFIX = "hd_"
STAFF_TOKEN_PREFIX = "hs_"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username does not exist, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to make the stored copy useless to a thief."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SlidingWindowLimiter:
    """At most `limit` hits per key in `window_s` seconds, in memory (one backend process)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record a hit; returns 0 when allowed, else the seconds to wait before the next is allowed."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window_s - now
            hits.append(now)
            return 0.0


LOGIN_WINDOW = timedelta(minutes=15)


def login_delay_s(db: sqlite_utils.Database, username: str, ip: str, allowed: int, now: datetime) -> int:
    """Seconds to wait before another login try: 0 until `allowed` failures, then doubling, capped at 15 min."""
    since = iso(now - LOGIN_WINDOW)
    row = db.execute(
        "SELECT count(*), max(at) FROM login_failures WHERE at > ? AND (username = ? COLLATE NOCASE OR ip = ?)",
        [since, username, ip],
    ).fetchone()
    failures, last = row[0], row[1]
    if failures < allowed:
        return 0
    wait = min(2 ** (failures - allowed), 15 * 60)
    elapsed = (now - datetime.fromisoformat(last)).total_seconds()
    return max(0, int(wait - elapsed + 0.999))


def record_login_failure(db: sqlite_utils.Database, username: str, ip: str, now: datetime) -> None:
    db.execute("INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)", [username[:200], ip, iso(now)])
    db.execute("DELETE FROM login_failures WHERE at < ?", [iso(now - LOGIN_WINDOW * 4)])
