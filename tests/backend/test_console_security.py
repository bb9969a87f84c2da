"""The console's locks, against the real backend: no session, the wrong role, the wrong force, a forged form,
and stored HTML in every field a page shows."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from backend.console import router as console_router
from tests.backend.console_support import (
    HAMPSHIRE_POLICE,
    KENT_FAR_FROM_SUSSEX,
    KENT_NEAR_SUSSEX,
    KENT_POLICE,
    SUSSEX_POLICE,
    ConsoleServer,
    Farmer,
    console_server,
    event_kinds,
    login,
    start_console_server,
)
from tests.backend.intake import uploader
from tests.support import jpeg_bytes, photo_decl

PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}
# The NFU's own pages (aggregate summaries, never a report) and logging out are theirs; the rest is the police's.
NFU_PAGES = ("/console/nfu", "/console/summaries", "/console/logout")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    yield from console_server(tmp_path_factory)


@pytest.fixture(scope="module")
def kent_report(console: ConsoleServer) -> str:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, description="Quad taken from the yard")
    return report_id


def _walk(router: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, prefix + route.path
        else:  # an included router (FastAPI wraps each one)
            inner = getattr(route, "original_router", None)
            assert inner is not None, f"unexpected route type {type(route)}"
            yield from _walk(inner, prefix + route.include_context.prefix)


def console_routes() -> list[tuple[str, str]]:
    """Every console route as (method, path), from the router itself, so a new page is covered the day it lands."""
    return sorted(set(_walk(console_router)))


def concrete(path: str, report_id: str, user_id: int) -> str:
    return (
        path.replace("{report_id}", report_id)
        .replace("{photo_id}", str(uuid.uuid4()))
        .replace("{variant}", "thumb")
        .replace("{user_id}", str(user_id))
        .replace("{template_id}", "1")
    )


def test_the_route_list_covers_the_console_pages() -> None:
    paths = {path for _, path in console_routes()}
    for expected in (
        "/console",
        "/console/reports/{report_id}",
        "/console/map",
        "/console/bulk",
        "/console/admin/users",
    ):
        assert expected in paths


def test_every_console_route_without_a_session_redirects_to_login(console: ConsoleServer, kent_report: str) -> None:
    with httpx.Client(base_url=console.url, follow_redirects=False) as anonymous:
        for method, path in console_routes():
            if (method, path) in PUBLIC:
                continue
            url = concrete(path, kent_report, 1)
            r = anonymous.request(method, url, data={"csrf_token": "x", "kind": "note", "text": "t"})
            assert r.status_code == 303, f"{method} {url}: {r.status_code}"
            assert r.headers["location"].startswith("/console/login?next=/console"), f"{method} {url}"
    assert "note" not in event_kinds(console, kent_report)


def test_an_nfu_user_gets_403_everywhere_in_the_console(console: ConsoleServer, kent_report: str) -> None:
    nfu = login(console, "nfu.rep", "nfu")
    assert nfu.get("/console/nfu").status_code in (200, 303)
    for method, path in console_routes():
        if (method, path) in PUBLIC or path.startswith(NFU_PAGES):
            continue
        url = concrete(path, kent_report, 1)
        r = nfu.client.request(method, url, data={"csrf_token": nfu.csrf, "kind": "note", "text": "nfu note"})
        assert r.status_code == 403, f"{method} {url}: {r.status_code}"
        assert "Quad taken" not in r.text
    assert "note" not in event_kinds(console, kent_report)
    # NFU users who log in are sent to their summaries, not the queue.
    with httpx.Client(base_url=console.url, follow_redirects=False) as fresh:
        r = fresh.post("/console/login", data={"username": "nfu.rep", "password": "nfu.rep-password-123"})
        assert r.headers["location"].startswith(NFU_PAGES[:2])


def test_every_console_form_without_a_valid_csrf_token_is_refused(console: ConsoleServer, kent_report: str) -> None:
    admin = login(console, "csrf.admin", "admin")
    officer_id = console.scalar("SELECT id FROM users WHERE username = 'csrf.admin'")
    events_before = console.scalar("SELECT count(*) FROM events")
    posts = [(m, p) for m, p in console_routes() if m == "POST" and (m, p) not in PUBLIC]
    assert len(posts) >= 8
    for _, path in posts:
        url = concrete(path, kent_report, officer_id)
        form = {"kind": "acknowledged", "action": "acknowledge", "report_ids": kent_report, "clock": "answered"}
        form |= {"title": "T", "body": "B", "username": "newbie", "password": "long-enough-pw", "role": "officer"}
        for token in (None, "forged-" + admin.csrf[7:], ""):
            data = {**form, **({"csrf_token": token} if token is not None else {})}
            r = admin.client.post(url, data=data)
            assert r.status_code == 403, f"POST {url} with token {token!r}: {r.status_code}"
            assert "did not come from Hedgerow" in r.text
    assert console.scalar("SELECT count(*) FROM events") == events_before
    assert console.scalar("SELECT count(*) FROM users WHERE username = 'newbie'") == 0
    assert console.scalar("SELECT count(*) FROM update_templates") == 0
    assert admin.get("/console").status_code == 200  # the refused logout did not end the session


def test_an_officer_gets_404_for_another_forces_report_far_from_their_border(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    far = farmer.report(KENT_FAR_FROM_SUSSEX, description="Far from Sussex")
    for username, force in (("sussex.far", SUSSEX_POLICE), ("hampshire.far", HAMPSHIRE_POLICE)):
        officer = login(console, username, "officer", force)
        for r in (
            officer.get(f"/console/reports/{far}"),
            officer.act(far, "acknowledged"),
            officer.get(f"/console/reports/{far}/photos/{uuid.uuid4()}/thumb"),
        ):
            assert r.status_code == 404
            assert "Far from Sussex" not in r.text
        queue = officer.get("/console", params={"scope": "border"}).text
        assert far not in queue
        assert far not in officer.get("/console", params={"q": "Far from Sussex"}).text
    assert event_kinds(console, far) == ["received"]


def test_a_report_near_the_border_is_read_only_for_the_neighbouring_force(console: ConsoleServer) -> None:
    farmer = Farmer(console, "Near-border farmer")
    photo = jpeg_bytes(800, 600)
    decl = photo_decl(photo)
    exact = (51.1034, 0.1027)  # in Kent, about 5 km east of Sussex
    near = farmer.report(exact, description="Hare coursers crossing the county line", photos=[decl])
    uploader(console.url, farmer.headers, photo, near, decl).upload()
    distance = console.scalar(
        "SELECT distance_m FROM report_nearby_forces WHERE report_id = ? AND force = ?", near, SUSSEX_POLICE
    )
    assert 3000 < distance < 6000

    sussex = login(console, "sussex.near", "officer", SUSSEX_POLICE)
    page = sussex.get(f"/console/reports/{near}")
    assert page.status_code == 200
    assert "Cross-border report, read only" in page.text
    assert "Hare coursers crossing the county line" in page.text
    assert "Near-border farmer" not in page.text and "07700 900123" not in page.text  # the owning force's to call
    assert 'action="/console/reports/' not in page.text  # no action forms
    # The farm's exact point is for Kent's officers; Sussex sees the square kilometre.
    assert "51.1034" not in page.text and "0.1027" not in page.text and "51.10, 0.10" in page.text
    assert re.search(r"grid square TQ \d\d \d\d ", page.text)
    border_map = sussex.get("/console/map", params={"scope": "border"}).text
    assert near in border_map and "51.1034" not in border_map
    assert sussex.get(f"/console/reports/{near}/photos/{decl['photo_id']}/thumb").status_code == 200
    assert sussex.get(f"/console/reports/{near}/photos/{decl['photo_id']}/original").status_code == 403
    for kind, fields in (("acknowledged", {}), ("note", {"text": "ours now"}), ("reference_added", {"reference": "X"})):
        assert sussex.act(near, kind, **fields).status_code == 403
    assert sussex.post("/console/bulk", {"action": "acknowledge", "report_ids": near}).status_code == 303
    assert [k for k in event_kinds(console, near) if k not in ("received", "photo_received")] == []
    border_queue = sussex.get("/console", params={"scope": "border"}).text
    assert near in border_queue and "Cross-border: Kent Police" in border_queue
    assert near not in sussex.get("/console").text  # not in their own force's queue
    reads = console.query(
        "SELECT via FROM staff_reads s JOIN users u ON u.id = s.user_id WHERE u.username = ?", "sussex.near"
    )
    assert "console-border" in [r["via"] for r in reads]

    kent = login(console, "kent.near", "officer", KENT_POLICE)
    own = kent.get(f"/console/reports/{near}").text
    assert "Near-border farmer" in own and "read only" not in own and "51.10340, 0.10270" in own
    assert kent.get(f"/console/reports/{near}/photos/{decl['photo_id']}/original").status_code == 200


def test_the_cross_border_distance_is_configurable(tmp_path: Path) -> None:
    server = start_console_server(tmp_path, HEDGEROW_BORDER_KM="3")
    try:
        farmer = Farmer(server)
        near = farmer.report(KENT_NEAR_SUSSEX)
        sussex = login(server, "sussex.close", "officer", SUSSEX_POLICE)
        assert sussex.get(f"/console/reports/{near}").status_code == 404  # about 5 km away, over 3 km
    finally:
        server.close()


SCRIPT = "<script>document.title='pwned'</script>"
IMG = '<img src=x onerror="document.title=1">'


def _assert_inert(page: str) -> None:
    assert SCRIPT not in page and IMG not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;" in page


def test_stored_html_in_any_field_is_shown_as_text(console: ConsoleServer) -> None:
    farmer = Farmer(console, name=SCRIPT)
    report_id = farmer.report(
        KENT_FAR_FROM_SUSSEX,
        category="theft_quad",
        description=SCRIPT + " quad gone",
        location={"lat": 51.25, "lon": 1.2, "source": "gps", "place_name": IMG, "what3words": SCRIPT},
        vehicles=[{"registration": "XSS 123", "make": "<b>bold</b>", "model": SCRIPT, "colour": IMG}],
        people={"count": 2, "description": SCRIPT},
        details={"make": SCRIPT, "items": IMG},
    )
    supervisor = login(console, "xss.supervisor", "supervisor", KENT_POLICE, name=IMG)
    assert supervisor.post("/console/admin/templates", {"title": SCRIPT, "body": IMG + " {officer}"}).status_code == 303
    assert supervisor.act(report_id, "note", text=SCRIPT).status_code == 303
    assert supervisor.act(report_id, "update_sent", text=IMG).status_code == 303
    pages = {
        "report": supervisor.get(f"/console/reports/{report_id}").text,
        "queue": supervisor.get("/console", params={"q": "quad"}).text,
        "map": supervisor.get("/console/map", params={"q": "quad"}).text,
        "templates": supervisor.get("/console/admin/templates").text,
        "users": supervisor.get("/console/admin/users").text,
    }
    for name, page in pages.items():
        assert SCRIPT not in page and IMG not in page and "<b>bold</b>" not in page, name
    _assert_inert(pages["report"])
    assert "&lt;b&gt;bold&lt;/b&gt;" in pages["report"]
    assert "&lt;img src=x" in pages["queue"]
    # The map's data sits in a JSON block that cannot close its script element.
    markers = re.search(r'<script type="application/json" id="map-markers">(.*?)</script>', pages["map"], re.S)
    assert markers and report_id in markers.group(1) and "<" not in markers.group(1)
    # A search echoed back into the page is text too.
    echoed = supervisor.get("/console", params={"q": SCRIPT}).text
    assert SCRIPT not in echoed and "&lt;script&gt;" in echoed


def test_console_pages_send_a_content_security_policy(console: ConsoleServer, kent_report: str) -> None:
    officer = login(console, "csp.officer", "officer", KENT_POLICE)
    for path in ("/console", f"/console/reports/{kent_report}", "/console/map"):
        r = officer.get(path)
        policy = r.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "127.0.0.1:" in policy  # the configured tile server's images are allowed, nothing else
        assert r.headers["cache-control"] == "no-store"


def test_bad_input_to_the_console_is_refused_and_nothing_is_recorded(console: ConsoleServer) -> None:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX)
    other_force = farmer.report((51.0, -1.3))  # Hampshire
    officer = login(console, "bad.input", "officer", KENT_POLICE)
    cases = [
        ({"kind": "reference_added"}, 422, "needs reference"),
        ({"kind": "decision", "decision": "no_further_action"}, 422, "needs a reason"),
        ({"kind": "decision", "decision": "maybe"}, 422, "decision"),
        ({"kind": "flag_raised", "flag": "unanswered"}, 422, "kind"),
        ({"kind": "assigned", "user_id": "me"}, 422, "choose an officer"),
        ({"kind": "assigned", "user_id": "999999"}, 422, "no such officer"),
        ({"kind": "attended", "at": "yesterday"}, 422, "2026-03-01T14:30"),
        ({"kind": "attended", "at": "2100-01-01T10:00"}, 422, "future"),
        ({"kind": "closed", "duplicate_of": "not-an-id"}, 422, "full id"),
        ({"kind": "closed", "duplicate_of": other_force}, 422, "same force"),
        ({"kind": "closed", "duplicate_of": report_id}, 422, "itself"),
        ({"kind": "reopened"}, 409, "only a closed report"),
        ({"kind": "note", "text": "x" * 5001}, 422, "5000"),
    ]
    for fields, status, words in cases:
        r = officer.act(report_id, **fields)
        assert r.status_code == status, (fields, r.status_code, r.text[:500])
        assert words in r.text, (fields, words)
    assert event_kinds(console, report_id) == ["received"]
    # Oversized bodies are refused before they are read.
    r = officer.act(report_id, "note", text="x" * 300_000)
    assert r.status_code == 413
    # Another force's report, and ids that are not ids, are not found.
    assert officer.act(other_force, "acknowledged").status_code == 404
    assert officer.get("/console/reports/not-a-uuid").status_code == 404
    assert officer.get("/console", params={"status": "lost"}).status_code == 422
    assert officer.get("/console", params={"from": "last week"}).status_code == 422
    assert officer.get("/console", params={"after": "d:garbage"}).status_code == 422
    assert event_kinds(console, other_force) == ["received"]


def test_importing_a_neighbouring_area_measures_the_reports_already_held(
    console: ConsoleServer, tmp_path: Path
) -> None:
    farmer = Farmer(console)
    east_kent = farmer.report((51.30, 1.40), description="Near the new neighbour")
    area = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Channel", "force": "Channel Police", "nation": "england_wales"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[1.46, 51.0], [1.9, 51.0], [1.9, 51.5], [1.46, 51.5], [1.46, 51.0]]],
                },
            }
        ],
    }
    path = tmp_path / "channel.geojson"
    path.write_text(json.dumps(area))
    channel = login(console, "channel.officer", "officer", "Channel Police")
    assert channel.get(f"/console/reports/{east_kent}").status_code == 404
    done = console.live.cli("areas", "import", str(path))
    assert done.returncode == 0 and "measured" in done.stdout, done.stderr
    page = channel.get(f"/console/reports/{east_kent}")
    assert page.status_code == 200 and "Cross-border report, read only" in page.text
