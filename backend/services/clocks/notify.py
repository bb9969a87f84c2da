"""Notifications: an outbox in the database, delivered by webhook and by email, each exactly once.

A notification is written in the same transaction as the flag that causes it (or the day's digest), with a
unique dedupe key, so a sweep run twice never queues it twice. Delivery claims a batch under the write lock
(a lease, so two deliverers never send the same notification), sends it, and marks it delivered; a failure
is retried with exponential backoff. A delivery cut off between sending and marking would be sent again, so
every webhook request carries an `Idempotency-Key` (and every email a fixed Message-ID) for the receiver to
drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import sqlite_utils

from backend.security import iso
from backend.services.clocks.policy import FLAGS
from backend.services.clocks.response_clocks import ClockState
from backend.services.errors import Invalid, NotFound
from backend.settings import Settings
from backend.writes import write
from core.uktime import LONDON

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about two days of retries
CLAIM = timedelta(minutes=5)
TIMEOUT_S = 10
DIGEST_LIST_LIMIT = 200


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 30 s, 2 min, 8 min ... at most 6 hours."""
    return min(FIRST_RETRY * 4 ** (attempts - 1), MAX_RETRY)


def _supervisors(db: sqlite_utils.Database, force: str | None) -> list[Any]:
    if not force:
        return []
    return db.execute(
        "SELECT id, username, display_name, email FROM users "
        "WHERE role = 'supervisor' AND force = ? AND disabled_at IS NULL ORDER BY id",
        [force],
    ).fetchall()


def _queue(
    db: sqlite_utils.Database,
    settings: Settings,
    kind: str,
    force: str | None,
    report_id: str | None,
    key: str,
    subject: str,
    payload: dict[str, Any],
    text: str,
    now: datetime,
) -> int:
    """One row per channel and recipient; returns how many were new."""
    rows: list[tuple[str, str, str]] = []
    if settings.webhook_url:
        rows.append(("webhook", settings.webhook_url, json.dumps(payload, sort_keys=True)))
    if settings.smtp_host:
        rows += [("email", s["email"], text) for s in _supervisors(db, force) if s["email"]]
    added = 0
    for channel, recipient, body in rows:
        added += db.execute(
            "INSERT OR IGNORE INTO notifications (kind, force, report_id, channel, recipient, subject, body, "
            "dedupe_key, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                kind,
                force,
                report_id,
                channel,
                recipient,
                subject,
                body,
                f"{key}:{channel}:{recipient}",
                iso(now),
                iso(now),
            ],
        ).rowcount
    return added


def queue_escalation(
    db: sqlite_utils.Database, settings: Settings, report: dict[str, Any], clock: ClockState, now: datetime
) -> int:
    """Tell the force's supervisors that a report ran out of time unanswered. Call in the flag's transaction.

    Only what a supervisor needs to find the report: no description, no reporter, no location.
    """
    assert clock.due is not None
    supervisors = _supervisors(db, report["force"])
    payload = {
        "type": "escalation",
        "flag": clock.flag,
        "report_id": report["id"],
        "force": report["force"],
        "category": report["category"],
        "received_at": report["received_at"],
        "due": iso(clock.due),
        "raised_at": iso(now),
        "target": clock.target,
        "supervisors": [s["username"] for s in supervisors],
    }
    subject = f"Hedgerow: report unanswered past its target ({report['category']})"
    text = (
        f"A {report['category'].replace('_', ' ')} report received {_local(report['received_at'])} was due an answer "
        f"by {_local(iso(clock.due))} (target {clock.target}) and has not been answered.\n\n"
        f"Report: {report['id']}\nForce: {report['force'] or 'not routed'}\n"
    )
    key = f"escalation:{report['id']}:{iso(clock.due)}"
    return _queue(db, settings, "escalation", report["force"], report["id"], key, subject, payload, text, now)


def _local(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def queue_digests(db: sqlite_utils.Database, settings: Settings, now: datetime) -> int:
    """Once a day, after the digest hour in UK time: each force's list of overdue reports.

    A force with nothing overdue gets no digest. Returns the number of notifications queued.
    """
    local = now.astimezone(LONDON)
    day = local.date().isoformat()
    if local.hour < settings.digest_hour or _digest_day(db) == day:
        return 0
    added = 0
    with write(db):
        if _digest_day(db) == day:  # another process got there first
            return 0
        marks = ", ".join("?" for _ in FLAGS)
        rows = db.execute(
            "SELECT r.force, r.id, r.category, r.received_at, group_concat(f.flag) AS flags, min(f.raised_at) "
            f"AS since FROM report_flags f JOIN reports r ON r.id = f.report_id WHERE f.flag IN ({marks}) "
            "GROUP BY r.id ORDER BY r.force, r.received_at",
            list(FLAGS),
        ).fetchall()
        by_force: dict[str | None, list[Any]] = {}
        for row in rows:
            by_force.setdefault(row["force"], []).append(row)
        for force, overdue in by_force.items():
            listed = [
                {
                    "report_id": r["id"],
                    "category": r["category"],
                    "received_at": r["received_at"],
                    "flags": sorted(r["flags"].split(",")),
                    "flagged_since": r["since"],
                }
                for r in overdue[:DIGEST_LIST_LIMIT]
            ]
            payload = {"type": "digest", "force": force, "date": day, "overdue": len(overdue), "reports": listed}
            lines = [
                f"{r['category'].replace('_', ' ')}, received {_local(r['received_at'])}: "
                f"{', '.join(r['flags']).replace('_', ' ')} ({r['report_id']})"
                for r in listed
            ]
            if len(overdue) > len(listed):
                lines.append(f"... and {len(overdue) - len(listed)} more")
            text = f"{len(overdue)} report(s) overdue in {force or 'no force (unrouted)'} on {day}:\n\n" + "\n".join(
                lines
            )
            subject = f"Hedgerow: {len(overdue)} overdue report(s), {day}"
            added += _queue(db, settings, "digest", force, None, f"digest:{force}:{day}", subject, payload, text, now)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('digest_day', ?) ON CONFLICT(key) DO UPDATE SET value = ?",
            [day, day],
        )
    return added


