"""Alerts through the sync engine against the real backend (issue 19): the farmer's places go rounded (and only
they), the police's alerts come back with the answers and go when withdrawn or expired, a report from "I've seen
this" reaches the server linked to its alert. The server's clock and the phone's are one injected time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.services.location import Fix
from app.state.app_state import AppState
from app.state.ports import Ports
from app.store import alerts as alert_store
from app.store.places import save_place
from app.sync.alerts import ALERTS_PATH, CHANNELS_PATH, PLACES_PATH, coarse_point
from app.sync.engine import HEADERS, SyncEngine
from tests.app.conftest import LONDON_WINTER, FakePhone
from tests.app.sync_support import Phone, registered_phone
from tests.support import DEMO_AREAS, LiveServer, staff_token

T0 = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
FARM = (51.2502, 0.9004)  # in the demo Kent area
TOP_GATE = (51.2950, 0.9510)
NORTH_FIELD = (51.34, 0.905)  # 10 km north of the farm
FAR_AWAY = (51.25, 1.33)  # 30 km east of the farm, still in Kent
UNREACHABLE = "http://127.0.0.1:9"


@dataclass
class SharedClock:
    """The time both sides read: the server from its HEDGEROW_CLOCK_FILE, the phone's engine by calling this."""

    path: Path
    now: datetime = T0

    def __post_init__(self) -> None:
        self.path.write_text(self.now.isoformat())

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
        self.path.write_text(self.now.isoformat())


@pytest.fixture(scope="module")
def clock(tmp_path_factory: pytest.TempPathFactory) -> SharedClock:
    return SharedClock(tmp_path_factory.mktemp("alert-clock") / "now.txt")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory, clock: SharedClock) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("alert-server")
    live = LiveServer(data_dir, env={"HEDGEROW_REGISTER_PER_HOUR": "10000", "HEDGEROW_CLOCK_FILE": str(clock.path)})
    assert live.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    yield live.start()
    live.stop()


@pytest.fixture(scope="module")
def officer(backend: LiveServer) -> dict[str, str]:
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        return staff_token(backend, client, "kent-alerts-officer", "officer", "Kent Police")


@dataclass
class SentRequests:
    """Every request the phone's engine made, with its body: what left the phone."""

    seen: list[httpx.Request]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.seen if r.url.path == path and r.content]

    def for_alerts(self) -> str:
        """Every request about alerts, URL and body, as one text."""
        paths = (ALERTS_PATH, PLACES_PATH, CHANNELS_PATH)
        return " ".join(f"{r.url} {r.content.decode(errors='replace')}" for r in self.seen if r.url.path in paths)


def engine_for(phone: Phone, url: str, clock: SharedClock, sent: SentRequests | None = None) -> SyncEngine:
    async def record(request: httpx.Request) -> None:
        if sent is not None:
            await request.aread()
            sent.seen.append(request)

    return SyncEngine(
        phone.store,
        url,
        client_factory=lambda: httpx.AsyncClient(
            timeout=httpx.Timeout(10, connect=5.0), headers=HEADERS, event_hooks={"request": [record]}
        ),
        clock=clock,
    )


def one_pass(engine: SyncEngine) -> bool:
    async def go() -> bool:
        try:
            return await engine.sync_now()
        finally:
            await engine.close()

    return asyncio.run(go())


def opted_in_phone(tmp_path: Path, backend: LiveServer, clock: SharedClock, radius_km: float = 10.0) -> Phone:
    """A registered phone whose farmer wants alerts about the farm."""
    phone = registered_phone(tmp_path / "phone", backend.url)
    alert_store.set_opted_in(phone.store, True, clock())
    alert_store.set_farm(phone.store, *FARM, None, clock())
    alert_store.choose_farm(phone.store, radius_km, clock())
    return phone


def issue_alert(
    backend: LiveServer, officer: dict[str, str], where: tuple[float, float], radius_km: float, **extra: Any
) -> dict[str, Any]:
    body = {
        "title": "Hare coursers seen on the Ridgeway",
        "text": "Three men with lurchers in a white pickup. Do not approach them.",
        "category": "hare_coursing",
        "vehicle_registration": "AB12CDE",
        "area": {"lat": where[0], "lon": where[1], "radius_km": radius_km},
        **extra,
    }
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        done = client.post("/api/v1/alerts", json=body, headers=officer)
    assert done.status_code == 201, done.text
    return done.json()


