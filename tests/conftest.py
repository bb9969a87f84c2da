"""Shared fixtures: a real backend on a loopback port with its own temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import DEMO_AREAS, SEED_VARIABLE, LiveServer, chosen_seed

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One backend per test module, with the demo areas loaded (no demo reports)."""
    live = LiveServer(tmp_path_factory.mktemp("server"), env={"HEDGEROW_REGISTER_PER_HOUR": "10000"})
    done = live.cli("areas", "import", str(DEMO_AREAS))
    assert done.returncode == 0, done.stderr
    live.start()
    yield live
    live.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots and other evidence from tests are kept (uploaded by CI as artefacts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _seed_of(item: pytest.Item) -> int | None:
    marker = item.get_closest_marker("seed")
    return None if marker is None else chosen_seed(marker.args[0])


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """The seed of this test's random draws: its own fixed one, `@pytest.mark.seed(N)`, or HEDGEROW_TEST_SEED."""
    value = _seed_of(request.node)
    assert value is not None, "a test that draws at random names its fixed seed: @pytest.mark.seed(N)"
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """A failed test that draws at random says which seed it ran with, and how to run it again with that seed."""
    report: pytest.TestReport = yield
    value = _seed_of(item)
    if value is not None and report.failed:
        report.sections.append(("random seed", f"seed {value}: {SEED_VARIABLE}={value} replays this run"))
    return report
