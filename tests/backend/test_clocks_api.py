"""GET /api/v1/reports/{id}/clocks, and the backend's own scheduled sweep, on a real server with a moved clock."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support import DEMO_AREAS, HAMPSHIRE, KENT, LiveServer, register, report_body, staff_token

T0 = datetime.fromisoformat("2025-09-01T08:00:00+00:00")  # a Monday


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clock") / "now"
    path.write_text(T0.isoformat())
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, clock_file: Path) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("server"),
        env={
            "HEDGEROW_REGISTER_PER_HOUR": "10000",
            "HEDGEROW_CLOCK_FILE": str(clock_file),
            "HEDGEROW_SWEEP_INTERVAL_S": "0.2",
        },
    )
    done = server.cli("areas", "import", str(DEMO_AREAS))
    assert done.returncode == 0, done.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def kent_officer(live: LiveServer, http: httpx.Client) -> dict[str, str]:
    return staff_token(live, http, "kent-officer", "officer", "Kent Police")


def _send(http: httpx.Client, farmer: dict[str, str], category: str, where: tuple[float, float] = KENT, **kw) -> str:
    rid = str(uuid.uuid4())
    r = http.put(f"/api/v1/reports/{rid}", json=report_body(category, where, **kw), headers=farmer)
    assert r.status_code == 201, r.text
    return rid


def test_farmer_sees_only_the_public_clocks_and_staff_see_every_clock(
    http: httpx.Client, kent_officer: dict[str, str]
) -> None:
    farmer = register(http)
    calls = [{"channel": "101", "called_at": "2025-09-01T07:00:00Z", "waited_s": 400, "outcome": "answered"}]
    rid = _send(http, farmer, "livestock_worrying", happening_now=True, calls=calls)
    mine = http.get(f"/api/v1/reports/{rid}/clocks", headers=farmer)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert [c["clock"] for c in body["clocks"]] == ["answered", "reference", "decision", "update"]
    assert body["flags"] is None
    assert body["call_mark"] == "amber"
    answered = body["clocks"][0]
    assert (answered["state"], answered["target"]) == ("running", "2 hours")
    assert answered["start"] == "2025-09-01T08:00:00Z"
    assert answered["due"] == "2025-09-01T10:00:00Z"
    assert answered["first_reported_at"] == "2025-09-01T07:00:00Z"
    staff = http.get(f"/api/v1/reports/{rid}/clocks", headers=kent_officer)
    assert staff.status_code == 200, staff.text
    clocks = {c["clock"]: c for c in staff.json()["clocks"]}
    assert list(clocks) == ["answered", "reference", "decision", "update", "attendance"]
    assert (clocks["attendance"]["target"], clocks["attendance"]["due"]) == ("60 minutes", "2025-09-01T09:00:00Z")
    assert staff.json()["flags"] == []


def test_clocks_are_refused_to_anyone_but_the_farmer_and_the_police_of_the_area(
    live: LiveServer, http: httpx.Client, kent_officer: dict[str, str]
) -> None:
    farmer = register(http)
    rid = _send(http, farmer, "theft_fuel")
    other_farmer = register(http, "Sam Other")
    hampshire = staff_token(live, http, "hants-officer", "officer", "Hampshire and Isle of Wight Constabulary")
    nfu = staff_token(live, http, "nfu-rep", "nfu")
    url = f"/api/v1/reports/{rid}/clocks"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": "Bearer hd_not-a-token"}).status_code == 401
    assert http.get(url, headers={"Authorization": "Bearer hs_not-a-token"}).status_code == 401
    for who in (other_farmer, hampshire, nfu):
        r = http.get(url, headers=who)
        assert r.status_code == 404, r.text
        assert r.json()["message"] == "no such report"
    assert http.get(f"/api/v1/reports/{uuid.uuid4()}/clocks", headers=farmer).status_code == 404
    bad = http.get("/api/v1/reports/not-a-uuid/clocks", headers=farmer)
    assert bad.status_code == 422
    assert "report_id" in bad.json()["message"]
    # A Hampshire report is theirs to see, not Kent's.
    hants_report = _send(http, farmer, "theft_fuel", HAMPSHIRE)
    assert http.get(f"/api/v1/reports/{hants_report}/clocks", headers=hampshire).status_code == 200
    assert http.get(f"/api/v1/reports/{hants_report}/clocks", headers=kent_officer).status_code == 404


def _wait_for(check, what: str, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll until the backend's own sweep has done its work (it runs every 0.2 s); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"the backend's sweep did not {what}")


def test_backend_sweeps_on_its_own_schedule_with_the_injected_clock(
    http: httpx.Client, clock_file: Path, kent_officer: dict[str, str]
) -> None:
    farmer = register(http)

    def received_at(report_id: str) -> datetime:
        clocks = http.get(f"/api/v1/reports/{report_id}/clocks", headers=farmer).json()["clocks"]
        return datetime.fromisoformat(clocks[0]["start"])

    def flags_of(report_id: str) -> list[str]:
        return http.get(f"/api/v1/reports/{report_id}/clocks", headers=kent_officer).json()["flags"]

    try:
        # A witness report received two minutes earlier: its answer falls due two minutes before this one's.
        witness = _send(http, farmer, "hare_coursing")
        clock_file.write_text((received_at(witness) + timedelta(minutes=2)).isoformat())
        rid = _send(http, farmer, "hare_coursing")
        url = f"/api/v1/reports/{rid}/clocks"
        received = received_at(rid)
        assert received == received_at(witness) + timedelta(minutes=2)

        # Between the two due times: the sweep that flags the witness ran at a moment when this report's clock
        # had not run out, and left it alone.
        clock_file.write_text((received + timedelta(hours=2, minutes=-1)).isoformat())
        _wait_for(lambda: flags_of(witness) == ["unanswered"], "raise the witness's unanswered flag")
        assert flags_of(rid) == []
        clock_file.write_text((received + timedelta(hours=2, minutes=1)).isoformat())
        _wait_for(lambda: flags_of(rid) == ["unanswered"], "raise the unanswered flag")
        answered = http.post(f"/api/v1/reports/{rid}/events", json={"kind": "acknowledged"}, headers=kent_officer)
        assert answered.status_code == 201, answered.text
        _wait_for(lambda: flags_of(rid) == [], "clear the flag after the answer")
        clocks = {c["clock"]: c for c in http.get(url, headers=farmer).json()["clocks"]}
        assert clocks["answered"]["state"] == "met_late"
        timeline = http.get(f"/api/v1/reports/{rid}", headers=kent_officer).json()["timeline"]
        kinds = [e["kind"] for e in timeline]
        assert kinds.count("flag_raised") == 1 and kinds.count("flag_cleared") == 1
        # The farmer's view of the report does not show the police's flags' working.
        public = [e["kind"] for e in http.get(f"/api/v1/reports/{rid}", headers=farmer).json()["timeline"]]
        assert "flag_raised" not in public
    finally:
        clock_file.write_text(T0.isoformat())


def _stored_answer_due(live: LiveServer, report_id: str) -> int | None:
    """The answered clock's due time in the server's report_clocks table (Unix seconds), read from its file."""
    db = sqlite3.connect(f"file:{live.data_dir / 'hedgerow.db'}?mode=ro", uri=True)
    try:
        (due_s,) = db.execute("SELECT answered_due_s FROM report_clocks WHERE report_id = ?", [report_id]).fetchone()
    finally:
        db.close()
    return due_s


def test_the_farmers_view_of_a_new_report_carries_the_stored_answer_due_time(
    live: LiveServer, http: httpx.Client
) -> None:
    farmer = register(http)
    rid, body = str(uuid.uuid4()), report_body("hare_coursing")  # urgent: answered within 2 hours of receipt
    first = http.put(f"/api/v1/reports/{rid}", json=body, headers=farmer)
    assert first.status_code == 201, first.text
    assert _stored_answer_due(live, rid) == T0.timestamp() + 2 * 3600
    assert first.json()["answer_due_at"] == "2025-09-01T10:00:00Z"
    read_back = http.get(f"/api/v1/reports/{rid}", headers=farmer).json()
    assert read_back["answer_due_at"] == "2025-09-01T10:00:00Z"
    pulled = http.get("/api/v1/reports", params={"since": 0}, headers=farmer).json()["reports"]
    assert [(r["id"], r["answer_due_at"]) for r in pulled] == [(rid, "2025-09-01T10:00:00Z")]
    resent = http.put(f"/api/v1/reports/{rid}", json=body, headers=farmer)
    assert (resent.status_code, resent.json()["answer_due_at"]) == (200, "2025-09-01T10:00:00Z")


def test_a_report_whose_clock_is_not_urgent_is_due_a_working_day_after_receipt(
    live: LiveServer, http: httpx.Client
) -> None:
    farmer = register(http)
    rid = _send(http, farmer, "fly_tipping")  # received Monday 08:00 UTC, 09:00 in London
    assert _stored_answer_due(live, rid) == (T0 + timedelta(days=1)).timestamp()
    assert http.get(f"/api/v1/reports/{rid}", headers=farmer).json()["answer_due_at"] == "2025-09-02T08:00:00Z"


def test_once_the_police_have_answered_no_answer_is_due(http: httpx.Client, kent_officer: dict[str, str]) -> None:
    farmer = register(http)
    rid = _send(http, farmer, "hare_coursing")
    answered = http.post(f"/api/v1/reports/{rid}/events", json={"kind": "acknowledged"}, headers=kent_officer)
    assert answered.status_code == 201, answered.text
    (pulled,) = http.get("/api/v1/reports", params={"since": 0}, headers=farmer).json()["reports"]
    assert (pulled["status"], pulled["answer_due_at"]) == ("acknowledged", None)


def test_a_farmers_phone_reads_the_published_targets_of_the_clocks_the_farmer_sees(http: httpx.Client) -> None:
    farmer = register(http)
    published = http.get("/api/v1/policy", headers=farmer)
    assert published.status_code == 200, published.text
    body = published.json()
    assert [c["name"] for c in body["clocks"]] == ["answered", "reference", "decision", "update"]
    assert {t["clock"] for t in body["targets"]} == {"answered", "reference", "decision", "update"}
    answered = {t["category"]: t["target"] for t in body["targets"] if t["clock"] == "answered"}
    assert (answered["hare_coursing"], answered["fly_tipping"]) == ("2 hours", "1 working day")
    assert http.get("/api/v1/policy", headers={"Authorization": "Bearer hd_not-a-token"}).status_code == 401
