"""Shared fixtures: a real backend on a loopback port with its own temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import DEMO_AREAS, LiveServer

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