def change_alert(backend: LiveServer, officer: dict[str, str], alert_id: int, **changes: Any) -> dict[str, Any]:
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        done = client.patch(f"/api/v1/alerts/{alert_id}", json=changes, headers=officer)
    assert done.status_code == 200, done.text
    return done.json()


def on_phone(phone: Phone, clock: SharedClock) -> list[int]:
    return sorted(a.id for a in alert_store.active_alerts(phone.store, clock()))


def test_places_chosen_with_no_signal_wait_and_then_go_rounded_and_alone(
    backend: LiveServer, officer: dict[str, str], clock: SharedClock, tmp_path: Path
) -> None:
    phone = registered_phone(tmp_path / "phone", backend.url)
    gate = save_place(phone.store, "Top gate", *TOP_GATE, 6.0, None, clock())
    alert_store.set_opted_in(phone.store, True, clock())
    alert_store.set_farm(phone.store, *FARM, None, clock())
    alert_store.choose_place(phone.store, gate.id, 5.0, clock())
    assert not one_pass(engine_for(phone, UNREACHABLE, clock))  # no signal
    settings = alert_store.load_settings(phone.store)
    assert settings.places_pending and settings.opted_in and settings.places == {gate.id: 5.0}

    sent = SentRequests([])
    assert one_pass(engine_for(phone, backend.url, clock, sent)), "the pass with signal failed"
    assert not alert_store.load_settings(phone.store).places_pending
    [body] = sent.bodies(PLACES_PATH)
    assert body == {
        "places": [
            {"lat": coarse_point(*FARM)[0], "lon": coarse_point(*FARM)[1], "radius_km": 10.0},
            {"lat": coarse_point(*TOP_GATE)[0], "lon": coarse_point(*TOP_GATE)[1], "radius_km": 5.0},
        ]
    }
    # Nothing else of where the farmer is went out for alerts: no exact point, no place name.
    everything = sent.for_alerts()
    for exact in (*FARM, *TOP_GATE):
        assert str(exact) not in everything
    assert "Top gate" not in everything
    assert [r.method for r in sent.seen if r.url.path == ALERTS_PATH] == ["GET"]

    # The server holds the places: an alert near the farm reaches the phone, one 30 km away does not.
    near = issue_alert(backend, officer, (51.27, 0.92), 5.0)
    issue_alert(backend, officer, FAR_AWAY, 5.0, title="Quad stolen near Deal")
    assert one_pass(engine_for(phone, backend.url, clock))
    assert on_phone(phone, clock) == [near["id"]]


def test_an_alert_comes_with_the_next_pull_and_goes_when_withdrawn_or_expired(
    backend: LiveServer, officer: dict[str, str], clock: SharedClock, tmp_path: Path
) -> None:
    phone = opted_in_phone(tmp_path, backend, clock)
    assert one_pass(engine_for(phone, backend.url, clock))
    earlier = set(on_phone(phone, clock))  # the other tests' alerts near the farm, on the same server

    def new_on_phone() -> list[int]:
        return sorted(set(on_phone(phone, clock)) - earlier)

    lasting = issue_alert(backend, officer, FARM, 10.0, expires_at=(clock() + timedelta(hours=48)).isoformat())
    withdrawn = issue_alert(backend, officer, FARM, 10.0, title="Trailer stolen from a yard")
    brief = issue_alert(backend, officer, FARM, 10.0, expires_at=(clock() + timedelta(hours=1)).isoformat())
    assert one_pass(engine_for(phone, backend.url, clock))
    assert new_on_phone() == sorted([lasting["id"], withdrawn["id"], brief["id"]])
    stored = alert_store.get_alert(phone.store, lasting["id"], clock())
    assert stored is not None and stored.vehicle_registration == "AB12CDE" and stored.force == "Kent Police"

    change_alert(backend, officer, withdrawn["id"], withdrawn=True)
    clock.advance(hours=2)  # past the brief one's end, on both sides
    assert one_pass(engine_for(phone, backend.url, clock))
    assert new_on_phone() == [lasting["id"]]
    with phone.store.read() as db:  # gone from the phone, not only hidden
        kept = {r[0] for r in db.execute("SELECT id FROM alerts")}
    assert withdrawn["id"] not in kept and brief["id"] not in kept and lasting["id"] in kept

    # Pulled once, shown with no signal.
    assert not one_pass(engine_for(phone, UNREACHABLE, clock))
    assert new_on_phone() == [lasting["id"]]


