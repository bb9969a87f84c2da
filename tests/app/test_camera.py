"""Take a photo: the camera with the picker as the fallback; the report's location never comes from a photo's
EXIF; WebP/AVIF converted where this Pillow reads them and refused in plain words where it does not (the phone's)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

import pytest
from PIL import Image

from app.services import photos as photo_service
from app.services.camera import CameraUnavailable
from app.services.photos import PhotoError, process_photo, read_gps
from app.state.app_state import AppState
from app.state.draft import ReportDraft
from app.state.ports import PickedFile
from app.store import photos as photo_store
from app.store import reports as report_store
from tests.app.conftest import FakePhone, register
from tests.app.images import camera_jpeg
from wire.reports import ReportCreate

FAR_AWAY = (57.48, -4.22)  # Inverness: where an old photo in the gallery was taken


@dataclass
class FakeCamera:
    shots: list[PickedFile | Exception | None] = field(default_factory=list)
    opened: int = 0

    async def take(self) -> PickedFile | None:
        self.opened += 1
        shot = self.shots.pop(0)
        if isinstance(shot, Exception):
            raise shot
        return shot


def _draft(app: AppState, camera: FakeCamera | None) -> ReportDraft:
    app._ports.camera = camera
    register(app)
    app.start_report()
    assert app.draft is not None
    app.draft.answer_danger(False)
    app.draft.choose_category("fly_tipping")
    return app.draft


def test_take_a_photo_adds_what_the_camera_took(app: AppState, phone: FakePhone) -> None:
    camera = FakeCamera([PickedFile("camera-1.jpg", camera_jpeg())])
    draft = _draft(app, camera)
    asyncio.run(draft.take_photo())
    assert camera.opened == 1 and len(draft.photos) == 1 and draft.photo_message == ""


@pytest.mark.parametrize(
    "unavailable", [CameraUnavailable("the web client has no camera control"), CameraUnavailable("denied")]
)
def test_with_no_camera_to_use_the_picker_opens_instead(
    app: AppState, phone: FakePhone, unavailable: Exception
) -> None:
    draft = _draft(app, FakeCamera([unavailable]))
    phone.picks = [[PickedFile("gallery.jpg", camera_jpeg())]]
    asyncio.run(draft.take_photo())
    assert len(draft.photos) == 1 and phone.picks == []


def test_no_camera_port_means_the_picker_and_a_cancelled_camera_adds_nothing(app: AppState, phone: FakePhone) -> None:
    draft = _draft(app, None)
    phone.picks = [[PickedFile("gallery.jpg", camera_jpeg())]]
    asyncio.run(draft.take_photo())
    assert len(draft.photos) == 1
    app._ports.camera = camera = FakeCamera([None])
    phone.picks = [[PickedFile("never.jpg", camera_jpeg())]]
    asyncio.run(draft.take_photo())
    assert camera.opened == 1 and len(draft.photos) == 1 and len(phone.picks) == 1  # the picker was not opened


def test_a_photos_exif_gps_is_never_used_as_the_reports_location(app: AppState, phone: FakePhone) -> None:
    shot = camera_jpeg(gps=FAR_AWAY)
    assert read_gps(Image.open(io.BytesIO(shot)).getexif()) == pytest.approx(FAR_AWAY, abs=1e-4)
    draft = _draft(app, FakeCamera([PickedFile("camera-1.jpg", shot)]))
    asyncio.run(draft.take_photo())
    draft.set_detail("size_band", "small van load")
    # With only the photo's position and no location step, the report cannot be saved: the photo is no location.
    draft.go_to("review")
    assert draft.location is None
    assert not app.save_report()
    assert "location" in draft.errors
    # The location step (a grid reference in Kent) is the report's location, whatever the photo says.
    draft.set_grid_ref_text("TR 0156 6012")
    assert draft.use_grid_ref()
    draft.go_to("review")
    assert app.save_report(), draft.errors
    report = ReportCreate.model_validate(report_store.report_body(app._store, app.reports[0].id))
    assert report.location.source == "grid_ref" and report.location.grid_ref == "TR 0156 6012"
    assert report.location.lat == pytest.approx(51.30, abs=0.05) and report.location.lon == pytest.approx(
        0.89, abs=0.01
    )
    # The photo sent to the police carries no position at all.
    (stored,) = photo_store.report_photos(app._store, app.reports[0].id)
    upload = photo_store.read_upload(app._store, stored)
    assert read_gps(Image.open(io.BytesIO(upload)).getexif()) is None


def _encoded(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["WEBP", "AVIF"])
def test_webp_and_avif_are_converted_to_jpeg_where_pillow_reads_them(kind: str) -> None:
    assert photo_service.can_read(kind.replace("WEBP", "WebP"))
    processed = process_photo(_encoded(kind))
    assert processed.upload[:3] == b"\xff\xd8\xff" and (processed.width, processed.height) == (64, 48)


@pytest.mark.parametrize(("kind", "name"), [("WEBP", "WebP"), ("AVIF", "AVIF")])
def test_on_the_phones_pillow_webp_and_avif_are_refused_in_plain_words(
    kind: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _encoded(kind)
    # The phone's Pillow (Flet's mobile index) is built with JPEG and PNG only.
    monkeypatch.setattr(photo_service.features, "check", lambda feature: False)
    with pytest.raises(PhotoError, match=f"^This photo is in {name} format, which Hedgerow cannot read") as refused:
        process_photo(data)
    assert str(refused.value) == (
        f"This photo is in {name} format, which Hedgerow cannot read on this phone. "
        "Take the photo with Hedgerow's camera, or share it as JPEG."
    )
