"""In the browser stand-in for the phone (no camera control in Flet's web client), "Take a photo" opens the picker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.browser import AppProcess, FletScreen, chromium
from tests.app.images import camera_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path / "phone").start()
    yield process
    process.stop()


def test_take_a_photo_falls_back_to_the_picker_where_there_is_no_camera(
    app_process: AppProcess, artifacts: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "gate.jpg"
    photo.write_bytes(camera_jpeg(1200, 900, gps=(57.48, -4.22)))
    with chromium() as context:
        screen = FletScreen(context.pages[0], artifacts / "app" / "camera").open(app_process.url)
        screen.wait_text("Welcome to Hedgerow")
        screen.fill("Your name", "Jo Farmer")
        screen.fill("Phone number", "07700 900123")
        screen.fill("Farm postcode", "ME13 9AB")
        screen.tap("Save and start")
        screen.wait_text("Hello Jo")
        screen.tap("Report an incident")
        screen.tap("No")
        screen.tap("Fly-tipping")
        screen.wait_text("0 of 6 photos")
        screen.shot("photo-step")
        with screen.page.expect_file_chooser() as chooser:
            screen.tap("Take a photo")
        chooser.value.set_files([str(photo)])
        screen.wait_text("1 of 6 photos")
        assert screen.button("Remove photo 1").count() == 1
        screen.shot("photo-from-picker")
