"""Alerts beyond the app: SMS through an HTTP gateway (HEDGEROW_SMS_URL) and email through the SMTP settings, to
the farmers who chose them, each recipient at most once per alert; and, when the police withdraw an alert, word
of it to each farmer who was sent it, once (the words are in messages.py).

Exactly once, and what a crash does:
- The rows are written in the transaction that issues the alert (or moves its area): one per alert, channel and
  recipient (the phone number or address, so two phones registered with one number get one SMS), under a unique
  key, so however often queueing runs, nothing is queued twice.
- Delivery claims a batch under the write lock (a five-minute lease, so two deliverers never send the same row),
  sends each row, and records the outcome. A refusal or a lost connection is retried with growing waits
  (notify.backoff); a row is given up after notify.MAX_ATTEMPTS tries, or once its alert has ended.
- A withdrawal is queued, in the withdrawing transaction, for each recipient whose alert was sent or is being
  sent at that moment; one whose alert is still being sent waits for that send's outcome, and is given up if
  the alert itself never went. Word of a withdrawal more than a day late is given up: it would only confuse.
- A crash after the gateway took a message and before its row was marked sent leaves the row claimed; when the
  lease runs out it is sent again, with the same `Idempotency-Key` (SMS) or Message-ID (email) as before. We
  chose this over marking a row sent before sending it (which can never send twice, and loses the alert when the
  send fails after the mark): an alert about hare coursers nearby is worth more than the rare repeat, and the
  gateway drops the repeat by its key. A gateway that does not honour the key may, in that window only, send one
  message twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlite_utils

from backend.db import ConnectionPool
from backend.services import periodic
from backend.services.alerts import reach
from backend.services.alerts.messages import message_for
from backend.services.alerts.store import stamp
from backend.services.clocks import notify
from backend.settings import Settings
from backend.time_source import Clock
from backend.writes import write

LEASE = timedelta(minutes=5)
WITHDRAWAL_WINDOW = timedelta(days=1)  # word of a withdrawal later than this is given up
log = logging.getLogger("hedgerow.alerts")


def _phone(number: str | None) -> str:
    """The number as one recipient, whatever spacing it was registered with."""
    return re.sub(r"[\s().-]", "", number or "")


def _address(email: str | None) -> str:
    return (email or "").strip().lower()


def forget_recipient(db: sqlite_utils.Database, phone: str | None, email: str | None, now: datetime) -> None:
    """A farmer's contact details were erased: their number and address leave the outbox (each row kept under a
    placeholder, so an alert's counts of messages sent stay right) and nothing still queued is sent to them.
    Call in the erasing transaction."""
    for channel, recipient in (("sms", _phone(phone)), ("email", _address(email))):
        if recipient:
            db.execute(
                "UPDATE alert_deliveries SET recipient = 'erased-' || id, claimed_until = NULL, "
                "gave_up_at = CASE WHEN sent_at IS NULL THEN coalesce(gave_up_at, ?) ELSE gave_up_at END, "
                "last_error = CASE WHEN sent_at IS NULL THEN 'contact details erased' ELSE last_error END "
                "WHERE channel = ? AND recipient = ?",
                [stamp(now), channel, recipient],
            )


def queue_for_alert(db: sqlite_utils.Database, alert: dict[str, Any], now: datetime, settings: Settings) -> int:
    """Queue the alert for every device it reaches that chose SMS or email, on the channels this server has
    (an SMS gateway, an SMTP host). Call in the transaction that issues or moves the alert. Returns how many
    rows were new. Each message is written in its phone's language (one number on two phones set to different
    languages gets one message, in the language of the phone registered first)."""
    if not (settings.sms_url or settings.smtp_host):
        return 0
    recipients: dict[tuple[str, str], str] = {}
    for device in reach.subscribers_reached(db, alert):
        if settings.sms_url and device["sms"] and (number := _phone(device["phone"])):
            recipients.setdefault(("sms", number), device["language"])
        if settings.smtp_host and device["by_email"] and (address := _address(device["email"])):
            recipients.setdefault(("email", address), device["language"])
    added = 0
    for (channel, recipient), language in recipients.items():
        added += db.execute(
            "INSERT OR IGNORE INTO alert_deliveries "
            "(alert_id, channel, recipient, language, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
            [alert["id"], channel, recipient, language, stamp(now), stamp(now)],
        ).rowcount
    return added


def queue_withdrawal(db: sqlite_utils.Database, alert: dict[str, Any], now: datetime) -> int:
    """Queue word that the alert was withdrawn for every recipient it was sent to, or is being sent to now. Call
    in the withdrawing transaction, only for an alert that had not yet ended. Returns how many rows were new."""
    return db.execute(
        "INSERT OR IGNORE INTO alert_deliveries "
        "(alert_id, kind, channel, recipient, language, created_at, next_attempt_at) "
        "SELECT alert_id, 'withdrawn', channel, recipient, language, ?, ? FROM alert_deliveries "
        "WHERE alert_id = ? AND kind = 'alert' AND recipient NOT LIKE 'erased-%' "
        "AND (sent_at IS NOT NULL OR (claimed_until IS NOT NULL AND gave_up_at IS NULL))",
        [stamp(now), stamp(now), alert["id"]],
    ).rowcount


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0  # word of a withdrawal waiting for its alert's own send to finish


def _claim(db: sqlite_utils.Database, now: datetime, batch: int) -> list[dict[str, Any]]:
    with write(db):
        rows = db.execute(
            "SELECT d.id AS delivery_id, d.kind, d.channel, d.recipient, d.attempts, "
            "d.language AS delivery_language, a.* "
            "FROM alert_deliveries d "
            "JOIN alerts a ON a.id = d.alert_id WHERE d.sent_at IS NULL AND d.gave_up_at IS NULL "
            "AND d.next_attempt_at <= ? AND (d.claimed_until IS NULL OR d.claimed_until < ?) "
            "ORDER BY d.next_attempt_at, d.id LIMIT ?",
            [stamp(now), stamp(now), batch],
        ).fetchall()
        db.conn.executemany(
            "UPDATE alert_deliveries SET claimed_until = ? WHERE id = ?",
            [(stamp(now + LEASE), r["delivery_id"]) for r in rows],
        )
    return [dict(r) for r in rows]


def _send(client: httpx.Client, settings: Settings, row: dict[str, Any]) -> None:
    kind = "" if row["kind"] == "alert" else f"{row['kind']}-"
    key = f"hedgerow-alert-{row['id']}-{kind}{row['channel']}-{row['delivery_id']}"
    subject, text = message_for(row)
    if row["channel"] == "sms":
        if not settings.sms_url:
            raise OSError("no SMS gateway is configured (HEDGEROW_SMS_URL)")
        body = {"to": row["recipient"], "text": text, "alert_id": row["id"], "kind": row["kind"], "reference": key}
        notify.post_signed(client, settings.sms_url, json.dumps(body).encode(), settings.sms_secret, key, {})
        return
    if not settings.smtp_host:
        raise OSError("no SMTP host is configured (HEDGEROW_SMTP_HOST)")
    notify.send_email(settings, row["recipient"], subject, text, key)


def _outcome(db: sqlite_utils.Database, delivery_id: int, columns: dict[str, Any]) -> None:
    with write(db):
        sets = ", ".join(f"{k} = ?" for k in columns)
        db.execute(
            f"UPDATE alert_deliveries SET {sets}, claimed_until = NULL WHERE id = ?", [*columns.values(), delivery_id]
        )


def _last_chance(row: dict[str, Any]) -> float:
    """The moment after which the row is not worth sending: the alert's end, or a day after its withdrawal."""
    if row["kind"] == "alert":
        return float(row["ends_s"])
    return (datetime.fromisoformat(row["withdrawn_at"]) + WITHDRAWAL_WINDOW).timestamp()


