"""The app in landscape on a phone, on a tablet and in a desktop window: everything reachable, no small targets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.browser import AppProcess, FletScreen, chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {
    "phone-landscape": {"width": 800, "height": 360},
    "small-phone": {"width": 360, "height": 800},
    "tablet": {"width": 1024, "height": 1366},
    "desktop": {"width": 1440, "height": 900},
}


@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path / "phone").start()
    yield process
    process.stop()


@pytest.mark.parametrize("size", list(SIZES))
def test_screens_work_at_every_size(app_process: AppProcess, artifacts: Path, size: str) -> None:
    with chromium(viewport=SIZES[size]) as context:
        screen = FletScreen(context.pages[0], artifacts / "app" / f"layout-{size}").open(app_process.url)
        screen.wait_text("Welcome to Hedgerow")
        screen.shot("register")
        screen.fill("Your name", "Jo Farmer")
        screen.fill("Phone number", "07700 900123")
        screen.tap("Save and start")
        screen.wait_text("Hello Jo")
        screen.shot("home")
        assert screen.button("Call 999").count() == 1
        assert screen.button("Call 101").count() == 1
        screen.tap("Report an incident")
        screen.wait_text("Is it happening now, or is anyone in danger?")
        screen.shot("danger")
        screen.tap("No")
        screen.wait_text("What happened?")
        screen.wait_text("Machinery")
        screen.shot("category")
        screen.tap("Home (the report is kept)")
        screen.wait_text("Carry on with your unfinished report")
        screen.shot("home-with-draft")
        screen.tap("Carry on with your unfinished report")
        screen.wait_text("What happened?")
        screen.tap("Back")
        screen.wait_text("Is it happening now, or is anyone in danger?")
        screen.tap("Home (the report is kept)")
        screen.wait_text("Carry on with your unfinished report")
