"""The report API against the real backend on a loopback port: every status code of the contract, the resend
matrix, canonical-form equality, racing PUTs, invalid input, paging, updates and chases."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backend.intake import put_report, query, scalar
from tests.proxy import Fault, FaultProxy
from tests.support import (
    HAMPSHIRE,
    KENT,
    NOWHERE,
    LiveServer,
    jpeg_bytes,
    photo_decl,
    register,
    report_body,
    staff_token,
)


def test_first_put_returns_201_with_the_report_as_the_server_holds_it(client: httpx.Client, server: LiveServer) -> None:
    device = register(client)
    decl = photo_decl(jpeg_bytes())
    body = report_body(
        photos=[decl],
        vehicles=[{"registration": "ab12 cde", "make": "Ford", "colour": "white", "direction": "north on the B2163"}],
        calls=[
            {
                "channel": "101",
                "called_at": "2026-11-20T07:05:00Z",
                "waited_s": 840,
                "outcome": "abandoned",
            }
        ],
        people={"count": 2, "description": "two men in hi-vis"},
    )
    rid = str(uuid.uuid4())
    r = client.put(f"/api/v1/reports/{rid}", json=body, headers=device)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["id"] == rid
    assert got["status"] == "received"
    assert got["area"]["name"] == "Kent" and got["area"]["force"] == "Kent Police"
    assert got["police_reference"] is None
    assert got["flags"] == []
    assert [e["kind"] for e in got["timeline"]] == ["received"]
    assert got["vehicles"][0]["registration"] == "AB12CDE"
    assert got["calls"][0]["waited_s"] == 840
    assert got["photos"] == [{**decl, "arrived": False, "error": None}]
    received = datetime.fromisoformat(got["received_at"])
    assert received.utcoffset() == timedelta(0)
    # The rows behind it, all written together.
    assert scalar(server, "SELECT count(*) FROM report_vehicles WHERE report_id = ?", rid) == 1
    assert scalar(server, "SELECT count(*) FROM report_calls WHERE report_id = ?", rid) == 1
    assert scalar(server, "SELECT count(*) FROM report_photos WHERE report_id = ?", rid) == 1


def test_a_report_outside_every_area_is_held_with_no_area_and_listed_for_admins(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    rid, r = put_report(client, device, where=NOWHERE)
    assert r.status_code == 201, r.text
    assert r.json()["area"] is None
    admin = staff_token(server, client, "unrouted-admin", "admin")
    listed = client.get("/api/v1/admin/unrouted", headers=admin)
    assert listed.status_code == 200, listed.text
    assert rid in [u["id"] for u in listed.json()]


def test_resend_same_report_returns_200_and_stores_nothing_new(client: httpx.Client, server: LiveServer) -> None:
    device = register(client)
    body = report_body()
    rid = str(uuid.uuid4())
    first = client.put(f"/api/v1/reports/{rid}", json=body, headers=device)
    again = client.put(f"/api/v1/reports/{rid}", json=body, headers=device)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ?", rid) == 1


def test_resend_with_changed_content_returns_409_and_keeps_the_first(client: httpx.Client, server: LiveServer) -> None:
    device = register(client)
    rid, first = put_report(client, device)
    assert first.status_code == 201
    changed = client.put(
        f"/api/v1/reports/{rid}", json=report_body(description="Actually it was a whole lorry load"), headers=device
    )
    assert changed.status_code == 409
    assert "update" in changed.json()["message"]
    held = client.get(f"/api/v1/reports/{rid}", headers=device).json()
    assert held["description"] == first.json()["description"]


def test_another_devices_report_id_returns_404_as_if_it_did_not_exist(client: httpx.Client) -> None:
    owner, intruder = register(client, "Owner"), register(client, "Intruder")
    rid, first = put_report(client, owner)
    assert first.status_code == 201
    same_body = client.put(f"/api/v1/reports/{rid}", json=report_body(), headers=intruder)
    never_sent = client.put(f"/api/v1/reports/{uuid.uuid4()}", json=report_body(), headers=owner)
    read = client.get(f"/api/v1/reports/{rid}", headers=intruder)
    missing = client.get(f"/api/v1/reports/{uuid.uuid4()}", headers=intruder)
    assert same_body.status_code == 404
    assert never_sent.status_code == 201
    assert read.status_code == missing.status_code == 404
    assert read.json() == missing.json(), "the answer must not reveal that the id exists"
    assert client.get(f"/api/v1/reports/{rid}", headers=owner).json()["description"] == first.json()["description"]


def test_resend_with_keys_reordered_and_times_in_another_offset_returns_200(client: httpx.Client) -> None:
    device = register(client)
    body = report_body(
        occurred_at="2026-11-20T06:30:00Z",
        created_at="2026-11-20T07:00:00Z",
        calls=[{"channel": "101", "called_at": "2026-11-20T07:05:00Z", "outcome": "answered"}],
        vehicles=[{"registration": "AB12CDE"}],
        details={"size_band": "small van load", "waste_types": ["tyres", "household"]},
    )
    rid = str(uuid.uuid4())
    assert client.put(f"/api/v1/reports/{rid}", json=body, headers=device).status_code == 201

    same: dict[str, Any] = dict(reversed(list(body.items())))
    same["location"] = dict(reversed(list(body["location"].items())))
    same["occurred_at"] = "2026-11-20T07:30:00+01:00"  # the same instant
    same["created_at"] = "2026-11-20T02:00:00-05:00"
    same["calls"] = [{"outcome": "answered", "called_at": "2026-11-20T08:05:00+01:00", "channel": "101"}]
    same["vehicles"] = [{"registration": "ab12 cde"}]  # the same plate, as typed
    same["details"] = {"waste_types": ["household", "tyres"], "size_band": "small van load"}
    same["sent_at"] = "2026-11-20T07:10:00Z"  # when it was sent is not part of the content
    raw = json.dumps(same)
    assert raw != json.dumps(body)
    again = client.put(f"/api/v1/reports/{rid}", content=raw, headers={**device, "Content-Type": "application/json"})
    assert again.status_code == 200, again.text

    later = dict(same, occurred_at="2026-11-20T07:30:00+00:00")  # an hour later: different content
    assert client.put(f"/api/v1/reports/{rid}", json=later, headers=device).status_code == 409


def test_twenty_identical_puts_racing_create_exactly_one_report_and_one_received_event(
    server: LiveServer,
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        device = register(c)
    decl = photo_decl(jpeg_bytes())
    body = report_body(photos=[decl], vehicles=[{"registration": "XY99ZZZ"}])
    rid = str(uuid.uuid4())
    start = threading.Barrier(20)

    def send(_: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            c.get("/healthz")  # connect first, so the PUTs leave together
            start.wait(timeout=30)
            return c.put(f"/api/v1/reports/{rid}", json=body, headers=device).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(send, range(20)))
    assert statuses == [200] * 19 + [201]
    assert scalar(server, "SELECT count(*) FROM reports WHERE id = ?", rid) == 1
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'received'", rid) == 1
    assert scalar(server, "SELECT count(*) FROM report_photos WHERE report_id = ?", rid) == 1
    assert scalar(server, "SELECT count(*) FROM report_vehicles WHERE report_id = ?", rid) == 1


def test_reports_written_in_one_group_commit_each_get_their_clocks(server: LiveServer) -> None:
    """The writer computes the clocks of a whole batch at once; every report in it must have them."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        device = register(c)
    ids = [str(uuid.uuid4()) for _ in range(30)]
    start = threading.Barrier(len(ids))

    def send(rid: str) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            c.get("/healthz")
            start.wait(timeout=30)
            return c.put(f"/api/v1/reports/{rid}", json=report_body(), headers=device).status_code

    with ThreadPoolExecutor(len(ids)) as pool:
        assert list(pool.map(send, ids)) == [201] * len(ids)
    marks = ",".join("?" * len(ids))
    rows = query(
        server,
        f"SELECT c.answered_start_s, c.answered_due_s, c.answered_state, r.received_at FROM report_clocks c "
        f"JOIN reports r ON r.id = c.report_id WHERE c.report_id IN ({marks})",
        *ids,
    )
    assert len(rows) == len(ids)
    for row in rows:
        received = int(datetime.fromisoformat(row["received_at"]).timestamp())
        assert row["answered_start_s"] == received
        assert row["answered_due_s"] > received
        assert row["answered_state"] == "running"


