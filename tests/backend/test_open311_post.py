"""Posting a request over Open311 with plain HTTP: the app's intake path, its idempotency, and every refusal."""

from __future__ import annotations

import sqlite3
from uuid import uuid4

import httpx
import pytest

from tests.backend.open311_support import (
    OPEN311,
    add_partner,
    errors_of,
    fly_tip_form,
    grid_position,
    post_request,
    xml_items,
)
from tests.support import LiveServer, staff_token


@pytest.fixture(scope="module")
def partner_key(server: LiveServer) -> str:
    return add_partner(server, "Kent Fly-tipping Partnership", ["fly_tipping", "theft_livestock"], ["Kent Police"])


def _count(server: LiveServer, sql: str, *args: str) -> int:
    with sqlite3.connect(server.data_dir / "hedgerow.db") as db:
        return db.execute(sql, args).fetchone()[0]


def _read(client: httpx.Client, key: str, request_id: str, fmt: str = "json") -> httpx.Response:
    return client.get(f"{OPEN311}/requests/{request_id}.{fmt}", params={"api_key": key})


def test_posted_request_is_stored_through_intake_and_read_back_in_both_formats(
    client: httpx.Client, server: LiveServer, partner_key: str
) -> None:
    form = fly_tip_form(
        partner_key,
        "FMS-1001",
        address_string="Long Meadow gate",
        email="resident@example.org",
        first_name="Sam",
        last_name="Reporter",
        media_url="https://partner.example/photos/1001.jpg",
        account_id="acct-77",
    )
    posted = post_request(client, form)
    assert posted.status_code == 201, posted.text
    [answer] = posted.json()
    assert answer["account_id"] == "acct-77"
    request_id = answer["service_request_id"]

    read = _read(client, partner_key, request_id)
    assert read.status_code == 200
    [request] = read.json()
    assert request["service_request_id"] == request_id
    assert request["description"] == "Sofa and tyres in the field gateway"
    assert request["address"] == "Long Meadow gate"
    assert request["media_url"] == "https://partner.example/photos/1001.jpg"
    assert (request["lat"], request["long"]) == (51.25432, 0.91234)
    assert request["agency_responsible"] == "Kent Police"
    assert request["status"] == "open"

    in_xml = _read(client, partner_key, request_id, "xml")
    assert in_xml.headers["content-type"].startswith("text/xml")
    [xml_request] = xml_items(in_xml.text, "service_requests", "request")
    assert xml_request["service_request_id"] == request_id
    assert xml_request["lat"] == "51.25432"
    assert xml_request["description"] == request["description"]

    # The same intake as the app: a report row with its category details, a `received` event, routed to Kent.
    with sqlite3.connect(server.data_dir / "hedgerow.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM reports WHERE id = ?", [request_id]).fetchone()
        assert row["details"] == '{"size_band": "single item", "waste_types": ["household", "tyres"]}'
        assert row["force"] == "Kent Police"
        assert row["place_name"] == "Long Meadow gate"
        kinds = [r[0] for r in db.execute("SELECT kind FROM events WHERE report_id = ?", [request_id])]
        assert kinds == ["received"]
        device = db.execute("SELECT kind FROM devices WHERE id = ?", [row["device_id"]]).fetchone()
        assert device["kind"] == "partner"
        extra = db.execute(
            "SELECT extra, partner_key FROM partner_requests WHERE report_id = ?", [request_id]
        ).fetchone()
        assert extra["partner_key"] == "FMS-1001"
        assert "resident@example.org" in extra["extra"] and partner_key not in extra["extra"]


def test_repeated_post_with_the_same_partner_request_id_does_not_duplicate(
    client: httpx.Client, server: LiveServer, partner_key: str
) -> None:
    key = f"retry-{uuid4()}"
    first = post_request(client, fly_tip_form(partner_key, key))
    assert first.status_code == 201, first.text
    again = post_request(client, fly_tip_form(partner_key, key), fmt="xml")
    assert again.status_code == 200, again.text
    [xml_answer] = xml_items(again.text, "service_requests", "request")
    request_id = first.json()[0]["service_request_id"]
    assert xml_answer["service_request_id"] == request_id
    assert _count(server, "SELECT count(*) FROM partner_requests WHERE partner_key = ?", key) == 1
    assert _count(server, "SELECT count(*) FROM events WHERE report_id = ?", request_id) == 1

    changed = post_request(client, fly_tip_form(partner_key, key, description="Something else entirely"))
    assert changed.status_code == 409
    assert errors_of(changed)[0]["code"] == 409
    [request] = _read(client, partner_key, request_id).json()
    assert request["description"] == "Sofa and tyres in the field gateway"


