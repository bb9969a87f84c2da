"""The report categories, grouped as a farmer looks for them, with each category's own fields.

The app draws its forms from this list (fetched from `GET /api/v1/categories`, with this module as the
built-in copy for a first run with no signal) and the backend validates `details` against it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from core.i18n import N_

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


MARKING = (N_("none"), "CESAR", "DataTag", "SmartWater", "Selectamark", N_("other"))  # scheme names stay
FLY_TIP_SIZES = (
    N_("single black bag"),
    N_("single item"),
    N_("car boot or less"),
    N_("small van load"),
    N_("transit van load"),
    N_("tipper lorry load"),
    N_("significant / multiple loads"),
)
WASTE_TYPES = (
    N_("household"),
    N_("construction"),
    N_("tyres"),
    N_("green"),
    N_("vehicle parts"),
    N_("asbestos or other hazardous"),
    N_("other"),
)

_THEFT_ITEM = (
    _f("items", N_("What was taken"), max_length=1000),
    _f("make", N_("Make")),
    _f("model", N_("Model")),
    _f("serial_number", N_("Serial number or PIN")),
    _f("marking_scheme", N_("Marking scheme"), "choice", choices=MARKING),
    _f("value_gbp", N_("Value (£)"), "money"),
)

CATEGORIES: tuple[Category, ...] = (
    Category(
        code="theft_machinery",
        group=N_("Theft"),
        label=N_("Machinery"),
        icon="agriculture",
        hint=N_("tractor, trailer, telehandler, implements"),
        fields=_THEFT_ITEM,
    ),
    Category(
        code="theft_quad",
        group=N_("Theft"),
        label=N_("Quad, ATV or UTV"),
        icon="two_wheeler",
        hint=N_("quad, ATV, UTV"),
        fields=(*_THEFT_ITEM, _f("immobiliser_fitted", N_("Immobiliser fitted"), "boolean")),
    ),
    Category(
        code="theft_gps",
        group=N_("Theft"),
        label=N_("GPS kit"),
        icon="satellite_alt",
        hint=N_("GPS receivers, precision farming kit"),
        fields=_THEFT_ITEM,
    ),
    Category(
        code="theft_vehicle",
        group=N_("Theft"),
        label=N_("Vehicle or parts"),
        icon="directions_car",
        hint=N_("Land Rover / 4x4, vehicle parts"),
        fields=(*_THEFT_ITEM, _f("stolen_registration", N_("Registration of the stolen vehicle"))),
    ),
    Category(
        code="theft_livestock",
        group=N_("Theft"),
        label=N_("Livestock"),
        icon="pets",
        hint=N_("sheep, cattle, pigs"),
        fields=(
            _f(
                "species",
                N_("Animals"),
                "choice",
                required=True,
                choices=(N_("sheep"), N_("cattle"), N_("pigs"), N_("goats"), N_("poultry"), N_("other")),
            ),
            _f("number_taken", N_("How many"), "integer", maximum=100_000),
            _f("ear_tags", N_("Ear tags or marks"), max_length=1000),
            _f("value_gbp", N_("Value (£)"), "money"),
        ),
    ),
    Category(
        code="theft_fuel",
        group=N_("Theft"),
        label=N_("Fuel or oil"),
        icon="local_gas_station",
        hint=N_("red diesel, heating oil"),
        fields=(
            _f(
                "fuel_type",
                N_("Fuel"),
                "choice",
                choices=(N_("red diesel"), N_("white diesel"), N_("heating oil"), N_("petrol"), N_("other")),
            ),
            _f("litres", N_("Litres taken"), "integer", maximum=1_000_000),
            _f("value_gbp", N_("Value (£)"), "money"),
        ),
    ),
    Category(
        code="theft_tools_burglary",
        group=N_("Theft"),
        label=N_("Tools, metal or break-in"),
        icon="handyman",
        hint=N_("tools, metal, outbuilding break-in"),
        fields=(*_THEFT_ITEM, _f("building_entered", N_("A building was broken into"), "boolean")),
    ),
    Category(
        code="theft_equine",
        group=N_("Theft"),
        label=N_("Horses or tack"),
        icon="bedroom_baby",
        hint=N_("horses, tack"),
        fields=(
            _f("items", N_("What was taken"), max_length=1000),
            _f("microchip_or_passport", N_("Microchip or passport number")),
            _f("value_gbp", N_("Value (£)"), "money"),
        ),
    ),
    Category(
        code="fly_tipping",
        group=N_("Fly-tipping"),
        label=N_("Fly-tipping"),
        icon="delete",
        hint=N_("waste dumped on land or gateways"),
        fields=(
            _f("size_band", N_("How much"), "choice", required=True, choices=FLY_TIP_SIZES),
            _f("waste_types", N_("What kind of waste"), "multichoice", choices=WASTE_TYPES),
            _f("blocking_access", N_("Blocking a gateway or track"), "boolean"),
        ),
    ),
    Category(
        code="hare_coursing",
        group=N_("Wildlife and hare coursing"),
        label=N_("Hare coursing"),
        icon="directions_run",
        urgent=True,
        hint=N_("dogs chasing hares, groups in fields"),
        fields=(
            _f("dogs_count", N_("How many dogs"), "integer", maximum=100),
            _f("dog_description", N_("Dogs (breed, colour)")),
            _f("spectators_filming", N_("People watching or filming"), "boolean"),
        ),
    ),
    Category(
        code="poaching",
        group=N_("Wildlife and hare coursing"),
        label=N_("Poaching"),
        icon="forest",
        urgent=True,
        hint=N_("deer, fish, game"),
        fields=(
            _f(
                "quarry",
                N_("Deer, fish or game"),
                "choice",
                choices=(N_("deer"), N_("fish"), N_("game birds"), N_("other")),
            ),
            _f("weapons_seen", N_("Guns, crossbows or lamps seen"), "boolean"),
        ),
    ),
    Category(
        code="wildlife_crime",
        group=N_("Wildlife and hare coursing"),
        label=N_("Wildlife crime"),
        icon="flutter_dash",
        hint=N_("raptor persecution, badgers, bats"),
        fields=(_f("species", N_("Animal or bird")), _f("what_happened", N_("What you saw"), max_length=1000)),
    ),
    Category(
        code="livestock_worrying",
        group=N_("Livestock"),
        label=N_("Dogs worrying livestock"),
        icon="cruelty_free",
        urgent=True,
        hint=N_("dogs attacking or chasing livestock"),
        fields=(
            _f(
                "livestock",
                N_("Animals"),
                "choice",
                choices=(N_("sheep"), N_("cattle"), N_("horses"), N_("poultry"), N_("other")),
            ),
            _f("animals_injured", N_("Injured"), "integer", maximum=100_000),
            _f("animals_killed", N_("Killed"), "integer", maximum=100_000),
            _f("dog_description", N_("Dog (breed, colour, collar)")),
            _f("owner_present", N_("Owner was there"), "boolean"),
        ),
    ),
    Category(
        code="intimidation",
        group=N_("Intimidation and violence"),
        label=N_("Threats or violence"),
        icon="report",
        urgent=True,
        hint=N_("threats, harassment, violence, vehicles used as weapons"),
        anonymous_offered=True,
        fields=(
            _f("what_was_said", N_("What was said"), max_length=1000),
            _f("weapon_seen", N_("A weapon was seen"), "boolean"),
            _f("anyone_injured", N_("Anyone was hurt"), "boolean"),
        ),
    ),
    Category(
        code="criminal_damage",
        group=N_("Damage and trespass"),
        label=N_("Damage or arson"),
        icon="broken_image",
        hint=N_("gates, fences, crops, arson"),
        fields=(
            _f(
                "damaged",
                N_("What was damaged"),
                "multichoice",
                choices=(
                    N_("gates"),
                    N_("fences"),
                    N_("crops"),
                    N_("buildings"),
                    N_("machinery"),
                    N_("arson"),
                    N_("other"),
                ),
            ),
            _f("estimated_cost_gbp", N_("Cost of the damage (£)"), "money"),
        ),
    ),
    Category(
        code="trespass_offroad",
        group=N_("Damage and trespass"),
        label=N_("Trespass or off-roading"),
        icon="terrain",
        hint=N_("trespass, off-road bikes and 4x4s"),
        fields=(
            _f(
                "trespass_kind",
                N_("Who"),
                "choice",
                choices=(N_("on foot"), N_("off-road bikes"), N_("4x4s"), N_("quads"), N_("other")),
            ),
            _f("crops_damaged", N_("Crops or land damaged"), "boolean"),
        ),
    ),
    Category(
        code="suspicious_activity",
        group=N_("Suspicious activity"),
        label=N_("Suspicious activity"),
        icon="visibility",
        hint=N_("vehicles or people casing a farm (intelligence)"),
        fields=(_f("what_seen", N_("What you saw"), max_length=1000),),
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
