"""What a partner reads: its own submissions in full; others only in its categories and forces, each snapped to the
centre of its 1 km OS National Grid square."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.backend.open311_support import (
    OPEN311,
    add_partner,
    fly_tip_form,
    grid_point,
    grid_position,
    grid_square,
    ground_distance_m,
    post_request,
    square_centre,
    xml_items,
)
from tests.support import LiveServer, register, report_body, staff_token

EXACT_KENT = (51.25432, 0.91234)
EXACT_HAMPSHIRE = (51.01234, -1.30987)
SECRET_WORDS = ("Dumped by Gary Smith", "Top gate by Hill Farm", "AB12CDE", "tall man with a red van")


@pytest.fixture(scope="module")
def keys(server: LiveServer) -> dict[str, str]:
    return {
        "council": add_partner(server, "Maidstone Borough Council", ["fly_tipping"], ["Kent Police"]),
        "agency": add_partner(
            server, "Environment Agency", ["fly_tipping"], ["Hampshire and Isle of Wight Constabulary"]
        ),
        "nobody": add_partner(server, "A partner with no permissions", [], []),
        "kent_agency": add_partner(server, "Environment Agency (Kent)", ["fly_tipping"], ["Kent Police"]),
    }


def _farmer_report(client: httpx.Client, headers: dict[str, str], category: str, where: tuple[float, float]) -> str:
    report_id = str(uuid.uuid4())
    body = report_body(
        category,
        where,
        description=SECRET_WORDS[0],
        vehicles=[{"registration": SECRET_WORDS[2], "colour": "red"}],
        people={"count": 1, "description": SECRET_WORDS[3]},
    )
    body["location"]["place_name"] = SECRET_WORDS[1]
    response = client.put(f"/api/v1/reports/{report_id}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return report_id


@pytest.fixture(scope="module")
def farmer_reports(server: LiveServer) -> dict[str, str]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        farmer = register(client, "Pat Farmer")
        return {
            "kent_fly_tip": _farmer_report(client, farmer, "fly_tipping", EXACT_KENT),
            "kent_hare_coursing": _farmer_report(client, farmer, "hare_coursing", EXACT_KENT),
            "hampshire_fly_tip": _farmer_report(client, farmer, "fly_tipping", EXACT_HAMPSHIRE),
        }


def _requests(client: httpx.Client, key: str, fmt: str = "json") -> httpx.Response:
    response = client.get(f"{OPEN311}/requests.{fmt}", params={"api_key": key})
    assert response.status_code == 200, response.text
    return response


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["service_request_id"]: item for item in items}


def test_partner_sees_others_reports_in_its_categories_and_forces_only(
    client: httpx.Client, keys: dict[str, str], farmer_reports: dict[str, str]
) -> None:
    council = _by_id(_requests(client, keys["council"]).json())
    assert farmer_reports["kent_fly_tip"] in council
    assert farmer_reports["kent_hare_coursing"] not in council  # not its category
    assert farmer_reports["hampshire_fly_tip"] not in council  # not its force
    agency = _by_id(_requests(client, keys["agency"]).json())
    assert set(farmer_reports.values()) & set(agency) == {farmer_reports["hampshire_fly_tip"]}
    assert set(farmer_reports.values()) & set(_by_id(_requests(client, keys["nobody"]).json())) == set()
    for key, report in (("council", "kent_hare_coursing"), ("nobody", "kent_fly_tip")):
        one = client.get(f"{OPEN311}/requests/{farmer_reports[report]}.json", params={"api_key": keys[key]})
        assert one.status_code == 404
        assert one.json()[0]["code"] == 404
        listed = client.get(
            f"{OPEN311}/requests.json",
            params={"api_key": keys[key], "service_request_id": farmer_reports[report]},
        )
        assert listed.json() == []


def test_rounding_hides_the_exact_location_and_personal_details_from_partners(
    client: httpx.Client, keys: dict[str, str], farmer_reports: dict[str, str]
) -> None:
    for key, report, exact, area in (
        ("council", "kent_fly_tip", EXACT_KENT, "Kent"),
        ("agency", "hampshire_fly_tip", EXACT_HAMPSHIRE, "Hampshire"),
    ):
        as_json = _requests(client, keys[key])
        request = _by_id(as_json.json())[farmer_reports[report]]
        # The centre of the report's 1 km grid square (pygeodesy's, to the server's 1e-5 degrees).
        assert (request["lat"], request["long"]) == pytest.approx(square_centre(exact), abs=1.5e-5)
        assert (request["lat"], request["long"]) != exact
        assert ground_distance_m(exact, (request["lat"], request["long"])) <= 710
        assert request["description"] is None
        assert request["address"] == area
        assert request["media_url"] is None
        assert request["status_notes"] == "Received; not yet acknowledged by the rural crime team."
        as_xml = _requests(client, keys[key], "xml")
        [in_xml] = [
            r
            for r in xml_items(as_xml.text, "service_requests", "request")
            if r["service_request_id"] == farmer_reports[report]
        ]
        assert (float(in_xml["lat"]), float(in_xml["long"])) == (request["lat"], request["long"])
        assert in_xml["description"] is None
        for text in (as_json.text, as_xml.text):
            for secret in (*SECRET_WORDS, str(exact[0]), str(exact[1]), "Pat Farmer", "07700 900123"):
                assert secret not in text


def test_police_updates_reach_the_submitting_partner_but_not_other_partners(
    client: httpx.Client, server: LiveServer, keys: dict[str, str], farmer_reports: dict[str, str]
) -> None:
    agency_post = post_request(
        client,
        fly_tip_form(
            keys["kent_agency"], "EA-77", where=(51.26789, 0.93456), email="caller@example.org", first_name="Philippa"
        ),
    )
    assert agency_post.status_code == 201, agency_post.text
    agency_request = agency_post.json()[0]["service_request_id"]
    officer = staff_token(server, client, "pc-privacy", "officer", "Kent Police")
    words = "Officer spoke to Gary Smith at Hill Farm; he will clear it."
    for report_id in (agency_request, farmer_reports["kent_fly_tip"]):
        done = client.post(
            f"/api/v1/reports/{report_id}/events", json={"kind": "update_sent", "text": words}, headers=officer
        )
        assert done.status_code == 201, done.text

    [own] = client.get(f"{OPEN311}/requests/{agency_request}.json", params={"api_key": keys["kent_agency"]}).json()
    assert own["status_notes"] == words
    assert (own["lat"], own["long"]) == (51.26789, 0.93456)
    assert own["description"] == "Sofa and tyres in the field gateway"

    council = _requests(client, keys["council"])
    seen = _by_id(council.json())
    for report_id in (agency_request, farmer_reports["kent_fly_tip"]):
        assert seen[report_id]["status"] == "open"
        assert seen[report_id]["status_notes"] == "The police are dealing with it."
    snapped = (seen[agency_request]["lat"], seen[agency_request]["long"])
    assert snapped == pytest.approx(square_centre((51.26789, 0.93456)), abs=1.5e-5)
    for secret in (words, "caller@example.org", "Philippa", "Sofa and tyres", "51.26789"):
        assert secret not in council.text


def test_no_two_reports_in_one_1_km_grid_square_can_be_told_apart_by_a_partner(
    client: httpx.Client, server: LiveServer, keys: dict[str, str]
) -> None:
    """Reports at the corners, the middle and near each edge of one 1 km National Grid square all read as the
    square's centre; reports a few metres over each edge read as their own squares' centres."""
    east_km, north_km = grid_square(EXACT_KENT)
    corner = (east_km * 1000, north_km * 1000)
    inside = [(3, 3), (997, 3), (3, 997), (997, 997), (500, 500), (250, 800), (996, 501)]
    outside = [(-3, 500), (1003, 500), (500, -3), (500, 1003), (1003, 1003)]
    points = {offset: grid_point(corner[0] + offset[0], corner[1] + offset[1]) for offset in inside + outside}
    with httpx.Client(base_url=server.url, timeout=30) as farmer_client:
        farmer = register(farmer_client, "Square farmer")
        ids = {offset: _farmer_report(farmer_client, farmer, "fly_tipping", point) for offset, point in points.items()}
    seen = _by_id(_requests(client, keys["council"]).json())
    in_xml = _by_id(xml_items(_requests(client, keys["council"], "xml").text, "service_requests", "request"))
    snapped = {offset: (seen[ids[offset]]["lat"], seen[ids[offset]]["long"]) for offset in points}
    for offset in points:
        assert (float(in_xml[ids[offset]]["lat"]), float(in_xml[ids[offset]]["long"])) == snapped[offset]
    # One square, one point: the same numbers to the last digit, whichever corner the report was in.
    assert len({snapped[offset] for offset in inside}) == 1
    centre = snapped[inside[0]]
    easting, northing = grid_position(centre)
    assert abs(easting - (corner[0] + 500)) < 2 and abs(northing - (corner[1] + 500)) < 2
    # Over each edge, another square and another point; all different from each other.
    assert len({snapped[offset] for offset in outside} | {centre}) == len(outside) + 1
    for offset in outside:
        assert grid_square(snapped[offset]) == grid_square(points[offset]) != (east_km, north_km)
    for offset, point in points.items():
        assert point != snapped[offset]
        # Never more than half the square's diagonal (707 m) from the report.
        assert ground_distance_m(point, snapped[offset]) <= 710, offset
