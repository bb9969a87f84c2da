"""The screenshot check that every browser test relies on: it must pass the app's own screens and fail on what
Flutter draws for a layout error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw

from tests.app.browser import SMALL_PHONE, FletScreen, chromium, error_blocks
from tests.support import ROOT, free_port


def test_a_white_screen_with_small_grey_lines_and_a_red_button_passes(tmp_path: Path) -> None:
    image = Image.new("RGB", (412, 900), "#FFFFFF")
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 100, 396, 101), fill="#999999")  # a card's border
    draw.rectangle((16, 300, 396, 372), fill="#B71C1C")  # "Call 999"
    draw.rectangle((16, 400, 396, 460), fill="#EEF3EE")  # the pale green of a tile
    path = tmp_path / "fine.png"
    image.save(path)
    assert error_blocks(path) == []


def test_a_flat_grey_box_a_red_screen_or_a_blank_one_is_reported(tmp_path: Path) -> None:
    grey = Image.new("RGB", (412, 900), "#FFFFFF")
    ImageDraw.Draw(grey).rectangle((0, 200, 411, 300), fill="#C4C4C4")
    red = Image.new("RGB", (412, 900), "#FFFFFF")
    ImageDraw.Draw(red).rectangle((0, 0, 411, 599), fill="#B00000")
    grey.save(tmp_path / "grey.png")
    red.save(tmp_path / "red.png")
    assert [b.split(" at ")[0] for b in error_blocks(tmp_path / "grey.png")] == [
        "flat grey block of 39168 px²"
    ]  # the 8 px cells wholly inside it
    assert [b.split(" at ")[0] for b in error_blocks(tmp_path / "red.png")] == ["flat red block of 244800 px²"]
    Image.new("RGB", (412, 900), "#FFFFFF").save(tmp_path / "blank.png")
    assert error_blocks(tmp_path / "blank.png") == ["blank screen: 100% one colour"]


@contextmanager
def _small_app(tmp_path: Path, module: str, **env: str) -> Iterator[str]:
    """One of the tests' small Flet apps in its own process; yields its URL."""
    port = free_port()
    environment = {**os.environ, "FLET_SERVER_PORT": str(port), "FLET_FORCE_WEB_SERVER": "true", **env}
    log = open(tmp_path / "app.log", "wb")  # noqa: SIM115 (the child keeps it)
    proc = subprocess.Popen([sys.executable, "-m", module], cwd=ROOT, env=environment, stdout=log, stderr=log)
    log.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, f"{module} did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.browser
@pytest.mark.parametrize("broken", [True, False], ids=["broken", "sound"])
def test_the_check_catches_the_layout_error_flutter_draws_in_a_real_browser(tmp_path: Path, broken: bool) -> None:
    app = _small_app(tmp_path, "tests.app.broken_layout_app", HEDGEROW_BROKEN="1" if broken else "0")
    with app as url, chromium() as context:
        screen = FletScreen(context.pages[0], tmp_path / "shots").open(url)
        screen.wait_text("Check and save")
        path = tmp_path / "broken.png"
        screen.settled_screenshot(path)
    blocks = error_blocks(path)
    if broken:  # Flutter gives up on the screen: it is reported, though its labels read fine
        assert blocks, "the layout error was not noticed"
    else:
        assert blocks == []


@pytest.mark.browser
@pytest.mark.parametrize("labels", ["flet", "app"])
def test_a_radio_label_that_runs_off_the_screen_is_reported_and_one_that_wraps_is_not(
    tmp_path: Path, labels: str
) -> None:
    with _small_app(tmp_path, "tests.app.label_app", HEDGEROW_LABELS=labels) as url, chromium(SMALL_PHONE) as context:
        screen = FletScreen(context.pages[0], tmp_path / "shots").open(url)
        screen.wait_text("Sut daeth i ben?")
        path = tmp_path / "labels.png"
        screen.settled_screenshot(path)
        cut = screen.cut_labels(path)
        names = {box["words"] for box in screen.text_boxes() if box["role"] == "radio"}
    assert names >= {"Atebwyd"}  # each radio is named by its label either way
    if labels == "flet":
        assert [c.split(":")[0][:20] for c in cut] == ["Fe wnaethon nhw addo"]
    else:
        assert cut == []
