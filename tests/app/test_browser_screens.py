"""Every screen of the report flow as a farmer sees it, at 360 x 800 and 412 x 900, with each mistake a farmer
makes: each screenshot is checked for Flutter's error rendering and each message is read by role and text.

Screenshots go to test-artifacts/app/<test>/; `docs/screens/` holds the 360 x 800 ones (see the README).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.store import Store
from app.store import reports as report_store
from tests.app.browser import PHONE_SIZES, AppProcess, FletScreen, chromium, publish_screens, saved_value
from tests.app.images import camera_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path / "phone").start()
    yield process
    process.stop()


def _draft_has(app: AppProcess, expected: object, *path: str | int) -> Callable[[], bool]:
    return lambda: saved_value(app.data_dir, "draft", *path) == expected


def test_every_step_explains_each_mistake_where_it_is_made_and_nothing_is_drawn_as_an_error_box(
    app_process: AppProcess, artifacts: Path, tmp_path: Path
) -> None:
    shots = artifacts / "app" / "screens"
    with chromium() as context:
        screen = FletScreen(context.pages[0], shots).open(app_process.url)
        screen.wait_text("Welcome to Hedgerow")
        screen.shot("register", PHONE_SIZES)
        screen.tap("Save and start")  # nothing filled in
        screen.wait_text("Write your name")
        screen.wait_text("Write a phone number the police can call (digits, spaces, + and brackets)")
        screen.shot("register-mistakes", PHONE_SIZES)
        screen.fill("Your name", "Jo Farmer")
        screen.fill("Phone number", "07700 900123")
        screen.fill("Farm postcode", "ME13 9AB")
        screen.tap("Save and start")
        screen.wait_text("Hello Jo")
        screen.shot("home", PHONE_SIZES)

        screen.tap("Report an incident")
        screen.wait_text("Is it happening now, or is anyone in danger?")
        screen.shot("step-1-danger", PHONE_SIZES)
        screen.tap("Yes")
        screen.wait_text("Call 999 now. Hedgerow is not an emergency service.")
        screen.tap("Call 999")
        screen.wait_text("the report will record that you called 999")
        screen.shot("step-1-call-999", PHONE_SIZES)
        screen.tap("Carry on with the report")

        # The step opens at its top, heading in view, whatever the last step's scroll.
        expect(screen.on_screen("What happened?", exact=True).first).to_be_in_viewport()
        screen.shot("step-2-category", PHONE_SIZES)
        screen.tap("Hare coursing")

        screen.wait_text("0 of 6 photos")
        not_a_photo = tmp_path / "notes.jpg"
        not_a_photo.write_bytes(b"shopping list: fence posts, baler twine")
        with screen.page.expect_file_chooser() as chooser:
            screen.tap("Add photos")
        chooser.value.set_files(str(not_a_photo))
        screen.wait_text("notes.jpg: This file is not a photo Hedgerow can read: choose a JPEG or PNG photo")
        screen.shot("step-3-photos-not-a-photo", PHONE_SIZES)
        photo = tmp_path / "gate.jpg"
        photo.write_bytes(camera_jpeg(1200, 900))
        with screen.page.expect_file_chooser() as chooser:
            screen.tap("Add photos")
        chooser.value.set_files(str(photo))
        screen.wait_text("1 of 6 photos")
        expect(screen.on_screen("not a photo")).to_have_count(0)  # the old warning went with the next pick
        screen.shot("step-3-photos", PHONE_SIZES)
        screen.tap("Next")

        screen.wait_text("No location yet")
        screen.tap("Next")  # no location: the step says what to do, and stays
        screen.wait_text("Give a location: use your GPS, a saved place or a grid reference")
        assert screen.text("Step 4 of 7").count() == 1
        screen.fill("Grid reference", "XY 123 456", kept=_draft_has(app_process, "XY 123 456", "grid_ref_text"))
        screen.press_until("Use grid reference", screen.text("XY is not"))
        grid_error = screen.wait_text("XY is not")
        screen.shot("step-4-location-mistakes", PHONE_SIZES)
        assert not grid_error.evaluate("e => (e.innerText || '').includes('…')")
        screen.tap("I can't give a location")
        screen.wait_text("Describe the place so the police can find it")
        screen.tap("Next")
        screen.wait_text("Describe the place in words")
        screen.shot("step-4-location-in-words", PHONE_SIZES)
        screen.tap("Give a location after all")
        screen.fill("Grid reference", "TL 4512 6034", kept=_draft_has(app_process, "TL 4512 6034", "grid_ref_text"))
        screen.press_until("Use grid reference", screen.text("Grid reference TL 4512 6034"))
        screen.shot("step-4-location", PHONE_SIZES)
        screen.tap("Next")

        screen.textbox("How many dogs (optional)").wait_for()
        screen.fill("How many dogs (optional)", "three", kept=_draft_has(app_process, "three", "details", "dogs_count"))
        screen.wait_text("How many dogs: type a whole number, for example 3")
        screen.shot("step-5-details-mistake", PHONE_SIZES)
        screen.tap("Next")

        screen.wait_text("Call 1")  # the 999 call, logged with nothing ticked
        expect(screen.page.get_by_role("radio", name="Answered")).not_to_be_checked()
        screen.shot("step-6-calls", PHONE_SIZES)
        screen.tap("Next")

        screen.wait_text("Not saved yet: 2 things to put right")
        screen.wait_text("How many dogs: type a whole number, for example 3")
        screen.wait_text("Call 1: how did the call end? Choose one")
        screen.shot("step-7-review-problems", PHONE_SIZES)
        screen.tap("Save report")  # Save explains rather than doing nothing
        expect(screen.on_screen("Not saved yet: 2 things to put right").first).to_be_in_viewport()
        assert report_store.list_reports(Store(app_process.data_dir)) == []

        screen.press_until("Go to Details", screen.textbox("How many dogs (optional)"))
        screen.fill("How many dogs (optional)", "3", kept=_draft_has(app_process, "3", "details", "dogs_count"))
        expect(screen.on_screen("type a whole number")).to_have_count(0)
        screen.tap("Next")
        screen.page.get_by_role("radio", name="Answered").click()
        screen.wait_until(_draft_has(app_process, "answered", "calls", 0, "outcome"), "the call's outcome saved")
        screen.tap("Next")
        screen.wait_text("Check and save")
        expect(screen.on_screen("Not saved yet")).to_have_count(0)
        screen.tap("Discard this report")
        screen.wait_text("Delete this report and its photos from the phone? This cannot be undone.")
        screen.shot("step-7-review-discard", PHONE_SIZES)
        screen.tap("Keep it")
        screen.shot("step-7-review", PHONE_SIZES)
        screen.tap("Save report")

        screen.wait_text("Saved on this phone. It will be sent as soon as there is signal.")
        screen.wait_text("Waiting to send: your details, 1 report, 1 photo")
        screen.shot("home-saved", PHONE_SIZES)
        screen.text("Open the report").first.click()
        screen.wait_text("What you sent")
        screen.wait_text("Grid reference TL 4512 6034")
        screen.wait_text("Photo 1: waiting to send")
        screen.wait_text("999 on")
        screen.shot("report-screen", PHONE_SIZES)

    [saved] = report_store.list_reports(Store(app_process.data_dir))
    body = report_store.report_body(Store(app_process.data_dir), saved.id)
    assert body["details"] == {"dogs_count": 3}
    assert [(c["channel"], c["outcome"]) for c in body["calls"]] == [("999", "answered")]
    assert body["location"]["grid_ref"] == "TL 4512 6034"
    publish_screens(shots)


def test_photos_that_cannot_be_added_say_why_and_a_large_one_streams_without_dropping_the_app(
    app_process: AppProcess, artifacts: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"  # 40 MB: a whole photo followed by padding, as some cameras' files are
    big.write_bytes(camera_jpeg(2400, 1800) + b"\0" * 40_000_000)
    huge = tmp_path / "huge.jpg"  # over the 60 MB limit: refused before a byte is sent
    huge.write_bytes(camera_jpeg(400, 300) + b"\0" * 70_000_000)
    with chromium() as context:
        screen = FletScreen(context.pages[0], artifacts / "app" / "photo-problems").open(app_process.url)
        screen.register(farm=None, postcode="")
        screen.tap("Report an incident")
        screen.tap("No")
        screen.tap("Fly-tipping")
        screen.wait_text("0 of 6 photos")
        with screen.page.expect_file_chooser() as chooser:
            screen.tap("Add photos")
        chooser.value.set_files([str(huge), str(big)])
        screen.wait_text("1 of 6 photos", timeout=120_000)
        screen.wait_text("huge.jpg: This file is too large (70 MB). Photos up to 62 MB can be added")
        screen.shot("photos-too-large", PHONE_SIZES)
        # The app is still connected: the next step answers.
        screen.tap("Next")
        screen.wait_text("No location yet")
    photos = list((app_process.data_dir / "photos").glob("*.original.jpg"))
    assert len(photos) == 1 and photos[0].stat().st_size == big.stat().st_size
    assert list((app_process.data_dir / "incoming").iterdir()) == []  # the streamed copy is gone
