"""GET /api/v1/stats/response-times and the summary page's downloads against the real backend: who sees which
force's figures, clear errors for bad filters and credentials, and nothing personal for NFU users anywhere."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from backend.services.summaries import charts, roundtable_pdf, summary_text
from backend.services.summaries.figures import Selection, build_summary
from backend.services.summaries.summary_periods import parse_period
from tests.backend.clocks_support import ClockDb
from tests.backend.summaries_support import (
    NOW,
    Planned,
    add_staff,
    api_headers,
    console_client,
    figures,
    in_period,
    make_plan,
    serve,
    write_plan,
)
from tests.backend.test_summaries_suppression import PageTables, csv_tables
from tests.support import LiveServer, register

STATS = "/api/v1/stats/response-times"
KENT, HAMPSHIRE, SCOTLAND = "Kent Police", "Hampshire and Isle of Wight Constabulary", "Police Scotland"


@dataclass
class World:
    server: LiveServer
    plan: list[Planned]
    client: httpx.Client
    nfu: dict[str, str]
    kent_officer: dict[str, str]
    kent_supervisor: dict[str, str]
    admin: dict[str, str]
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    plan = make_plan()
    server = serve(tmp_path_factory.mktemp("stats"), plan)
    passwords = {
        "nfu-rep": add_staff(server, "nfu-rep", "nfu"),
        "kent-officer": add_staff(server, "kent-officer", "officer", KENT),
        "kent-supervisor": add_staff(server, "kent-supervisor", "supervisor", KENT),
        "the-admin": add_staff(server, "the-admin", "admin"),
    }
    client = httpx.Client(base_url=server.url, timeout=60)
    yield World(
        server,
        plan,
        client,
        api_headers(client, "nfu-rep", passwords["nfu-rep"]),
        api_headers(client, "kent-officer", passwords["kent-officer"]),
        api_headers(client, "kent-supervisor", passwords["kent-supervisor"]),
        api_headers(client, "the-admin", passwords["the-admin"]),
        passwords,
    )
    client.close()
    server.stop()


def received(body: dict) -> int:
    return body["overview"]["received"]["this"]["value"]


def q3(plan: list[Planned], force: str | None = None) -> list[Planned]:
    return [p for p in plan if in_period(p, date(2026, 7, 1), date(2026, 9, 30)) and force in (None, p.force)]


def test_an_nfu_token_gets_the_figures_of_every_force(world: World) -> None:
    r = world.client.get(STATS, params={"period": "2026-Q3"}, headers=world.nfu)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [row["label"] for row in body["tables"]["force"]] == [HAMPSHIRE, KENT, SCOTLAND]
    assert received(body) == len(q3(world.plan))
    assert body["selection"]["force"] is None
    kent = world.client.get(STATS, params={"period": "2026-Q3", "force": KENT}, headers=world.nfu).json()
    assert received(kent) == len(q3(world.plan, KENT))
    expected = figures(q3(world.plan, KENT))["answered_within_target"].value
    assert kent["overview"]["answered_within_target"]["this"] == {
        "status": "shown",
        "value": expected,
        "text": f"{expected}%",
    }
    only_months = world.client.get(STATS, params={"period": "2026-Q3", "by": "month"}, headers=world.nfu).json()
    assert list(only_months["tables"]) == ["month"]


@pytest.mark.parametrize("who", ["kent_officer", "kent_supervisor"])
def test_police_staff_get_their_own_forces_figures_and_no_other(world: World, who: str) -> None:
    headers = getattr(world, who)
    own = world.client.get(STATS, params={"period": "2026-Q3"}, headers=headers)
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["selection"]["force"] == KENT
    assert [row["label"] for row in body["tables"]["force"]] == [KENT]
    assert {row["label"] for row in body["tables"]["area"]} == {"Kent", "Maidstone rural patch"}
    assert received(body) == len(q3(world.plan, KENT))
    other = world.client.get(STATS, params={"period": "2026-Q3", "force": HAMPSHIRE}, headers=headers)
    assert other.status_code == 403
    assert other.json()["message"] == f"you see the summaries of {KENT} only"
    nfu_view = world.client.get(STATS, params={"period": "2026-Q3", "by": "area"}, headers=world.nfu).json()
    hampshire_area = next(int(r["key"]) for r in nfu_view["tables"]["area"] if r["label"] == "Hampshire")
    refused = world.client.get(STATS, params={"period": "2026-Q3", "area": hampshire_area}, headers=headers)
    assert refused.status_code == 403 and "Hampshire" not in refused.text


def test_an_admin_sees_every_force(world: World) -> None:
    body = world.client.get(STATS, params={"period": "2026-Q3", "force": SCOTLAND}, headers=world.admin).json()
    assert body["selection"]["force"] == SCOTLAND and received(body) == len(q3(world.plan, SCOTLAND))


def test_the_summary_page_is_scoped_the_same_way_in_the_console(world: World) -> None:
    officer = console_client(world.server, "kent-officer", world.passwords["kent-officer"])
    page = officer.get("/console/summaries", params={"period": "2026-Q3"})
    assert page.status_code == 200
    assert 'id="s-force"' not in page.text, "no choice of force for a force's own staff"
    assert "reports to Kent Police" in page.text and "Scottish Borders" not in page.text
    refused = officer.get("/console/summaries", params={"period": "2026-Q3", "force": SCOTLAND})
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    officer.close()
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    landing = nfu.get("/console/nfu")
    assert landing.status_code == 303 and landing.headers["location"] == "/console/summaries"
    nfu.close()


def test_stats_refuse_missing_wrong_or_farmers_credentials(world: World) -> None:
    farmer = register(world.client, "A farmer")
    attempts = {
        "none": {},
        "farmer": farmer,
        "unknown staff token": {"Authorization": "Bearer hs_not-a-real-token"},
        "bearer with no token": {"Authorization": "Bearer"},
        "basic": {"Authorization": "Basic bnVmOnB3"},
    }
    for name, headers in attempts.items():
        r = world.client.get(STATS, params={"period": "2026-Q3"}, headers=headers)
        assert r.status_code == 401, name
        assert r.json()["message"] and "overview" not in r.json(), name
    assert world.client.post(STATS, headers=world.nfu).status_code == 405


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"period": "2026-13"}, "no month 13"),
        ({"period": "soon"}, "period must be a month"),
        ({"period": "custom"}, "needs both a first and a last day"),
        ({"period": "custom", "from": "2026-09-01", "to": "2026-08-01"}, "before its first day"),
        ({"period": "custom", "from": "2020-01-01", "to": "2026-01-01"}, "at most three years"),
        ({"period": "custom", "from": "2026-02-30", "to": "2026-03-01"}, "must be a date"),
        ({"period": "2027-Q1"}, "between 2000 and today"),
        ({"period": "x" * 21}, "at most 20 characters"),
        ({"area": "abc"}, "valid integer"),
        ({"area": "0"}, "greater than or equal to 1"),
        ({"category": "cows"}, "no category 'cows'"),
        ({"category_group": "Theft", "category": "fly_tipping"}, "not in the chosen group"),
        ({"category_group": "Burglary"}, "category_group must be one of"),
        ({"force": "Atlantis Constabulary"}, "no areas of a force called"),
        ({"by": "colour"}, "Input should be"),
    ],
)
def test_bad_filters_get_a_clear_error(world: World, params: dict[str, str], words: str) -> None:
    r = world.client.get(STATS, params=params, headers=world.nfu)
    assert r.status_code == 422, (params, r.text)
    assert words in r.json()["message"], r.json()["message"]


def test_the_console_answers_bad_filters_with_an_html_error_page(world: World) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    for path, params in (
        ("/console/summaries", {"period": "2026-13"}),
        ("/console/summaries", {"area": "abc"}),
        ("/console/summaries.csv", {"table": "everything"}),
        ("/console/summaries.pdf", {"by": "colour"}),
    ):
        r = nfu.get(path, params=params)
        assert r.status_code == 422, (path, params)
        assert "text/html" in r.headers["content-type"] and "Check the form" in r.text
    assert nfu.get("/console/summaries", params={"q": "x" * 5000}).status_code == 200  # unknown fields are ignored
    nfu.close()
    anonymous = httpx.Client(base_url=world.server.url, timeout=30)
    for path in ("/console/summaries", "/console/summaries.csv", "/console/summaries.pdf"):
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/console/login"), path
    anonymous.close()


PERSONAL_KEYS = {"lat", "lon", "description", "reporter", "phone", "name", "device_id", "report_id", "id"}
PERSONAL_KEYS |= {"grid_ref", "place_name", "what3words", "photos", "people", "vehicles", "email", "farm_name"}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _assert_nothing_personal(text: str, plan: list[Planned], what: str) -> None:
    for p in plan:
        assert p.id not in text and p.id[:8] not in text, f"{what} names report {p.id}"
    for words in ("Dumped in the gateway", "07700 900123", "KP-1", "51.25", "SU 1"):
        assert words not in text, f"{what} holds {words!r}"


def test_nfu_users_get_nothing_personal_from_any_endpoint(world: World, tmp_path: Path) -> None:
    rid = world.plan[0].id
    api = [
        ("GET", f"/api/v1/reports/{rid}", 404),
        ("GET", "/api/v1/reports", 401),
        ("GET", f"/api/v1/reports/{rid}/clocks", 404),
        ("POST", f"/api/v1/reports/{rid}/events", 403),
        ("GET", "/api/v1/admin/unrouted", 403),
        ("GET", f"/open311/v2/requests.json?api_key={world.nfu['Authorization'][7:]}", 403),
        ("GET", "/open311/v2/requests.json", 403),
        ("GET", f"/open311/v2/requests/{rid}.json", 403),
    ]
    for method, path, status in api:
        r = world.client.request(
            method, path, headers=world.nfu, json={"kind": "note", "text": "x"} if method == "POST" else None
        )
        assert r.status_code == status, (path, r.status_code, r.text[:200])
        _assert_nothing_personal(r.text, world.plan, path)
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    for path in ("/console", "/console/map", f"/console/reports/{rid}", "/console/admin", "/console/admin/access-log"):
        r = nfu.get(path)
        assert r.status_code == 403, (path, r.status_code)
        _assert_nothing_personal(r.text, world.plan, path)
    # What an NFU user is given: aggregates, with no personal field anywhere.
    body = world.client.get(STATS, params={"period": "2026-Q3"}, headers=world.nfu)
    assert not (_keys(body.json()) & PERSONAL_KEYS), _keys(body.json()) & PERSONAL_KEYS
    _assert_nothing_personal(body.text, world.plan, "stats")
    for path in ("/console/summaries", "/console/summaries.csv"):
        r = nfu.get(path, params={"period": "2026-Q3"})
        assert r.status_code == 200
        _assert_nothing_personal(r.text, world.plan, path)
    pdf = nfu.get("/console/summaries.pdf", params={"period": "2026-Q3"})
    assert pdf.status_code == 200
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True)
    _assert_nothing_personal(text.stdout, world.plan, "pdf")
    nfu.close()


def test_the_pdf_holds_the_headline_charts_tables_targets_and_method(world: World, tmp_path: Path) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    params = {"period": "2026-Q3", "force": KENT, "by": "area"}
    pdf = nfu.get("/console/summaries.pdf", params=params)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="hedgerow-roundtable-kent-police-2026-Q3.pdf"'
    assert pdf.content.startswith(b"%PDF-")
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    headline = world.client.get(STATS, params={k: v for k, v in params.items() if k != "by"}, headers=world.nfu).json()[
        "headline"
    ]
    assert headline[0] in flat
    for words in (
        "Rural crime response times, Q3 2026",
        "Reports to Kent Police",
        "Time to answer, Q3 2026",
        "Answered within target, by month",
        "Longest 101 wait per report, Q3 2026",
        "Answering by area, Q3 2026",
        "101 calls by area, Q3 2026",
        "Targets used",
        "Answered by the rural crime team: 1 working day",
        "How the figures are worked out",
        "Maidstone rural patch",
    ):
        assert words in flat, words
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) >= 4
    nfu.close()


def test_every_table_downloads_as_csv(world: World) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    titles = {
        "overview": "Overview: Across all forces, Q3 2026",
        "answering": "Answering by category: Across all forces, Q3 2026",
        "follow_up": "References, visits and the Victims' Code by category: Across all forces, Q3 2026",
        "calls": "101 calls by category: Across all forces, Q3 2026",
        "answer_times": "Time to answer: Across all forces, Q3 2026",
        "monthly_trend": "Monthly trend: Across all forces, Q3 2026",
        "waits_101": "101 waits: Across all forces, Q3 2026",
    }
    for table, title in titles.items():
        r = nfu.get("/console/summaries.csv", params={"period": "2026-Q3", "table": table, "by": "category"})
        assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
        assert r.headers["content-disposition"].startswith(
            f'attachment; filename="hedgerow-{table.replace("_", "-")}-all-forces-2026-Q3'
        )
        assert r.text.lstrip("\ufeff").splitlines()[0].strip('"') == title
    every = nfu.get("/console/summaries.csv", params={"period": "2026-Q3"}).text
    # Overview, 5 breakdowns of 3 topics, 3 charts, and the periods compared.
    assert every.count("\r\n\r\n") == 1 + 5 * 3 + 3 + 1 - 1
    nfu.close()


def test_a_spreadsheet_never_runs_a_cell_as_a_formula() -> None:
    text = summary_text.csv_text([("A table", [["Area", "Reports"], ['=HYPERLINK("x")', "5"], ["-2+3", "–"]])])
    lines = text.splitlines()
    assert lines[2] == '"\'=HYPERLINK(""x"")",5' and lines[3] == "'-2+3,–"


def test_the_pdf_falls_back_to_a_built_in_font_on_a_machine_without_one(tmp_path: Path) -> None:
    cdb = ClockDb(tmp_path / "hedgerow.db")
    plan = make_plan()[:40]
    write_plan(cdb, plan)
    summary = build_summary(cdb.db, None, Selection(), parse_period("12m", NOW.date()), NOW)
    text = roundtable_pdf.ReportText(summary_text.headline(summary, None), summary_text.targets_used(cdb.db, summary))
    body = roundtable_pdf.roundtable_pdf(summary, text, charts.summary_charts(summary), "month", fonts=())
    (tmp_path / "r.pdf").write_bytes(body)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Helvetica" in fonts and "DejaVu" not in fonts
    out = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Rural crime response times, the 12 months to 15 October 2026" in out
    assert "–" not in out  # folded to a hyphen, which Helvetica has
    cdb.close()


# -- When the period before is also a year earlier -----------------------------------------------------------------

ROLLING_THIS = "the 12 months to 15 October 2026"
ROLLING_BEFORE = "the 12 months to 15 October 2025"
ROLLING_SENTENCE = (
    "The figures for the 12 months to 15 October 2026 (16 October 2025 to 15 October 2026) are compared with the "
    "12 months to 15 October 2025 (16 October 2024 to 15 October 2025), which is both the period before and the "
    "same period a year earlier."
)
Q3_SENTENCE = (
    "The figures for Q3 2026 (1 July 2026 to 30 September 2026) are compared with the period before, Q2 2026 "
    "(1 April 2026 to 30 June 2026), and with the same period a year earlier, Q3 2025 (1 July 2025 to 30 September "
    "2025)."
)


def _page_tables(client: httpx.Client, params: dict[str, str]) -> tuple[str, dict[str, list[list[str]]]]:
    page = client.get("/console/summaries", params=params)
    assert page.status_code == 200, page.text[:300]
    parser = PageTables()
    parser.feed(page.text)
    return " ".join(page.text.split()), parser.tables


def _pdf_text(client: httpx.Client, params: dict[str, str], path: Path) -> tuple[str, list[str]]:
    """The PDF's words in one line, and the overview's first row split into its cells (the layout keeps columns
    apart by two spaces or more)."""
    pdf = client.get("/console/summaries.pdf", params=params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    first_row = next(line.strip() for line in text.splitlines() if line.strip().startswith("Reports received"))
    return " ".join(text.split()), re.split(r"\s{2,}", first_row)


def _headers_are_distinct(tables: dict[str, list[list[str]]]) -> None:
    for title, lines in tables.items():
        header = lines[0]
        assert len(header) == len(set(header)), (title, header)


@pytest.mark.parametrize(
    ("params", "sentence", "columns"),
    [
        ({}, ROLLING_SENTENCE, ["Figure", ROLLING_THIS, ROLLING_BEFORE]),
        # Chosen dates that make a year: as many days just before are the same dates a year earlier.
        (
            {"period": "custom", "from": "2025-10-16", "to": "2026-10-15"},
            "The figures for 16 October 2025 to 15 October 2026 are compared with 16 October 2024 to 15 October "
            "2025, which is both the period before and the same period a year earlier.",
            ["Figure", "16 October 2025 to 15 October 2026", "16 October 2024 to 15 October 2025"],
        ),
        ({"period": "2026-Q3"}, Q3_SENTENCE, ["Figure", "Q3 2026", "Q2 2026", "Q3 2025"]),
    ],
)
def test_the_page_shows_each_compared_period_once_and_says_which_with_dates(
    world: World, params: dict[str, str], sentence: str, columns: list[str]
) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    text, tables = _page_tables(nfu, params)
    assert f'<p class="muted" id="periods-compared">{sentence}</p>' in text
    assert tables["overview"][0] == columns
    _headers_are_distinct(tables)
    one = len(columns) == 3
    assert ("(the period before, and a year earlier)" in text) == one
    # The headline compares with the period before once; a second sentence only for a different year earlier.
    headline = world.client.get(STATS, params=params, headers=world.nfu).json()["headline"]
    assert any(s.startswith("A year earlier,") for s in headline) == (not one)
    for s in headline:
        assert s in text
    nfu.close()


def test_the_csv_shows_each_compared_period_once_and_lists_their_dates(world: World) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    rolling = csv_tables(nfu.get("/console/summaries.csv").text)
    overview = next(v for k, v in rolling.items() if k.startswith("Overview"))
    assert overview[0] == ["Figure", ROLLING_THIS, ROLLING_BEFORE]
    assert all(len(line) == 3 for line in overview)
    _headers_are_distinct(rolling)
    answering = next(v for k, v in rolling.items() if k.startswith("Answering by area"))
    assert [h for h in answering[0] if h.startswith("Reports received")] == [
        f"Reports received, {ROLLING_THIS}",
        f"Reports received, {ROLLING_BEFORE}",
    ]
    assert rolling["Periods compared"] == [
        ["Period", "First day", "Last day", "Compared as"],
        [ROLLING_THIS, "2025-10-16", "2026-10-15", "the period of the figures"],
        [ROLLING_BEFORE, "2024-10-16", "2025-10-15", "the period before, which is also the same period a year earlier"],
    ]
    quarter = csv_tables(nfu.get("/console/summaries.csv", params={"period": "2026-Q3", "table": "overview"}).text)
    assert list(quarter) == ["Overview: Across all forces, Q3 2026", "Periods compared"]
    assert quarter["Overview: Across all forces, Q3 2026"][0] == ["Figure", "Q3 2026", "Q2 2026", "Q3 2025"]
    assert quarter["Periods compared"][1:] == [
        ["Q3 2026", "2026-07-01", "2026-09-30", "the period of the figures"],
        ["Q2 2026", "2026-04-01", "2026-06-30", "the period before"],
        ["Q3 2025", "2025-07-01", "2025-09-30", "the same period a year earlier"],
    ]
    nfu.close()


def test_the_pdf_shows_each_compared_period_once_and_says_which_with_dates(world: World, tmp_path: Path) -> None:
    nfu = console_client(world.server, "nfu-rep", world.passwords["nfu-rep"])
    api = world.client.get(STATS, headers=world.nfu).json()["overview"]["received"]
    rolling, row = _pdf_text(nfu, {"by": "force"}, tmp_path / "rolling.pdf")
    assert ROLLING_SENTENCE in rolling
    assert "A year earlier, in the 12 months to" not in rolling
    # The overview: this period's figure, then the one period it is compared with.
    assert row == ["Reports received", api["this"]["text"], api["last_year"]["text"]]
    quarter, row = _pdf_text(nfu, {"period": "2026-Q3", "by": "force"}, tmp_path / "q3.pdf")
    assert Q3_SENTENCE in quarter
    api = world.client.get(STATS, params={"period": "2026-Q3"}, headers=world.nfu).json()["overview"]["received"]
    assert row == ["Reports received", *(api[p]["text"] for p in ("this", "previous", "last_year"))]
    nfu.close()
