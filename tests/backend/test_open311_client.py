"""A published Open311 GeoReport v2 client (`georeport` from PyPI) against the real backend, in JSON and XML.

georeport lists services, reads service definitions and reads requests; it cannot post, so requests are posted with
plain HTTP. It sends no api_key on a GET, so the partner's key reaches the server the way `requests` (under
georeport) sends credentials it finds in a netrc file: HTTP Basic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
import requests
from georeport import GeoReport

from tests.backend.open311_support import (
    OPEN311,
    add_partner,
    as_xml_text,
    fly_tip_form,
    netrc_for,
    post_request,
    xml_items,
)
from tests.support import LiveServer, staff_token
from wire.categories import BY_CODE, CATEGORIES, FLY_TIP_SIZES, WASTE_TYPES


@pytest.fixture(scope="module")
def partner_key(server: LiveServer) -> str:
    return add_partner(server, "Swale Borough Council", ["fly_tipping"], ["Kent Police"])


@pytest.fixture(autouse=True)
def no_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials unless a test gives them (and never the machine's own ~/.netrc)."""
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


@pytest.fixture
def as_partner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partner_key: str) -> Iterator[None]:
    monkeypatch.setenv("NETRC", str(netrc_for(tmp_path, partner_key)))
    yield


def _clients(server: LiveServer) -> tuple[GeoReport, GeoReport]:
    root = server.url + OPEN311
    return GeoReport(root), GeoReport(root, output_format="xml")


def _post(server: LiveServer, key: str, **fields: str) -> str:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = post_request(client, fly_tip_form(key, str(uuid4()), **fields))
    assert response.status_code == 201, response.text
    return response.json()[0]["service_request_id"]


def test_georeport_lists_every_category_as_a_service_with_group_and_keywords(server: LiveServer) -> None:
    as_json, as_xml = _clients(server)
    services = as_json.get_service_list()
    assert [s["service_code"] for s in services] == [c.code for c in CATEGORIES]
    for service in services:
        category = BY_CODE[service["service_code"]]
        assert service["service_name"] == category.label
        assert service["group"] == category.group
        assert service["keywords"] == category.hint
        assert service["metadata"] is True
        assert service["type"] == "realtime"
        assert ("call 999" in service["description"]) == category.urgent
    in_xml = as_xml.get_service_list()
    assert in_xml == [{k: as_xml_text(v) for k, v in s.items()} for s in services]


def test_georeport_reads_each_service_definition_with_the_category_fields_as_attributes(server: LiveServer) -> None:
    as_json, as_xml = _clients(server)
    for category in CATEGORIES:
        definition = as_json.get_service_definition(category.code)
        assert definition["service_code"] == category.code
        attributes = definition["attributes"]
        assert [a["code"] for a in attributes] == ["partner_request_id", "occurred_at"] + [
            f.name for f in category.fields
        ]
        assert [a["order"] for a in attributes] == list(range(1, len(attributes) + 1))
        for attribute, spec in zip(attributes[2:], category.fields, strict=True):
            assert attribute["required"] is spec.required
            assert attribute["variable"] is True
            expected_type = {
                "integer": "number",
                "money": "number",
                "boolean": "singlevaluelist",
                "choice": "singlevaluelist",
                "multichoice": "multivaluelist",
            }.get(spec.kind, "text" if spec.max_length > 500 else "string")
            assert attribute["datatype"] == expected_type
            if spec.choices:
                assert [v["key"] for v in attribute["values"]] == list(spec.choices)
        in_xml = as_xml.get_service_definition(category.code)
        assert in_xml["service_code"] == category.code
        xml_attributes = in_xml["attributes"]["attribute"]
        assert [a["code"] for a in xml_attributes] == [a["code"] for a in attributes]
        for from_json, from_xml in zip(attributes, xml_attributes, strict=True):
            for key, value in from_json.items():
                if key == "values":
                    assert from_xml["values"]["value"] == [{k: as_xml_text(v) for k, v in x.items()} for x in value]
                else:
                    assert from_xml[key] == as_xml_text(value), (category.code, key)
    fly_tipping = {a["code"]: a for a in as_json.get_service_definition("fly_tipping")["attributes"]}
    assert fly_tipping["size_band"]["required"] is True
    assert [v["name"] for v in fly_tipping["size_band"]["values"]] == list(FLY_TIP_SIZES)
    assert fly_tipping["waste_types"]["datatype"] == "multivaluelist"
    assert [v["key"] for v in fly_tipping["waste_types"]["values"]] == list(WASTE_TYPES)


