"""Helpers for the Open311 tests: partners made with the real CLI, form POSTs, and the XML read as a partner would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support import LiveServer

OPEN311 = "/open311/v2"


def add_partner(server: LiveServer, name: str, categories: list[str], forces: list[str]) -> str:
    """`hedgerow partners add`; returns the api_key it printed."""
    args = ["partners", "add", name]
    if categories:
        args += ["--categories", *categories]
    if forces:
        args += ["--forces", *forces]
    done = server.cli(*args)
    assert done.returncode == 0, done.stderr
    keys = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("api_key: ")]
    assert len(keys) == 1, done.stdout
    return keys[0]


def netrc_for(tmp_path: Path, api_key: str) -> Path:
    """A netrc file giving the api_key for 127.0.0.1, which `requests` (under georeport) sends as HTTP Basic."""
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login partner password {api_key}\n")
    path.chmod(0o600)
    return path


def fly_tip_form(
    api_key: str | None,
    partner_request_id: str | None = None,
    where: tuple[float, float] = (51.25432, 0.91234),
    **fields: str,
) -> list[tuple[str, str]]:
    """A valid fly-tipping request as a partner's system would POST it, with `fields` added or replaced."""
    form: list[tuple[str, str]] = [
        ("service_code", "fly_tipping"),
        ("lat", str(where[0])),
        ("long", str(where[1])),
        ("description", "Sofa and tyres in the field gateway"),
        ("attribute[size_band]", "single item"),
        ("attribute[waste_types][]", "household"),
        ("attribute[waste_types][]", "tyres"),
    ]
    if api_key is not None:
        form.append(("api_key", api_key))
    if partner_request_id is not None:
        form.append(("attribute[partner_request_id]", partner_request_id))
    # A field given here replaces the default one of that name.
    form = [(k, fields.pop(k) if k in fields else v) for k, v in form]
    return form + list(fields.items())


def post_request(client: httpx.Client, form: list[tuple[str, str]], fmt: str = "json") -> httpx.Response:
    return client.post(
        f"{OPEN311}/requests.{fmt}",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def xml_items(text: str, root: str, item: str) -> list[dict[str, Any]]:
    """The children of each <item> under <root>, as text (None for an empty element)."""
    doc = ET.fromstring(text)
    assert doc.tag == root, doc.tag
    return [{child.tag: child.text for child in element} for element in doc.findall(item)]


def as_xml_text(value: Any) -> str | None:
    """How a JSON value reads in the XML answer."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The spec's error list, from JSON or XML."""
    if response.headers["content-type"].startswith("text/xml"):
        return [
            {"code": int(e["code"]), "description": e["description"]}
            for e in xml_items(response.text, "errors", "error")
        ]
    return response.json()
