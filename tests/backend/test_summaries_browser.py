"""The summary page in Debian's headless Chromium, as an NFU representative, on a year of demo data from the demo
generator: change the period and the area, download the CSV and the PDF; screenshots of the page (on screen and
as printed) and of the PDF's first page (rendered with pdftoppm) are kept in test-artifacts/summaries/."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from tests.app.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support import DEMO_AREAS, LiveServer

pytestmark = pytest.mark.browser

NOW = "2026-10-15T12:00:00+00:00"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real backend with the demo's areas, users (nfu / hedgerow-demo) and 1,200 reports over the year to NOW."""
    data_dir = tmp_path_factory.mktemp("summaries-browser")
    clock = data_dir / "clock.txt"
    clock.write_text(NOW)
    server = LiveServer(data_dir, env={"HEDGEROW_CLOCK_FILE": str(clock), "HEDGEROW_SWEEP_INTERVAL_S": "0"})
    assert server.cli("areas", "import", str(DEMO_AREAS)).returncode == 0
    seeded = server.cli("demo", "--reports", "1200", "--seed", "7", "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_an_nfu_user_chooses_a_period_and_an_area_and_downloads_the_csv_and_the_pdf(
    demo_server: LiveServer, page: Page, artifacts: Path
) -> None:
    out = artifacts / "summaries"
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{demo_server.url}/console/login")
    page.get_by_label("Username").fill("nfu")
    page.get_by_label("Password").fill("hedgerow-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/console/summaries$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Response-time summaries")
    expect(page.locator(".headline p").first).to_contain_text("In the 12 months to 15 October 2026")

    # Exact: the overview table's region is labelled "... (the period before, and a year earlier)" too.
    page.get_by_label("Period", exact=True).select_option("2026-Q3")
    page.get_by_label("Area", exact=True).select_option(label="Kent (Kent Police)")
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_url(re.compile(r"period=2026-Q3.*area=\d+"))
    headline = page.locator(".headline p").first
    expect(headline).to_contain_text("In Q3 2026")
    expect(headline).to_contain_text("in Kent")
    expect(page.get_by_role("heading", name=re.compile("^Q3 2026: reports in Kent"))).to_be_visible()
    for chart in ("answer-times", "monthly-trend", "waits-101"):
        expect(page.locator(f"#chart-{chart} svg")).to_be_visible()
    expect(page.locator("#table-answering tbody tr")).to_have_count(2)  # the area, then the total
    page.screenshot(path=str(out / "summary-page.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(out / "summary-page-print.png"), full_page=True)
    page.emulate_media(media="screen")

    with page.expect_download() as csv_download:
        page.locator("#download-csv-all").click()
    csv_path = out / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name == "hedgerow-all-kent-2026-Q3.csv"
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Overview: In Kent, Q3 2026"]
    assert rows[1] == ["Figure", "Q3 2026", "Q2 2026", "Q3 2025"]
    shown_total = page.locator("#overview tbody tr").first.locator("td").first.inner_text()
    assert rows[2][:2] == ["Reports received", shown_total]

    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    pdf_path = out / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.name == "hedgerow-roundtable-kent-2026-Q3.pdf"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(out / "roundtable-page-1"),
        ],
        check=True,
    )
    first_page = Image.open(out / "roundtable-page-1.png")
    assert first_page.width > 600 and first_page.height > first_page.width  # A4, portrait
    assert len(first_page.convert("L").getcolors(256) or []) > 10, "the page has text and charts on it, not a blank"
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rural crime response times, Q3 2026" in text and "Reports in Kent" in text
    assert not problems, problems
