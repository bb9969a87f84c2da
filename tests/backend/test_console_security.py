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
from starlette.routing import Mount, Route

from backend.console import router as console_router
from tests.backend.console_support import (
    HAMPSHIRE_POLICE,
    KENT_FAR_FROM_SUSSEX,
    KENT_NEAR_SUSSEX,
    KENT_POLICE,
    SUSSEX_POLICE,
    ConsoleServer,
    Farmer,
    event_kinds,
    login,
    start_console_server,
)
from tests.backend.intake import uploader
from tests.support import console_login, jpeg_bytes, photo_decl

PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}
# The NFU's own pages (aggregate summaries, never a report), logging out and choosing the console's language are
# theirs; the rest is the police's.
NFU_PAGES = ("/console/nfu", "/console/summaries", "/console/logout", "/console/language")


@pytest.fixture(scope="module")
def kent_report(console: ConsoleServer) -> str:
    farmer = Farmer(console)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, description="Quad taken from the yard")
    return report_id


def _walk(router: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in router.routes:
        if isinstance(route, Route):  # FastAPI's routes, and the app's own (/docs, /openapi.json)
            for method in sorted(route.methods or ()):
                yield method, prefix + route.path
        elif isinstance(route, Mount):  # static files: no page
            yield "MOUNT", prefix + route.path
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
        r = console_login(fresh, "nfu.rep", "nfu.rep-password-123")
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


# -- Login CSRF ---------------------------------------------------------------------------------------------------


def _login_token(client: httpx.Client) -> str:
    page = client.get("/console/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF token in the login form"
    return found.group(1)


def _sets_session(r: httpx.Response) -> bool:
    return any(c.startswith("hedgerow_session=") for c in r.headers.get_list("set-cookie"))


def test_a_login_post_without_the_forms_token_or_from_another_site_logs_nobody_in(console: ConsoleServer) -> None:
    password = console.add_user("login.csrf", "officer", KENT_POLICE)
    form = {"username": "login.csrf", "password": password}
    forged: list[tuple[str, httpx.Response]] = []
    with httpx.Client(base_url=console.url, follow_redirects=False) as browser:
        # A cross-site form: no token (the attacker cannot read the login page), or one the attacker fetched for
        # itself (its cookie is not the victim's), or a foreign Origin even with the victim's own token.
        forged.append(("no token", browser.post("/console/login", data=form)))
        with httpx.Client(base_url=console.url) as attacker:
            stolen = _login_token(attacker)
        forged.append(("attacker's own token", browser.post("/console/login", data={**form, "csrf_token": stolen})))
        token = _login_token(browser)
        forged.append(("wrong token", browser.post("/console/login", data={**form, "csrf_token": token[::-1]})))
        forged.append(("empty token", browser.post("/console/login", data={**form, "csrf_token": ""})))
        for origin in ("https://evil.example", "null", f"{console.url}.evil.example", "http://localhost:1"):
            r = browser.post("/console/login", data={**form, "csrf_token": token}, headers={"Origin": origin})
            forged.append((f"Origin {origin}", r))
        for what, r in forged:
            assert r.status_code == 403, (what, r.status_code)
            assert not _sets_session(r), what
            assert "hedgerow_session" not in browser.cookies, what
            assert "Log in" in r.text, what  # the login form again, with a fresh token to try with
        for what, r in forged[:4]:
            assert "the login form has expired or did not come from Hedgerow" in r.text, what
        for what, r in forged[4:]:
            assert "a login from another site" in r.text and "is refused" in r.text, what
        assert browser.get("/console").status_code == 303  # still logged out
        # Refused posts are not failed attempts: the real login is not slowed down after seven of them.
        assert console.scalar("SELECT count(*) FROM login_failures WHERE username = 'login.csrf'") == 0
        # The form itself (with a same-origin Origin, as a browser sends) logs in; wrong credentials are a 401.
        wrong = browser.post("/console/login", data={**form, "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401 and "Wrong username or password." in wrong.text and not _sets_session(wrong)
        token = _login_token(browser)
        r = browser.post("/console/login", data={**form, "csrf_token": token}, headers={"Origin": console.url})
        assert r.status_code == 303 and _sets_session(r)
        assert browser.get("/console").status_code == 200


def test_the_login_tokens_cookie_is_strict_and_kept_to_the_login_form(console: ConsoleServer) -> None:
    with httpx.Client(base_url=console.url) as browser:
        page = browser.get("/console/login")
        [cookie] = [c for c in page.headers.get_list("set-cookie") if c.startswith("hedgerow_login_csrf=")]
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/console/login"} <= attributes
        # A second load of the form (another tab) keeps the token, so either tab can log in.
        assert _login_token(browser) == _login_token(browser)


def _cookie_attributes(r: httpx.Response, name: str) -> dict[str, str]:
    [cookie] = [c for c in r.headers.get_list("set-cookie") if c.startswith(name + "=")]
    pairs = [a.strip().partition("=") for a in cookie.split(";")[1:]]
    return {k.lower(): v.lower() for k, _, v in pairs}


def test_the_logout_cookie_has_the_session_cookies_attributes(console: ConsoleServer) -> None:
    password = console.add_user("logout.cookie", "officer", KENT_POLICE)
    with httpx.Client(base_url=console.url, follow_redirects=False) as browser:
        login_answer = console_login(browser, "logout.cookie", password)
        staff_csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/console").text)
        assert staff_csrf
        logout_answer = browser.post("/console/logout", data={"csrf_token": staff_csrf.group(1)})
        assert logout_answer.status_code == 303
        set_then = _cookie_attributes(login_answer, "hedgerow_session")
        removed = _cookie_attributes(logout_answer, "hedgerow_session")
        assert removed["samesite"] == set_then["samesite"] == "strict"
        assert removed["path"] == set_then["path"] == "/"
        assert "httponly" in removed and "httponly" in set_then
        assert removed["max-age"] == "0"
        assert browser.get("/console").status_code == 303


# -- The same security headers on every page ----------------------------------------------------------------------

SECURITY_HEADERS = (
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cache-control",
)


def app_routes(tmp_path: Path) -> list[tuple[str, str]]:
    """Every route the real application registers under /console (and the public /enrol page)."""
    from backend.main import create_app
    from backend.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "routes"))
    try:
        found = {(m, p) for m, p in _walk(app.router) if p.startswith(("/console", "/enrol"))}
    finally:
        app.state.writer.close()
        app.state.pool.close()
    return sorted(found)


def test_every_console_route_answers_with_the_same_security_headers(console: ConsoleServer, tmp_path: Path) -> None:
    routes = app_routes(tmp_path)
    assert ("GET", "/console/login") in routes and ("POST", "/console/login") in routes
    assert set(console_routes()) <= set(routes) and ("GET", "/enrol") in routes
    # Seeded data for the path parameters: a report with a photo, an officer, a template.
    farmer = Farmer(console, "Headers farmer")
    photo = jpeg_bytes(400, 300)
    decl = photo_decl(photo)
    report_id = farmer.report(KENT_FAR_FROM_SUSSEX, description="Headers report", photos=[decl])
    uploader(console.url, farmer.headers, photo, report_id, decl).upload()
    admin = login(console, "headers.admin", "admin")
    officer = login(console, "headers.officer", "officer", KENT_POLICE)
    supervisor = login(console, "headers.supervisor", "supervisor", KENT_POLICE)
    nfu = login(console, "headers.nfu", "nfu")
    made = supervisor.post("/console/admin/templates", {"title": "Headers", "body": "Hello {officer}"})
    assert made.status_code == 303
    template_id = console.scalar("SELECT max(id) FROM update_templates")
    officer_id = console.scalar("SELECT id FROM users WHERE username = 'headers.officer'")
    expected = {name: officer.get("/console").headers[name] for name in SECURITY_HEADERS}
    assert "frame-ancestors 'none'" in expected["content-security-policy"]
    assert expected["x-frame-options"] == "DENY" and expected["x-content-type-options"] == "nosniff"

    def fill(path: str) -> str:
        return (
            path.replace("{report_id}", report_id)
            .replace("{photo_id}", decl["photo_id"])
            .replace("{variant}", "thumb")
            .replace("{user_id}", str(officer_id))
            .replace("{template_id}", str(template_id))
        )

    anonymous = console.client()
    clients = {"anonymous": anonymous, "admin": admin.client, "officer": officer.client, "nfu": nfu.client}
    answers: list[tuple[str, httpx.Response]] = []
    for method, path in routes:
        url = fill(path)
        for who, client in clients.items():
            # Posts go without a CSRF token: each is refused (an error page), so nothing changes.
            answers.append((f"{who} {method} {url}", client.request(method, url, data={"text": "t"})))
    # Error pages made before or outside a route: unknown page, wrong method, bad query, oversized form, bad invite.
    answers += [
        ("404", officer.get("/console/no-such-page")),
        ("405", officer.get("/console/logout")),
        ("422", officer.get("/console", params={"status": "lost"})),
        ("413", officer.client.post("/console/bulk", data={"report_ids": "x" * 300_000})),
        ("enrol 422", anonymous.get("/enrol", params={"server": "not an address"})),
    ]
    statuses = {r.status_code for _, r in answers}
    assert {200, 303, 403, 404, 405, 413, 422} <= statuses, statuses
    for what, r in answers:
        assert r.status_code < 500, (what, r.status_code)
        for name in SECURITY_HEADERS:
            assert r.headers.get(name) == expected[name], (what, r.status_code, name, r.headers.get(name))
    # The login page, the page that had none of them.
    assert any(w == "anonymous GET /console/login" and r.status_code == 200 for w, r in answers)