def test_a_place_chosen_later_brings_the_alerts_already_active_there(
    backend: LiveServer, officer: dict[str, str], clock: SharedClock, tmp_path: Path
) -> None:
    phone = opted_in_phone(tmp_path, backend, clock, radius_km=5.0)
    at_gate = issue_alert(backend, officer, NORTH_FIELD, 1.0, title="Diesel stolen from a tank")
    assert one_pass(engine_for(phone, backend.url, clock))
    assert at_gate["id"] not in on_phone(phone, clock)  # 10 km from the farm: out of reach
    gate = save_place(phone.store, "North field", *NORTH_FIELD, 6.0, None, clock())
    alert_store.choose_place(phone.store, gate.id, 5.0, clock())
    assert one_pass(engine_for(phone, backend.url, clock))
    assert at_gate["id"] in on_phone(phone, clock)
    # Turning the place off again takes the alert away with the next (full) pull.
    alert_store.choose_place(phone.store, gate.id, None, clock())
    assert one_pass(engine_for(phone, backend.url, clock))
    assert at_gate["id"] not in on_phone(phone, clock)


def test_opting_out_tells_the_server_and_no_alert_reaches_the_phone_after(
    backend: LiveServer, officer: dict[str, str], clock: SharedClock, tmp_path: Path
) -> None:
    phone = opted_in_phone(tmp_path, backend, clock)
    assert one_pass(engine_for(phone, backend.url, clock))
    alert_store.set_opted_in(phone.store, False, clock())
    sent = SentRequests([])
    assert one_pass(engine_for(phone, backend.url, clock, sent))
    assert sent.bodies(PLACES_PATH) == [{"places": []}]
    assert [r for r in sent.seen if r.url.path == ALERTS_PATH] == []  # nothing is asked while opted out
    issue_alert(backend, officer, FARM, 10.0)
    token = phone.store.db.execute("SELECT token FROM profile").fetchone()[0]
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        pulled = client.get(ALERTS_PATH, headers={"Authorization": f"Bearer {token}"})
    assert pulled.status_code == 200, pulled.text
    assert pulled.json()["alerts"] == []


def test_a_report_from_ive_seen_this_reaches_the_server_linked_to_its_alert(
    backend: LiveServer, officer: dict[str, str], clock: SharedClock, tmp_path: Path
) -> None:
    phone = opted_in_phone(tmp_path, backend, clock)
    issued = issue_alert(backend, officer, FARM, 10.0)
    assert one_pass(engine_for(phone, backend.url, clock))
    fake = FakePhone(fixes=[Fix(51.2611, 0.9102, accuracy_m=7.0)])
    ports = Ports(photos=fake, locator=fake, dialer=fake, clock=clock, sleep=fake.sleep, monotonic=fake.monotonic)
    app = AppState.open(phone.store, ports, LONDON_WINTER, backend.url)
    app.refresh()
    [row] = [r for r in app.alerts.rows if r.id == issued["id"]]
    assert row.distance == "Less than 1 km from Hill Farm" and row.unread
    app.open_alert(row.id)
    app.seen_alert()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("hare_coursing")
    asyncio.run(draft.find_gps())
    draft.go_to("review")
    assert app.save_report(), draft.errors
    assert one_pass(engine_for(phone, backend.url, clock))
    [report_id] = [r.id for r in app.reports]
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        report = client.get(f"/api/v1/reports/{report_id}", headers=officer)
    assert report.status_code == 200, report.text
    assert report.json()["alert_id"] == issued["id"]
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        staff_view = client.get(f"/api/v1/alerts/{issued['id']}", headers=officer)
    assert staff_view.status_code == 200, staff_view.text
    assert [str(r) for r in staff_view.json()["linked_reports"]] == [report_id]


