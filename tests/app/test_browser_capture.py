"""Must-show 1 and 2: the real app in headless Chromium, with no backend running (capture is offline).

Each step is photographed at 412 x 900 into test-artifacts/app/<test>/.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from app.store import Store
from app.store import outbox as outbox_store
from app.store import photos as photo_store
from app.store import reports as report_store
from tests.app.browser import AppProcess, FletScreen, chromium, saved_value
from tests.app.images import camera_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD_GATE = {"latitude": 51.2502, "longitude": 0.9004, "accuracy": 8}


@pytest.fixture
def app_process(tmp_path: Path) -> Iterator[AppProcess]:
    process = AppProcess(tmp_path / "phone").start()
    yield process
    process.stop()


def _register(screen: FletScreen) -> None:
    screen.register(postcode="me13 9ab", shots=True)  # the postcode as typed, tidied by the form


def _saved_report(data_dir: Path) -> tuple[dict, list[photo_store.StoredPhoto], list[str]]:
    store = Store(data_dir)
    try:
        [summary] = report_store.list_reports(store)
        body = report_store.report_body(store, summary.id)
        photos = photo_store.report_photos(store, summary.id)
        kinds = [i.kind for i in outbox_store.pending_items(store, __import__("datetime").datetime.now().astimezone())]
        for photo in photos:  # the files on the phone are whole and are the ones declared
            assert photo_store.file_sha256(data_dir / photo.upload_path) == photo.upload_sha256
            assert photo_store.file_sha256(data_dir / photo.original_path) == photo.original_sha256
        return body, photos, kinds
    finally:
        store.close()


def test_offline_fly_tipping_report_with_two_photos_and_gps_is_saved_on_the_phone(
    app_process: AppProcess, artifacts: Path, tmp_path: Path
) -> None:
    photos = [tmp_path / "gateway-1.jpg", tmp_path / "gateway-2.jpg"]
    photos[0].write_bytes(camera_jpeg(2400, 1800, gps=(51.2503, 0.9005), taken="2026:11:20 06:40:00"))
    photos[1].write_bytes(camera_jpeg(1800, 2400, orientation=6))
    with chromium(geolocation=FIELD_GATE, permissions=["geolocation"]) as context:
        screen = FletScreen(context.pages[0], artifacts / "app" / "fly-tipping").open(app_process.url)
        _register(screen)

        screen.tap("Report an incident")
        screen.wait_text("Is it happening now, or is anyone in danger?")
        screen.shot("danger")
        screen.tap("No")

        screen.wait_text("What happened?")
        screen.shot("category")
        screen.tap("Fly-tipping")

        screen.wait_text("0 of 6 photos")
        with screen.page.expect_file_chooser() as chooser:
            screen.tap("Add photos")
        chooser.value.set_files([str(p) for p in photos])
        screen.wait_text("2 of 6 photos")
        assert screen.button("Remove photo 1").count() == 1
        assert screen.button("Remove photo 2").count() == 1
        screen.shot("photos")
        screen.tap("Next")

        screen.wait_text("No location yet")
        screen.tap("Use my position (GPS)")
        screen.wait_text("Your position, accurate to ±8 m")
        screen.wait_text("GPS 51.25020, 0.90040 ±8 m")
        screen.shot("location")
        screen.tap("Next")

        screen.wait_text("How much")
        screen.page.get_by_role("radio", name="small van load").click()
        screen.page.get_by_role("checkbox", name="household").click()
        screen.wait_until(
            lambda: (
                saved_value(app_process.data_dir, "draft", "details", "waste_types") == ["household"]
                and saved_value(app_process.data_dir, "draft", "details", "size_band") == "small van load"
            ),
            "the size band and waste type saved in the draft",
        )
        screen.shot("details")
        screen.tap("Next")

        screen.wait_text("Have you already called 101 or 999?")
        screen.tap("No")
        screen.wait_text("Fine: the report is enough")
        screen.shot("calls")
        screen.tap("Next")

        screen.wait_text("Check and save")
        screen.wait_text("How much: small van load; What kind of waste: household")
        screen.shot("review")
        screen.tap("Save report")

        screen.wait_text("Saved on this phone. It will be sent as soon as there is signal.")
        screen.wait_text("Fly-tipping")
        screen.wait_text("2 photos")
        # The notice, and the report's own state on its card.
        expect(screen.on_screen("Saved on this phone")).to_have_count(2)
        screen.shot("saved")
    app_process.stop()

    body, stored, kinds = _saved_report(app_process.data_dir)
    assert body["category"] == "fly_tipping"
    assert body["details"] == {"size_band": "small van load", "waste_types": ["household"]}
    assert body["location"] == {
        "lat": 51.2502,
        "lon": 0.9004,
        "accuracy_m": 8.0,
        "source": "gps",
        "grid_ref": None,
        "what3words": None,
        "place_name": None,
    }
    assert [p["sha256"] for p in body["photos"]] == [p.upload_sha256 for p in stored]
    assert [(p.width, p.height) for p in stored] == [(1600, 1200), (1600, 1200)]  # the second turned upright
    # The browser hands over several picked files in the order it finished reading them, so find the one with GPS.
    located = sorted(stored, key=lambda p: p.gps_lat is None)
    assert (located[0].gps_lat, located[0].gps_lon) == (pytest.approx(51.2503), pytest.approx(0.9005))
    assert (located[1].gps_lat, located[1].gps_lon) == (None, None)
    assert kinds == ["register", "report", "photo", "photo"]


def test_offline_hare_coursing_report_by_grid_reference_with_a_vehicle_and_an_abandoned_101_call(
    app_process: AppProcess, artifacts: Path
) -> None:
    def has(expected: str, *path: str | int, what: str = "draft") -> Callable[[], bool]:
        return lambda: str(saved_value(app_process.data_dir, what, *path)).casefold() == expected.casefold()

    with chromium() as context:
        screen = FletScreen(context.pages[0], artifacts / "app" / "hare-coursing").open(app_process.url)
        _register(screen)

        # "Call 101" on the home screen starts the call log itself and asks on return how it went.
        # Each move to another screen taps again if a tap was lost under load (FletScreen.press_until).
        screen.press_until("Call 101", screen.text("Your 101 call: how did it go?"))
        screen.fill("Minutes you waited (optional)", "25", kept=has("25", "waited_min", what="pending_call"))
        screen.page.get_by_role("radio", name="I gave up waiting").click()
        screen.wait_until(has("abandoned", "outcome", what="pending_call"), "the call's outcome saved")
        expect(screen.page.get_by_role("radio", name="I gave up waiting")).to_be_checked()
        expect(screen.page.get_by_role("radio", name="Answered")).not_to_be_checked()
        screen.shot("call-101-return")
        screen.press_until("Save the call", screen.text("Is it happening now, or is anyone in danger?"))

        screen.press_until("No", screen.text("What happened?"))
        screen.press_until("Hare coursing", screen.text("0 of 6 photos"))
        screen.press_until("Next", screen.text("No location yet"), while_on=screen.text("Step 3 of 7"))

        screen.fill("Grid reference", "tl 4512 6034", kept=has("TL 4512 6034", "grid_ref_text"))
        screen.press_until("Use grid reference", screen.text("Grid reference TL 4512 6034"))
        screen.shot("location-grid-ref")
        screen.press_until("Next", screen.textbox("How many dogs (optional)"), while_on=screen.text("Step 4 of 7"))
        screen.fill("How many dogs (optional)", "3", kept=has("3", "details", "dogs_count"))
        dogs = "two lurchers and a greyhound"
        screen.fill("Dogs (breed, colour) (optional)", dogs, kept=has(dogs, "details", "dog_description"))
        registration = screen.textbox("Registration (optional)")
        for _attempt in range(3):  # again only while no vehicle's box came: a second vehicle would be wrong
            if registration.count():
                break
            screen.tap("Add a vehicle")
            with contextlib.suppress(PlaywrightTimeoutError):
                registration.first.wait_for(timeout=15_000)
        screen.fill("Registration (optional)", "ab12 cde", kept=has("AB12 CDE", "vehicles", 0, "registration"))
        towards = "north towards Cottenham"
        screen.fill("Direction of travel (optional)", towards, kept=has(towards, "vehicles", 0, "direction"))
        screen.textbox("Make (optional)").click()  # leaving the registration box tidies it
        screen.shot("details")
        screen.press_until("Next", screen.text("Call 1"), while_on=screen.text("Step 5 of 7"))
        assert screen.textbox("Minutes you waited (optional)").count() == 1
        screen.shot("calls")
        screen.press_until("Next", screen.text("Check and save"), while_on=screen.text("Step 6 of 7"))
        screen.wait_text("waited 25 min, I gave up waiting")
        screen.wait_text("AB12CDE")  # tidied when the farmer left the box
        screen.shot("review")
        screen.tap("Save report")
        screen.wait_text("Saved on this phone. It will be sent as soon as there is signal.")
        screen.wait_text("Hare coursing")
        screen.shot("saved")
    app_process.stop()

    body, stored, kinds = _saved_report(app_process.data_dir)
    assert stored == []
    assert kinds == ["register", "report"]
    assert body["category"] == "hare_coursing"
    location = body["location"]
    assert (location["source"], location["grid_ref"], location["accuracy_m"]) == ("grid_ref", "TL 4512 6034", 7.1)
    assert location["lat"] == pytest.approx(52.22, abs=0.03) and location["lon"] == pytest.approx(0.13, abs=0.05)
    assert body["details"] == {"dogs_count": 3, "dog_description": "two lurchers and a greyhound"}
    assert body["vehicles"] == [
        {"registration": "AB12CDE", "make": None, "model": None, "colour": None, "direction": "north towards Cottenham"}
    ]
    [call] = body["calls"]
    assert (call["channel"], call["waited_s"], call["outcome"], call["reference"]) == ("101", 1500, "abandoned", None)
