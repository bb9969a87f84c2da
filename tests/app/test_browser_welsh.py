"""Issue 18, must-show 1 (the farmer's half), in real browsers against the real backend: a farmer who chooses
Cymraeg on the first screen reads Welsh on every screen of the report flow and on the report screen, with no
English left (every English source string the Welsh catalogue translates is looked for in each screen's
accessibility tree, which holds every word shown); each screen also holds at 200% text, with no words cut, no
control without a name and no target under 48 px. An officer then answers from the console with the built-in
Welsh template, and the farmer reads that answer in Welsh on the phone.

Screenshots: test-artifacts/app/welsh/, and docs/screens/app-cy-*.png with HEDGEROW_UPDATE_SCREENS=1.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backend.i18n import catalogue
from tests.app.browser import PHONE_SIZES, SMALL_PHONE, AppProcess, FletScreen, chromium, publish_screens, saved_value
from tests.app.catalogues import po_path, read_catalogue
from tests.backend.console_browser import chromium as console_browser
from tests.backend.console_browser import log_in
from tests.support import LiveServer, server_with_kent_officer, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIELD_GATE = {"latitude": 51.2502, "longitude": 0.9004, "accuracy": 8}  # in the demo Kent area
OFFICER_PASSWORD = "kent-officer-password-123"
# Boxes with no words of their own to grow with large text: icons and icon-only buttons, in either language.
FIXED = re.compile(r"^(Hafan \(caiff yr adroddiad ei gadw\)|Dileu llun \d+|Llun \d+|Lleoliad|Rhybudd)$")
# Two or more words: looked for anywhere in a screen's words. Shorter: only as the whole of a node's words, so
# that "No" is not found inside a Welsh word.
_SHORT = 3
WELSH_TOO = {"at", "a", "i"}  # "{number} at {time}" would be found in "Wedi'i anfon at yr heddlu"


@cache
def english_sources() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every English source string whose Welsh differs, as a pattern for its words with any values filled in."""
    found = []
    for message in read_catalogue(po_path("cy"), "cy"):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for source in sources:
            bare = re.sub(r"\{\w+\}", "", source)
            words = set(re.findall(r"[^\W\d_]+", bare.lower()))
            if source in forms or not words or words <= WELSH_TOO:
                continue  # the same in Welsh, or no English word that is not also a Welsh one
            body = ".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", source))
            found.append((source, re.compile(body if len(bare.split()) >= _SHORT else rf"^{body}$")))
    return tuple(found)


def english_left(screen: FletScreen) -> list[str]:
    """English source strings on the screen: in any node's words, labels and field names included."""
    words = {box["words"] for box in screen.text_boxes()}
    return sorted({source for source, pattern in english_sources() for text in words if pattern.search(text)})


def welsh_screen(screen: FletScreen, name: str, *welsh: str) -> None:
    """The screen shows each of `welsh` and no English; its screenshots (both phone sizes) are checked for
    Flutter's error box, targets under 48 px and controls without a name; then the same at 200% text."""

    def shown() -> bool:
        words = [box["words"] for box in screen.text_boxes()]
        return all(any(text in w for w in words) for text in welsh)

    screen.wait_until(shown, f"{name}: {welsh}", timeout=30)
    assert english_left(screen) == [], f"{name}: English on a Welsh screen"
    screen.shot(name, PHONE_SIZES)
    screen.page.set_viewport_size(SMALL_PHONE)  # type: ignore[arg-type]
    faults = screen.large_text(name, FIXED)
    assert faults == [], f"{name} at 200% text: {faults}"


def welsh_server_text(message: str) -> str:
    """A text the server writes for a Welsh reader, from the server's own catalogue."""
    words = catalogue("cy").pgettext("farmer", message)
    assert words != message, f"the server has no Welsh for {message!r}"
    return words


