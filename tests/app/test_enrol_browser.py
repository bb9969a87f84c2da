"""Must-show: a supervisor's invite from the console opens the farmer app with the server filled in, and the QR code
the console shows decodes, with a QR decoder (zxing-cpp, not the encoder), to the same link. Real backend, real
farmer app, Debian's headless Chromium; screenshots in test-artifacts/enrol."""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.app.browser import UNREACHABLE_SERVER, AppProcess, FletScreen, chromium
from tests.backend.console_browser import log_in
from tests.backend.console_support import KENT_POLICE, ConsoleServer, start_console_server
from tests.support import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def phone_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    # The app's own default server is one where nothing listens: only the invite can give it the right one.
    app = AppProcess(tmp_path_factory.mktemp("phone") / "data", server_url=UNREACHABLE_SERVER, port=free_port())
    with pytest.MonkeyPatch.context() as env:
        # The phone sends its registration at the next sync: a short timer, so the test waits seconds.
        env.setenv("HEDGEROW_SYNC_PERIOD_S", "2")
        env.setenv("HEDGEROW_SYNC_BACKOFF_S", "1")
        app.start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, phone_app: AppProcess) -> Iterator[ConsoleServer]:
    server = start_console_server(tmp_path_factory.mktemp("console"), HEDGEROW_APP_URL=phone_app.url.rstrip("/"))
    yield server
    server.close()


def _decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def test_an_invite_link_opens_the_farmer_app_with_the_server_filled_in(
    console: ConsoleServer, phone_app: AppProcess, artifacts: Path
) -> None:
    shots = artifacts / "enrol"
    shots.mkdir(exist_ok=True)
    password = console.add_user("kent.sup", "supervisor", KENT_POLICE, "Sgt Invite")
    with chromium(viewport=LAPTOP) as context:
        page = context.new_page()
        log_in(page, console.url, "kent.sup", password)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Invite farmers").click()
        expect(page.get_by_role("heading", name=f"Invite farmers · {KENT_POLICE}")).to_be_visible()
        link = page.locator("#invite-link").get_attribute("href") or ""
        assert urlsplit(link)._replace(query="").geturl() == f"{console.url}/enrol"
        assert parse_qs(urlsplit(link).query) == {"server": [console.url], "force": [KENT_POLICE]}
        app_link = page.locator("#invite-app-link").get_attribute("href") or ""
        assert app_link == "hedgerow://enrol?" + urlsplit(link).query
        # The QR code as the browser drew it (an element screenshot), read by a decoder.
        qr = page.locator("#invite-qr")
        expect(qr).to_be_visible()
        assert page.evaluate("document.getElementById('invite-qr').naturalWidth") > 200
        assert _decode_qr(qr.screenshot()) == [link]
        page.screenshot(path=shots / "01-console-invite.png", full_page=True)

        # The farmer opens the link: the public page, then the app in this browser.
        farmer = context.new_page()
        farmer.goto(link)
        expect(farmer.get_by_role("heading", name=f"Join Hedgerow · {KENT_POLICE}")).to_be_visible()
        expect(farmer.get_by_role("link", name="Open in the Hedgerow app")).to_have_attribute("href", app_link)
        farmer.screenshot(path=shots / "02-enrol-page.png", full_page=True)
        web = farmer.get_by_role("link", name="Open Hedgerow in this browser")
        assert web.get_attribute("href") == f"{phone_app.url.rstrip('/')}/enrol?{urlsplit(link).query}"
        web.click()
        screen = FletScreen(farmer, shots / "app")
        farmer.wait_for_url(re.compile(re.escape(phone_app.url.rstrip("/")) + r"/enrol\?"))
        placeholder = farmer.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=60_000)
        placeholder.dispatch_event("click")
        screen.wait_text("Welcome to Hedgerow", timeout=60_000)
        server_box = screen.textbox("Hedgerow server address")
        # Flutter puts a field's text into the DOM <input> once the field is being edited.
        server_box.click()
        expect(server_box).to_have_value(console.url, timeout=20_000)
        screen.shot("registration-with-invited-server")

        # Registering sends the farmer's details to the invited server, not the app's default.
        screen.fill("Your name", "Jo Invited")
        screen.fill("Phone number", "07700 900456")
        screen.fill("Farm postcode", "ME13 9AB")
        screen.tap("Save and start")
        screen.wait_text("Thank you. You can report straight away")
        screen.wait_until(
            lambda: console.scalar("SELECT count(*) FROM devices WHERE name = 'Jo Invited'") == 1,
            "the phone registered with the invited server",
            timeout=60,
        )
        screen.shot("registered")
    db = sqlite3.connect(f"file:{phone_app.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        assert db.execute("SELECT server_url FROM profile WHERE id = 1").fetchone() == (console.url,)
    finally:
        db.close()


def test_only_supervisors_and_admins_invite_and_a_supervisor_only_for_their_own_force(console: ConsoleServer) -> None:
    from tests.backend.console_support import SUSSEX_POLICE, login

    anonymous = console.client().get("/console/admin/invite")
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]
    officer = login(console, "kent.off.inv", "officer", KENT_POLICE)
    assert officer.get("/console/admin/invite").status_code == 403
    nfu = login(console, "nfu.inv", "nfu")
    assert nfu.get("/console/admin/invite").status_code == 403
    supervisor = login(console, "kent.sup.inv", "supervisor", KENT_POLICE)
    other = supervisor.get("/console/admin/invite", params={"force": SUSSEX_POLICE})
    assert other.status_code == 200
    assert "force=Kent+Police" in other.text and "Sussex" not in other.text
    admin = login(console, "admin.inv", "admin")
    sussex = admin.get("/console/admin/invite", params={"force": SUSSEX_POLICE})
    assert sussex.status_code == 200 and "force=Sussex+Police" in sussex.text
    unknown = admin.get("/console/admin/invite", params={"force": "Atlantis Police"})
    assert unknown.status_code == 422 and "no such force" in unknown.text


def test_a_damaged_invite_link_gets_a_plain_message(console: ConsoleServer) -> None:
    client = console.client()
    for query in ({}, {"server": "javascript:alert(1)"}, {"server": "ftp://example.org", "force": "Kent Police"}):
        r = client.get("/enrol", params=query)
        assert r.status_code == 422 and "this invite link is damaged" in r.text, query
    ok = client.get("/enrol", params={"server": "https://hedgerow.example.police.uk", "force": KENT_POLICE})
    assert ok.status_code == 200
    assert 'href="hedgerow://enrol?server=https%3A%2F%2Fhedgerow.example.police.uk&amp;force=Kent+Police"' in ok.text
