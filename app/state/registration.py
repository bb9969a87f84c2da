"""The first-run form: the farmer's name, phone, farm and postcode, and the server's address."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import flet as ft
from pydantic import ValidationError

from app.i18n import N_, _
from app.services.enrolment import require_secure
from wire.reports import DeviceCreate

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
FIELDS = ("name", "phone", "farm_name", "postcode", "server_url")
_MESSAGES = {
    "name": N_("Write your name"),
    "phone": N_("Write a phone number the police can call (digits, spaces, + and brackets)"),
    "farm_name": N_("Keep the farm name under 200 letters"),
    "postcode": N_("Write the farm's postcode, for example ME13 9AB"),
}


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the last three characters, as Royal Mail writes it."""
    compact = "".join(text.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def check_server_url(text: str) -> str:
    url = text.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(_("Write the server's address starting with https://"))
    return require_secure(url)


@ft.observable
@dataclass
class RegistrationForm:
    name: str = ""
    phone: str = ""
    farm_name: str = ""
    postcode: str = ""
    server_url: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def set_field(self, name: str, value: str) -> None:
        if name not in FIELDS:
            raise ValueError(name)
        setattr(self, name, value)
        if name in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    def validated(self) -> tuple[DeviceCreate, str] | None:
        """The details as the server takes them and the server address, or None with `errors` filled in."""
        errors: dict[str, str] = {}
        details = None
        try:
            details = DeviceCreate(
                name=self.name,
                phone=self.phone,
                farm_name=self.farm_name.strip() or None,
                postcode=normalise_postcode(self.postcode) or None,
            )
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0])
                errors.setdefault(name, _(_MESSAGES[name]) if name in _MESSAGES else err["msg"])
        postcode = normalise_postcode(self.postcode)
        if postcode and "postcode" not in errors and not _POSTCODE.match(postcode):
            errors["postcode"] = _(_MESSAGES["postcode"])
        try:
            server_url = check_server_url(self.server_url)
        except ValueError as exc:
            errors["server_url"] = str(exc)
        self.errors = errors
        if errors or details is None:
            return None
        return details, server_url
