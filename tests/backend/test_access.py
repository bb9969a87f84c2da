"""Who may read and act on which report, against the real backend: farmers see only their own reports and only
the public timeline; officers see only their force's reports and every read is logged; NFU tokens act on nothing;
failed logins are slowed down."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.backend.intake import put_report, query, scalar
from tests.support import HAMPSHIRE, KENT, LiveServer, register, staff_token

KENT_POLICE = "Kent Police"
HAMPSHIRE_POLICE = "Hampshire and Isle of Wight Constabulary"


def test_a_farmer_cannot_read_or_change_another_farmers_report(client: httpx.Client) -> None:
    alice, bob = register(client, "Alice"), register(client, "Bob")
    rid, r = put_report(client, alice, description="Quad taken from the yard")
    assert r.status_code == 201
    attempts = [
        client.get(f"/api/v1/reports/{rid}", headers=bob),
        client.post(f"/api/v1/reports/{rid}/updates", json={"update_id": str(uuid.uuid4()), "text": "x"}, headers=bob),
        client.post(f"/api/v1/reports/{rid}/chase", json={"chase_id": str(uuid.uuid4())}, headers=bob),
    ]
    assert [a.status_code for a in attempts] == [404, 404, 404]
    for a in attempts:
        assert "Quad" not in a.text
    listing = client.get("/api/v1/reports", headers=bob).json()
    assert rid not in [rep["id"] for rep in listing["reports"]]
    assert client.get(f"/api/v1/reports/{rid}", headers=alice).status_code == 200


def test_an_officer_reads_their_forces_report_and_the_read_is_logged(client: httpx.Client, server: LiveServer) -> None:
    farmer = register(client, "Kent farmer")
    rid, r = put_report(client, farmer, where=KENT)
    assert r.status_code == 201
    officer = staff_token(server, client, "kent-reader", "officer", KENT_POLICE)
    user_id = scalar(server, "SELECT id FROM users WHERE username = 'kent-reader'")
    before = scalar(server, "SELECT count(*) FROM staff_reads WHERE user_id = ? AND report_id = ?", user_id, rid)
    view = client.get(f"/api/v1/reports/{rid}", headers=officer)
    assert view.status_code == 200, view.text
    assert view.json()["reporter"]["name"] == "Kent farmer"
    assert view.json()["force"] == KENT_POLICE
    reads = query(server, "SELECT via, at FROM staff_reads WHERE user_id = ? AND report_id = ?", user_id, rid)
    assert before == 0 and len(reads) == 1
    assert reads[0]["via"] == "api"
    assert abs(datetime.fromisoformat(reads[0]["at"]) - datetime.now(UTC)) < timedelta(minutes=5)


def test_an_officer_cannot_read_or_act_on_another_forces_report(client: httpx.Client, server: LiveServer) -> None:
    farmer = register(client)
    rid, r = put_report(client, farmer, where=KENT, description="Sheep worried near the A20")
    assert r.status_code == 201
    outsider = staff_token(server, client, "hampshire-officer", "officer", HAMPSHIRE_POLICE)
    outsider_id = scalar(server, "SELECT id FROM users WHERE username = 'hampshire-officer'")
    read = client.get(f"/api/v1/reports/{rid}", headers=outsider)
    missing = client.get(f"/api/v1/reports/{uuid.uuid4()}", headers=outsider)
    act = client.post(f"/api/v1/reports/{rid}/events", json={"kind": "acknowledged"}, headers=outsider)
    assert (read.status_code, act.status_code) == (404, 404)
    assert read.json() == missing.json(), "another force's report looks exactly like no report"
    assert "A20" not in read.text + act.text
    assert scalar(server, "SELECT count(*) FROM staff_reads WHERE user_id = ?", outsider_id) == 0
    assert scalar(server, "SELECT status FROM reports WHERE id = ?", rid) == "received"

    hampshire_rid, r = put_report(client, farmer, where=HAMPSHIRE)
    assert r.status_code == 201
    assert client.get(f"/api/v1/reports/{hampshire_rid}", headers=outsider).status_code == 200


def test_a_supervisor_of_another_force_is_refused_too_and_an_admin_reads_any_report(
    client: httpx.Client, server: LiveServer
) -> None:
    farmer = register(client)
    rid, r = put_report(client, farmer, where=KENT)
    assert r.status_code == 201
    supervisor = staff_token(server, client, "hampshire-supervisor", "supervisor", HAMPSHIRE_POLICE)
    admin = staff_token(server, client, "any-admin", "admin")
    assert client.get(f"/api/v1/reports/{rid}", headers=supervisor).status_code == 404
    assert client.get(f"/api/v1/reports/{rid}", headers=admin).status_code == 200


def test_nfu_tokens_get_403_on_staff_actions_and_see_no_report(client: httpx.Client, server: LiveServer) -> None:
    farmer = register(client)
    rid, r = put_report(client, farmer, where=KENT)
    assert r.status_code == 201
    nfu = staff_token(server, client, "nfu-rep", "nfu")
    for kind in ("acknowledged", "note"):
        body = {"kind": kind, "text": "from the NFU"}
        refused = client.post(f"/api/v1/reports/{rid}/events", json=body, headers=nfu)
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"]
    assert client.get("/api/v1/admin/unrouted", headers=nfu).status_code == 403
    assert client.get(f"/api/v1/reports/{rid}", headers=nfu).status_code == 404
    assert client.put(f"/api/v1/reports/{uuid.uuid4()}", json={}, headers=nfu).status_code == 401
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ?", rid) == 1


def test_only_admins_see_the_unrouted_list(client: httpx.Client, server: LiveServer) -> None:
    officer = staff_token(server, client, "unrouted-officer", "officer", KENT_POLICE)
    refused = client.get("/api/v1/admin/unrouted", headers=officer)
    assert refused.status_code == 403
    assert client.get("/api/v1/admin/unrouted").status_code == 401


def test_internal_notes_never_appear_in_the_farmers_view(client: httpx.Client, server: LiveServer) -> None:
    farmer = register(client)
    rid, r = put_report(client, farmer, where=KENT)
    assert r.status_code == 201
    officer = staff_token(server, client, "note-writer", "officer", KENT_POLICE)
    secret = "Suspect is the neighbour's nephew, known to us"
    for body in (
        {"kind": "acknowledged"},
        {"kind": "note", "text": secret},
        {"kind": "update_sent", "text": "An officer will visit tomorrow"},
    ):
        done = client.post(f"/api/v1/reports/{rid}/events", json=body, headers=officer)
        assert done.status_code == 201, done.text

    staff_view = client.get(f"/api/v1/reports/{rid}", headers=officer).json()
    assert [e["kind"] for e in staff_view["timeline"]] == ["received", "acknowledged", "note", "update_sent"]
    assert staff_view["timeline"][2]["data"]["text"] == secret

    farmer_view = client.get(f"/api/v1/reports/{rid}", headers=farmer)
    listing = client.get("/api/v1/reports", headers=farmer)
    assert [e["kind"] for e in farmer_view.json()["timeline"]] == ["received", "acknowledged", "update_sent"]
    assert farmer_view.json()["timeline"][2]["text"] == "An officer will visit tomorrow"
    for text in (farmer_view.text, listing.text):
        assert "nephew" not in text
        assert '"note"' not in text
        assert "note-writer" not in text and '"actor_id"' not in text and '"reporter"' not in text
    assert any(rep["id"] == rid for rep in json.loads(listing.text)["reports"])


def test_staff_event_input_is_checked(client: httpx.Client, server: LiveServer) -> None:
    farmer = register(client)
    rid, r = put_report(client, farmer, where=KENT)
    assert r.status_code == 201
    officer = staff_token(server, client, "checked-officer", "officer", KENT_POLICE)
    staff_token(server, client, "other-force-officer", "officer", HAMPSHIRE_POLICE)
    outsider_id = scalar(server, "SELECT id FROM users WHERE username = 'other-force-officer'")
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    cases = [
        ({"kind": "assigned", "user_id": outsider_id}, 422, "an officer of its force"),
        ({"kind": "assigned", "user_id": 999_999}, 422, "no such officer"),
        ({"kind": "assigned", "user_id": "one"}, 422, "user_id"),
        ({"kind": "note", "text": "same", "duplicate_of": rid}, 422, "duplicate of itself"),
        ({"kind": "note", "text": "elsewhere", "duplicate_of": str(uuid.uuid4())}, 422, "another report"),
        ({"kind": "reference_added"}, 422, "reference"),
        ({"kind": "note"}, 422, "text"),
        ({"kind": "received"}, 422, "kind"),
        ({"kind": "acknowledged", "at": future}, 422, "future"),
        ({"kind": "acknowledged", "bogus": 1}, 422, "bogus"),
        ({"kind": "reopened"}, 409, "closed"),
    ]
    for body, status, words in cases:
        answer = client.post(f"/api/v1/reports/{rid}/events", json=body, headers=officer)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["message"], (body, answer.json())
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ?", rid) == 1
    closed = client.post(f"/api/v1/reports/{rid}/events", json={"kind": "closed", "outcome": "other"}, headers=officer)
    assert closed.status_code == 201
    again = client.post(f"/api/v1/reports/{rid}/events", json={"kind": "closed", "outcome": "other"}, headers=officer)
    assert again.status_code == 409


def test_wrong_credentials_for_a_staff_token_return_401(client: httpx.Client, server: LiveServer) -> None:
    staff_token(server, client, "cred-officer", "officer", KENT_POLICE)
    wrong_password = client.post("/api/v1/tokens", json={"username": "cred-officer", "password": "not-it-at-all"})
    no_such_user = client.post("/api/v1/tokens", json={"username": "nobody-here", "password": "whatever-123"})
    assert (wrong_password.status_code, no_such_user.status_code) == (401, 401)
    assert wrong_password.json()["message"] == no_such_user.json()["message"], "do not reveal which usernames exist"
    assert client.post("/api/v1/tokens", json={"username": "cred-officer"}).status_code == 422
    fake = {"Authorization": "Bearer hs_" + "A" * 43}
    assert client.get("/api/v1/admin/unrouted", headers=fake).status_code == 401


def test_repeated_failed_logins_are_slowed_down_with_429(tmp_path: Path) -> None:
    """On a server whose clock stands still (injected), so the delays are exact."""
    clock = tmp_path / "clock.txt"
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clock.write_text(start.isoformat())
    live = LiveServer(tmp_path / "data", env={"HEDGEROW_CLOCK_FILE": str(clock)})
    assert (
        live.cli(
            "users", "add", "slow-officer", "--role", "officer", "--force", KENT_POLICE, stdin="right-password-1\n"
        ).returncode
        == 0
    )
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as c:

            def login(password: str) -> httpx.Response:
                return c.post("/api/v1/tokens", json={"username": "slow-officer", "password": password})

            assert [login(f"wrong-{i}").status_code for i in range(5)] == [401] * 5
            slowed = login("right-password-1")
            assert slowed.status_code == 429, "even the right password waits once too many have failed"
            assert slowed.headers["retry-after"] == "1"
            assert "too many failed logins" in slowed.json()["message"]

            clock.write_text((start + timedelta(seconds=2)).isoformat())
            assert login("wrong-again").status_code == 401
            doubled = login("right-password-1")
            assert (doubled.status_code, doubled.headers.get("retry-after")) == (429, "2")

            clock.write_text((start + timedelta(seconds=5)).isoformat())
            allowed = login("right-password-1")
            assert allowed.status_code == 201, allowed.text
            assert allowed.json()["token"].startswith("hs_")
        assert scalar(live, "SELECT count(*) FROM login_failures") == 6
    finally:
        live.stop()


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_police_users_need_a_force(server: LiveServer, role: str) -> None:
    done = server.cli("users", "add", f"forceless-{role}", "--role", role, stdin="a-long-password\n")
    assert done.returncode != 0
    assert "force" in done.stderr
    assert scalar(server, "SELECT count(*) FROM users WHERE username = ?", f"forceless-{role}") == 0
