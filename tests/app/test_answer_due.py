"""When the home screen says "No answer yet": at the server's due time for the police's first answer once the phone
has pulled it, else by the published policy the phone keeps, else by the built-in defaults."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.state.app_state import AppState
from app.state.ports import Ports
from app.store import answer_targets
from app.store.outbox import mark_sent, pending_items
from app.store.profile import save_profile
from app.sync.policy import fetch_answer_targets
from tests.app.conftest import LONDON_WINTER, UNREACHABLE, FakeClock, FakePhone
from tests.app.sync_support import Phone, registered_phone, save_reports
from tests.app.test_sync_faults import drain, engine_for
from tests.support import DEMO_AREAS, LiveServer, staff_token
from wire.reports import DeviceCreate

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)  # a Monday morning: the server's clock, and the phone's when sending
KENT_POLICE = "Kent Police"
FARMER = DeviceCreate(name="Jo Farmer", phone="07700 900123", farm_name="Hill Farm", postcode="ME13 9AB")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real backend with its clock at T0, where Kent's supervisors want every report answered within 3 hours."""
    data_dir = tmp_path_factory.mktemp("answer-due-server")
    clock_file = data_dir / "now"
    clock_file.write_text(T0.isoformat())
    live = LiveServer(data_dir, env={"HEDGEROW_REGISTER_PER_HOUR": "10000", "HEDGEROW_CLOCK_FILE": str(clock_file)})
    done = live.cli("areas", "import", str(DEMO_AREAS))
    assert done.returncode == 0, done.stderr
    live.start()
    with httpx.Client(base_url=live.url, timeout=30) as http:
        admin = staff_token(live, http, "admin", "admin")
        three_hours = {"clock": "answered", "target": "3 hours"}
        assert http.put(f"/api/v1/policy/{KENT_POLICE}", json=three_hours, headers=admin).status_code == 200
    yield live
    live.stop()


def sent_at_t0(backend: LiveServer, tmp_path: Path) -> tuple[Phone, str]:
    """A fly-tipping report in Kent, sent by a phone whose clock reads T0, and the answers pulled."""
    phone = registered_phone(tmp_path / "phone", backend.url)
    (report_id,) = save_reports(phone, reports=1, photos_each=0, seed=41)
    engine = engine_for(phone, backend.url)
    engine.clock = lambda: T0
    assert drain(engine, 30), engine.status.last_error
    return phone, report_id


def server_answer_due(backend: LiveServer, report_id: str) -> datetime:
    db = sqlite3.connect(f"file:{backend.data_dir / 'hedgerow.db'}?mode=ro", uri=True)
    try:
        (due_s,) = db.execute("SELECT answered_due_s FROM report_clocks WHERE report_id = ?", [report_id]).fetchone()
    finally:
        db.close()
    return datetime.fromtimestamp(due_s, UTC)


def home_states(phone: Phone, at: datetime) -> list[str]:
    fake = FakePhone()
    app = AppState.open(phone.store, Ports(fake, fake, fake, clock=lambda: at), LONDON_WINTER, UNREACHABLE)
    return [row.state for row in app.reports]


def stored_answer_due(phone: Phone, report_id: str) -> str | None:
    with phone.store.read() as db:
        return db.execute("SELECT answer_due_at FROM reports WHERE id = ?", [report_id]).fetchone()[0]


def test_the_pull_after_the_first_send_stores_the_servers_answer_due_time(backend: LiveServer, tmp_path: Path) -> None:
    phone, report_id = sent_at_t0(backend, tmp_path)
    assert server_answer_due(backend, report_id) == T0 + timedelta(hours=3)
    assert stored_answer_due(phone, report_id) == (T0 + timedelta(hours=3)).isoformat()


def test_the_sync_keeps_the_published_first_answer_targets_on_the_phone(backend: LiveServer, tmp_path: Path) -> None:
    phone, _ = sent_at_t0(backend, tmp_path)
    targets = answer_targets.load_answer_targets(phone.store)
    assert (targets["fly_tipping"], targets["hare_coursing"]) == ("1 working day", "2 hours")
    assert answer_targets.fetched_at(phone.store) == T0


def test_no_answer_yet_is_said_only_once_the_servers_due_time_has_come(backend: LiveServer, tmp_path: Path) -> None:
    # Kent's 3 hours, not the published default of a working day that the phone also keeps.
    phone, _ = sent_at_t0(backend, tmp_path)
    assert home_states(phone, T0 + timedelta(hours=2, minutes=30)) == ["Sent"]
    assert home_states(phone, T0 + timedelta(hours=3)) == ["No answer yet after 3 hours"]


def published_policy(fly_tipping: str) -> dict[str, object]:
    """GET /api/v1/policy as the server answers a farmer's phone, with the fly-tipping target chosen."""
    targets = [
        {"category": category, "clock": clock, "target": target, "source": "default"}
        for category, target in (("fly_tipping", fly_tipping), ("hare_coursing", "2 hours"))
        for clock in ("answered", "reference")
    ]
    return {"force": None, "at": T0.isoformat(), "clocks": [], "targets": targets}


def keep_policy(phone: Phone, fly_tipping: str) -> None:
    """The phone fetches the published policy (from a transport that answers as the server would) and keeps it."""
    answer = published_policy(fly_tipping)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=answer))

    async def fetch() -> bool:
        async with httpx.AsyncClient(transport=transport) as client:
            return await fetch_answer_targets(phone.store, client, "http://hedgerow.test", "hd_token", T0)

    assert asyncio.run(fetch())