class OlderServer:
    """Answers as a server from before alerts would: everything but the alerts' routes works; those are 404."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(f"{request.method} {request.url.path}")
        if request.url.path == "/api/v1/devices":
            return httpx.Response(201, json={"device_id": "d1", "token": "hd_token"})
        if request.url.path == "/api/v1/reports":
            return httpx.Response(200, json={"reports": [], "cursor": "0", "more": False})
        return httpx.Response(404, json={"detail": "Not Found"})


def test_an_older_server_without_alerts_keeps_the_choice_waiting_and_the_sync_succeeds(tmp_path: Path) -> None:
    clock = SharedClock(tmp_path / "now.txt")
    phone = registered_phone(tmp_path / "phone", "http://hedgerow.test")
    alert_store.set_opted_in(phone.store, True, clock())
    alert_store.set_farm(phone.store, *FARM, None, clock())
    server = OlderServer()
    engine = engine_for(phone, "http://hedgerow.test", clock)
    engine.client_factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(server))
    assert one_pass(engine)
    assert "PUT /api/v1/me/alert-places" in server.asked and "GET /api/v1/alerts" in server.asked
    settings = alert_store.load_settings(phone.store)
    assert settings.places_pending  # sent again once the server offers alerts
    assert settings.problem == "This server does not send alerts yet; your choice is kept."


def test_an_alert_that_does_not_read_is_skipped_and_the_others_are_kept(tmp_path: Path) -> None:
    clock = SharedClock(tmp_path / "now.txt")
    phone = registered_phone(tmp_path / "phone", "http://hedgerow.test")
    alert_store.set_opted_in(phone.store, True, clock())
    good = {
        "id": 5,
        "force": "Kent Police",
        "title": "Quad stolen",
        "text": "A red Honda quad taken overnight.",
        "area": {"lat": FARM[0], "lon": FARM[1], "radius_km": 5},
        "issued_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "expires_at": (T0 + timedelta(hours=48)).isoformat(),
    }
    bad = {**good, "id": 6, "area": {"lat": "somewhere in Kent"}}
    server = OlderServer()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == ALERTS_PATH:
            return httpx.Response(200, json={"alerts": [bad, good], "withdrawn": [], "cursor": "7"})
        return server(request)

    engine = engine_for(phone, "http://hedgerow.test", clock)
    engine.client_factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(answer))
    assert one_pass(engine)
    assert on_phone(phone, clock) == [5]
    assert alert_store.alerts_cursor(phone.store) == "7"


def test_a_wifi_sign_in_page_instead_of_the_alerts_is_not_taken_for_an_empty_list(tmp_path: Path) -> None:
    clock = SharedClock(tmp_path / "now.txt")
    phone = registered_phone(tmp_path / "phone", "http://hedgerow.test")
    alert_store.set_opted_in(phone.store, True, clock())
    alert_store.store_pull(phone.store, [], [], "3", True, clock())
    server = OlderServer()

    def portal(request: httpx.Request) -> httpx.Response:
        if request.url.path == ALERTS_PATH:
            return httpx.Response(200, html="<html>Sign in to FarmNet Wi-Fi</html>")
        return server(request)

    engine = engine_for(phone, "http://hedgerow.test", clock)
    engine.client_factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(portal))
    assert not one_pass(engine)
    assert engine.status.last_error is not None and "Wi-Fi sign-in page" in engine.status.last_error
    assert alert_store.alerts_cursor(phone.store) == "3"  # kept: the next pull starts where the last one ended


def test_sms_goes_to_the_server_and_email_without_an_address_is_refused_in_plain_words(
    backend: LiveServer, clock: SharedClock, tmp_path: Path
) -> None:
    phone = opted_in_phone(tmp_path, backend, clock)
    alert_store.set_channels(phone.store, True, False, clock())
    sent = SentRequests([])
    assert one_pass(engine_for(phone, backend.url, clock, sent))
    assert sent.bodies(CHANNELS_PATH) == [{"sms": True, "email": False}]
    assert not alert_store.load_settings(phone.store).channels_pending
    # The farmer registered without an email address: the server refuses, the phone says why and does not retry.
    alert_store.set_channels(phone.store, True, True, clock())
    assert one_pass(engine_for(phone, backend.url, clock))
    settings = alert_store.load_settings(phone.store)
    assert not settings.channels_pending
    assert settings.problem is not None and "registered without an email address" in settings.problem
    again = SentRequests([])
    assert one_pass(engine_for(phone, backend.url, clock, again))
    assert again.bodies(CHANNELS_PATH) == []
