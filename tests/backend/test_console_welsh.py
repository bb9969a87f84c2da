"""The console in Welsh (issue 18), against the real backend: a staff user's choice of Cymraeg is kept and every
page they open says `<html lang="cy">` in Welsh words; without a choice the browser's Accept-Language decides,
and on the login page a `?lang=` link; the switch refuses a forged or unknown choice; the public enrol page and
error pages follow; the NFU summaries, their CSV and the PDF (a Welsh force's in both languages) are in Welsh.

Expected words are read from the Welsh catalogue, so that a Welsh speaker's corrections keep these tests true."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from backend.i18n import catalogue
from backend.services.summaries import summary_text
from tests.backend.console_support import (
    KENT_FAR_FROM_SUSSEX,
    KENT_POLICE,
    ConsoleServer,
    Farmer,
    Staff,
    login,
)
from tests.support import console_login

DYFED_POWYS = "Dyfed-Powys Police"
IN_DYFED_POWYS = (52.2, -4.0)
WELSH_PAGE = '<html lang="cy">'
ENGLISH_PAGE = '<html lang="en-GB">'


def cy(message: str, context: str | None = None) -> str:
    """The Welsh catalogue's words for a console message (never the English source)."""
    words = catalogue("cy").pgettext(context, message) if context else catalogue("cy").gettext(message)
    assert words != message, f"no Welsh for {message!r}"
    return words


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


def choose(staff: Staff, language: str, back: str = "/console") -> httpx.Response:
    return staff.post("/console/language", {"language": language, "back": back})


@pytest.fixture(scope="module")
def cymro(console: ConsoleServer) -> Staff:
    """A Kent supervisor who chose Cymraeg in the console's header."""
    staff = login(console, "swyddog.cymraeg", "supervisor", KENT_POLICE, name="Sarjant Cymraeg")
    assert choose(staff, "cy").status_code == 303
    return staff


@pytest.fixture(scope="module")
def report_id(console: ConsoleServer) -> str:
    return Farmer(console, "Elin Jones", language="cy").report(KENT_FAR_FROM_SUSSEX, description="Giât wedi'i thorri")


def test_choosing_cymraeg_in_the_header_is_kept_for_the_staff_user_and_comes_back_to_the_page(
    console: ConsoleServer,
) -> None:
    staff = login(console, "dewis.iaith", "officer", KENT_POLICE)
    english = staff.get("/console?view=new").text
    assert ENGLISH_PAGE in english
    assert '<button type="submit" lang="cy">Cymraeg</button>' in english

    chosen = choose(staff, "cy", back="/console?view=new")

    assert chosen.status_code == 303 and chosen.headers["location"] == "/console?view=new"
    assert console.scalar("SELECT language FROM users WHERE username = 'dewis.iaith'") == "cy"
    welsh = staff.get("/console?view=new").text
    assert WELSH_PAGE in welsh
    assert f"<h1>{cy('Queue · %(force)s') % {'force': KENT_POLICE}}</h1>" in welsh
    assert '<button type="submit" lang="en-GB">English</button>' in welsh
    # A new session keeps it: the choice is the user's, not the browser's.
    again = login_again(console, "dewis.iaith")
    assert WELSH_PAGE in again.get("/console").text
    assert choose(staff, "en").status_code == 303
    assert ENGLISH_PAGE in staff.get("/console").text


def login_again(console: ConsoleServer, username: str) -> httpx.Client:
    client = console.client()
    assert console_login(client, username, username + "-password-123").status_code == 303
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/map",
        "/console/summaries",
        "/console/admin",
        "/console/admin/users",
        "/console/admin/templates",
        "/console/admin/policy",
        "/console/admin/invite",
        "/console/reports/{report}",
    ],
)
def test_every_page_a_welsh_supervisor_opens_is_in_welsh(cymro: Staff, report_id: str, path: str) -> None:
    page = cymro.get(path.format(report=report_id))
    assert page.status_code == 200, page.text[:300]
    assert WELSH_PAGE in page.text
    # The header's chrome, on every page.
    for words in ("Skip to main content", "Queue", "Response times", "Manage", "Log out"):
        assert escaped(cy(words)) in page.text, words
    for english in (">Skip to main content<", ">Log out<", ">Response times<"):
        assert english not in page.text


