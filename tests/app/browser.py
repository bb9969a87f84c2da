"""Run the farmer app as `python -m app.main` and drive it in Debian's headless Chromium with Playwright.

Flutter draws on a canvas; its accessibility tree (switched on by clicking `flt-semantics-placeholder`) is
what the tests read and press, by role and accessible name: the same labels a screen reader says.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support import ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 412, "height": 900}
SMALL_PHONE = {"width": 360, "height": 800}
PHONE_SIZES = (SMALL_PHONE, PHONE)
UNREACHABLE_SERVER = "http://127.0.0.1:9"  # the discard port: nothing listens, as with no signal


@dataclass
class AppProcess:
    """The real app in its own process, with its own data directory and port."""

    data_dir: Path
    server_url: str = UNREACHABLE_SERVER
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60) -> AppProcess:
        env = {
            **os.environ,
            "FLET_APP_STORAGE_DATA": str(self.data_dir),
            "FLET_SERVER_PORT": str(self.port),
            "HEDGEROW_SERVER_URL": self.server_url,
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir.parent / f"app-{self.port}.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.proc = subprocess.Popen([sys.executable, "-m", "app.main"], cwd=ROOT, env=env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the app did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@contextmanager
def chromium(viewport: dict[str, int] = PHONE, **context_options: Any) -> Iterator[BrowserContext]:
    """A fresh headless Chromium profile, by default at a phone's size (412 x 900)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,  # type: ignore[arg-type]
            **context_options,
        )
        try:
            yield context
        finally:
            context.close()


