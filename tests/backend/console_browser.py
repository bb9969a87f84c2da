"""The console in Debian's headless Chromium: a fresh profile per test, and logging in through the console's own
form as a person does."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from tests.app.browser import CHROMIUM, CHROMIUM_ARGS

LAPTOP = {"width": 1280, "height": 860}


@contextmanager
def chromium(viewport: dict[str, int] = LAPTOP, javascript: bool = True) -> Iterator[BrowserContext]:
    """A fresh headless Chromium profile."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,  # type: ignore[arg-type]
            java_script_enabled=javascript,
        )
        try:
            yield context
        finally:
            context.close()


def log_in(page: Page, base_url: str, username: str, password: str, queue_of: str | None = None) -> None:
    """Type the username and password into the login page and press Enter; wait to leave the login page, and with
    `queue_of` for that force's queue to show."""
    page.goto(f"{base_url}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/console/login" not in url)
    if queue_of is not None:
        expect(page.get_by_role("heading", name=f"Queue · {queue_of}")).to_be_visible()