def _report_ids(server: LiveServer) -> list[str]:
    db = sqlite3.connect(f"file:{server.data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=30)
    try:
        return [r[0] for r in db.execute("SELECT id FROM reports")]
    finally:
        db.close()


def test_a_farmer_who_chooses_cymraeg_reads_welsh_on_every_screen_and_the_police_answer_in_welsh(
    tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = server_with_kent_officer(tmp_path / "server", OFFICER_PASSWORD)
    monkeypatch.setenv("HEDGEROW_SYNC_PERIOD_S", "2")  # the phone looks for answers every 2 s
    shots = artifacts / "app" / "welsh"
    app = AppProcess(tmp_path / "phone", server_url=server.url).start()
    attending_title = welsh_server_text("Officer attending")
    attending = welsh_server_text(
        "An officer is on the way to you. If anyone is in danger or the offenders are still there, call 999."
    )
    try:
        with chromium(SMALL_PHONE, geolocation=FIELD_GATE, permissions=["geolocation"]) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            # The first screen: the choice of language comes before anything else, in both languages.
            screen.wait_text("Welcome to Hedgerow")
            expect(screen.button("Cymraeg")).to_be_in_viewport()
            assert screen.page.evaluate("document.documentElement.lang") == "en-GB"
            screen.tap("Cymraeg")
            # The page says its language, so that a screen reader reads it with a Welsh voice (WCAG 3.1.1).
            screen.wait_until(lambda: screen.page.evaluate("document.documentElement.lang") == "cy-GB", "lang=cy-GB")
            # The choice is a group a screen reader names in both languages; the fields are named in Welsh.
            welsh_screen(
                screen,
                "app-cy-register",
                "Croeso i Hedgerow",
                "Dewiswch iaith · Choose your language",
                "Cod post y fferm",
            )
            screen.tap("Cadw a dechrau")  # nothing filled in: the mistakes in Welsh
            welsh_screen(screen, "app-cy-register-mistakes", "Ysgrifennwch eich enw")
            assert saved_value(app.data_dir, "language") == "cy"
            screen.fill("Eich enw", "Elin Jones")
            screen.page.mouse.move(180, 400)
            screen.page.mouse.wheel(0, 300)  # the language choice above pushes the form down: scroll, as a thumb would
            screen.fill("Rhif ffôn", "07700 900123")
            screen.fill("Cod post y fferm", "ME13 9AB")
            screen.tap("Cadw a dechrau")
            welsh_screen(screen, "app-cy-home", "Helo Elin", "Rhoi gwybod am ddigwyddiad", "Ffoniwch 999")

            screen.tap("Rhoi gwybod am ddigwyddiad")
            welsh_screen(screen, "app-cy-step-1-danger", "Ydy e'n digwydd nawr, neu oes unrhyw un mewn perygl?")
            screen.tap("Na")
            welsh_screen(screen, "app-cy-step-2-category", "Beth ddigwyddodd?", "Cwrsio ysgyfarnogod", "Lladrad")
            screen.tap("Cwrsio ysgyfarnogod")
            welsh_screen(screen, "app-cy-step-3-photos", "0 o 6 llun", "Ychwanegu lluniau")
            screen.tap("Nesaf")
            screen.wait_text("Dim lleoliad eto")
            screen.tap("Nesaf")  # no location: the step says why in Welsh, and stays
            screen.wait_text("Rhowch leoliad: defnyddiwch eich GPS")
            screen.fill("Cyfeirnod grid", "XY 123 456")
            screen.tap("Defnyddio'r cyfeirnod grid")
            welsh_screen(screen, "app-cy-step-4-location-mistakes", "Nid yw XY yn sgwâr grid ym Mhrydain Fawr")
            screen.tap("Defnyddio fy lleoliad (GPS)")
            welsh_screen(screen, "app-cy-step-4-location", "Eich lleoliad, yn gywir i ±8 m")
            screen.tap("Nesaf")

            screen.textbox("Faint o gŵn (dewisol)").wait_for()
            screen.fill(
                "Faint o gŵn (dewisol)",
                "tri",
                kept=lambda: saved_value(app.data_dir, "draft", "details", "dogs_count") == "tri",
            )
            welsh_screen(
                screen, "app-cy-step-5-details-mistake", "Faint o gŵn: teipiwch rif cyfan, er enghraifft 3", "Cerbydau"
            )
            screen.fill(
                "Faint o gŵn (dewisol)",
                "3",
                kept=lambda: saved_value(app.data_dir, "draft", "details", "dogs_count") == "3",
            )
            screen.tap("Nesaf")
            screen.wait_text("Ydych chi wedi ffonio 101 neu 999 yn barod?")
            screen.tap("Ie")
            welsh_screen(screen, "app-cy-step-6-calls", "Galwad 1", "Pa rif?", "Sut daeth i ben?", "Atebwyd")
            screen.tap("Dileu galwad 1")
            screen.tap("Nesaf")
            welsh_screen(screen, "app-cy-step-7-review", "Gwirio a chadw", "Beth ddigwyddodd", "Cwrsio ysgyfarnogod")
            screen.tap("Cadw'r adroddiad")

            screen.wait_text("Wedi'i gadw ar y ffôn hwn. Caiff ei anfon cyn gynted ag y bydd signal.")
            screen.on_screen(re.compile(r"\bWedi'i anfon\b")).first.wait_for(timeout=90_000)
            welsh_screen(screen, "app-cy-home-saved", "Eich adroddiadau", "Agor yr adroddiad")
            wait_until(lambda: _report_ids(server), "the report on the server", timeout=30)
            [report_id] = _report_ids(server)
            screen.text("Agor yr adroddiad").first.click()
            welsh_screen(screen, "app-cy-report-screen", "Beth anfonoch chi", "Beth sydd wedi digwydd")
            screen.tap("Yn ôl i'ch adroddiadau")

            # Language and accessibility, from home: the choice again, and the server's accessibility statement.
            screen.tap("Iaith a hygyrchedd")
            welsh_screen(screen, "app-cy-settings", "Iaith a hygyrchedd", "Darllen y datganiad hygyrchedd")
            with context.expect_page() as statement:
                screen.tap("Darllen y datganiad hygyrchedd")
            assert statement.value.url == f"{server.url}/accessibility"
            statement.value.close()
            screen.tap("Yn ôl")
            screen.wait_text("Eich adroddiadau")
            taken = screen.count

        # The officer answers from the console with the built-in Welsh template the report page offers.
        with console_browser() as officer_context:
            page = officer_context.new_page()
            log_in(page, server.url, "kent.officer", OFFICER_PASSWORD)
            page.goto(f"{server.url}/console/reports/{report_id}")
            expect(page.locator("#farmer-reads")).to_contain_text("Cymraeg")
            page.locator("#update-template").select_option(label=attending_title)
            expect(page.locator("#update-text")).to_have_value(attending)
            page.get_by_role("button", name="Send update").click()
            expect(page.get_by_role("status")).to_have_text(re.compile("^Update sent"))
            page.screenshot(path=shots / "console-welsh-template-sent.png", full_page=True)

        # The farmer opens the app again: the answer is there, in Welsh, under a Welsh heading.
        with chromium(SMALL_PHONE) as context:
            screen = FletScreen(context.new_page(), shots).open(app.url)
            screen.count = taken
            screen.wait_text("newydd gan yr heddlu", timeout=60_000)
            welsh_screen(screen, "app-cy-home-answered", "1 newydd gan yr heddlu: tapiwch i ddarllen")
            screen.text("Agor yr adroddiad").first.click()
            welsh_screen(screen, "app-cy-report-answered", "Diweddariad gan yr heddlu", attending)
    finally:
        app.stop()
        server.stop()
    publish_screens(shots)