def test_posts_without_a_partner_request_id_are_separate_reports(client: httpx.Client, partner_key: str) -> None:
    first = post_request(client, fly_tip_form(partner_key))
    second = post_request(client, fly_tip_form(partner_key))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]


def test_two_partners_may_use_the_same_partner_request_id(
    client: httpx.Client, server: LiveServer, partner_key: str
) -> None:
    other_key = add_partner(server, "Environment Agency (south east)", ["fly_tipping"], ["Kent Police"])
    mine = post_request(client, fly_tip_form(partner_key, "shared-42"))
    theirs = post_request(client, fly_tip_form(other_key, "shared-42"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()[0]["service_request_id"] != theirs.json()[0]["service_request_id"]
    # Each reads the other's as anyone else's: without its description.
    read = _read(client, other_key, mine.json()[0]["service_request_id"])
    assert read.status_code == 200 and read.json()[0]["description"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_or_missing_api_key_gets_403_in_the_spec_error_format(
    client: httpx.Client, server: LiveServer, fmt: str
) -> None:
    before = _count(server, "SELECT count(*) FROM reports")
    for key in ("hp_wrong", "hd_a-device-token-is-not-an-api-key", None):
        response = post_request(client, fly_tip_form(key, str(uuid4())), fmt=fmt)
        assert response.status_code == 403, response.text
        [error] = errors_of(response)
        assert error["code"] == 403
        assert "api_key" in error["description"]
    assert _count(server, "SELECT count(*) FROM reports") == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_required_attribute_gets_400_in_the_spec_error_format(
    client: httpx.Client, server: LiveServer, partner_key: str, fmt: str
) -> None:
    before = _count(server, "SELECT count(*) FROM reports")
    form = [(k, v) for k, v in fly_tip_form(partner_key, str(uuid4())) if k != "attribute[size_band]"]
    response = post_request(client, form, fmt=fmt)
    assert response.status_code == 400
    assert errors_of(response) == [{"code": 400, "description": "How much (size_band) is required for Fly-tipping"}]
    livestock = [("api_key", partner_key), ("service_code", "theft_livestock"), ("lat", "51.25"), ("long", "0.9")]
    response = post_request(client, livestock, fmt=fmt)
    assert response.status_code == 400
    assert "Animals (species) is required" in errors_of(response)[0]["description"]
    assert _count(server, "SELECT count(*) FROM reports") == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attribute[size_band]": "a mountain"}, "size_band must be one of"),
        ({"attribute[blocking_access]": "perhaps"}, "blocking_access] must be true or false"),
        ({"attribute[colour_of_sofa]": "brown"}, "unknown field(s) for fly_tipping: colour_of_sofa"),
        ({"lat": "north-ish"}, "lat and long must be decimal degrees"),
        ({"lat": "91"}, "location.lat: Input should be less than or equal to 90"),
        ({"description": "x" * 5001}, "description is longer than 5000 characters"),
        ({"address_string": "y" * 201}, "location.place_name: String should have at most 200 characters"),
        ({"attribute[occurred_at]": "last Tuesday"}, "attribute[occurred_at] must be a W3C datetime"),
        ({"service_code": ""}, "service_code is required"),
        ({"colour": "brown"}, "unknown parameter(s): colour"),
    ],
)
def test_wrong_values_get_400_naming_the_field_and_store_nothing(
    client: httpx.Client, server: LiveServer, partner_key: str, change: dict[str, str], message: str
) -> None:
    before = _count(server, "SELECT count(*) FROM reports")
    response = post_request(client, fly_tip_form(partner_key, str(uuid4()), **change))
    assert response.status_code == 400, response.text
    [error] = errors_of(response)
    assert error["code"] == 400
    assert message in error["description"]
    assert _count(server, "SELECT count(*) FROM reports") == before


def test_unknown_service_gets_404_and_a_location_is_required(client: httpx.Client, partner_key: str) -> None:
    unknown = post_request(client, [("api_key", partner_key), ("service_code", "crop_circles"), ("lat", "51")])
    assert unknown.status_code == 404
    assert errors_of(unknown) == [{"code": 404, "description": "unknown service_code 'crop_circles'"}]
    nowhere = [(k, v) for k, v in fly_tip_form(partner_key, str(uuid4())) if k not in ("lat", "long")]
    response = post_request(client, nowhere, fmt="xml")
    assert response.status_code == 400
    assert "a location is required" in errors_of(response)[0]["description"]
    only_lat = [(k, v) for k, v in fly_tip_form(partner_key, str(uuid4())) if k != "long"]
    assert errors_of(post_request(client, only_lat)) == [{"code": 400, "description": "send both lat and long"}]


def test_an_os_grid_reference_as_address_string_locates_the_report(client: httpx.Client, partner_key: str) -> None:
    form = [(k, v) for k, v in fly_tip_form(partner_key, str(uuid4())) if k not in ("lat", "long")]
    form.append(("address_string", "TR 15100 57900"))  # Canterbury Cathedral: 51.2798 N, 1.0829 E (WGS84)
    posted = post_request(client, form)
    assert posted.status_code == 201, posted.text
    [request] = _read(client, partner_key, posted.json()[0]["service_request_id"]).json()
    assert request["address"] == "TR 15100 57900"
    assert request["agency_responsible"] == "Kent Police"
    assert abs(request["lat"] - 51.2798) < 0.001 and abs(request["long"] - 1.0829) < 0.001


def test_a_body_that_is_not_a_form_or_is_too_large_is_refused(
    client: httpx.Client, server: LiveServer, partner_key: str
) -> None:
    before = _count(server, "SELECT count(*) FROM reports")
    as_json = client.post(f"{OPEN311}/requests.json", json=dict(fly_tip_form(partner_key)))
    assert as_json.status_code == 403  # the api_key is read from the query or a form only
    keyed = client.post(f"{OPEN311}/requests.json", params={"api_key": partner_key}, json={"service_code": "x"})
    assert keyed.status_code == 400
    assert "application/x-www-form-urlencoded" in errors_of(keyed)[0]["description"]
    huge = post_request(client, fly_tip_form(partner_key, str(uuid4()), description="z" * 300_000))
    assert huge.status_code == 413
    assert _count(server, "SELECT count(*) FROM reports") == before


def test_status_follows_the_police_actions_with_their_public_words_as_status_notes(
    client: httpx.Client, server: LiveServer, partner_key: str
) -> None:
    request_id = post_request(client, fly_tip_form(partner_key, str(uuid4()))).json()[0]["service_request_id"]
    officer = staff_token(server, client, f"pc-{uuid4().hex[:8]}", "officer", "Kent Police")

    def act(**event: str) -> None:
        done = client.post(f"/api/v1/reports/{request_id}/events", json=event, headers=officer)
        assert done.status_code == 201, done.text

    act(kind="acknowledged")
    [request] = _read(client, partner_key, request_id).json()
    assert (request["status"], request["status_notes"]) == ("open", "Seen by the rural crime team")
    act(kind="note", text="Internal: suspect is the neighbour's lad")
    act(kind="update_sent", text="We have passed the photos to the council's enforcement team.")
    [request] = _read(client, partner_key, request_id).json()
    assert request["status"] == "open"
    assert request["status_notes"] == "We have passed the photos to the council's enforcement team."
    act(kind="closed", outcome="passed_to_council")
    [request] = _read(client, partner_key, request_id).json()
    assert (request["status"], request["status_notes"]) == ("closed", "Closed: Passed to the council")
    assert request["updated_datetime"] > request["requested_datetime"]


def test_partners_add_refuses_unknown_categories_forces_and_names_twice(server: LiveServer) -> None:
    for args, message in (
        (["--categories", "fly_tipping,crop_circles"], "unknown categor(ies): crop_circles"),
        (["--forces", "Kent Police", "Atlantis Constabulary"], "unknown force(s): Atlantis Constabulary"),
    ):
        done = server.cli("partners", "add", "Refused Partner", *args)
        assert done.returncode == 2
        assert message in done.stderr
        assert "api_key" not in done.stdout
    key = add_partner(server, "Once Only Council", ["fly_tipping"], ["Kent Police,Sussex Police"])
    again = server.cli("partners", "add", "once only council")
    assert again.returncode == 2
    assert "already exists" in again.stderr
    with sqlite3.connect(server.data_dir / "hedgerow.db") as db:
        rows = db.execute("SELECT name, categories, forces, api_key_hash FROM partners WHERE name LIKE '%Only%'")
        [(name, categories, forces, stored)] = rows.fetchall()
        assert (name, categories, forces) == (
            "Once Only Council",
            '["fly_tipping"]',
            '["Kent Police", "Sussex Police"]',
        )
        assert stored != key and key not in stored  # only its hash is kept
        assert db.execute("SELECT count(*) FROM partners WHERE name = 'Refused Partner'").fetchone()[0] == 0


def test_text_xml_cannot_hold_is_replaced_in_xml_and_kept_in_json(client: httpx.Client, partner_key: str) -> None:
    description = "Bell\x07 of a tip \u00e9 \u2014 still there"
    posted = post_request(client, fly_tip_form(partner_key, str(uuid4()), description=description))
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    assert _read(client, partner_key, request_id).json()[0]["description"] == description
    [in_xml] = xml_items(_read(client, partner_key, request_id, "xml").text, "service_requests", "request")
    assert in_xml["description"] == "Bell\ufffd of a tip \u00e9 \u2014 still there"


def _at_grid_reference(key: str, reference: str) -> list[tuple[str, str]]:
    form = fly_tip_form(key, str(uuid4()), address_string=reference)
    return [(k, v) for k, v in form if k not in ("lat", "long")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_partner_posts_only_in_its_own_categories_and_forces(
    client: httpx.Client, server: LiveServer, partner_key: str, fmt: str
) -> None:
    nobody = add_partner(server, f"A partner with no scope ({fmt})", [], [])
    before = _count(server, "SELECT count(*) FROM reports")
    hare_coursing = [("api_key", partner_key), ("service_code", "hare_coursing"), ("lat", "51.25"), ("long", "0.9")]
    cases = [
        (hare_coursing, "this api_key may not report 'hare_coursing': its categories are fly_tipping, theft_livestock"),
        (
            fly_tip_form(partner_key, str(uuid4()), where=(51.01234, -1.30987)),
            "the location is in the area of Hampshire and Isle of Wight Constabulary; its forces are Kent Police",
        ),
        (
            _at_grid_reference(partner_key, "SU 45000 20000"),  # in Hampshire
            "the location is in the area of Hampshire and Isle of Wight Constabulary",
        ),
        (
            fly_tip_form(partner_key, str(uuid4()), where=(50.0, -3.0)),  # the English Channel
            "the location is outside every force's area on this server",
        ),
        (fly_tip_form(nobody, str(uuid4())), "this api_key may not report 'fly_tipping': its categories are none"),
    ]
    for form, message in cases:
        response = post_request(client, form, fmt=fmt)
        assert response.status_code == 403, (message, response.text)
        [error] = errors_of(response)
        assert error["code"] == 403 and message in error["description"], error
    assert _count(server, "SELECT count(*) FROM reports") == before
    # In its own category and force it may, by point or by grid reference.
    assert post_request(client, fly_tip_form(partner_key, str(uuid4())), fmt=fmt).status_code == 201
    assert post_request(client, _at_grid_reference(partner_key, "TR 02 56"), fmt=fmt).status_code == 201


@pytest.mark.parametrize(
    ("reference", "square"),
    [
        # The reference, and the square it names: the easting and northing of its south-west corner, its side.
        ("TR 02 56", (602_000, 156_000, 1000)),
        ("TR 024 569", (602_400, 156_900, 100)),
        ("TR 0248 5698", (602_480, 156_980, 10)),
        ("TR 02480 56985", (602_480, 156_985, 1)),
        ("tr0248056985", (602_480, 156_985, 1)),
    ],
)
def test_a_grid_reference_puts_the_report_at_the_centre_of_the_square_it_names(
    client: httpx.Client, server: LiveServer, partner_key: str, reference: str, square: tuple[int, int, int]
) -> None:
    posted = post_request(client, _at_grid_reference(partner_key, reference))
    assert posted.status_code == 201, posted.text
    with sqlite3.connect(server.data_dir / "hedgerow.db") as db:
        lat, lon, accuracy_m, grid_ref = db.execute(
            "SELECT lat, lon, accuracy_m, grid_ref FROM reports WHERE id = ?", [posted.json()[0]["service_request_id"]]
        ).fetchone()
    assert grid_ref == reference
    # Converted back by pygeodesy, independently of the server: inside the square, at its centre (not its corner).
    easting, northing = grid_position((lat, lon))
    west, south, side = square
    assert west <= easting < west + side and south <= northing < south + side, (easting, northing)
    assert abs(easting - (west + side / 2)) < 0.1 and abs(northing - (south + side / 2)) < 0.1, (easting, northing)
    assert accuracy_m == pytest.approx(side * 0.7071, abs=0.1)  # the furthest the place can be from the centre


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("SI 123 456", "SI is not a grid square: the letter I is never used"),  # pygeodesy read it as SH
        ("TR 024 56", "5 digits: a grid reference has an even number (4, 6, 8 or 10), as many east as north"),
        ("AA 1234 5678", "AA is not a grid square in Great Britain"),
    ],
)
def test_a_grid_reference_that_names_no_square_gets_400_saying_why(
    client: httpx.Client, server: LiveServer, partner_key: str, reference: str, why: str
) -> None:
    before = _count(server, "SELECT count(*) FROM reports")
    response = post_request(client, _at_grid_reference(partner_key, reference))
    assert response.status_code == 400, response.text
    assert errors_of(response) == [
        {"code": 400, "description": f"address_string {reference!r} is not a valid OS grid reference: {why}"}
    ]
    assert _count(server, "SELECT count(*) FROM reports") == before