def saved_value(data_dir: Path, what: str, *path: str | int) -> Any:
    """A value as the running app has saved it: `what` is "draft" (the report being typed) or the name of a
    setting such as "pending_call". Read-only, beside the running app (WAL lets both work at once)."""
    db = sqlite3.connect(f"file:{data_dir / 'hedgerow.db'}?mode=ro", uri=True, timeout=5)
    try:
        if what == "draft":
            row = db.execute("SELECT data FROM drafts ORDER BY updated_at DESC LIMIT 1").fetchone()
        else:
            row = db.execute("SELECT value FROM settings WHERE key = ?", [what]).fetchone()
    finally:
        db.close()
    value: Any = json.loads(row[0]) if row else None
    for part in path:
        try:
            value = value[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return value


# Resolves once no node of Flutter's semantics tree (found through any shadow roots) has changed for `quiet` ms.
SETTLE_JS = """([quiet, limit]) => new Promise(resolve => {
    const find = root => root.querySelector('flt-semantics-host')
        || [...root.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => find(e.shadowRoot)).find(Boolean);
    const host = find(document) || document.body;
    const start = performance.now();
    let timer;
    const observer = new MutationObserver(() => {
        clearTimeout(timer);
        timer = setTimeout(done, performance.now() - start > limit ? 0 : quiet);
    });
    function done() { observer.disconnect(); resolve(); }
    observer.observe(host, {attributes: true, childList: true, subtree: true, characterData: true});
    timer = setTimeout(done, quiet);
})"""


class FletScreen:
    """A Flet page in the browser, found by role and name, with numbered screenshots."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.count = 0
        shots.mkdir(parents=True, exist_ok=True)

    def open(self, url: str) -> FletScreen:
        self.page.goto(url)
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=60_000)
        placeholder.dispatch_event("click")  # switch Flutter's accessibility tree on
        return self

    def button(self, name: str, exact: bool = True) -> Locator:
        return self.page.get_by_role("button", name=name, exact=exact)

    def settle(self, quiet_ms: int = 200, limit_ms: int = 5000) -> None:
        """Wait until Flutter's accessibility tree has stopped changing for `quiet_ms` (at most `limit_ms`).

        Flutter moves its semantics nodes a frame or more after it draws; under load a click at a node that has
        just scrolled or appeared can land where the button no longer is, and the tap is lost (CI saw "Use grid
        reference" and "Go to Details" do nothing). A person looks before tapping; this is that look."""
        self.page.evaluate(SETTLE_JS, [quiet_ms, limit_ms])

    def tap(self, name: str, exact: bool = True) -> None:
        """Press a button once the screen has stopped moving."""
        button = self.button(name, exact).first
        button.wait_for()
        self.settle()
        button.click()

    def press_until(
        self, name: str, shows: Locator, attempts: int = 3, wait_s: float = 15, while_on: Locator | None = None
    ) -> None:
        """Press a button that leads somewhere, and wait until `shows` is there.

        Under load a tap on a button that has just scrolled into place can land before Flutter's semantics
        node settles and be lost (CI saw "Go to Details" do nothing for 30 s). A person taps again; so does
        this, but only while the button is still on screen (or, for a button every step has, such as "Next",
        while `while_on`, the step's own heading, is), so a slow but taken tap is never doubled."""
        for _attempt in range(attempts):
            button = self.button(name)
            still_here = while_on if while_on is not None else button
            if still_here.count() == 0:
                break  # the tap was taken; the next screen is on its way
            self.settle()
            button.first.click()
            try:
                shows.first.wait_for(timeout=wait_s * 1000)
                return
            except PlaywrightTimeoutError:
                continue
        shows.first.wait_for(timeout=wait_s * 1000)

    def textbox(self, name: str, exact: bool = False) -> Locator:
        return self.page.get_by_role("textbox", name=name, exact=exact)

    def text(self, text: str, exact: bool = False) -> Locator:
        return self.page.get_by_text(text, exact=exact)

    def on_screen(self, text: str | re.Pattern[str], exact: bool = False) -> Locator:
        """Text in the screen's own nodes, leaving out Flutter's live-region announcer, which keeps the last
        message it read out after the screen has dropped it."""
        return self.page.locator("[id^=flt-semantic-node]").get_by_text(text, exact=exact)

    def wait_text(self, text: str, timeout: float = 20_000) -> Locator:
        found = self.text(text).first
        found.wait_for(timeout=timeout)
        return found

    def fill(self, name: str, value: str, kept: Callable[[], bool] | None = None, exact: bool = False) -> None:
        """Type into a text field so that Flutter, not only the DOM, has the text.

        Playwright's fill() sets the <input>'s value in one go. Flutter ignores input on a field whose text
        editing it has not yet attached, and under load it sometimes never attaches to a field clicked right
        after typing in another: the DOM then shows the text while the app never got it (seen in Flet's own
        event log: no change event at all). A person's keyboard does not hit this. So: focus, fill, then type
        a space and delete it (Flutter reads the whole value on each key). Where the app keeps the value at
        once (the report draft is saved at every change), `kept` reads it back from the app's database and
        the text is typed again if it did not arrive; the final checks on the saved report stand regardless.
        """
        for _attempt in range(3):
            box = self.in_view(self.textbox(name, exact).first)
            self.settle()
            # Near its top, where the typing goes: a long message under a field is inside its box, over its middle.
            box.click(position={"x": 24, "y": 20})
            time.sleep(0.2)
            box.fill(value)
            self.page.keyboard.press("End")
            self.page.keyboard.type(" ")
            self.page.keyboard.press("Backspace")
            if kept is None:
                return
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                if kept():
                    return
                time.sleep(0.1)
        raise AssertionError(f"the app never received {value!r} typed into {name!r}")

    def in_view(self, control: Locator) -> Locator:
        """Scroll the screen with the mouse wheel, as a person would, until the control is in view above the bar at
        the bottom (Flutter moves its own drawing; scrolling only the page's accessibility nodes would not, and a
        click on a field still under the bar lands on the bar: CI saw "Direction of travel" never typed into)."""
        viewport = self.page.viewport_size or {"width": 412, "height": 900}
        control.wait_for()
        for _ in range(20):
            box = control.bounding_box()
            # Its top (where a click goes) above the bar: a tall box need not fit whole.
            if box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 48) < viewport["height"] - 90:
                return control
            self.page.mouse.move(viewport["width"] / 2, viewport["height"] / 3)
            self.page.mouse.wheel(0, 250 if box is None or box["y"] >= 0 else -250)
            time.sleep(0.3)
        raise AssertionError(f"never scrolled into view: {control}")

    @staticmethod
    def wait_until(condition: Callable[[], bool], what: str, timeout: float = 15) -> None:
        """Until the app has done something the screen cannot show us (e.g. saved a choice)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for: {what}")
            time.sleep(0.05)

    def register(self, farm: str | None = "Hill Farm", postcode: str = "ME13 9AB", shots: bool = False) -> None:
        """Fill in the first-run form as Jo Farmer and wait for the home screen."""
        self.wait_text("Welcome to Hedgerow")
        if shots:
            self.shot("register")
        self.fill("Your name", "Jo Farmer")
        self.fill("Phone number", "07700 900123")
        if farm:
            self.fill("Farm name (optional)", farm)
        if postcode:
            self.fill("Farm postcode", postcode)
        self.tap("Save and start")
        self.wait_text("Hello Jo")
        self.wait_text("Report an incident")
        if shots:
            self.shot("home")

    def small_targets(self, minimum: int = 48) -> list[str]:
        """Controls on screen smaller than `minimum` px either way: buttons, fields, radios, checkboxes.

        Flutter sizes each accessibility node to its widget, so these boxes are the real touch targets.
        """
        return self.page.evaluate(
            """minimum => Array.from(document.querySelectorAll(
                    'flt-semantics[role=button], flt-semantics[role=radio], flt-semantics[role=checkbox], input'))
                .map(e => [e, e.getAttribute('aria-label') || e.innerText || e.tagName, e.getBoundingClientRect()])
                .filter(([, , r]) => r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight)
                // A control half scrolled out of view is clipped to the visible part: not a small target.
                .filter(([e, , r]) => {
                    for (let a = e.parentElement; a; a = a.parentElement) {
                        const c = a.getBoundingClientRect();
                        if (getComputedStyle(a).overflow !== 'visible'
                            && (Math.abs(c.bottom - r.bottom) < 1 || Math.abs(c.top - r.top) < 1)
                            && c.height > r.height) return false;
                        // A field's node cut by the edge of the scrolling view is smaller than its <input>.
                        if (a.id && a.id.startsWith('flt-semantic-node') && c.height + 1 < r.height) return false;
                    }
                    return true;
                })
                .map(([, name, r]) => [name, r])
                .filter(([, r]) => r.width < minimum || r.height < minimum)
                .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
            minimum,
        )

    def unlabelled(self) -> list[str]:
        """Controls a screen reader could not name: buttons, radios, tick boxes, fields and images whose accessible
        name is empty (Flutter gives a node its label as aria-label or as its own text)."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                    'flt-semantics[role=button], flt-semantics[role=radio], flt-semantics[role=checkbox], '
                    + 'flt-semantics[role=img], flt-semantics[role=link], input, textarea'))
                .filter(e => !((e.getAttribute('aria-label') || '').trim() || (e.innerText || '').trim()))
                .map(e => `${e.getAttribute('role') || e.tagName} ${e.id}`)"""
        )

    def cut_labels(self, png: Path) -> list[str]:
        """Radios and tick boxes whose label runs past the right-hand edge of their row: text drawn right up to
        the edge in the screenshot `png` (a label that wraps always ends short of it). Flet's own one-line
        `label=` does this with a long label, large text or a longer language."""
        rows = self.page.evaluate(
            """() => Array.from(document.querySelectorAll('flt-semantics[role=radio], flt-semantics[role=checkbox]'))
                .map(e => [e, e.getBoundingClientRect()])
                .filter(([, r]) => r.width > 8 && r.height > 8 && r.top >= 0 && r.bottom <= innerHeight)
                // wholly inside every view that clips it (not scrolled under the bottom bar)
                .filter(([e, r]) => {
                    for (let a = e.parentElement; a; a = a.parentElement) {
                        const c = a.getBoundingClientRect();
                        const cuts = r.top < c.top - 1 || r.bottom > c.bottom + 1;
                        if (cuts && getComputedStyle(a).overflow !== 'visible') return false;
                    }
                    return true;
                })
                .map(([e, r]) => [e.getAttribute('aria-label') || e.innerText, Math.floor(r.right), Math.ceil(r.top),
                                  Math.floor(r.bottom)])"""
        )
        with Image.open(png) as image:
            rgb = image.convert("RGB")
        cut = []
        for name, right, top, bottom in rows:
            # Flutter lets the words overflow the row: ink just inside or just beyond its right-hand edge.
            columns = range(right - 3, min(right + 6, rgb.width))
            edge = [rgb.getpixel((x, y)) for x in columns for y in range(top + 2, bottom - 2)]
            if any(max(pixel) < INK_MAX for pixel in edge):
                cut.append(f"{name}: its words run past the right-hand edge")
        return cut

    def text_boxes(self) -> list[dict[str, Any]]:
        """Every accessibility node that shows words, with its box: (role, words, n-th with those words) names it
        across a re-layout of the same screen."""
        return self.page.evaluate(
            """() => {
                const seen = {};
                return Array.from(document.querySelectorAll('[id^=flt-semantic-node], input, textarea')).map(e => {
                    const own = Array.from(e.childNodes)
                        .filter(n => n.nodeType === 3
                                     || (n.tagName && !n.id && n.tagName !== 'FLT-SEMANTICS-CONTAINER'))
                        .map(n => n.textContent).join(' ').trim();
                    const words = (e.getAttribute('aria-label') || own).trim();
                    if (!words || e.getAttribute('aria-hidden') === 'true') return null;
                    const role = e.getAttribute('role') || e.getAttribute('data-semantics-role') || e.tagName;
                    const key = `${role}|${words}`;
                    seen[key] = (seen[key] || 0) + 1;
                    const r = e.getBoundingClientRect();
                    const parent = e.parentElement && e.parentElement.closest('[id^=flt-semantic-node]');
                    // Cut short by a scrolling view it is half out of: Flutter clips the node's box to it.
                    let clipped = r.top < 0 || r.bottom > innerHeight;
                    for (let a = e.parentElement; a && !clipped; a = a.parentElement) {
                        const c = a.getBoundingClientRect();
                        clipped = (getComputedStyle(a).overflow !== 'visible' && c.height > r.height
                                   && (Math.abs(c.bottom - r.bottom) < 1 || Math.abs(c.top - r.top) < 1))
                            // a field's <input> is sized to its node, which the view has cut short
                            || (a.id.startsWith('flt-semantic-node') && c.height + 1 < r.height);
                    }
                    return {key: `${key}|${seen[key]}`, role, words, parent: parent ? parent.id : '',
                            leaf: !e.querySelector('[id^=flt-semantic-node]'), clipped,
                            // Words drawn as text (a label, a field), not only named (an icon, a picture).
                            text: !!own || e.tagName === 'INPUT' || e.tagName === 'TEXTAREA',
                            x: r.left, y: r.top, width: r.width, height: r.height, right: r.right, bottom: r.bottom};
                }).filter(Boolean);
            }"""
        )

    def set_text_scale(self, scale: float) -> None:
        """The phone's text size setting, as Flutter on the web reads it: the page's root font size over 16 px.
        Waits until the screen has been laid out again."""
        before = self.page.screenshot()
        self.page.evaluate(f"document.documentElement.style.fontSize = '{16 * scale}px'")
        deadline = time.monotonic() + 10
        while self.page.screenshot() == before and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)

    def large_text_faults(self, normal: list[dict[str, Any]], fixed: re.Pattern[str] | None = None) -> list[str]:
        """After `set_text_scale`, what large text broke, against the same screen's `text_boxes()` at 100%:

        - a box with words that did not grow when its text doubled: a fixed height that cuts its words off
          (`fixed` names the boxes that show no text of their own to grow, such as icon-only buttons and images);
        - a box that reaches past either side of the screen: words cut at the edge, or a line that does not wrap;
        - two boxes side by side in the same parent that overlap: words drawn over words."""
        width = self.page.evaluate("innerWidth")
        large = self.text_boxes()
        before = {box["key"]: box for box in normal}
        faults = []
        for box in large:
            name = f"{box['role']} {box['words'][:60]!r}"
            if box["x"] < -1 or box["right"] > width + 1:
                faults.append(f"{name} reaches past the screen's side: {box['x']:.0f} to {box['right']:.0f}")
            old = before.get(box["key"])
            grows = box["text"] and not (fixed and fixed.search(box["words"]))
            if old and grows and not (box["clipped"] or old["clipped"]) and box["height"] <= old["height"] + 0.5:
                faults.append(f"{name} did not grow with its text: {old['height']:.0f} px at 100%, {box['height']:.0f}")
        # A field's <input> lies over its own label and helper text by design: only drawn words are compared.
        leaves = [b for b in large if b["leaf"] and b["width"] > 0 and b["height"] > 0 and b["role"] != "text-field"]
        for i, a in enumerate(leaves):
            for b in leaves[i + 1 :]:
                if a["parent"] != b["parent"]:
                    continue
                across = min(a["right"], b["right"]) - max(a["x"], b["x"])
                down = min(a["bottom"], b["bottom"]) - max(a["y"], b["y"])
                if across > 2 and down > 2:
                    faults.append(f"{a['words'][:40]!r} and {b['words'][:40]!r} overlap by {across:.0f}x{down:.0f}")
        return faults

    def large_text(self, name: str, fixed: re.Pattern[str] | None = None, scrolls: int = 4) -> list[str]:
        """The screen at 200% text, as a phone set to its largest text shows it: what broke (`large_text_faults`),
        from the top to `scrolls` screens further down, with a checked screenshot at the top. Back at 100% and at
        the top afterwards."""
        normal = self.text_boxes()
        self.set_text_scale(2)
        faults: dict[str, None] = dict.fromkeys(self.large_text_faults(normal, fixed))
        self.shot(f"{name}-text-200")
        size = self.page.viewport_size or PHONE
        self.page.mouse.move(size["width"] / 2, size["height"] / 3)
        for _scroll in range(scrolls):
            self.page.mouse.wheel(0, size["height"] * 0.6)
            time.sleep(0.6)
            faults.update(dict.fromkeys(self.large_text_faults(normal, fixed)))
        self.page.mouse.wheel(0, -size["height"] * scrolls)
        time.sleep(0.6)
        self.set_text_scale(1)
        return list(faults)

    def settled_screenshot(self, path: Path, timeout: float = 8) -> None:
        """A screenshot once Flutter has finished painting: two in a row the same and not blank (the semantics
        tree can be ready before the first frame is drawn), or whatever is there when the time is up."""
        last = self.page.screenshot()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.page.screenshot()
            if now == last and not _blank(now):
                break
            last = now
        path.write_bytes(last)

    def shot(self, name: str, sizes: tuple[dict[str, int], ...] = ()) -> Path:
        """Screenshot the screen as a person sees it and check it: no Flutter error box or "Exception" text
        (a layout error is drawn as a flat grey box while its labels still read fine), and every control a
        target of at least 48 px. With `sizes`, at each of those viewports in turn, ending on the last."""
        path = self.shots / "unused.png"
        for size in sizes or (self.page.viewport_size or PHONE,):
            if sizes:
                self.page.set_viewport_size(size)  # type: ignore[arg-type]
            self.count += 1
            path = self.shots / f"{self.count:02d}-{name}-{size['width']}x{size['height']}.png"
            self.settled_screenshot(path)
            assert_drawn(path, self.page)
            small = self.small_targets()
            assert small == [], f"{name} at {size}: targets under 48 px: {small}"
            nameless = self.unlabelled()
            assert nameless == [], f"{name} at {size}: controls with no accessible name: {nameless}"
            cut = self.cut_labels(path)
            assert cut == [], f"{name} at {size}: {cut}"
        return path


