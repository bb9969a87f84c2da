"""Normalisers: vehicle registrations as the police search for them, and the farmer's registration form."""

from __future__ import annotations

import pytest

from app.state.registration import RegistrationForm, normalise_postcode
from wire.normalise import normalise_registration
from wire.reports import Vehicle


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ab12 cde", "AB12CDE"),
        (" AB12CDE ", "AB12CDE"),
        ("ab-12-cde", "AB12CDE"),
        ("a b 1 2 c d e", "AB12CDE"),
        ("W123 ABC", "W123ABC"),
        ("1234 AB", "1234AB"),
        ("ab12\tcde\n", "AB12CDE"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_registration_is_upper_case_letters_and_digits_only(typed: str, normalised: str) -> None:
    assert normalise_registration(typed) == normalised


def test_vehicle_model_normalises_its_registration_and_drops_an_empty_one() -> None:
    assert Vehicle(registration="ab12 cde").registration == "AB12CDE"
    assert Vehicle(registration=" - ").registration is None


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("me139ab", "ME13 9AB"), ("ME13 9AB", "ME13 9AB"), (" sw1a  1aa ", "SW1A 1AA"), ("b11aa", "B1 1AA")],
)
def test_postcode_is_written_as_royal_mail_writes_it(typed: str, normalised: str) -> None:
    assert normalise_postcode(typed) == normalised


def _form(**values: str) -> RegistrationForm:
    form = RegistrationForm()
    defaults = {"name": "Jo Farmer", "phone": "07700 900123", "postcode": "ME13 9AB", "server_url": "https://h.test"}
    for name, value in {**defaults, **values}.items():
        form.set_field(name, value)
    return form


def test_registration_form_gives_the_wire_model_and_server_address() -> None:
    checked = _form(name="  Jo Farmer ", postcode="me139ab", farm_name="", server_url="https://h.test/").validated()
    assert checked is not None
    details, server_url = checked
    assert details.name == "Jo Farmer"
    assert details.postcode == "ME13 9AB"
    assert details.farm_name is None
    assert server_url == "https://h.test"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "Write your name"),
        ("phone", "call me", "phone number"),
        ("phone", "123", "phone number"),
        ("postcode", "not a postcode", "postcode"),
        ("server_url", "h.test", "starting with https://"),
        ("server_url", "ftp://h.test", "starting with https://"),
    ],
)
def test_registration_form_refuses_bad_values_field_by_field(field: str, value: str, message: str) -> None:
    form = _form(**{field: value})
    assert form.validated() is None
    assert list(form.errors) == [field]
    assert message in form.errors[field]


def test_typing_into_a_field_clears_its_error() -> None:
    form = _form(name="")
    assert form.validated() is None and "name" in form.errors
    form.set_field("name", "Jo")
    assert "name" not in form.errors


def test_unknown_form_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^token$"):
        RegistrationForm().set_field("token", "x")
