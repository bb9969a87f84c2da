"""Alerts by SMS and email (issue 19, must-show 3): through a real HTTP gateway on a loopback port that fails,
drops connections and loses answers, and a real SMTP server (aiosmtpd) that says "try again later", every farmer
who chose them gets exactly one SMS and one email per alert; the farmers elsewhere, or who did not choose them,
get none."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlite_utils

from backend.db import open_and_migrate
from backend.services.alerts import delivery, issuing, places
from backend.services.areas.boundaries import import_areas
from backend.services.clocks import notify
from backend.services.farmer_data import erasure
from backend.services.intake import devices
from backend.services.staff.accounts import StaffUser, add_user
from backend.settings import Settings
from tests.backend.alerts_support import FAR_EAST, FARM, TITLE, Phone, alert_body, issuer
from tests.backend.console_support import KENT_POLICE, login, start_console_server
from tests.backend.notify_support import MailSink, SmsGateway
from tests.support import DEMO_AREAS, wait_until
from wire.alerts import AlertChannels, AlertCreate, AlertPlace, AlertUpdate
from wire.reports import DeviceCreate

T0 = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
SECRET = "gateway-s3cret"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_and_migrate(tmp_path / "hedgerow.db")
    import_areas(database, DEMO_AREAS)
    yield database
    database.close()


@pytest.fixture
def officer(db: sqlite_utils.Database) -> StaffUser:
    return add_user(db, "kent.sender", "kent.sender-password", "officer", KENT_POLICE, T0, "PC Sender")


def farmer(
    db: sqlite_utils.Database,
    phone: str,
    email: str | None,
    where: tuple[float, float],
    sms: bool,
    by_email: bool,
    language: str = "en",
) -> str:
    registration = DeviceCreate.model_validate({"name": "Jo", "phone": phone, "email": email, "language": language})
    device_id, _ = devices.register(db, registration, "127.0.0.1", T0)
    places.set_places(db, device_id, [AlertPlace(lat=where[0], lon=where[1], radius_km=3)], T0)
    places.set_channels(db, device_id, AlertChannels(sms=sms, email=by_email), T0)
    return device_id


def the_farmers(db: sqlite_utils.Database) -> None:
    """Two farmers near the farm who chose both, one (registered twice, on two phones, with the same number and
    address written differently) who chose both, one who chose SMS only, one who chose nothing, and one 30 km
    away who chose both."""
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True)
    farmer(db, "07700 900002", "bob@vale.example", (FARM[0] + 0.02, FARM[1]), sms=True, by_email=True)
    farmer(db, "07700-900-001", "Ann@Hill.example", (FARM[0], FARM[1] + 0.02), sms=True, by_email=True)
    farmer(db, "07700 900003", None, (FARM[0] - 0.02, FARM[1]), sms=True, by_email=False)
    farmer(db, "07700 900004", "dan@dale.example", FARM, sms=False, by_email=False)
    farmer(db, "07700 900005", "eve@east.example", FAR_EAST, sms=True, by_email=True)


def settings_for(tmp_path: Path, gateway: SmsGateway, mail: MailSink) -> Settings:
    return Settings(
        data_dir=tmp_path,
        sms_url=gateway.url,
        sms_secret=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        smtp_from="alerts@kent.police.example",
    )


def deliver_until_done(db: sqlite_utils.Database, settings: Settings, start: datetime) -> list[delivery.Delivery]:
    """Delivery runs at the times the retries are due, until nothing is left to send."""
    runs = []
    now = start
    for _ in range(20):
        runs.append(delivery.deliver_due(db, settings, now))
        due = db.execute(
            "SELECT min(next_attempt_at) FROM alert_deliveries WHERE sent_at IS NULL AND gave_up_at IS NULL"
        )
        following = due.fetchone()[0]
        if following is None:
            return runs
        now = max(now, datetime.fromisoformat(following))
    raise AssertionError("deliveries still pending after 20 runs")


def recipients(mail: MailSink) -> list[str]:
    return sorted(r for m in mail.messages for r in m.rcpt_tos)


def test_each_farmer_who_chose_them_gets_one_sms_and_one_email_through_gateway_failures(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    the_farmers(db)
    with SmsGateway(failures=2, drops=1) as gateway, MailSink(failures=2) as mail:
        settings = settings_for(tmp_path, gateway, mail)
        alert_id = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        queued = db.execute("SELECT channel, recipient FROM alert_deliveries ORDER BY channel, recipient").fetchall()
        assert [tuple(r) for r in queued] == [
            ("email", "ann@hill.example"),
            ("email", "bob@vale.example"),
            ("sms", "07700900001"),
            ("sms", "07700900002"),
            ("sms", "07700900003"),
        ]
        runs = deliver_until_done(db, settings, T0)
        # Delivery run again, a day later, sends nothing more.
        assert delivery.deliver_due(db, settings, T0 + timedelta(days=1)).sent == 0

    assert sorted(m["to"] for m in gateway.sent) == ["07700900001", "07700900002", "07700900003"]
    assert recipients(mail) == ["ann@hill.example", "bob@vale.example"]
    # Each SMS was tried four times (two 500s and a dropped connection first), each email three (two 451s).
    assert sorted(gateway.tries.values()) == [4, 4, 4]
    assert sorted(mail.tries.values()) == [3, 3]
    assert [r.sent for r in runs] == [0, 0, 2, 3]
    assert sum(r.failed for r in runs) == 3 * 3 + 2 * 2 and sum(r.gave_up for r in runs) == 0
    rows = db.execute("SELECT attempts, sent_at, last_error FROM alert_deliveries").fetchall()
    assert all(r["sent_at"] is not None and r["last_error"] is None for r in rows)
    # The SMS: what it says, signed with the shared secret, keyed for the gateway to drop a repeat.
    message = gateway.to("07700900001")[0]
    assert message["alert_id"] == alert_id and message["reference"] == message["key"]
    assert message["key"].startswith(f"hedgerow-alert-{alert_id}-sms-")
    assert message["text"].startswith(f"Police alert from Kent Police: {TITLE}\nThree men with lurchers")
    assert "Vehicle: AB12CDE" in message["text"] and "Call 999" in message["text"]
    headers = {k.lower(): v for k, v in gateway.headers[0].items()}
    expected = hmac.new(SECRET.encode(), gateway.raw[0], hashlib.sha256).hexdigest()
    assert headers["x-hedgerow-signature"] == f"sha256={expected}"
    email = message_from_bytes(mail.messages[0].content)
    assert email["Subject"] == f"Police alert from Kent Police: {TITLE}"
    assert email["From"] == "alerts@kent.police.example"
    assert email["Message-ID"].startswith(f"<hedgerow-alert-{alert_id}-email-")
    text = email.get_payload(decode=True).decode()
    assert "within 5 km of grid reference TR 025 541." in text and "I've seen this" in text and "PC Sender" not in text


def test_an_sms_whose_answer_was_lost_is_sent_again_with_its_key_and_the_gateway_drops_the_repeat(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", None, FARM, sms=True, by_email=False)
    with SmsGateway(lose_answer=True) as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        runs = deliver_until_done(db, settings, T0)
    # From the server's side the first try failed (no answer came), so it tried again with the same key.
    assert [(r.sent, r.failed) for r in runs] == [(0, 1), (1, 0)]
    assert len(gateway.keys_seen) == 2 and len(set(gateway.keys_seen)) == 1
    assert len(gateway.sent) == 1  # and the phone got one SMS


def test_a_deliverer_that_died_after_claiming_leaves_its_rows_to_the_next_once_its_lease_lapses(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        # A deliverer claims both rows and dies before sending (its process killed): nothing was sent.
        db.execute("UPDATE alert_deliveries SET claimed_until = ?", [issuing.stamp(T0 + delivery.LEASE)])
        assert delivery.deliver_due(db, settings, T0 + timedelta(minutes=1)).sent == 0  # still its lease
        assert delivery.deliver_due(db, settings, T0 + delivery.LEASE + timedelta(seconds=1)).sent == 2
        assert delivery.deliver_due(db, settings, T0 + timedelta(hours=1)).sent == 0
    assert len(gateway.sent) == 1 and len(mail.messages) == 1


def test_a_withdrawn_alert_is_not_sent_and_an_unreachable_gateway_is_given_up_when_the_alert_ends(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True)
    with SmsGateway(failures=100) as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        withdrawn = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        issuing.edit(db, officer, withdrawn, AlertUpdate(withdrawn=True), T0, settings)
        assert delivery.deliver_due(db, settings, T0).gave_up == 2
        assert gateway.tries == {} and mail.messages == []

        brief = AlertCreate.model_validate(alert_body(FARM, 5.0, expires_at=(T0 + timedelta(hours=1)).isoformat()))
        issuing.issue(db, officer, brief, T0, settings)
        runs = deliver_until_done(db, settings, T0)
    assert len(mail.messages) == 1 and gateway.sent == []
    sms = db.execute(
        "SELECT attempts, gave_up_at, last_error FROM alert_deliveries WHERE channel = 'sms' AND alert_id != ?",
        [withdrawn],
    ).fetchone()
    # Tried after 30 s, 2 min, 8 min and 32 min; the next wait (128 min) would end after the alert: given up.
    assert sms["attempts"] == 5 and sms["gave_up_at"] is not None and "answered 500" in sms["last_error"]
    assert sum(r.gave_up for r in runs) == 1
    assert notify.backoff(5) == timedelta(minutes=128)


def test_moving_an_alert_sends_it_to_the_farmers_newly_reached_and_no_one_twice(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", None, FARM, sms=True, by_email=False)
    farmer(db, "07700 900005", None, FAR_EAST, sms=True, by_email=False)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        alert_id = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        delivery.deliver_due(db, settings, T0)
        wider = AlertUpdate.model_validate({"area": {"lat": FARM[0], "lon": FARM[1] + 0.2, "radius_km": 25}})
        issuing.edit(db, officer, alert_id, wider, T0 + timedelta(minutes=5), settings)
        delivery.deliver_due(db, settings, T0 + timedelta(minutes=5))
    assert [m["to"] for m in gateway.sent] == ["07700900001", "07700900005"]


def test_a_farmer_who_has_their_contact_details_erased_leaves_the_outbox_and_is_sent_nothing_more(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    ann = farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True)
    farmer(db, "07700 900002", "bob@vale.example", FARM, sms=True, by_email=False)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        sent = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        assert delivery.deliver_due(db, settings, T0).sent == 3
        queued = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 4.0)), T0, settings)
        erasure.erase_contact_details(db, ann, T0 + timedelta(minutes=1))
        later = T0 + timedelta(minutes=2)
        assert delivery.deliver_due(db, settings, later).sent == 1  # Bob's SMS of the second alert, no more
        issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 3.0)), later, settings)
        assert delivery.deliver_due(db, settings, later).sent == 1  # a new alert: Bob only
    assert sorted(m["to"] for m in gateway.sent) == ["07700900001", "07700900002", "07700900002", "07700900002"]
    assert recipients(mail) == ["ann@hill.example"]
    rows = db.execute(
        "SELECT alert_id, channel, recipient, sent_at IS NOT NULL AS sent, last_error FROM alert_deliveries "
        "ORDER BY alert_id, channel, recipient"
    ).fetchall()
    ids = {r["recipient"]: r["id"] for r in db.execute("SELECT id, recipient FROM alert_deliveries")}
    erased = sorted(r for r in ids if r.startswith("erased-"))
    assert len(erased) == 4  # Ann's two rows of each of the first two alerts, kept under placeholders
    assert [(r["alert_id"], r["channel"], r["sent"], r["last_error"]) for r in rows if r["recipient"] in erased] == [
        (sent, "email", 1, None),
        (sent, "sms", 1, None),
        (queued, "email", 0, "contact details erased"),
        (queued, "sms", 0, "contact details erased"),
    ]
    assert tuple(db.execute("SELECT sms, email FROM alert_subscriptions WHERE device_id = ?", [ann]).fetchone()) == (
        0,
        0,
    )
    everything = "\n".join(str(tuple(r)) for r in db.execute("SELECT * FROM alert_deliveries"))
    assert "900001" not in everything and "ann@" not in everything


def test_a_farmer_whose_phone_reads_welsh_gets_the_sms_and_email_in_welsh_and_their_neighbour_in_english(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True, language="cy")
    farmer(db, "07700 900002", "bob@vale.example", FARM, sms=True, by_email=True)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        assert delivery.deliver_due(db, settings, T0).sent == 4
    languages = db.execute("SELECT recipient, language FROM alert_deliveries ORDER BY recipient").fetchall()
    assert [tuple(r) for r in languages] == [
        ("07700900001", "cy"),
        ("07700900002", "en"),
        ("ann@hill.example", "cy"),
        ("bob@vale.example", "en"),
    ]
    # The police's own words stay as they wrote them; everything Hedgerow adds is in the farmer's language,
    # the day of the week included.
    welsh = gateway.to("07700900001")[0]["text"]
    assert welsh.startswith(f"Rhybudd gan Kent Police: {TITLE}\nThree men with lurchers"), welsh
    assert "\nCerbyd: AB12CDE\nTan " in welsh and 'Tapiwch "Rydw i wedi gweld hyn"' in welsh
    assert welsh.endswith("Mewn perygl? Ffoniwch 999.") and "Police alert" not in welsh and "Until" not in welsh
    english = gateway.to("07700900002")[0]["text"]
    assert english.startswith(f"Police alert from Kent Police: {TITLE}") and "\nUntil " in english
    emails = {m.rcpt_tos[0]: message_from_bytes(m.content) for m in mail.messages}
    assert emails["ann@hill.example"]["Subject"] == f"Rhybudd gan Kent Police: {TITLE}"
    cymraeg = emails["ann@hill.example"].get_payload(decode=True).decode()
    assert "Mae Kent Police wedi cyhoeddi rhybudd i ffermydd o fewn 5 km i gyfeirnod grid TR 025 541." in cymraeg
    assert "Mae'r rhybudd mewn grym tan " in cymraeg and "(amser y DU)" in cymraeg and "ffoniwch 999" in cymraeg
    assert "The alert" not in cymraeg and "call 999" not in cymraeg
    assert emails["bob@vale.example"]["Subject"] == f"Police alert from Kent Police: {TITLE}"


def test_withdrawing_an_alert_tells_each_farmer_who_was_sent_it_once_in_their_language(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True, language="cy")
    farmer(db, "07700 900002", None, FARM, sms=True, by_email=False)
    farmer(db, "07700 900005", "eve@east.example", FAR_EAST, sms=True, by_email=True)  # never sent it
    later = T0 + timedelta(hours=1)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        alert_id = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        assert delivery.deliver_due(db, settings, T0).sent == 3
        issuing.edit(db, officer, alert_id, AlertUpdate(withdrawn=True), later, settings)
        issuing.edit(db, officer, alert_id, AlertUpdate(withdrawn=True), later, settings)  # twice: told once
        assert delivery.deliver_due(db, settings, later).sent == 3
        assert delivery.deliver_due(db, settings, later + timedelta(days=1)).sent == 0

    told = {m["to"]: m for m in gateway.sent[2:]}
    assert set(told) == {"07700900001", "07700900002"} and all(m["kind"] == "withdrawn" for m in told.values())
    assert told["07700900002"]["text"] == (
        f"Kent Police has withdrawn its alert: {TITLE}\n"
        "You no longer need to look out for this. If a crime is happening now or anyone is in danger, call 999."
    )
    assert told["07700900001"]["text"].startswith(f"Mae Kent Police wedi tynnu ei rybudd yn ôl: {TITLE}\n")
    assert told["07700900001"]["key"].startswith(f"hedgerow-alert-{alert_id}-withdrawn-sms-")
    [welsh] = [message_from_bytes(m.content, policy=policy.default) for m in mail.messages[1:]]
    assert welsh["To"] == "ann@hill.example" and welsh["Subject"] == f"Rhybudd wedi'i dynnu'n ôl: {TITLE}"
    assert "o fewn 5 km i gyfeirnod grid TR 025 541" in welsh.get_payload(decode=True).decode()
    kinds = db.execute("SELECT kind, count(*) FROM alert_deliveries GROUP BY kind ORDER BY kind").fetchall()
    assert [tuple(r) for r in kinds] == [("alert", 3), ("withdrawn", 3)]


def test_word_of_a_withdrawal_waits_for_an_alert_still_being_sent_and_goes_only_if_the_alert_did(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", None, FARM, sms=True, by_email=False)
    farmer(db, "07700 900002", None, FARM, sms=True, by_email=False)
    with SmsGateway() as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        alert_id = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
        # A deliverer has claimed both SMS and is sending them when the officer withdraws the alert.
        db.execute("UPDATE alert_deliveries SET claimed_until = ?", [issuing.stamp(T0 + delivery.LEASE)])
        issuing.edit(db, officer, alert_id, AlertUpdate(withdrawn=True), T0, settings)
        assert delivery.deliver_due(db, settings, T0).waiting == 2  # word waits for the alert's own send
        # The first SMS went through before the withdrawal took hold; the second's gateway never answered.
        db.execute(
            "UPDATE alert_deliveries SET sent_at = ?, claimed_until = NULL WHERE kind = 'alert' AND recipient = ?",
            [issuing.stamp(T0), "07700900001"],
        )
        db.execute(
            "UPDATE alert_deliveries SET gave_up_at = ?, claimed_until = NULL WHERE kind = 'alert' AND recipient = ?",
            [issuing.stamp(T0), "07700900002"],
        )
        result = delivery.deliver_due(db, settings, T0 + timedelta(minutes=1))
    assert (result.sent, result.gave_up, result.waiting) == (1, 1, 0)
    assert [(m["to"], m["kind"]) for m in gateway.sent] == [("07700900001", "withdrawn")]
    given_up = db.execute("SELECT last_error FROM alert_deliveries WHERE kind = 'withdrawn' AND gave_up_at NOT NULL")
    assert [r[0] for r in given_up] == ["the alert itself was never sent"]


def test_an_alert_withdrawn_after_it_ended_tells_nobody_and_late_word_is_given_up(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", None, FARM, sms=True, by_email=False)
    with SmsGateway(failures=100) as gateway, MailSink() as mail:
        settings = settings_for(tmp_path, gateway, mail)
        brief = AlertCreate.model_validate(alert_body(FARM, 5.0, expires_at=(T0 + timedelta(hours=1)).isoformat()))
        ended = issuing.issue(db, officer, brief, T0, settings)
        db.execute("UPDATE alert_deliveries SET sent_at = ?", [issuing.stamp(T0)])
        issuing.edit(db, officer, ended, AlertUpdate(withdrawn=True), T0 + timedelta(hours=2), settings)
        assert db.execute("SELECT count(*) FROM alert_deliveries WHERE kind = 'withdrawn'").fetchone()[0] == 0

        current = issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 4.0)), T0, settings)
        db.execute("UPDATE alert_deliveries SET sent_at = ? WHERE alert_id = ?", [issuing.stamp(T0), current])
        issuing.edit(db, officer, current, AlertUpdate(withdrawn=True), T0, settings)
        runs = deliver_until_done(db, settings, T0)  # the gateway refuses every try
    assert gateway.sent == [] and sum(r.gave_up for r in runs) == 1
    row = db.execute("SELECT attempts, last_error FROM alert_deliveries WHERE kind = 'withdrawn'").fetchone()
    # Tried at 0 and 30 s, 2.5, 10.5 and 42.5 min, then 2.8, 11.4, 17.4 and 23.4 hours after the withdrawal (the
    # waits grow to their 6-hour cap); the next would come more than a day after it: given up.
    assert row["attempts"] == 9 and "answered 500" in row["last_error"]


def test_no_gateway_and_no_smtp_host_queue_nothing(
    db: sqlite_utils.Database, officer: StaffUser, tmp_path: Path
) -> None:
    farmer(db, "07700 900001", "ann@hill.example", FARM, sms=True, by_email=True)
    settings = Settings(data_dir=tmp_path, sms_url="", smtp_host="")
    issuing.issue(db, officer, AlertCreate.model_validate(alert_body(FARM, 5.0)), T0, settings)
    assert db.execute("SELECT count(*) FROM alert_deliveries").fetchone()[0] == 0


def test_the_live_server_sends_a_new_alert_at_once_and_retries_on_its_schedule(tmp_path: Path) -> None:
    """Through the real server: the phone chooses SMS and email over the API, the officer issues the alert over
    the API, and the server sends it straight after answering; a failed first try is sent by the server's own
    delivery runs once the clock passes the retry."""
    with SmsGateway(failures=1) as gateway, MailSink() as mail:
        server = start_console_server(
            tmp_path,
            HEDGEROW_SMS_URL=gateway.url,
            HEDGEROW_SMS_SECRET=SECRET,
            HEDGEROW_SMTP_HOST="127.0.0.1",
            HEDGEROW_SMTP_PORT=str(mail.port),
            HEDGEROW_SMTP_STARTTLS="0",
            HEDGEROW_ALERT_DELIVERY_INTERVAL_S="0.2",
        )
        try:
            phone = Phone(server, (*FARM, 3.0), email="ann@hill.example")
            chosen = phone.client.put(
                "/api/v1/me/alert-channels", json={"sms": True, "email": True}, headers=phone.headers
            )
            assert chosen.status_code == 200, chosen.text
            kent = issuer(server, "kent.live", "officer", KENT_POLICE)
            alert = kent.issue(FARM, 5.0)
            wait_until(lambda: len(mail.messages) == 1, "the email sent straight after the alert was issued")
            assert gateway.sent == [] and sum(gateway.tries.values()) == 1  # the gateway refused the first try
            server.advance(seconds=31)
            wait_until(lambda: len(gateway.sent) == 1, "the SMS sent again by the server's delivery runs")
            assert gateway.sent[0]["alert_id"] == alert["id"] and gateway.sent[0]["to"] == "07700900123"
            server.advance(hours=1)
            again = server.live.cli("alerts", "deliver")
            assert again.stdout.strip() == "alerts: sent 0, failed 0 (tried again later), gave up 0", again.stderr
            assert len(gateway.sent) == 1 and len(mail.messages) == 1
            # Withdrawn from the console: the farmer is told at once, and the alert's page counts it.
            officer = login(server, "kent.console", "officer", KENT_POLICE)
            assert officer.post(f"/console/alerts/{alert['id']}/withdraw").status_code == 303
            wait_until(lambda: len(mail.messages) == 2, "the email saying the alert was withdrawn, sent at once")
            server.advance(seconds=31)  # this gateway refuses every message's first try
            wait_until(lambda: len(gateway.sent) == 2, "the SMS saying the alert was withdrawn")
            assert gateway.sent[1]["kind"] == "withdrawn" and gateway.sent[1]["text"].startswith("Kent Police has")
            page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", officer.get(f"/console/alerts/{alert['id']}").text))
            assert "Told it was withdrawn SMS: 1 sent; email: 1 sent" in page
        finally:
            server.close()