def test_georeport_reads_back_a_request_posted_over_http_in_json_and_xml(
    server: LiveServer, partner_key: str, as_partner: None
) -> None:
    request_id = _post(server, partner_key, address_string="Field gate off Water Lane")
    as_json, as_xml = _clients(server)
    request = as_json.get_service_request(request_id)
    assert request["service_request_id"] == request_id
    assert request["service_code"] == "fly_tipping"
    assert request["service_name"] == "Fly-tipping"
    assert request["status"] == "open"
    assert request["status_notes"] == "Received; not yet acknowledged by the rural crime team."
    assert request["description"] == "Sofa and tyres in the field gateway"
    assert request["agency_responsible"] == "Kent Police"
    assert request["address"] == "Field gate off Water Lane"
    assert (request["lat"], request["long"]) == (51.25432, 0.91234)  # its own submission: exact
    requested = datetime.fromisoformat(request["requested_datetime"])
    assert abs(requested - datetime.now(UTC)) < timedelta(minutes=5)
    # The answered clock (one working day for fly-tipping) is the first still waiting.
    assert datetime.fromisoformat(request["expected_datetime"]) > requested
    listed = as_json.get_service_requests()
    assert [r for r in listed if r["service_request_id"] == request_id] == [request]
    in_xml = as_xml.get_service_request(request_id)
    assert in_xml == {k: as_xml_text(v) for k, v in request.items()}


def test_georeport_filters_requests_by_id_code_status_and_dates(
    server: LiveServer, partner_key: str, as_partner: None
) -> None:
    first = _post(server, partner_key)
    second = _post(server, partner_key)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        officer = staff_token(server, client, f"pc-{uuid4().hex[:8]}", "officer", "Kent Police")
        closed = client.post(
            f"/api/v1/reports/{second}/events",
            json={"kind": "closed", "outcome": "passed_to_council"},
            headers=officer,
        )
        assert closed.status_code == 201, closed.text
    as_json, as_xml = _clients(server)

    both = as_json.get_service_requests(service_request_id=f"{first},{second}")
    assert sorted(r["service_request_id"] for r in both) == sorted([first, second])
    only_closed = as_json.get_service_requests(status="closed")
    assert second in [r["service_request_id"] for r in only_closed]
    assert first not in [r["service_request_id"] for r in only_closed]
    assert all(r["status"] == "closed" for r in only_closed)
    closed_view = next(r for r in only_closed if r["service_request_id"] == second)
    assert closed_view["status_notes"] == "Closed: Passed to the council"
    assert "expected_datetime" not in closed_view  # no clock is waiting on a closed report
    only_open = as_json.get_service_requests(status="open", service_code="fly_tipping")
    assert first in [r["service_request_id"] for r in only_open]
    assert second not in [r["service_request_id"] for r in only_open]
    assert as_json.get_service_requests(service_code="theft_fuel") == []
    last_week = as_json.get_service_requests(
        start_date=(datetime.now(UTC) - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert last_week == []

    # xmltodict gives one <request> as a dict, several as a list.
    one_in_xml = as_xml.get_service_requests(service_request_id=second)
    assert one_in_xml["service_request_id"] == second
    assert one_in_xml["status"] == "closed"
    both_in_xml = as_xml.get_service_requests(service_request_id=f"{first},{second}")
    assert sorted(r["service_request_id"] for r in both_in_xml) == sorted([first, second])


def test_georeport_gets_403_without_an_api_key_and_404_for_an_unknown_service(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_json, as_xml = _clients(server)
    for client in (as_json, as_xml):
        with pytest.raises(requests.HTTPError, match=r"^403 Client Error: Forbidden for url: .*/requests\.") as missing:
            client.get_service_requests()
        assert missing.value.response.status_code == 403
        with pytest.raises(
            requests.HTTPError, match=r"^404 Client Error: Not Found for url: .*/services/crop_circles\.(json|xml)$"
        ) as unknown:
            client.get_service_definition("crop_circles")
        assert unknown.value.response.status_code == 404
    monkeypatch.setenv("NETRC", str(netrc_for(tmp_path, "hp_not-a-key-anyone-was-given")))
    with pytest.raises(requests.HTTPError, match=r"^403 Client Error: Forbidden for url: .*/requests\.json") as wrong:
        as_json.get_service_requests()
    assert wrong.value.response.status_code == 403
    assert wrong.value.response.json() == [{"code": 403, "description": "invalid api_key"}]


def test_discovery_names_this_endpoint_and_both_formats(client: httpx.Client, server: LiveServer) -> None:
    as_json = client.get(f"{OPEN311}/discovery.json")
    assert as_json.status_code == 200
    endpoint = as_json.json()["endpoints"][0]
    assert endpoint["url"] == server.url + OPEN311
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    as_xml = client.get(f"{OPEN311}/discovery.xml")
    assert as_xml.headers["content-type"].startswith("text/xml")
    endpoints = xml_items(as_xml.text, "discovery", "endpoints/endpoint")
    assert endpoints[0]["url"] == endpoint["url"]
    assert endpoints[0]["specification"] == endpoint["specification"]