def test_a_report_whose_answer_was_lost_is_held_and_the_resend_returns_200(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    rid = str(uuid.uuid4())
    body = report_body()
    with FaultProxy(server.port) as proxy, httpx.Client(base_url=proxy.url, timeout=30) as phone:
        proxy.plan(Fault.cut("down", after=0))  # the request gets through; the answer does not
        with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without sending a response\.$"):
            phone.put(f"/api/v1/reports/{rid}", json=body, headers=device)
        proxy.wait_idle()
        assert [(c.fired, c.bytes_down) for c in proxy.connections] == [("cut", 0)]
        resend = phone.put(f"/api/v1/reports/{rid}", json=body, headers=device)
        assert resend.status_code == 200, resend.text
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ?", rid) == 1


def test_a_put_cut_half_way_through_its_body_stores_nothing_and_the_resend_returns_201(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    rid = str(uuid.uuid4())
    body = report_body(description="x" * 4000)
    with FaultProxy(server.port) as proxy, httpx.Client(base_url=proxy.url, timeout=30) as phone:
        proxy.plan(Fault.reset("up", after=2500))
        # The reset meets the phone while it still writes (a broken pipe) or once it waits for the answer.
        with pytest.raises(httpx.TransportError, match=r"^\[Errno (104|32)\] (Connection reset by peer|Broken pipe)$"):
            phone.put(f"/api/v1/reports/{rid}", json=body, headers=device)
        proxy.wait_idle()
        assert [(c.fired, c.bytes_up) for c in proxy.connections] == [("reset", 2500)]
        assert scalar(server, "SELECT count(*) FROM reports WHERE id = ?", rid) == 0
        assert phone.put(f"/api/v1/reports/{rid}", json=body, headers=device).status_code == 201


def test_the_phones_clock_skew_is_noted_from_sent_at(client: httpx.Client, server: LiveServer) -> None:
    device = register(client)
    sent_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=7)  # a phone seven minutes fast
    rid, r = put_report(client, device, sent_at=sent_at.isoformat())
    assert r.status_code == 201, r.text
    received = datetime.fromisoformat(r.json()["received_at"])
    officer = staff_token(server, client, "skew-officer", "officer", "Kent Police")
    staff_view = client.get(f"/api/v1/reports/{rid}", headers=officer).json()
    assert staff_view["clock_skew_s"] == pytest.approx((sent_at - received).total_seconds(), abs=1e-3)
    assert datetime.fromisoformat(staff_view["sent_at"]) == sent_at


# -- 401, 413, 422, 429 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer hd_not-a-real-token", "Basic Zm9vOmJhcg==", "hd_token-without-scheme"],
)
def test_put_without_a_valid_device_token_returns_401(client: httpx.Client, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    rid = str(uuid.uuid4())
    r = client.put(f"/api/v1/reports/{rid}", json=report_body(), headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["message"]
    assert client.get(f"/api/v1/reports/{rid}", headers=headers).status_code == 401
    assert client.get("/api/v1/reports", headers=headers).status_code == 401


def test_a_staff_token_cannot_send_reports_and_a_device_token_cannot_record_events(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    officer = staff_token(server, client, "token-kinds-officer", "officer", "Kent Police")
    rid, r = put_report(client, device)
    assert r.status_code == 201
    as_staff = client.put(f"/api/v1/reports/{uuid.uuid4()}", json=report_body(), headers=officer)
    assert as_staff.status_code == 401
    assert "device token" in as_staff.json()["message"]
    as_device = client.post(f"/api/v1/reports/{rid}/events", json={"kind": "acknowledged"}, headers=device)
    assert as_device.status_code == 401
    assert "staff" in as_device.json()["message"]


def test_a_body_over_256_kib_returns_413_whether_its_length_is_declared_or_streamed(
    client: httpx.Client, server: LiveServer
) -> None:
    device = register(client)
    rid = str(uuid.uuid4())
    big = json.dumps(report_body(description="y" * (300 * 1024))).encode()
    declared = client.put(f"/api/v1/reports/{rid}", content=big, headers={**device, "Content-Type": "application/json"})
    assert declared.status_code == 413
    assert "256 KiB" in declared.json()["message"]

    def stream() -> Any:
        for i in range(0, len(big), 16 * 1024):
            yield big[i : i + 16 * 1024]

    streamed = client.put(
        f"/api/v1/reports/{rid}", content=stream(), headers={**device, "Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in streamed.request.headers}
    assert streamed.status_code == 413
    assert "256 KiB" in streamed.json()["message"]
    assert scalar(server, "SELECT count(*) FROM reports WHERE id = ?", rid) == 0


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def _with(body: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


BASE = report_body()
INVALID = {
    "category is a number": (_with(BASE, 123, "category"), "category"),
    "unknown category": (_with(BASE, "theft_spaceship", "category"), "category"),
    "occurred_at is not a time": (_with(BASE, "last Tuesday", "occurred_at"), "occurred_at"),
    "occurred_at has no time zone": (_with(BASE, "2026-11-20T06:30:00", "occurred_at"), "occurred_at"),
    "occurred_until before occurred_at": (
        _with(_with(BASE, "2026-11-20T06:30:00Z", "occurred_at"), "2026-11-20T05:00:00Z", "occurred_until"),
        "occurred_until",
    ),
    "latitude is text": (_with(BASE, "north", "location", "lat"), "location.lat"),
    "latitude beyond the pole": (_with(BASE, 91, "location", "lat"), "location.lat"),
    "unknown location source": (_with(BASE, "carrier pigeon", "location", "source"), "location.source"),
    "vehicles is not a list": (_with(BASE, {"registration": "AB12CDE"}, "vehicles"), "vehicles"),
    "call outcome unknown": (
        _with(BASE, [{"channel": "101", "called_at": "2026-11-20T07:00:00Z", "outcome": "shrug"}], "calls"),
        "calls.0.outcome",
    ),
    "negative wait": (
        _with(
            BASE,
            [{"channel": "101", "called_at": "2026-11-20T07:00:00Z", "outcome": "answered", "waited_s": -5}],
            "calls",
        ),
        "calls.0.waited_s",
    ),
    "photo sha256 not hex": (
        _with(
            BASE,
            [{"photo_id": str(uuid.uuid4()), "sha256": "abc", "bytes": 10, "content_type": "image/jpeg"}],
            "photos",
        ),
        "photos.0.sha256",
    ),
    "photo over 15 MB": (
        _with(
            BASE,
            [
                {
                    "photo_id": str(uuid.uuid4()),
                    "sha256": "a" * 64,
                    "bytes": 16 * 1024 * 1024,
                    "content_type": "image/jpeg",
                }
            ],
            "photos",
        ),
        "photos.0.bytes",
    ),
    "missing location": (_without(BASE, "location"), "location"),
    "missing category": (_without(BASE, "category"), "category"),
    "missing created_at": (_without(BASE, "created_at"), "created_at"),
    "missing latitude": (_without(BASE, "location", "lat"), "location.lat"),
    "unknown top-level field": (_with(BASE, "sunny", "weather"), "weather"),
    "unknown location field": (_with(BASE, "OX1 1AA", "location", "postcode"), "location.postcode"),
    "fly-tipping without its size band": (_with(BASE, {"waste_types": ["tyres"]}, "details"), "size_band"),
    "fly-tipping size band unknown": (_with(BASE, {"size_band": "a mountain"}, "details"), "size_band"),
    "unknown detail field": (_with(BASE, {"size_band": "single item", "smell": "bad"}, "details"), "smell"),
    "detail number given as text": (
        _with(_with(BASE, "theft_livestock", "category"), {"species": "sheep", "number_taken": "ten"}, "details"),
        "number_taken",
    ),
    "detail boolean given as text": (
        _with(_with(BASE, "hare_coursing", "category"), {"spectators_filming": "maybe"}, "details"),
        "spectators_filming",
    ),
}


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_an_invalid_report_returns_422_naming_the_field_and_stores_nothing(
    client: httpx.Client, server: LiveServer, case: str
) -> None:
    body, field = INVALID[case]
    device = register(client)
    rid = str(uuid.uuid4())
    r = client.put(f"/api/v1/reports/{rid}", json=body, headers=device)
    assert r.status_code == 422, r.text
    assert field in r.json()["message"], r.json()
    assert scalar(server, "SELECT count(*) FROM reports WHERE id = ?", rid) == 0
    # Nothing was lost: the corrected report is accepted under the same id.
    assert client.put(f"/api/v1/reports/{rid}", json=report_body(), headers=device).status_code == 201


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "JSON"),
        (b"[1, 2, 3]", ""),
        (b"", ""),
        ('{"category": "fly_tipping", "description": "caf\xe9"}'.encode("latin-1"), ""),
    ],
    ids=["broken JSON", "a list", "empty", "not UTF-8"],
)
def test_a_body_that_is_not_a_json_object_returns_422(client: httpx.Client, content: bytes, expected: str) -> None:
    device = register(client)
    r = client.put(
        f"/api/v1/reports/{uuid.uuid4()}", content=content, headers={**device, "Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert expected in r.json()["message"]


def test_a_report_id_that_is_not_a_uuid_returns_422(client: httpx.Client) -> None:
    device = register(client)
    r = client.put("/api/v1/reports/not-a-uuid", json=report_body(), headers=device)
    assert r.status_code == 422
    assert "report_id" in r.json()["message"]


def test_registration_is_rate_limited_per_address_with_429_and_retry_after(tmp_path: Path) -> None:
    live = LiveServer(tmp_path / "limited", env={"HEDGEROW_REGISTER_PER_HOUR": "3"})
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as c:
            device = {"name": "Jo", "phone": "07700 900123"}
            statuses = [c.post("/api/v1/devices", json=device).status_code for _ in range(3)]
            refused = c.post("/api/v1/devices", json=device)
        assert statuses == [201, 201, 201]
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "too many" in refused.json()["message"]
        assert scalar(live, "SELECT count(*) FROM devices") == 3
    finally:
        live.stop()


def test_device_registration_validates_its_fields(client: httpx.Client) -> None:
    assert client.post("/api/v1/devices", json={"name": "Jo"}).status_code == 422
    assert client.post("/api/v1/devices", json={"name": "Jo", "phone": "call me"}).status_code == 422
    assert client.post("/api/v1/devices", json={"name": "", "phone": "07700 900123"}).status_code == 422
    bad_email = client.post("/api/v1/devices", json={"name": "Jo", "phone": "07700900123", "email": "jo"})
    assert bad_email.status_code == 422 and "email" in bad_email.json()["message"]
    r = client.post("/api/v1/devices", json={"name": "Jo", "phone": "07700 900123", "postcode": "me14 1xx"})
    assert r.status_code == 201
    assert r.json()["token"].startswith("hd_")
    uuid.UUID(r.json()["device_id"])


# -- pulling changes: GET /api/v1/reports?since= ----------------------------------------------------------------


def test_since_pages_through_a_devices_own_reports_and_then_returns_only_what_changed(
    client: httpx.Client, server: LiveServer
) -> None:
    device, other = register(client, "Pager"), register(client, "Someone else")
    ids = [put_report(client, device)[0] for _ in range(5)]
    put_report(client, other)

    seen: list[str] = []
    cursor = "0"
    pages = []
    while True:
        page = client.get("/api/v1/reports", params={"since": cursor, "limit": 2}, headers=device)
        assert page.status_code == 200, page.text
        body = page.json()
        pages.append(len(body["reports"]))
        seen += [r["id"] for r in body["reports"]]
        cursor = body["cursor"]
        if not body["more"]:
            break
    assert pages == [2, 2, 1]
    assert seen == ids, "each of the device's own reports once, oldest change first"

    empty = client.get("/api/v1/reports", params={"since": cursor}, headers=device).json()
    assert empty == {"reports": [], "cursor": cursor, "more": False}

    officer = staff_token(server, client, "since-officer", "officer", "Kent Police")
    acked = client.post(f"/api/v1/reports/{ids[1]}/events", json={"kind": "acknowledged"}, headers=officer)
    assert acked.status_code == 201, acked.text
    noted = client.post(
        f"/api/v1/reports/{ids[3]}/events", json={"kind": "note", "text": "internal only"}, headers=officer
    )
    assert noted.status_code == 201, noted.text
    changed = client.get("/api/v1/reports", params={"since": cursor}, headers=device).json()
    assert [r["id"] for r in changed["reports"]] == [ids[1]], "an internal note is not a change the farmer sees"
    assert changed["reports"][0]["status"] == "acknowledged"
    assert int(changed["cursor"]) > int(cursor)


@pytest.mark.parametrize(
    "params", [{"since": "-1"}, {"since": "yesterday"}, {"since": str(2**64)}, {"limit": "0"}, {"limit": "201"}]
)
def test_bad_paging_parameters_return_422(client: httpx.Client, params: dict[str, str]) -> None:
    device = register(client)
    r = client.get("/api/v1/reports", params=params, headers=device)
    assert r.status_code == 422
    assert next(iter(params)) in r.json()["message"]


# -- updates and chases -----------------------------------------------------------------------------------------


def test_an_update_is_idempotent_by_its_id(client: httpx.Client, server: LiveServer) -> None:
    device = register(client)
    rid, r = put_report(client, device)
    assert r.status_code == 201
    extra = photo_decl(jpeg_bytes(color=(1, 2, 3)))
    update = {"update_id": str(uuid.uuid4()), "text": "They came back at 2am", "photos": [extra]}
    first = client.post(f"/api/v1/reports/{rid}/updates", json=update, headers=device)
    again = client.post(f"/api/v1/reports/{rid}/updates", json=update, headers=device)
    changed = client.post(f"/api/v1/reports/{rid}/updates", json={**update, "text": "Different"}, headers=device)
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 409)
    timeline = again.json()["timeline"]
    assert [e["kind"] for e in timeline] == ["received", "farmer_update"]
    assert timeline[1]["text"] == "You added: They came back at 2am (with 1 photo)"
    assert [p["photo_id"] for p in again.json()["photos"]] == [extra["photo_id"]]
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'farmer_update'", rid) == 1
    empty = client.post(f"/api/v1/reports/{rid}/updates", json={"update_id": str(uuid.uuid4())}, headers=device)
    assert empty.status_code == 422


def test_a_chase_is_idempotent_by_its_id_and_only_the_owner_may_chase(client: httpx.Client, server: LiveServer) -> None:
    device, stranger = register(client), register(client, "Stranger")
    rid, r = put_report(client, device)
    assert r.status_code == 201
    chase = {"chase_id": str(uuid.uuid4()), "text": "Nobody has called me back"}
    first = client.post(f"/api/v1/reports/{rid}/chase", json=chase, headers=device)
    again = client.post(f"/api/v1/reports/{rid}/chase", json=chase, headers=device)
    changed = client.post(f"/api/v1/reports/{rid}/chase", json={**chase, "text": "Hello?"}, headers=device)
    theirs = client.post(f"/api/v1/reports/{rid}/chase", json=dict(chase, chase_id=str(uuid.uuid4())), headers=stranger)
    assert (first.status_code, again.status_code, changed.status_code, theirs.status_code) == (201, 200, 409, 404)
    assert [e["kind"] for e in again.json()["timeline"]] == ["received", "chased"]
    assert scalar(server, "SELECT count(*) FROM events WHERE report_id = ? AND kind = 'chased'", rid) == 1
    update = {"update_id": str(uuid.uuid4()), "text": "mine now"}
    assert client.post(f"/api/v1/reports/{rid}/updates", json=update, headers=stranger).status_code == 404


def test_the_categories_list_every_code_with_group_label_and_fields(client: httpx.Client) -> None:
    r = client.get("/api/v1/categories")
    assert r.status_code == 200
    codes = {c["code"]: c for c in r.json()["categories"]}
    assert len(codes) == 17
    assert codes["fly_tipping"]["group"] == "Fly-tipping"
    size_band = next(f for f in codes["fly_tipping"]["fields"] if f["name"] == "size_band")
    assert size_band["required"] is True and "transit van load" in size_band["choices"]
    assert codes["hare_coursing"]["urgent"] is True
    assert r.json()["groups"][0] == "Theft"


def test_every_error_answer_is_json_with_a_message(client: httpx.Client) -> None:
    device = register(client)
    answers = [
        client.get(f"/api/v1/reports/{uuid.uuid4()}", headers=device),  # 404
        client.get(f"/api/v1/reports/{uuid.uuid4()}"),  # 401
        client.put(f"/api/v1/reports/{uuid.uuid4()}", json={}, headers=device),  # 422
    ]
    assert [a.status_code for a in answers] == [404, 401, 422]
    for a in answers:
        assert a.headers["content-type"].startswith("application/json")
        assert isinstance(a.json()["message"], str) and a.json()["message"]


def test_demo_areas_route_neighbouring_forces(client: httpx.Client) -> None:
    device = register(client)
    kent = put_report(client, device, where=KENT)[1].json()["area"]
    hampshire = put_report(client, device, where=HAMPSHIRE)[1].json()["area"]
    assert kent["force"] == "Kent Police"
    assert hampshire["force"] == "Hampshire and Isle of Wight Constabulary"


def test_no_report_is_half_written_and_no_row_is_orphaned(client: httpx.Client, server: LiveServer) -> None:
    """Across everything this module's server holds: no report without its `received` event, no orphan rows."""
    device = register(client)
    for _ in range(3):
        put_report(
            client,
            device,
            photos=[photo_decl(jpeg_bytes())],
            vehicles=[{"registration": "AB12CDE"}],
            calls=[{"channel": "999", "called_at": "2026-11-20T07:00:00Z", "outcome": "answered"}],
        )
    assert (
        scalar(
            server,
            "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.report_id = r.id AND e.kind = 'received')",
        )
        == 0
    )
    for table in ("events", "report_photos", "report_vehicles", "report_calls"):
        orphans = f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = t.report_id)"
        assert scalar(server, orphans) == 0, table
    assert query(server, "PRAGMA integrity_check")[0][0] == "ok"
