"""The console tests' shared fixtures: one console backend per test module, and a Kent officer logged in to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backend.console_support import KENT_POLICE, ConsoleServer, Staff, console_server, login


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """A live backend with the demo areas and a clock the test moves; a module that needs other settings defines
    its own (test_invites.py: a public address)."""
    yield from console_server(tmp_path_factory)


@pytest.fixture(scope="module")
def officer(console: ConsoleServer) -> Staff:
    """An officer of Kent Police, logged in to the console."""
    return login(console, "kent.officer", "officer", KENT_POLICE, name="PC Kent")
