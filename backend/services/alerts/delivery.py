"""Alerts beyond the app: SMS through an HTTP gateway (HEDGEROW_SMS_URL) and email through the SMTP settings, to
the farmers who chose them, each recipient at most once per alert.

Exactly once, and what a crash does:
- The rows are written in the transaction that issues the alert (or moves its area): one per alert, channel and
  recipient (the phone number or address, so two phones registered with one number get one SMS), under a unique
  key, so however often queueing runs, nothing is queued twice.
- Delivery claims a batch under the write lock (a five-minute lease, so two deliverers never send the same row),
  sends each row, and records the outcome. A refusal or a lost connection is retried with growing waits
  (notify.backoff); a row is given up after notify.MAX_ATTEMPTS tries, or once its alert has ended.
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
import math
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlite_utils

from backend.db import ConnectionPool
from backend.i18n import force_name, pgettext, speaking
from backend.services import periodic
from backend.services.alerts import reach, sms_fit
from backend.services.alerts.store import stamp
from backend.services.clocks import notify
from backend.settings import Settings
from backend.time_source import Clock
from backend.writes import write
from core.gridref import grid_reference
from core.i18n import local_datetime

LEASE = timedelta(minutes=5)
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


def _until(alert: dict[str, Any], language: str) -> str:
    """When the alert ends, short, on UK clocks, as the language writes a day and a time ("Fri 20 Nov, 18:30")."""
    return local_datetime(datetime.fromisoformat(alert["expires_at"]), language, "EEE d MMM, HH:mm")


def _heading(alert: dict[str, Any]) -> str:
    return pgettext("farmer", "Police alert from {force}: {title}").format(
        force=force_name(alert["force"]), title=alert["title"]
    )


def sms_text(alert: dict[str, Any], language: str = "en") -> str:
    """The alert as one text message of at most four SMS parts (sms_fit), in `language`: the police's own words
    are cut to fit; only if not a word of them fits beside the title is the title cut instead. What to do is
    never cut."""
    with speaking(language) as spoken:
        vehicle = alert["vehicle_registration"]
        tail = [
            pgettext("farmer", "Vehicle: {registration}").format(registration=vehicle) if vehicle else "",
            pgettext(
                "farmer", 'Until {time}. Seen it? Tap "I\'ve seen this" in the Hedgerow app. In danger? Call 999.'
            ).format(time=_until(alert, spoken)),
        ]

        def compose(title: str, words: str) -> str:
            return "\n".join(part for part in (_heading({**alert, "title": title}), words, *tail) if part)

        words = sms_fit.cut_to_fit(lambda w: compose(alert["title"], w), alert["text"])
        if words is not None:
            return compose(alert["title"], words)
        return compose(sms_fit.cut_to_fit(lambda t: compose(t, ""), alert["title"]) or "", "")


def email_text(alert: dict[str, Any], language: str = "en") -> tuple[str, str]:
    """The subject and body of the alert's email in `language`: the alert, its area in words, and how to answer
    it. The police's own words (title, text) are as they wrote them."""
    with speaking(language) as spoken:
        grid = grid_reference(alert["lat"], alert["lon"], 6)
        distance = f"{alert['radius_km']:g}"
        where = (
            pgettext("farmer", "within {distance} km of grid reference {grid}").format(distance=distance, grid=grid)
            if grid
            else pgettext("farmer", "within {distance} km of {lat}, {lon}").format(
                distance=distance, lat=f"{alert['lat']:.3f}", lon=f"{alert['lon']:.3f}"
            )
        )
        lines = [
            pgettext("farmer", "{force} has issued an alert for farms {where}.").format(
                force=force_name(alert["force"]), where=where
            ),
            "",
            alert["title"],
            "",
            alert["text"],
            "",
        ]
        if alert["vehicle_registration"]:
            lines += [pgettext("farmer", "Vehicle: {registration}").format(registration=alert["vehicle_registration"])]
            lines += [""]
        lines += [
            pgettext("farmer", "The alert is in force until {time} (UK time).").format(time=_until(alert, spoken)),
            pgettext(
                "farmer",
                'If you see this, open the Hedgerow app, find the alert and tap "I\'ve seen this": your report '
                "reaches the police linked to it. If a crime is happening now or anyone is in danger, call 999.",
            ),
            "",
            pgettext(
                "farmer",
                "You get these emails because you chose alerts by email in the Hedgerow app's alert settings; turn "
                "them off there.",
            ),
        ]
        return _heading(alert), "\n".join(lines)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def _claim(db: sqlite_utils.Database, now: datetime, batch: int) -> list[dict[str, Any]]:
    with write(db):
        rows = db.execute(
            "SELECT d.id AS delivery_id, d.channel, d.recipient, d.attempts, d.language AS delivery_language, a.* "
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
    key = f"hedgerow-alert-{row['id']}-{row['channel']}-{row['delivery_id']}"
    if row["channel"] == "sms":
        if not settings.sms_url:
            raise OSError("no SMS gateway is configured (HEDGEROW_SMS_URL)")
        text = sms_text(row, row["delivery_language"])
        body = {"to": row["recipient"], "text": text, "alert_id": row["id"], "reference": key}
        notify.post_signed(client, settings.sms_url, json.dumps(body).encode(), settings.sms_secret, key, {})
        return
    if not settings.smtp_host:
        raise OSError("no SMTP host is configured (HEDGEROW_SMTP_HOST)")
    subject, text = email_text(row, row["delivery_language"])
    notify.send_email(settings, row["recipient"], subject, text, key)


def _outcome(db: sqlite_utils.Database, delivery_id: int, columns: dict[str, Any]) -> None:
    with write(db):
        sets = ", ".join(f"{k} = ?" for k in columns)
        db.execute(
            f"UPDATE alert_deliveries SET {sets}, claimed_until = NULL WHERE id = ?", [*columns.values(), delivery_id]
        )


def _deliver_one(
    db: sqlite_utils.Database, settings: Settings, client: httpx.Client, row: dict[str, Any], now: datetime
) -> str:
    """Send one row and record what happened: 'sent', 'failed' (tried again later) or 'gave_up'."""
    attempts = row["attempts"] + 1
    if row["withdrawn_at"] is not None or row["ends_s"] <= math.floor(now.timestamp()):
        _outcome(db, row["delivery_id"], {"gave_up_at": stamp(now), "last_error": "the alert ended before it was sent"})
        return "gave_up"
    try:
        _send(client, settings, row)
    except (OSError, httpx.HTTPError, smtplib.SMTPException) as exc:
        retry = now + notify.backoff(attempts)
        gave_up = attempts >= notify.MAX_ATTEMPTS or retry.timestamp() >= row["ends_s"]
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
