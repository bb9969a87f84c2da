"""POST requests: a partner's form turned into a ReportCreate and sent through the app's own intake path.

The report id is derived from the partner and its `attribute[partner_request_id]`, so a repeated POST names the
same report, and `put_report` (the one intake path) decides, as for a phone's resend, whether it is the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from backend.open311.catalogue import MAX_PARTNER_REQUEST_ID, OCCURRED_AT, PARTNER_REQUEST_ID, category_for
from backend.open311.errors import Open311Error
from backend.open311.queries import parse_w3c
from backend.security import iso
from backend.services import partners
from backend.services.areas.boundaries import area_index
from backend.services.errors import Conflict, NotFound, plain_message
from backend.services.intake import reports
from backend.services.partners import Partner
from backend.writes import write
from core.gridref import GridRefError, parse_grid_ref
from wire.categories import FieldSpec
from wire.reports import ReportCreate

# The spec's POST parameters. Anything else is refused, so that a typo is an error rather than lost data.
# Kept with the report for the police (contact details) and the partner (its references), never shown over Open311.
_EXTRA = ("email", "first_name", "last_name", "phone", "device_id", "address_id", "jurisdiction_id")
_SINGLE = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "account_id",
    "description",
    "media_url",
    *_EXTRA,
)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# What is read as a grid reference rather than an address: two letters, then 4 to 10 digits (e.g. "SU 12345 67890").
_GRID_REF = re.compile(r"^[A-Za-z]{2}(?:\s*\d){4,10}$")
# A partner may name a 1 km square (4 figures); the phone asks a farmer for 6 to 10.
_GRID_FIGURES = (4, 6, 8, 10)
_MAX_PARAM = 5000


@dataclass(frozen=True)
class Submitted:
    report_id: str
    created: bool
    account_id: str | None
    urgent: bool


def _fields(items: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Split the form into the spec's single parameters and the attributes (which may repeat for lists)."""
    single: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    unknown: list[str] = []
    for key, value in items:
        if len(value) > _MAX_PARAM:
            raise Open311Error(400, f"{key} is longer than {_MAX_PARAM} characters")
        match = _ATTRIBUTE.match(key)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
        elif key in _SINGLE:
            if key in single:
                raise Open311Error(400, f"{key} was sent more than once")
            single[key] = value.strip()
        else:
            unknown.append(key)
    if unknown:
        raise Open311Error(400, f"unknown parameter(s): {', '.join(sorted(set(unknown)))}")
    return single, attributes


def _one(code: str, values: list[str]) -> str:
    if len(values) != 1:
        raise Open311Error(400, f"attribute[{code}] takes one value")
    return values[0].strip()


def _typed(spec: FieldSpec, values: list[str]) -> Any:
    """A form value as the type the category's field holds; the field's own checks then run in ReportCreate."""
    if spec.kind == "multichoice":
        return [v.strip() for v in values if v.strip()]
    value = _one(spec.name, values)
    if value == "":
        return None
    if spec.kind in ("integer", "money"):
        try:
            number = float(value)
        except ValueError:
            raise Open311Error(400, f"attribute[{spec.name}] must be a number, not {value!r}") from None
        return int(number) if spec.kind == "integer" and number.is_integer() else number
    if spec.kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise Open311Error(400, f"attribute[{spec.name}] must be true or false, not {value!r}")
        return value.lower() == "true"
    return value


def _location(single: dict[str, str]) -> dict[str, Any]:
    address = single.get("address_string") or None
    lat, lon = single.get("lat"), single.get("long")
    if lat and lon:
        try:
            point = {"lat": float(lat), "lon": float(lon)}
        except ValueError:
            raise Open311Error(400, "lat and long must be decimal degrees (WGS84)") from None
        return {**point, "source": "map", "place_name": address}
    if lat or lon:
        raise Open311Error(400, "send both lat and long")
    if address and _GRID_REF.match(address):
        try:
            ref = parse_grid_ref(address, _GRID_FIGURES)
        except GridRefError as exc:
            raise Open311Error(400, f"address_string {address!r} is not a valid OS grid reference: {exc}") from None
        # The centre of the square the reference names, and how far the place may be from it.
        return {"lat": ref.lat, "lon": ref.lon, "accuracy_m": ref.accuracy_m, "source": "grid_ref", "grid_ref": address}
    raise Open311Error(
        400, "a location is required: lat and long, or an OS grid reference (e.g. SU 12345 67890) as address_string"
    )


