"""Invite links: which server address they carry (HEDGEROW_PUBLIC_URL, a proxy's forwarded headers only behind
HEDGEROW_BEHIND_PROXY=1, else the address the console was reached at), and the QR code that holds the link."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from starlette.requests import Request

from backend.console.invite import _server
from backend.services.errors import Invalid
from backend.services.intake.invites import Invite, parse_enrol_query, server_address
from backend.settings import Settings
from tests.backend.console_support import KENT_POLICE, ConsoleServer, console_server, login

PUBLIC = "https://hedgerow.kent.police.example"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    yield from console_server(tmp_path_factory, HEDGEROW_PUBLIC_URL=PUBLIC + "/")


def _request(headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/console/admin/invite",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope)


def test_the_public_address_wins_then_the_proxys_headers_behind_a_proxy_only() -> None:
    forwarded = {"host": "127.0.0.1:8000", "x-forwarded-proto": "https", "x-forwarded-host": "hedgerow.example.org"}
    plain = Settings()
    assert _server(_request(forwarded), replace(plain, behind_proxy=False, public_url="")) == "http://127.0.0.1:8000"
    assert _server(_request(forwarded), replace(plain, behind_proxy=True, public_url="")) == (
        "https://hedgerow.example.org"
    )
    assert _server(_request(forwarded), replace(plain, behind_proxy=True, public_url=PUBLIC)) == PUBLIC
    # Behind a proxy that forwards only the scheme, the Host header it passed on is the address.
    only_proto = {"host": "hedgerow.example.org", "x-forwarded-proto": "https"}
    assert _server(_request(only_proto), replace(plain, behind_proxy=True, public_url="")) == (
        "https://hedgerow.example.org"
    )


@pytest.mark.parametrize(
    ("proto", "host"),
    [("javascript", "x.example"), ("https", "evil.example/path"), ("https", "a b"), ("https", "x.example\r\nSet:")],
)
def test_forwarded_headers_that_are_not_an_address_are_refused(proto: str, host: str) -> None:
    with pytest.raises(Invalid, match="set HEDGEROW_PUBLIC_URL"):
        server_address("", "http://127.0.0.1:8000/", proto, host)


def test_enrol_query_is_normalised_and_checked() -> None:
    assert parse_enrol_query(PUBLIC + "/", " Kent Police ") == Invite(PUBLIC, "Kent Police")
    for bad in ("", "hedgerow.example", "file:///etc/passwd", "https://", "https://a b.example"):
        with pytest.raises(Invalid, match=r"^this invite link is damaged: ask your police force for a new one$"):
            parse_enrol_query(bad, "Kent Police")
    with pytest.raises(Invalid, match=r"^this invite link is damaged: ask your police force for a new one$"):
        parse_enrol_query(PUBLIC, "K" * 201)


def test_the_console_invites_with_the_public_https_address_and_its_qr_code_decodes_to_the_link(
    console: ConsoleServer,
) -> None:
    supervisor = login(console, "kent.sup.public", "supervisor", KENT_POLICE)
    page = supervisor.get("/console/admin/invite")
    assert page.status_code == 200
    link = re.search(r'id="invite-link" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert link.startswith(PUBLIC + "/enrol?")
    assert parse_qs(urlsplit(link).query) == {"server": [PUBLIC], "force": [KENT_POLICE]}
    assert "is not https" not in page.text  # the warning shows only for a plain-http address
    png = re.search(r'src="data:image/png;base64,([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(png))))]
    assert decoded == [link]
