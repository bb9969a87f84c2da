"""Fixtures for the farmer app: a real phone database in a temp dir, and fakes for what a test machine lacks
(GPS, the photo picker, the dialler, the clock)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.i18n import set_language
from app.services.location import Fix
from app.state.app_state import AppState
from app.state.ports import PickedFile, Ports
from app.store import Store
from tests.app.catalogues import compile_catalogues

LONDON_WINTER = UTC  # the phone's zone in these tests: GMT, so local times read as UTC
UNREACHABLE = "http://127.0.0.1:9"


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 6, 30, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakePhone:
    """The phone's picker, GPS and dialler: tests load what they should return and read what was asked."""

    picks: list[list[PickedFile]] = field(default_factory=list)
    fixes: list[Fix | Exception] = field(default_factory=list)
    launched: list[str] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        """Time as the fake sleeps pass it: a 20-second GPS wait takes no real time."""
        return sum(self.slept)

    async def pick(self, limit: int) -> list[PickedFile]:
        return self.picks.pop(0)[:limit] if self.picks else []

    async def position(self) -> Fix:
        if not self.fixes:
            raise RuntimeError("location is off")
        fix = self.fixes.pop(0) if len(self.fixes) > 1 else self.fixes[0]
        if isinstance(fix, Exception):
            raise fix
        return fix

    async def launch(self, url: str) -> None:
        self.launched.append(url)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """The compiled catalogues, as `make setup` (`make i18n-compile`) builds them: a run of pytest without make
    still gets Welsh (fuzzy entries included, as the Makefile compiles them)."""
    compile_catalogues()


@pytest.fixture(autouse=True)
def english_again() -> Iterator[None]:
    """The phone's language is one value for the process: a test that chose Welsh leaves English behind it."""
    yield
    set_language("en")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "phone"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store(data_dir)
    yield s
    s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def phone() -> FakePhone:
    return FakePhone()


@pytest.fixture
def ports(phone: FakePhone, clock: FakeClock) -> Ports:
    return Ports(photos=phone, locator=phone, dialer=phone, clock=clock, sleep=phone.sleep, monotonic=phone.monotonic)


@pytest.fixture
def app(store: Store, ports: Ports) -> AppState:
    return AppState.open(store, ports, LONDON_WINTER, UNREACHABLE)


def register(app: AppState) -> None:
    for name, value in {"name": "Jo Farmer", "phone": "07700 900123", "postcode": "ME13 9AB"}.items():
        app.registration.set_field(name, value)
    assert app.register(), app.registration.errors