def _message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = plain_message(error["msg"])
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _body(
    single: dict[str, str], attributes: dict[str, list[str]], previous: dict[str, Any] | None, now: datetime
) -> ReportCreate:
    category = category_for(single["service_code"])
    specs = {spec.name: spec for spec in category.fields}
    # Unknown attribute codes are passed on as they are, for the category's own check to name them.
    details = {
        code: _typed(specs[code], values) if code in specs else values[0]
        for code, values in attributes.items()
        if code not in (PARTNER_REQUEST_ID, OCCURRED_AT)
    }
    occurred = attributes.get(OCCURRED_AT)
    if occurred:
        occurred_at = parse_w3c(f"attribute[{OCCURRED_AT}]", _one(OCCURRED_AT, occurred))
    else:
        occurred_at = datetime.fromisoformat(previous["occurred_at"]) if previous else now
    # A resend is compared with what is held, so it must carry the first POST's creation time.
    created_at = datetime.fromisoformat(previous["created_at"]) if previous else now
    try:
        return ReportCreate.model_validate(
            {
                "category": category.code,
                "occurred_at": iso(occurred_at),
                "created_at": iso(created_at),
                "description": single.get("description", ""),
                "location": _location(single),
                "details": details,
            }
        )
    except ValidationError as exc:
        raise Open311Error(400, _message(exc)) from None


# A partner reports only in the categories and forces it was given, those whose reports it may read: a key issued
# for one council's fly-tipping must not put reports into another force's queue. The category is checked before
# the form (its fields depend on it), the force once the location is known to be valid.


def check_category(partner: Partner, single: dict[str, str]) -> None:
    code = category_for(single["service_code"]).code
    if code not in partner.categories:
        allowed = ", ".join(sorted(partner.categories)) or "none"
        raise Open311Error(
            403, f"this api_key may not report {code!r}: its categories are {allowed} (ask the server's operator)"
        )


def check_force(db: sqlite_utils.Database, partner: Partner, body: ReportCreate) -> None:
    area = area_index(db).locate(body.location.lat, body.location.lon)
    if area is None or area.force not in partner.forces:
        place = f"in the area of {area.force}" if area else "outside every force's area on this server"
        allowed = ", ".join(sorted(partner.forces)) or "none"
        raise Open311Error(403, f"this api_key may not report there: the location is {place}; its forces are {allowed}")


@dataclass(frozen=True)
class Parsed:
    """A POST's form, checked as far as it can be without the database."""

    single: dict[str, str]
    attributes: dict[str, list[str]]
    partner_key: str | None


def parse(items: list[tuple[str, str]]) -> Parsed:
    single, attributes = _fields(items)
    if not single.get("service_code"):
        raise Open311Error(400, "service_code is required")
    category_for(single["service_code"])
    partner_key = _one(PARTNER_REQUEST_ID, attributes[PARTNER_REQUEST_ID]) if PARTNER_REQUEST_ID in attributes else None
    if partner_key is not None and not 0 < len(partner_key) <= MAX_PARTNER_REQUEST_ID:
        raise Open311Error(400, f"attribute[{PARTNER_REQUEST_ID}] needs 1 to {MAX_PARTNER_REQUEST_ID} characters")
    return Parsed(single, attributes, partner_key)


def store(db: sqlite_utils.Database, partner: Partner, parsed: Parsed, now: datetime) -> Submitted:
    """Store the request through `put_report`, in one transaction with what the POST carried beyond the report.

    Run it on the group-commit writer, as the app's PUT is: a repeat is then decided under the write lock.
    """
    report_id = partners.partner_report_id(partner, parsed.partner_key)
    single = parsed.single
    check_category(partner, single)
    try:
        with write(db):
            previous = db.execute(
                "SELECT occurred_at, created_at FROM reports WHERE id = ? AND device_id = ?",
                [report_id, partner.device_id],
            ).fetchone()
            body = _body(single, parsed.attributes, dict(previous) if previous else None, now)
            check_force(db, partner, body)
            created = reports.put_report(db, partner.device_id, report_id, body, now)
            if created:
                partners.record_partner_request(
                    db,
                    partner,
                    report_id,
                    parsed.partner_key,
                    {k: single[k] for k in _EXTRA if single.get(k)},
                    single.get("media_url") or None,
                    single.get("account_id") or None,
                    now,
                )
    except Conflict:
        raise Open311Error(
            409,
            f"attribute[{PARTNER_REQUEST_ID}] {parsed.partner_key!r} was already used for a request with other content",
        ) from None
    except NotFound:
        raise Open311Error(409, "this request id is taken") from None
    return Submitted(report_id, created, single.get("account_id") or None, category_for(body.category).urgent)