def test_the_report_page_in_welsh_says_what_happened_and_which_language_the_farmer_reads(
    cymro: Staff, report_id: str
) -> None:
    page = cymro.get(f"/console/reports/{report_id}").text
    for words in ("What happened", "Response clocks", "Timeline", "Actions", "Send update", "Keep as evidence"):
        assert escaped(cy(words)) in page, words
    reads = cy("The farmer reads %(language)s.") % {"language": '<span lang="cy">Cymraeg</span>'}
    assert escaped(reads).replace("&lt;", "<") in page or reads in page
    # The flag words and dates are Welsh too: a Welsh month or day name, never the English strftime text.
    assert not re.search(
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", page
    )


def test_without_a_choice_the_browsers_accept_language_decides_and_a_choice_beats_it(
    console: ConsoleServer, cymro: Staff
) -> None:
    staff = login(console, "porwr.cymraeg", "officer", KENT_POLICE)
    assert WELSH_PAGE in staff.get("/console", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).text
    assert ENGLISH_PAGE in staff.get("/console", headers={"Accept-Language": "en-GB,cy;q=0.3"}).text
    assert ENGLISH_PAGE in staff.get("/console", headers={"Accept-Language": "fr"}).text
    # The Welsh supervisor's own choice stands whatever the browser says.
    assert WELSH_PAGE in cymro.get("/console", headers={"Accept-Language": "en-GB"}).text


def test_the_login_page_follows_accept_language_and_a_lang_link_which_it_keeps(console: ConsoleServer) -> None:
    browser = console.client()
    welsh = browser.get("/console/login", headers={"Accept-Language": "cy"})
    assert WELSH_PAGE in welsh.text and f"<h1>{cy('Log in')}</h1>" in welsh.text
    assert ENGLISH_PAGE in browser.get("/console/login").text

    chosen = browser.get("/console/login", params={"lang": "cy", "next": "/console/map"})
    assert WELSH_PAGE in chosen.text
    assert "hedgerow_lang=cy" in chosen.headers["set-cookie"]
    assert '<input type="hidden" name="next" value="/console/map">' in chosen.text
    # The cookie keeps the visitor's choice, for the form's answer too.
    assert WELSH_PAGE in browser.get("/console/login").text
    wrong = console_login(browser, "nobody-here", "not-the-password")
    assert wrong.status_code == 401
    assert escaped(cy("Wrong username or password.")) in wrong.text
    english = browser.get("/console/login", params={"lang": "en"})
    assert ENGLISH_PAGE in english.text and 'href="/console/login?lang=cy"' in english.text


