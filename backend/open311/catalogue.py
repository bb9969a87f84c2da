"""Hedgerow's categories as Open311 services, and their category-specific fields as service attributes."""

from __future__ import annotations

from typing import Any

from backend.open311.errors import Open311Error
from wire.categories import BY_CODE, CATEGORIES, Category, FieldSpec

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed in a way a partner would notice (discovery's `changeset`).
CHANGESET = "2026-11-23 00:00"

PARTNER_REQUEST_ID = "partner_request_id"
OCCURRED_AT = "occurred_at"
EMERGENCY_NOTICE = "Hedgerow is not an emergency service: if it is happening now or anyone is in danger, call 999."

# Attributes every service takes besides its category's own fields.
COMMON_ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {
        "code": PARTNER_REQUEST_ID,
        "datatype": "string",
        "datatype_description": "Up to 200 characters, unique among your own requests.",
        "description": "Your own id for this request. A POST repeated with the same value answers with the report "
        "already made instead of making a second one (send it on every POST you may retry); the same value with "
        "different content is refused with 409.",
    },
    {
        "code": OCCURRED_AT,
        "datatype": "datetime",
        "datatype_description": "W3C format with a time zone, e.g. 2026-11-23T06:30:00Z.",
        "description": "When it happened or was found. Defaults to the time of the POST.",
    },
)
MAX_PARTNER_REQUEST_ID = 200


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": f"{category.label}: {category.hint}." + (f" {EMERGENCY_NOTICE}" if category.urgent else ""),
        "metadata": True,
        "type": "realtime",
        "keywords": category.hint,
        "group": category.group,
    }


def service_list() -> list[dict[str, Any]]:
    return [service(c) for c in CATEGORIES]


def category_for(code: str) -> Category:
    category = BY_CODE.get(code)
    if category is None:
        raise Open311Error(404, f"unknown service_code {code!r}")
    return category


def _datatype(spec: FieldSpec) -> tuple[str, str | None, list[dict[str, str]]]:
    """(datatype, datatype_description, values) for one of the category's fields."""
    if spec.kind == "text":
        return ("text" if spec.max_length > 500 else "string"), f"Up to {spec.max_length} characters.", []
    if spec.kind == "integer":
        return "number", f"A whole number from {spec.minimum} to {spec.maximum}.", []
    if spec.kind == "money":
        return "number", f"Pounds, from {spec.minimum} to {spec.maximum}, up to 2 decimal places.", []
    if spec.kind == "boolean":
        return "singlevaluelist", None, [{"key": "true", "name": "Yes"}, {"key": "false", "name": "No"}]
    values = [{"key": choice, "name": choice} for choice in spec.choices or ()]
    if spec.kind == "choice":
        return "singlevaluelist", None, values
    return "multivaluelist", "Send attribute[CODE][]=VALUE once for each value.", values


def definition(code: str) -> dict[str, Any]:
    category = category_for(code)
    attributes: list[dict[str, Any]] = []
    for common in COMMON_ATTRIBUTES:
        attributes.append(
            {
                "variable": True,
                "code": common["code"],
                "datatype": common["datatype"],
                "required": False,
                "datatype_description": common["datatype_description"],
                "order": len(attributes) + 1,
                "description": common["description"],
            }
        )
    for spec in category.fields:
        datatype, datatype_description, values = _datatype(spec)
        attribute: dict[str, Any] = {
            "variable": True,
            "code": spec.name,
            "datatype": datatype,
            "required": spec.required,
            "datatype_description": datatype_description,
            "order": len(attributes) + 1,
            "description": spec.label + (f" ({spec.help})" if spec.help else ""),
        }
        if values:
            attribute["values"] = values
        attributes.append(attribute)
    return {"service_code": category.code, "attributes": attributes}


def discovery(url: str) -> dict[str, Any]:
    """Where this endpoint is and what it speaks."""
    return {
        "changeset": CHANGESET,
        "contact": "Ask the operator of this Hedgerow server.",
        "key_service": "The operator issues an api_key to each partner (hedgerow partners add).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