def _not_now(db: sqlite_utils.Database, row: dict[str, Any], now: datetime) -> tuple[str, str] | None:
    """('gave_up', why) for a row that must never be sent, ('waiting', why) for one that must wait, else None."""
    if now.timestamp() >= _last_chance(row):
        return "gave_up", "the alert ended before it was sent" if row["kind"] == "alert" else "too late to matter"
    if row["kind"] == "alert":
        return ("gave_up", "the alert ended before it was sent") if row["withdrawn_at"] is not None else None
    alert_sent = db.execute(
        "SELECT sent_at, gave_up_at FROM alert_deliveries WHERE alert_id = ? AND kind = 'alert' AND channel = ? "
        "AND recipient = ?",
        [row["id"], row["channel"], row["recipient"]],
    ).fetchone()
    if alert_sent is None or alert_sent["gave_up_at"] is not None:
        return "gave_up", "the alert itself was never sent"
    return None if alert_sent["sent_at"] is not None else ("waiting", "the alert itself is still being sent")


def _deliver_one(
    db: sqlite_utils.Database, settings: Settings, client: httpx.Client, row: dict[str, Any], now: datetime
) -> str:
    """Send one row and record what happened: 'sent', 'failed' (tried again later), 'waiting' or 'gave_up'."""
    attempts = row["attempts"] + 1
    if stop := _not_now(db, row, now):
        outcome, why = stop
        if outcome == "waiting":
            _outcome(db, row["delivery_id"], {"next_attempt_at": stamp(now + timedelta(minutes=1)), "last_error": why})
        else:
            _outcome(db, row["delivery_id"], {"gave_up_at": stamp(now), "last_error": why})
        return outcome
    try:
        _send(client, settings, row)
    except (OSError, httpx.HTTPError, smtplib.SMTPException) as exc:
        retry = now + notify.backoff(attempts)
        gave_up = attempts >= notify.MAX_ATTEMPTS or retry.timestamp() >= _last_chance(row)
        _outcome(
            db,
            row["delivery_id"],
            {
                "attempts": attempts,
                "next_attempt_at": stamp(retry),
                "last_error": f"{type(exc).__name__}: {exc}"[:500],
                "gave_up_at": stamp(now) if gave_up else None,
            },
        )
        return "gave_up" if gave_up else "failed"
    _outcome(db, row["delivery_id"], {"attempts": attempts, "sent_at": stamp(now), "last_error": None})
    return "sent"


