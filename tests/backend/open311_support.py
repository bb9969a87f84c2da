"""Helpers for the Open311 tests: partners made with the real CLI, form POSTs, and the XML read as a partner would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from pygeodesy import Datums, Osgr, toOsgr
from pygeodesy.ellipsoidalKarney import LatLon

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


def staff_and_partner_answers(
    client: httpx.Client, officer: Any, admin: Any, nfu: Any, search: str, partner_key: str
) -> dict[str, str]:
    """Every staff and partner answer a reporter's contact details could leak into, by name: the officer's queue,
    the search page already fetched, the map, the access log and its CSV, the NFU summaries and their CSV, and
    Open311 in JSON and XML. (`officer`, `admin`, `nfu`: logged-in console sessions.)"""
    return {
        "queue": officer.get("/console").text,
        "search": search,
        "map": officer.get("/console/map", params={"status": "any"}).text,
        "access log": admin.get("/console/admin/access-log").text,
        "access log CSV": admin.get("/console/admin/access-log.csv", params={"since": "2000-01-01"}).text,
        "summaries": nfu.get("/console/summaries").text,
        "summaries CSV": nfu.get("/console/summaries.csv").content.decode("utf-8-sig"),
        "open311 json": client.get(f"{OPEN311}/requests.json", params={"api_key": partner_key}).text,
        "open311 xml": client.get(f"{OPEN311}/requests.xml", params={"api_key": partner_key}).text,
    }


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


# The OS National Grid as pygeodesy computes it: the reference the server's own (faster) conversion is held to.


def grid_square(point: tuple[float, float]) -> tuple[int, int]:
    """The 1 km square (easting and northing of its south-west corner, in km) holding a WGS84 point."""
    grid = toOsgr(LatLon(point[0], point[1], datum=Datums.WGS84))
    return int(grid.easting // 1000), int(grid.northing // 1000)


def grid_point(easting_m: float, northing_m: float) -> tuple[float, float]:
    """The WGS84 point at a grid position, to 1e-7 degrees (1 cm)."""
    where = Osgr(easting_m, northing_m).toLatLon(LatLon, datum=Datums.WGS84)
    return round(where.lat, 7), round(where.lon, 7)


def grid_position(point: tuple[float, float]) -> tuple[float, float]:
    grid = toOsgr(LatLon(point[0], point[1], datum=Datums.WGS84))
    return grid.easting, grid.northing


def square_centre(point: tuple[float, float]) -> tuple[float, float]:
    east_km, north_km = grid_square(point)
    return grid_point(east_km * 1000 + 500, north_km * 1000 + 500)


def ground_distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return LatLon(a[0], a[1], datum=Datums.WGS84).distanceTo(LatLon(b[0], b[1], datum=Datums.WGS84))