def sent_offline(tmp_path: Path, clock: FakeClock) -> Phone:
    """A fly-tipping report marked sent at T0 whose answers the phone has not pulled: the server's due is unknown."""
    phone = registered_phone(tmp_path / "phone", UNREACHABLE)
    (report_id,) = save_reports(phone, reports=1, photos_each=0, seed=42)
    (item,) = [i for i in pending_items(phone.store, clock()) if i.report_id == report_id]
    mark_sent(phone.store, item.id, T0)
    assert stored_answer_due(phone, report_id) is None
    return phone


def test_with_no_server_due_time_the_kept_policy_says_when_the_answer_is_due(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    phone = sent_offline(tmp_path, clock)
    keep_policy(phone, "4 hours")
    assert home_states(phone, T0 + timedelta(hours=3, minutes=59)) == ["Sent"]
    assert home_states(phone, T0 + timedelta(hours=4)) == ["No answer yet after 4 hours"]


def test_a_working_day_in_the_kept_policy_is_counted_as_a_calendar_day_offline(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    phone = sent_offline(tmp_path, clock)
    keep_policy(phone, "2 working days")
    assert home_states(phone, T0 + timedelta(hours=47)) == ["Sent"]
    assert home_states(phone, T0 + timedelta(hours=48)) == ["No answer yet after 2 days"]


def test_a_category_the_policy_does_not_time_is_never_called_unanswered(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    phone = sent_offline(tmp_path, clock)
    keep_policy(phone, "none")
    assert home_states(phone, T0 + timedelta(days=30)) == ["Sent"]


def test_with_neither_the_server_nor_a_kept_policy_the_default_day_applies(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    phone = sent_offline(tmp_path, clock)
    assert answer_targets.load_answer_targets(phone.store) == {}
    assert home_states(phone, T0 + timedelta(hours=23)) == ["Sent"]
    assert home_states(phone, T0 + timedelta(hours=24)) == ["No answer yet after 24 hours"]


def test_an_answer_that_is_not_a_policy_leaves_the_kept_one_alone(tmp_path: Path) -> None:
    phone = sent_offline(tmp_path, FakeClock(T0))
    keep_policy(phone, "4 hours")
    portal = httpx.MockTransport(lambda request: httpx.Response(200, json={"welcome": "sign in to the Wi-Fi"}))

    async def fetch() -> bool:
        async with httpx.AsyncClient(transport=portal) as client:
            return await fetch_answer_targets(phone.store, client, "http://hedgerow.test", "hd_token", T0)

    assert not asyncio.run(fetch())
    assert answer_targets.load_answer_targets(phone.store) == {"fly_tipping": "4 hours", "hare_coursing": "2 hours"}


class PolicyServer:
    """Answers the sync engine as the server would, and counts how often it is asked for the policy."""

    def __init__(self) -> None:
        self.policy_asks = 0
        self.policy_status = 200
        self.fly_tipping = "4 hours"
        self.tokens = 0  # the latest token given; earlier ones are refused

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/devices":
            self.tokens += 1
            return httpx.Response(201, json={"device_id": str(uuid.uuid4()), "token": f"hd_{self.tokens}"})
        if request.headers["Authorization"] != f"Bearer hd_{self.tokens}":
            return httpx.Response(401, json={"message": "unknown or revoked device token; register again"})
        if request.url.path == "/api/v1/reports":
            return httpx.Response(200, json={"reports": [], "cursor": "0", "more": False})
        assert request.url.path == "/api/v1/policy"
        self.policy_asks += 1
        if self.policy_status != 200:
            return httpx.Response(self.policy_status, json={"message": "not now"})
        return httpx.Response(200, json=published_policy(self.fly_tipping))


def test_the_engine_fetches_the_policy_after_registering_then_daily_and_an_hour_after_a_failure(
    tmp_path: Path,
) -> None:
    server, clock = PolicyServer(), FakeClock(T0)
    phone = registered_phone(tmp_path / "phone", "http://hedgerow.test")
    engine = engine_for(phone, "http://hedgerow.test")
    engine.client_factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(server))
    engine.clock = clock

    def sync_at(**after: float) -> int:
        clock.advance(**after)
        assert asyncio.run(engine.sync_now()), engine.status.last_error
        return server.policy_asks

    assert sync_at() == 1  # registered, then the policy at once
    assert answer_targets.load_answer_targets(phone.store)["fly_tipping"] == "4 hours"
    assert sync_at(hours=23) == 1
    server.policy_status, server.fly_tipping = 503, "5 hours"
    assert sync_at(hours=1) == 2  # a day on: asked, refused; the sync itself went well
    assert answer_targets.load_answer_targets(phone.store)["fly_tipping"] == "4 hours"
    assert sync_at(minutes=59) == 2
    server.policy_status = 200
    assert sync_at(minutes=1) == 3
    assert answer_targets.load_answer_targets(phone.store)["fly_tipping"] == "5 hours"
    server.tokens += 1  # the server forgets this phone: its token is refused, and the farmer registers again
    assert not asyncio.run(engine.sync_now()) and engine.status.needs_registration
    save_profile(phone.store, FARMER, "http://hedgerow.test", clock())
    assert sync_at(minutes=1) == 4  # registered again, and the policy fetched at once, young as the phone's copy is
    asyncio.run(engine.close())