DOCS_SCREENS = ROOT / "docs" / "screens"
# Text is drawn this dark or darker in every channel (ink, red, green and grey words); the app's backgrounds are not.
INK_MAX = 110
# A screen this much of one colour has nothing drawn on it (the sparsest of the app's screens is 93% background).
BLANK_SHARE = 0.985


def publish_screens(shots: Path) -> None:
    """With HEDGEROW_UPDATE_SCREENS=1 (`make screens`), copy the 360 x 800 screenshots into docs/screens/, the
    README's pictures of the app; a plain test run leaves the documentation alone."""
    if os.environ.get("HEDGEROW_UPDATE_SCREENS") != "1":
        return
    DOCS_SCREENS.mkdir(parents=True, exist_ok=True)
    for path in sorted(shots.glob("*-360x800.png")):
        shutil.copyfile(path, DOCS_SCREENS / path.name.split("-", 1)[1])


def _blank(png: bytes) -> bool:
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    return max(count for count, _ in colours) > BLANK_SHARE * rgb.width * rgb.height


def error_blocks(png: Path, cell: int = 8) -> list[str]:
    """What only a failed drawing shows here: a blank screen, or large flat areas that only Flutter's error
    rendering paints: a grey box (release builds) of at least 48 x 48 px, or a red one over a quarter of the
    screen (debug builds). The app's own surfaces are white,
    green, pale green, pale yellow and small red buttons, never flat neutral grey."""
    with Image.open(png) as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    colours = rgb.getcolors(maxcolors=width * height) or []
    most = max(count for count, _ in colours)
    if most > BLANK_SHARE * width * height:  # nothing painted but the background: the whole screen failed to draw
        return [f"blank screen: {most * 100 // (width * height)}% one colour"]
    columns, rows = width // cell, height // cell
    pixels = rgb.load()

    def flat(cx: int, cy: int) -> tuple[int, int, int] | None:
        first = pixels[cx * cell, cy * cell]
        for y in range(cy * cell, cy * cell + cell):
            for x in range(cx * cell, cx * cell + cell):
                if pixels[x, y] != first:
                    return None
        return first

    def grey(c: tuple[int, int, int]) -> bool:
        return max(c) - min(c) <= 8 and 80 <= c[0] <= 230

    def red(c: tuple[int, int, int]) -> bool:
        return c[0] >= 120 and c[1] <= 80 and c[2] <= 80

    found = []
    for kind, test, least in (("grey", grey, (48 // cell) ** 2), ("red", red, columns * rows // 4)):
        marked = [[(c := flat(x, y)) is not None and test(c) for x in range(columns)] for y in range(rows)]
        seen = [[False] * columns for _ in range(rows)]
        for y0 in range(rows):
            for x0 in range(columns):
                if not marked[y0][x0] or seen[y0][x0]:
                    continue
                stack, cells, box = [(x0, y0)], 0, [x0, y0, x0, y0]
                seen[y0][x0] = True
                while stack:
                    x, y = stack.pop()
                    cells += 1
                    box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
                    for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                        if 0 <= nx < columns and 0 <= ny < rows and marked[ny][nx] and not seen[ny][nx]:
                            seen[ny][nx] = True
                            stack.append((nx, ny))
                if cells >= least:
                    x1, y1, x2, y2 = (v * cell for v in box)
                    found.append(
                        f"flat {kind} block of {cells * cell * cell} px² at ({x1},{y1})-({x2 + cell},{y2 + cell})"
                    )
    return found


def assert_drawn(png: Path, page: Page | None = None) -> None:
    """The screen in `png` was drawn, not replaced by Flutter's error rendering."""
    blocks = error_blocks(png)
    assert blocks == [], f"{png.name}: looks like Flutter's error box: {blocks}"
    if page is not None:
        assert page.get_by_text("Exception").count() == 0, f"{png.name}: an Exception is shown"
