"""Notifications: email through a real local SMTP server, signed webhooks, backoff, one delivery each."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from backend.db import connect
from backend.services.clocks import notify, sweep
from backend.services.staff.accounts import add_user
from backend.settings import Settings
from tests.backend.clocks_support import ClockDb, utc
from tests.backend.notify_support import MailSink, WebhookReceiver
from tests.support import ROOT, free_port

RECEIVED = utc("2025-09-01 08:00")
DUE = RECEIVED + timedelta(hours=2)  # hare coursing: answered within 2 hours


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


def _supervisor(cdb: ClockDb, username: str, force: str, email: str | None) -> None:
    add_user(cdb.db, username, f"{username}-password-1", "supervisor", force, RECEIVED)
    if email:
        notify.set_user_email(cdb.db, username, email)


def test_unanswered_report_is_emailed_once_to_each_supervisor_of_its_force(cdb: ClockDb, tmp_path: Path) -> None:
    _supervisor(cdb, "kent-a", "Kent Police", "a@kent.police.example")
    _supervisor(cdb, "kent-b", "Kent Police", "b@kent.police.example")
    _supervisor(cdb, "kent-c", "Kent Police", None)
    _supervisor(cdb, "sussex", "Sussex Police", "s@sussex.police.example")
    rid = cdb.report(RECEIVED, "hare_coursing", description="Three men with lurchers by the old barn")
    with MailSink() as mail:
        settings = Settings(
            data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False, digest_hour=23
        )
        first = sweep.run_cycle(cdb.db, settings, DUE + timedelta(minutes=1))
        again = sweep.run_cycle(cdb.db, settings, DUE + timedelta(minutes=2))
    assert (first.sweep.notifications, first.delivery.delivered) == (2, 2)
    assert (again.sweep.notifications, again.delivery.delivered) == (0, 0)
    assert sorted(rcpt for m in mail.messages for rcpt in m.rcpt_tos) == [
        "a@kent.police.example",
        "b@kent.police.example",
    ]
    message = message_from_bytes(mail.messages[0].content)
    assert message["Subject"] == "Hedgerow: report unanswered past its target (hare_coursing)"
    assert message["Message-ID"].startswith("<hedgerow-notification-")
    text = message.get_payload(decode=True).decode()
    assert rid in text and "hare coursing" in text and "Mon 01 Sep 2025 09:00" in text
    assert "lurchers" not in text  # no description in an email


def test_daily_digest_is_emailed_once_a_day_after_the_digest_hour(cdb: ClockDb, tmp_path: Path) -> None:
    _supervisor(cdb, "kent-a", "Kent Police", "a@kent.police.example")
    rid = cdb.report(RECEIVED - timedelta(days=10), "theft_fuel")
    with MailSink() as mail:
        settings = Settings(
            data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False, digest_hour=7
        )
        early = sweep.run_cycle(cdb.db, settings, utc("2025-09-02 05:30"))  # 06:30 in the UK
        on_time = sweep.run_cycle(cdb.db, settings, utc("2025-09-02 06:05"))
        later = sweep.run_cycle(cdb.db, settings, utc("2025-09-02 12:00"))
        next_day = sweep.run_cycle(cdb.db, settings, utc("2025-09-03 06:05"))
    assert [early.digests, on_time.digests, later.digests, next_day.digests] == [0, 1, 0, 1]
    # The 10-day-old report ran out long ago: flagged, but no escalation, only the digests.
    assert [message_from_bytes(m.content)["Subject"] for m in mail.messages] == [
        "Hedgerow: 1 overdue report(s), 2025-09-02",
        "Hedgerow: 1 overdue report(s), 2025-09-03",
    ]
    text = message_from_bytes(mail.messages[0].content).get_payload(decode=True).decode()
    assert "1 report(s) overdue in Kent Police on 2025-09-02" in text
    assert f"theft fuel, received Fri 22 Aug 2025 09:00: no decision, no reference, unanswered ({rid})" in text


def test_webhook_requests_are_signed_with_the_shared_secret(cdb: ClockDb, tmp_path: Path) -> None:
    cdb.report(RECEIVED, "hare_coursing")
    with WebhookReceiver(failures=0) as receiver:
        settings = Settings(data_dir=tmp_path, webhook_url=receiver.url, webhook_secret="s3cret", digest_hour=23)
        result = sweep.run_cycle(cdb.db, settings, DUE + timedelta(minutes=1))
    assert result.delivery.delivered == 1
    headers = {k.lower(): v for k, v in receiver.accepted_headers[0].items()}
    expected = hmac.new(b"s3cret", receiver.raw_bodies[0], hashlib.sha256).hexdigest()
    assert headers["x-hedgerow-signature"] == f"sha256={expected}"
    assert headers["idempotency-key"] == f"hedgerow-notification-{headers['x-hedgerow-notification']}"


def test_unreachable_webhook_is_retried_with_growing_waits_then_given_up(cdb: ClockDb, tmp_path: Path) -> None:
    cdb.report(RECEIVED, "hare_coursing")
    settings = Settings(data_dir=tmp_path, webhook_url=f"http://127.0.0.1:{free_port()}/gone", digest_hour=23)
    now = DUE + timedelta(minutes=1)
    sweep.run_cycle(cdb.db, settings, now)
    waits = []
    for _ in range(notify.MAX_ATTEMPTS - 1):
        row = cdb.db.execute("SELECT attempts, next_attempt_at, gave_up_at FROM notifications").fetchone()
        next_try = datetime.fromisoformat(row["next_attempt_at"])
        waits.append(next_try - now)
        assert notify.deliver_due(cdb.db, settings, next_try - timedelta(seconds=1)).failed == 0  # not yet
        now = next_try
        assert notify.deliver_due(cdb.db, settings, now).failed == 1
    assert waits[:4] == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=8), timedelta(minutes=32)]
    assert max(waits) == timedelta(hours=6)
    row = cdb.db.execute("SELECT attempts, gave_up_at, delivered_at, last_error FROM notifications").fetchone()
    assert (row["attempts"], row["gave_up_at"] is not None, row["delivered_at"]) == (notify.MAX_ATTEMPTS, True, None)
    assert "ConnectError" in row["last_error"]
    assert notify.deliver_due(cdb.db, settings, now + timedelta(days=10)).failed == 0


def test_two_deliverers_at_once_send_each_notification_once(cdb: ClockDb, tmp_path: Path) -> None:
    for i in range(40):
        cdb.report(RECEIVED + timedelta(seconds=i), "hare_coursing")
    with WebhookReceiver(failures=0) as receiver:
        settings = Settings(data_dir=tmp_path, webhook_url=receiver.url, digest_hour=23)
        now = DUE + timedelta(minutes=5)
        assert sweep.sweep(cdb.db, now, settings).notifications == 40
        start = threading.Barrier(2)
        results: list[notify.Delivery] = []

        def deliver() -> None:
            db = connect(cdb.path)
            start.wait()
            results.append(notify.deliver_due(db, settings, now, batch=5))
            db.close()

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sum(r.delivered for r in results) == 40
    assert len(receiver.accepted_keys) == len(set(receiver.accepted_keys)) == 40


@pytest.mark.parametrize(
    ("args", "code", "output"),
    [
        (["kent-a", "a@kent.police.example"], 0, "kent-a: notifications go to a@kent.police.example"),
        (["kent-a"], 0, "kent-a: no email"),
        (["kent-a", "not an address"], 2, "not an email address"),
        (["nobody", "n@example.org"], 2, "no user 'nobody'"),
    ],
)
def test_hedgerow_users_email_sets_where_notifications_go(
    cdb: ClockDb, tmp_path: Path, args: list[str], code: int, output: str
) -> None:
    add_user(cdb.db, "kent-a", "kent-a-password", "supervisor", "Kent Police", RECEIVED)
    done = subprocess.run(
        [sys.executable, "-m", "backend.cli", "users", "email", *args],
        cwd=ROOT,
        env={**os.environ, "HEDGEROW_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code
    assert output in (done.stdout if code == 0 else done.stderr)
    stored = cdb.db.execute("SELECT email FROM users WHERE username = 'kent-a'").fetchone()[0]
    assert stored == (args[1] if code == 0 and len(args) == 2 else None)
