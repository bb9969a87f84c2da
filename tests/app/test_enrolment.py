"""Enrolment on the phone: invite links and routes, the https rule of release builds, a baked-in server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services import enrolment
from app.services.enrolment import INSECURE_MESSAGE, Invite, baked_invite, parse_invite, require_secure
from app.state.app_state import AppState
from app.state.invite import apply_invite
from tests.app.conftest import register

SERVER = "https://hedgerow.kent.police.example"
QUERY = "server=https%3A%2F%2Fhedgerow.kent.police.example&force=Kent+Police"


@pytest.mark.parametrize(
    "link",
    [
        f"hedgerow://enrol?{QUERY}",  # the app's own scheme, as a phone's deep link
        f"{SERVER}/enrol?{QUERY}",  # the QR code's https link (App Links / universal links)
        f"/enrol?{QUERY}",  # the route Flet gives for either
        f"/?{QUERY}",
        f"enrol?{QUERY}",
    ],
)
def test_an_invite_is_read_from_every_form_of_the_link(link: str) -> None:
    assert parse_invite(link) == Invite(server_url=SERVER, force="Kent Police")


@pytest.mark.parametrize(
    "link",
    [None, "", "/", "/enrol", "/reports?server=https://x.example", "/enrol?server=javascript:alert(1)", "/?force=K"],
)
def test_anything_else_is_no_invite(link: str | None) -> None:
    assert parse_invite(link) is None


def test_release_builds_refuse_plain_http_except_loopback() -> None:
    for url in ("http://hedgerow.kent.police.example", "http://192.168.1.20:8000", "ftp://x.example"):
        with pytest.raises(ValueError, match="secure address"):
            require_secure(url, release=True)
    for url in (SERVER, "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert require_secure(url, release=True) == url
    assert require_secure("http://192.168.1.20:8000", release=False) == "http://192.168.1.20:8000"


def test_an_invite_fills_the_server_before_registration_only(app: AppState) -> None:
    assert apply_invite(app, f"/enrol?{QUERY}")
    assert app.registration.server_url == SERVER
    register(app)
    assert app.profile is not None and app.profile.server_url == SERVER
    # Once registered, a link cannot move the phone (and its reports) to another server.
    assert not apply_invite(app, "hedgerow://enrol?server=https%3A%2F%2Fevil.example&force=X")
    assert app.server_url == SERVER


def test_a_release_build_refuses_an_http_invite_and_an_http_address_with_a_plain_message(
    app: AppState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEDGEROW_RELEASE", "1")
    before = app.registration.server_url
    assert not apply_invite(app, "/enrol?server=http%3A%2F%2Fhedgerow.example&force=Kent+Police")
    assert app.registration.server_url == before
    assert app.registration.errors["server_url"] == INSECURE_MESSAGE
    for name, value in {"name": "Jo Farmer", "phone": "07700 900123", "postcode": "ME13 9AB"}.items():
        app.registration.set_field(name, value)
    app.registration.set_field("server_url", "http://hedgerow.example")
    assert not app.register()
    assert app.registration.errors == {"server_url": INSECURE_MESSAGE}
    app.registration.set_field("server_url", SERVER)
    assert app.register()


def test_a_baked_in_server_is_the_default_and_a_release_build_without_one_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baked = tmp_path / "baked_server.json"
    monkeypatch.setattr(enrolment, "BAKED_SERVER_FILE", baked)
    monkeypatch.setenv("HEDGEROW_RELEASE", "1")
    assert baked_invite() is None
    assert enrolment.default_server_url("http://127.0.0.1:8000") == ""
    monkeypatch.setenv("HEDGEROW_RELEASE", "0")
    assert enrolment.default_server_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    baked.write_text(json.dumps({"server": SERVER + "/", "force": "Kent Police"}))
    assert baked_invite() == Invite(server_url=SERVER, force="Kent Police")
    assert enrolment.default_server_url("http://127.0.0.1:8000") == SERVER