def _digest_day(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'digest_day'").fetchone()
    return row[0] if row else None


@dataclass
class Delivery:
    delivered: int = 0
    failed: int = 0
    gave_up: int = 0


def post_signed(
    client: httpx.Client, url: str, body: bytes, secret: str, idempotency_key: str, headers: dict[str, str]
) -> None:
    """POST JSON with an `Idempotency-Key` (the same on every retry, for the receiver to drop a repeat) and, when
    a secret is set, `X-Hedgerow-Signature: sha256=<HMAC-SHA256 of the body>`. Raises OSError unless 2xx."""
    sent = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key, **headers}
    if secret:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        sent["X-Hedgerow-Signature"] = f"sha256={digest}"
    response = client.post(url, content=body, headers=sent, timeout=TIMEOUT_S)
    if not 200 <= response.status_code < 300:
        raise OSError(f"{url} answered {response.status_code}")


def send_email(settings: Settings, to: str, subject: str, text: str, message_key: str) -> None:
    """One plain-text email through the SMTP settings; its Message-ID is fixed by `message_key`, so a repeat
    after a lost answer is the same message."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    domain = settings.smtp_from.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{message_key}@{domain}>"
    message.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def _send_webhook(client: httpx.Client, settings: Settings, row: Any) -> None:
    key = f"hedgerow-notification-{row['id']}"
    extra = {"X-Hedgerow-Notification": str(row["id"])}
    post_signed(client, row["recipient"], row["body"].encode(), settings.webhook_secret, key, extra)


def _send_email(settings: Settings, row: Any) -> None:
    send_email(settings, row["recipient"], row["subject"], row["body"], f"hedgerow-notification-{row['id']}")


def deliver_due(
    db: sqlite_utils.Database,
    settings: Settings,
    now: datetime,
    client: httpx.Client | None = None,
    batch: int = 50,
) -> Delivery:
    """Send every notification whose time has come; failures wait for their backoff."""
    result = Delivery()
    own_client = client is None
    client = client or httpx.Client()
    try:
        while True:
            with write(db):
                rows = db.execute(
                    "SELECT * FROM notifications WHERE delivered_at IS NULL AND gave_up_at IS NULL "
                    "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
                    "ORDER BY next_attempt_at, id LIMIT ?",
                    [iso(now), iso(now), batch],
                ).fetchall()
                db.conn.executemany(
                    "UPDATE notifications SET claimed_until = ? WHERE id = ?",
                    [(iso(now + CLAIM), r["id"]) for r in rows],
                )
            if not rows:
                return result
            for row in rows:
                _deliver_one(db, settings, client, row, now, result)
    finally:
        if own_client:
            client.close()


def _deliver_one(
    db: sqlite_utils.Database, settings: Settings, client: httpx.Client, row: Any, now: datetime, result: Delivery
) -> None:
    try:
        if row["channel"] == "webhook":
            _send_webhook(client, settings, row)
        else:
            _send_email(settings, row)
    except (OSError, httpx.HTTPError, smtplib.SMTPException) as exc:
        attempts = row["attempts"] + 1
        gave_up = attempts >= MAX_ATTEMPTS
        with write(db):
            db.execute(
                "UPDATE notifications SET attempts = ?, next_attempt_at = ?, claimed_until = NULL, last_error = ?, "
                "gave_up_at = ? WHERE id = ?",
                [
                    attempts,
                    iso(now + backoff(attempts)),
                    f"{type(exc).__name__}: {exc}"[:500],
                    iso(now) if gave_up else None,
                    row["id"],
                ],
            )
        result.failed += 1
        result.gave_up += gave_up
        return
    with write(db):
        db.execute(
            "UPDATE notifications SET attempts = attempts + 1, delivered_at = ?, claimed_until = NULL, "
            "last_error = NULL WHERE id = ?",
            [iso(now), row["id"]],
        )
    result.delivered += 1


def set_user_email(db: sqlite_utils.Database, username: str, email: str | None) -> None:
    """The address a supervisor's escalations and digests go to (None stops them)."""
    if email is not None and (email.count("@") != 1 or len(email) > 254 or any(c.isspace() for c in email)):
        raise Invalid(f"not an email address: {email!r}")
    with write(db):
        if db.execute("UPDATE users SET email = ? WHERE username = ?", [email, username]).rowcount != 1:
            raise NotFound(f"no user {username!r}")