def deliver_due(
    db: sqlite_utils.Database, settings: Settings, now: datetime, client: httpx.Client | None = None, batch: int = 50
) -> Delivery:
    """Send every queued SMS and email whose time has come; failures wait for their retry."""
    result = Delivery()
    own_client = client is None
    client = client or httpx.Client()
    try:
        while rows := _claim(db, now, batch):
            for row in rows:
                outcome = _deliver_one(db, settings, client, row, now)
                setattr(result, outcome, getattr(result, outcome) + 1)
    finally:
        if own_client:
            client.close()
    return result


def run(pool: ConnectionPool, settings: Settings, clock: Clock) -> Delivery:
    """One delivery run on a connection of the pool (the server's schedule, and at once after an alert)."""
    with pool.connection() as db:
        result = deliver_due(db, settings, clock())
    if result.sent or result.failed or result.gave_up:
        log.info("alerts: sent %d, failed %d, gave up %d", result.sent, result.failed, result.gave_up)
    return result


def schedule(pool: ConnectionPool, settings: Settings, clock: Clock) -> asyncio.Task[None] | None:
    """Deliver every `settings.alert_delivery_interval_s` seconds inside the server (None when turned off)."""
    return periodic.every(settings.alert_delivery_interval_s, lambda: run(pool, settings, clock), "alert-delivery", log)
