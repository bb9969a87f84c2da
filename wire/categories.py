"""The report categories, grouped as a farmer looks for them, with each category's own fields.

The app draws its forms from this list (fetched from `GET /api/v1/categories`, with this module as the
built-in copy for a first run with no signal) and the backend validates `details` against it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

FieldKind = Literal["text", "integer", "money", "choice", "multichoice", "boolean"]


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] | None = None
    help: str | None = None
    max_length: int = 500
    minimum: int = 0
    maximum: int = 1_000_000_000


class Category(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    group: str
    label: str
    icon: str
    urgent: bool = False
    hint: str
    fields: tuple[FieldSpec, ...] = ()
    # The app offers "Send without my name" for it: where fear of the offenders stops people reporting.
    anonymous_offered: bool = False


def _f(name: str, label: str, kind: FieldKind = "text", **kw: Any) -> FieldSpec:
    return FieldSpec(name=name, label=label, kind=kind, **kw)


MARKING = ("none", "CESAR", "DataTag", "SmartWater", "Selectamark", "other")
FLY_TIP_SIZES = (
    "single black bag",
    "single item",
    "car boot or less",
    "small van load",
    "transit van load",
    "tipper lorry load",
    "significant / multiple loads",
)
WASTE_TYPES = (
    "household",
    "construction",
    "tyres",
    "green",
    "vehicle parts",
    "asbestos or other hazardous",
    "other",
)

_THEFT_ITEM = (
    _f("items", "What was taken", max_length=1000),
    _f("make", "Make"),
    _f("model", "Model"),
    _f("serial_number", "Serial number or PIN"),
    _f("marking_scheme", "Marking scheme", "choice", choices=MARKING),
    _f("value_gbp", "Value (£)", "money"),
)

CATEGORIES: tuple[Category, ...] = (
    Category(
        code="theft_machinery",
        group="Theft",
        label="Machinery",
        icon="agriculture",
        hint="tractor, trailer, telehandler, implements",
        fields=_THEFT_ITEM,
    ),
    Category(
        code="theft_quad",
        group="Theft",
        label="Quad, ATV or UTV",
        icon="two_wheeler",
        hint="quad, ATV, UTV",
        fields=(*_THEFT_ITEM, _f("immobiliser_fitted", "Immobiliser fitted", "boolean")),
    ),
    Category(
        code="theft_gps",
        group="Theft",
        label="GPS kit",
        icon="satellite_alt",
        hint="GPS receivers, precision farming kit",
        fields=_THEFT_ITEM,
    ),
    Category(
        code="theft_vehicle",
        group="Theft",
        label="Vehicle or parts",
        icon="directions_car",
        hint="Land Rover / 4x4, vehicle parts",
        fields=(*_THEFT_ITEM, _f("stolen_registration", "Registration of the stolen vehicle")),
    ),
    Category(
        code="theft_livestock",
        group="Theft",
        label="Livestock",
        icon="pets",
        hint="sheep, cattle, pigs",
        fields=(
            _f(
                "species",
                "Animals",
                "choice",
                required=True,
                choices=("sheep", "cattle", "pigs", "goats", "poultry", "other"),
            ),
            _f("number_taken", "How many", "integer", maximum=100_000),
            _f("ear_tags", "Ear tags or marks", max_length=1000),
            _f("value_gbp", "Value (£)", "money"),
        ),
    ),
    Category(
        code="theft_fuel",
        group="Theft",
        label="Fuel or oil",
        icon="local_gas_station",
        hint="red diesel, heating oil",
        fields=(
            _f(
                "fuel_type",
                "Fuel",
                "choice",
                choices=("red diesel", "white diesel", "heating oil", "petrol", "other"),
            ),
            _f("litres", "Litres taken", "integer", maximum=1_000_000),
            _f("value_gbp", "Value (£)", "money"),
        ),
    ),
    Category(
        code="theft_tools_burglary",
        group="Theft",
        label="Tools, metal or break-in",
        icon="handyman",
        hint="tools, metal, outbuilding break-in",
        fields=(*_THEFT_ITEM, _f("building_entered", "A building was broken into", "boolean")),
    ),
    Category(
        code="theft_equine",
        group="Theft",
        label="Horses or tack",
        icon="bedroom_baby",
        hint="horses, tack",
        fields=(
            _f("items", "What was taken", max_length=1000),
            _f("microchip_or_passport", "Microchip or passport number"),
            _f("value_gbp", "Value (£)", "money"),
        ),
    ),
    Category(
        code="fly_tipping",
        group="Fly-tipping",
        label="Fly-tipping",
        icon="delete",
        hint="waste dumped on land or gateways",
        fields=(
            _f("size_band", "How much", "choice", required=True, choices=FLY_TIP_SIZES),
            _f("waste_types", "What kind of waste", "multichoice", choices=WASTE_TYPES),
            _f("blocking_access", "Blocking a gateway or track", "boolean"),
        ),
    ),
    Category(
        code="hare_coursing",
        group="Wildlife and hare coursing",
        label="Hare coursing",
        icon="directions_run",
        urgent=True,
        hint="dogs chasing hares, groups in fields",
        fields=(
            _f("dogs_count", "How many dogs", "integer", maximum=100),
            _f("dog_description", "Dogs (breed, colour)"),
            _f("spectators_filming", "People watching or filming", "boolean"),
        ),
    ),
    Category(
        code="poaching",
        group="Wildlife and hare coursing",
        label="Poaching",
        icon="forest",
        urgent=True,
        hint="deer, fish, game",
        fields=(
            _f("quarry", "Deer, fish or game", "choice", choices=("deer", "fish", "game birds", "other")),
            _f("weapons_seen", "Guns, crossbows or lamps seen", "boolean"),
        ),
    ),
    Category(
        code="wildlife_crime",
        group="Wildlife and hare coursing",
        label="Wildlife crime",
        icon="flutter_dash",
        hint="raptor persecution, badgers, bats",
        fields=(_f("species", "Animal or bird"), _f("what_happened", "What you saw", max_length=1000)),
    ),
    Category(
        code="livestock_worrying",
        group="Livestock",
        label="Dogs worrying livestock",
        icon="cruelty_free",
        urgent=True,
        hint="dogs attacking or chasing livestock",
        fields=(
            _f("livestock", "Animals", "choice", choices=("sheep", "cattle", "horses", "poultry", "other")),
            _f("animals_injured", "Injured", "integer", maximum=100_000),
            _f("animals_killed", "Killed", "integer", maximum=100_000),
            _f("dog_description", "Dog (breed, colour, collar)"),
            _f("owner_present", "Owner was there", "boolean"),
        ),
    ),
    Category(
        code="intimidation",
        group="Intimidation and violence",
        label="Threats or violence",
        icon="report",
        urgent=True,
        hint="threats, harassment, violence, vehicles used as weapons",
        anonymous_offered=True,
        fields=(
            _f("what_was_said", "What was said", max_length=1000),
            _f("weapon_seen", "A weapon was seen", "boolean"),
            _f("anyone_injured", "Anyone was hurt", "boolean"),
        ),
    ),
    Category(
        code="criminal_damage",
        group="Damage and trespass",
        label="Damage or arson",
        icon="broken_image",
        hint="gates, fences, crops, arson",
        fields=(
            _f(
                "damaged",
                "What was damaged",
                "multichoice",
                choices=("gates", "fences", "crops", "buildings", "machinery", "arson", "other"),
            ),
            _f("estimated_cost_gbp", "Cost of the damage (£)", "money"),
        ),
    ),
    Category(
        code="trespass_offroad",
        group="Damage and trespass",
        label="Trespass or off-roading",
        icon="terrain",
        hint="trespass, off-road bikes and 4x4s",
        fields=(
            _f(
                "trespass_kind",
                "Who",
                "choice",
                choices=("on foot", "off-road bikes", "4x4s", "quads", "other"),
            ),
            _f("crops_damaged", "Crops or land damaged", "boolean"),
        ),
    ),
    Category(
        code="suspicious_activity",
        group="Suspicious activity",
        label="Suspicious activity",
        icon="visibility",
        hint="vehicles or people casing a farm (intelligence)",
        fields=(_f("what_seen", "What you saw", max_length=1000),),
    ),
)

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(c.group for c in CATEGORIES))
BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
CategoryCode = Literal[
    "theft_machinery",
    "theft_quad",
    "theft_gps",
    "theft_vehicle",
    "theft_livestock",
    "theft_fuel",
    "theft_tools_burglary",
    "theft_equine",
    "fly_tipping",
    "hare_coursing",
    "poaching",
    "wildlife_crime",
    "livestock_worrying",
    "intimidation",
    "criminal_damage",
    "trespass_offroad",
    "suspicious_activity",
]


def validate_details(code: str, details: dict[str, Any]) -> dict[str, Any]:
    """Check a report's category-specific fields; returns them with empty values dropped.

    Raises ValueError with a message a farmer or integrator can act on.
    """
    category = BY_CODE[code]
    specs = {f.name: f for f in category.fields}
    unknown = sorted(set(details) - set(specs))
    if unknown:
        raise ValueError(f"unknown field(s) for {code}: {', '.join(unknown)}")
    clean: dict[str, Any] = {}
    for spec in category.fields:
        value = details.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.required:
                raise ValueError(f"{spec.label} ({spec.name}) is required for {category.label}")
            continue
        clean[spec.name] = _check_value(spec, value)
    return clean


def _check_value(spec: FieldSpec, value: Any) -> Any:
    name = spec.name
    if spec.kind == "text":
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text")
        if len(value) > spec.max_length:
            raise ValueError(f"{name} is longer than {spec.max_length} characters")
        return value.strip()
    if spec.kind in ("integer", "money"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number")
        if spec.kind == "integer" and value != int(value):
            raise ValueError(f"{name} must be a whole number")
        if not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"{name} must be between {spec.minimum} and {spec.maximum}")
        return int(value) if spec.kind == "integer" else round(float(value), 2)
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if spec.kind == "choice":
        if value not in (spec.choices or ()):
            raise ValueError(f"{name} must be one of: {', '.join(spec.choices or ())}")
        return value
    # multichoice
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of choices")
    bad = [v for v in value if v not in (spec.choices or ())]
    if bad:
        raise ValueError(f"{name} has unknown choice(s): {', '.join(bad)}")
    return sorted(set(value), key=(spec.choices or ()).index)
