"""The app's Python side saving reports one after another, to be killed with SIGKILL at any moment.

Run by test_crash_safety.py as `python -m tests.app.crash_child DATA_DIR TARGET`. It drives the real state
layer (as the views do) on a real database, and prints a line after each step that has committed, so the
test knows what must survive the kill:

    RESTORED <draft id> <description so far>   the draft found on opening
    TYPED <draft id> <description so far>      a keystroke's autosave has committed
    SAVED <report id>                          a report has been saved
"""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from app.services.location import Fix
from app.state.app_state import AppState
from app.state.ports import PickedFile, Ports
from app.store import open_store
from app.store.reports import list_reports

DESCRIPTION = "Rubble and two fridges at the ash gate."


def _photo(number: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), (40 + number % 200, 120, 60))
    image.paste((200, 30, 30), (0, 0, 400 + number % 800, 300))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Phone:
    async def pick(self, limit: int) -> list[PickedFile]:
        return []

    async def position(self) -> Fix:
        return Fix(51.25, 0.90, 6.0)

    async def launch(self, url: str) -> None:
        return None


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def run(data_dir: Path, target: int) -> None:
    phone = Phone()
    ports = Ports(photos=phone, locator=phone, dialer=phone, clock=lambda: datetime.now(UTC))
    app = AppState.open(open_store(data_dir), ports, UTC, "http://127.0.0.1:9")
    if app.profile is None:
        for name, value in {"name": "Jo Farmer", "phone": "07700 900123"}.items():
            app.registration.set_field(name, value)
        app.register()
    if app.draft is not None:
        emit(f"RESTORED {app.draft.id} {app.draft.description}")
    while len(list_reports(app._store)) < target:
        app.start_report()
        draft = app.draft
        assert draft is not None
        if draft.category is None:
            draft.answer_danger(False)
            draft.choose_category("fly_tipping")
        number = len(list_reports(app._store))
        if len(draft.photos) < 2:
            missing = range(2 - len(draft.photos))
            await draft.add_photos([(f"{number}-{n}.jpg", _photo(number * 2 + n)) for n in missing])
        if draft.location is None:
            await draft.find_gps()
        draft.set_detail("size_band", "car boot or less")
        for end in range(len(draft.description) + 1, len(DESCRIPTION) + 1):
            draft.set_text("description", DESCRIPTION[:end])
            emit(f"TYPED {draft.id} {draft.description}")
        draft.go_to("review")
        if not app.save_report():
            raise SystemExit(f"could not save: {draft.errors}")
        emit(f"SAVED {app.reports[0].id}")


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1]), int(sys.argv[2])))