def test_the_language_switch_refuses_a_forged_form_an_unknown_language_and_leaves_only_into_the_console(
    console: ConsoleServer,
) -> None:
    staff = login(console, "switch.checks", "officer", KENT_POLICE)
    forged = staff.post("/console/language", {"language": "cy"}, csrf=False)
    assert forged.status_code == 403
    unknown = staff.post("/console/language", {"language": "fr"})
    assert unknown.status_code == 422 and "language must be one of en, cy" in unknown.text
    missing = staff.post("/console/language", {})
    assert missing.status_code == 422
    assert console.scalar("SELECT language FROM users WHERE username = 'switch.checks'") is None
    away = staff.post("/console/language", {"language": "cy", "back": "https://evil.example/console"})
    assert away.status_code == 303 and away.headers["location"] == "/console"
    anonymous = console.client().post("/console/language", data={"language": "cy"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/console/login")


def test_error_pages_and_messages_are_in_the_readers_language(cymro: Staff) -> None:
    missing = cymro.get("/console/reports/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert WELSH_PAGE in missing.text
    assert f"<h1>{escaped(cy('Not found'))}</h1>" in missing.text
    assert escaped(cy("no such report")) in missing.text
    bad = cymro.get("/console", params={"status": "sideways"})
    assert bad.status_code == 422 and WELSH_PAGE in bad.text


def test_the_enrol_page_a_farmer_opens_follows_their_browser_and_names_a_welsh_force_in_welsh(
    console: ConsoleServer,
) -> None:
    farmer = console.client()
    params = {"server": console.url, "force": DYFED_POWYS}
    welsh = farmer.get("/enrol", params=params, headers={"Accept-Language": "cy"})
    assert welsh.status_code == 200 and WELSH_PAGE in welsh.text
    force = cy("Dyfed-Powys Police", "farmer")
    assert f"<h1>{cy('Join Hedgerow · %(force)s', 'farmer') % {'force': force}}</h1>" in welsh.text
    assert escaped(cy("Open in the Hedgerow app", "farmer")) in welsh.text
    # A link to the other language keeps the invitation's own parameters.
    assert f'href="/enrol?server={quote(console.url, safe="")}&amp;force=Dyfed-Powys+Police&amp;lang=en"' in welsh.text
    english = farmer.get("/enrol", params={**params, "lang": "en"}, headers={"Accept-Language": "cy"})
    assert ENGLISH_PAGE in english.text and "<h1>Join Hedgerow · Dyfed-Powys Police</h1>" in english.text


# -- The NFU summaries ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nfu_cy(console: ConsoleServer) -> Staff:
    """An NFU representative who reads the summaries in Welsh, with reports in Kent and in Dyfed-Powys."""
    farmer = Farmer(console, language="cy")
    for where in (KENT_FAR_FROM_SUSSEX, IN_DYFED_POWYS, IN_DYFED_POWYS):
        farmer.report(where)
    staff = login(console, "nfu.cymraeg", "nfu")
    assert choose(staff, "cy", back="/console/summaries").status_code == 303
    return staff


def test_the_summaries_page_and_its_csv_are_in_welsh_for_a_welsh_reader(nfu_cy: Staff) -> None:
    page = nfu_cy.get("/console/summaries", params={"period": "12m"})
    assert page.status_code == 200 and WELSH_PAGE in page.text
    for words in ("Response-time summaries", "Overview", "Charts", "Targets used", "How the figures are worked out"):
        assert escaped(cy(words)) in page.text, words
    assert escaped(cy(summary_text.METHOD[0])) in page.text
    csv = nfu_cy.get("/console/summaries.csv", params={"period": "12m", "table": "overview"})
    assert csv.status_code == 200
    assert csv.text.lstrip("\ufeff").startswith(f'"{cy("Overview")}: ')


def pdf_text(response: httpx.Response, tmp_path: Path) -> str:
    assert response.status_code == 200 and response.content.startswith(b"%PDF-"), response.text[:300]
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_a_welsh_forces_roundtable_pdf_is_in_welsh_and_then_in_english(nfu_cy: Staff, tmp_path: Path) -> None:
    text = pdf_text(nfu_cy.get("/console/summaries.pdf", params={"period": "12m", "force": DYFED_POWYS}), tmp_path)
    welsh_title, english_title = cy("Rural crime response times, %(period)s"), "Rural crime response times, "
    assert welsh_title.split(",")[0] in text and english_title in text
    assert text.index(welsh_title.split(",")[0]) < text.index(english_title)
    assert cy("How the figures are worked out") in text and "How the figures are worked out" in text


def test_another_forces_pdf_is_in_the_readers_language_unless_both_are_asked_for(nfu_cy: Staff, tmp_path: Path) -> None:
    one = pdf_text(nfu_cy.get("/console/summaries.pdf", params={"period": "12m", "force": KENT_POLICE}), tmp_path)
    assert cy("Targets used") in one and "Targets used" not in one
    both = nfu_cy.get("/console/summaries.pdf", params={"period": "12m", "force": KENT_POLICE, "languages": "cy,en"})
    text = pdf_text(both, tmp_path)
    assert cy("Targets used") in text and "Targets used" in text
    refused = nfu_cy.get("/console/summaries.pdf", params={"period": "12m", "languages": "fr"})
    assert refused.status_code == 422 and WELSH_PAGE in refused.text
