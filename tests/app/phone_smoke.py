"""The farmer app's headless smoke test, run with the phone's Python packages only (tests/app/test_phone_venv.py).

Run from the directory that holds the bundle (main.py, app/, wire/). It imports every module of the app as the
phone would (so an import of FastAPI, shapely or the backend fails here as it would on the phone), then takes a
report from registration to the outbox with the phone's Pillow and pydantic. Standard library and the phone's
packages only: no pytest, nothing from tests/.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import pkgutil
import sys
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

# numpy is left out: sqlite-utils imports it when it happens to be installed (it is not on the phone).
NOT_ON_THE_PHONE = ("fastapi", "starlette", "uvicorn", "shapely", "backend", "segno")


def import_everything() -> list[str]:
    # main.py is not imported: it starts the app. It only imports app.main, which is imported here.
    names: list[str] = []
    for package in ("wire", "app"):
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.name == "app.sync.__main__":
                continue  # a command-line entry point: importing it runs it
            importlib.import_module(info.name)
            names.append(info.name)
    return names


async def take_a_report(data_dir: Path) -> dict[str, object]:
    from PIL import Image

    from app.services.location import Fix
    from app.state.app_state import AppState
    from app.state.ports import PickedFile, Ports
    from app.store import Store
    from app.store import reports as report_store
    from wire.reports import ReportCreate

    class Phone:
        async def pick(self, limit: int) -> list[PickedFile]:
            out = io.BytesIO()
            Image.new("RGB", (640, 480), (30, 140, 40)).save(out, "JPEG")
            return [PickedFile("gate.jpg", out.getvalue())]

        async def position(self) -> Fix:
            return Fix(lat=51.25, lon=0.9, accuracy_m=8.0)

        async def launch(self, url: str) -> None:
            return None

    async def no_sleep(seconds: float) -> None:
        return None

    phone = Phone()
    store = Store(data_dir)
    ports = Ports(
        photos=phone, locator=phone, dialer=phone, clock=lambda: datetime(2026, 11, 20, tzinfo=UTC), sleep=no_sleep
    )
    app = AppState.open(store, ports, UTC, "https://hedgerow.example")
    for name, value in {"name": "Jo Farmer", "phone": "07700 900123", "postcode": "ME13 9AB"}.items():
        app.registration.set_field(name, value)
    assert app.register(), app.registration.errors
    app.start_report()
    draft = app.draft
    assert draft is not None
    draft.answer_danger(False)
    draft.choose_category("fly_tipping")
    await draft.find_gps()
    await draft.pick_photos()
    draft.set_detail("size_band", "small van load")
    draft.go_to("review")
    assert app.save_report(), draft.errors
    body = report_store.report_body(store, app.reports[0].id)
    report = ReportCreate.model_validate(body)
    store.close()
    return {"category": report.category, "photos": len(report.photos), "lat": report.location.lat}


def main() -> None:
    names = import_everything()
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in NOT_ON_THE_PHONE)
    assert leaked == [], f"modules the phone does not have were imported: {leaked}"
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(take_a_report(Path(tmp)))
    assert result == {"category": "fly_tipping", "photos": 1, "lat": 51.25}, result
    print(
        f"SMOKE OK: {len(names)} modules; flet {version('flet')}, pillow {version('pillow')}, "
        f"pydantic {version('pydantic')}, pydantic-core {version('pydantic-core')}"
    )


if __name__ == "__main__":
    main()
