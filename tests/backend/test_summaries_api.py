"""GET /api/v1/stats/response-times and the summary page's downloads against the real backend: who sees which
force's figures, clear errors for bad filters and credentials, and nothing personal for NFU users anywhere."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from backend.services import charts, roundtable_pdf, summary_text
from backend.services.summaries import Selection, build_summary
from backend.services.summary_periods import parse_period
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
    assert every.count("\r\n\r\n") == 1 + 5 * 3 + 3 - 1  # overview, 5 breakdowns of 3 topics, 3 charts
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
