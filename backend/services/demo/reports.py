"""The demo's farmers and the reports they send, built as the phone builds them (`wire.reports.ReportCreate`).

Farmers live inside the demo areas (a few outside every area, for the unrouted list), each with a handful of
named places where their incidents recur. Reports follow the seasons of `demo_text`, carry 101 and 999 call
logs whose waits follow each force's style, and describe vehicles, some of which turn up again and again
across farms (and across force borders), so that linked reports exist.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import shapely
from faker import Faker
from shapely.geometry import shape

from backend.services.demo.photos import DemoPhoto
from backend.services.demo.responses import ForceStyle, progress_through_year, reference_number, style_for
from backend.services.demo.text import (
    ACCENTS,
    BASE_WEIGHT,
    DIRECTIONS,
    HABITS,
    PEOPLE,
    PLACE_KIND,
    PLACES,
    SEASONS,
    details_and_story,
    registration,
)
from core.gridref import format_grid_ref, to_grid
from core.uktime import LONDON
from wire.categories import BY_CODE, CATEGORIES
from wire.reports import ReportCreate

# Rough boxes (south, west, north, east) outside every demo area: Devon, Lincolnshire, Northumberland.
OUTSIDE_EVERY_AREA = ((50.62, -3.95, 50.95, -3.35), (52.95, -0.45, 53.25, 0.15), (55.02, -2.0, 55.35, -1.72))
POSTCODE_AREAS = {
    "Kent": ("ME", "TN", "CT", "DA"),
    "Maidstone rural patch": ("ME",),
    "Thames Valley": ("OX", "RG", "HP", "MK"),
    "Hampshire": ("SO", "PO", "GU", "SP"),
    "Wiltshire": ("SN", "SP", "BA"),
    "Sussex": ("BN", "RH", "TN"),
    "Dyfed-Powys": ("SA", "LD", "SY"),
    "Scottish Borders": ("TD",),
}
# How many farms each demo area holds, relative to the others.
AREA_WEIGHT = {"Dyfed-Powys": 1.4, "Scottish Borders": 0.8, "Maidstone rural patch": 0.5}
FARM_WORDS = ("Manor", "Home", "Hill", "Grange", "Lower", "Upper", "Brook", "Oak", "Ash", "Moor", "Holly", "Church")
FARM_WORDS += ("Mill", "Elm", "Park", "Valley", "Down", "Hazel", "Willow", "Top")
MAKES = (
    ("Ford", "Transit"),
    ("Ford", "Ranger"),
    ("Mitsubishi", "L200"),
    ("Nissan", "Navara"),
    ("Land Rover", "Discovery"),
    ("Subaru", "Forester"),
    ("Vauxhall", "Vivaro"),
    ("Toyota", "Hilux"),
    ("Volkswagen", "Golf"),
    ("Citroen", "Relay tipper"),
)
COLOURS = ("white", "silver", "black", "blue", "grey", "red", "green", "dark blue")


@dataclass(frozen=True)
class DemoArea:
    name: str
    force: str
    geometry: Any


def load_demo_areas(path: Path) -> list[DemoArea]:
    data = json.loads(path.read_text())
    areas = []
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        shapely.prepare(geometry)
        props = feature["properties"]
        areas.append(DemoArea(props["name"], props["force"], geometry))
    return areas


@dataclass(frozen=True)
class Farmer:
    device_id: str
    name: str
    phone: str
    farm_name: str
    postcode: str
    email: str | None
    area: DemoArea | None  # None: outside every demo area
    places: tuple[tuple[str, str, float, float], ...]  # kind, name, lat, lon
    clock_skew_s: float  # how far the phone's clock is off
    created_at: datetime
    activity: float  # relative chance that the next report is theirs (repeat victims report more)

    @property
    def force(self) -> str | None:
        return self.area.force if self.area else None


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _point_in(rng: random.Random, area: DemoArea) -> tuple[float, float]:
    min_lon, min_lat, max_lon, max_lat = area.geometry.bounds
    while True:
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if area.geometry.contains(shapely.Point(lon, lat)):
            return lat, lon


def _postcode(rng: random.Random, area: DemoArea | None) -> str:
    prefix = rng.choice(POSTCODE_AREAS.get(area.name, ("EX", "LN", "NE")) if area else ("EX", "LN", "NE"))
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{prefix}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def make_farmers(seed: int, count: int, areas: list[DemoArea], year_start: datetime) -> list[Farmer]:
    """`count` farmers; the first n are the same for any count, so a larger run extends a smaller one."""
    rng = random.Random(f"farmers:{seed}")
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    weights = [AREA_WEIGHT.get(a.name, 1.0) for a in areas]
    farmers = []
    for i in range(count):
        area = None if i % 40 == 7 else rng.choices(areas, weights)[0]
        if area is None:
            south, west, north, east = rng.choice(OUTSIDE_EVERY_AREA)
            home = (rng.uniform(south, north), rng.uniform(west, east))
        else:
            home = _point_in(rng, area)
        places = []
        for kind, names in PLACES.items():
            for name in rng.sample(names, 1 if kind == "building" and rng.random() < 0.5 else 2):
                # Fields and gateways within a kilometre or so of the farmhouse; the buildings close to it.
                spread = 0.001 if kind == "building" else 0.008
                lat, lon = home[0] + rng.uniform(-spread, spread), home[1] + rng.uniform(-spread, spread) * 1.5
                places.append((kind, name, lat, lon))
        first, last = fake.first_name(), fake.last_name()
        farm = rng.choice((f"{rng.choice(FARM_WORDS)} Farm", f"{last}'s Farm", f"{rng.choice(FARM_WORDS)} Farm"))
        skew = rng.gauss(0, 2) if rng.random() < 0.9 else rng.uniform(-600, 600)
        farmers.append(
            Farmer(
                device_id=new_uuid(rng),
                name=f"{first} {last}",
                # Ofcom's range for drama: numbers that can never ring a real phone.
                phone=f"07700 900{rng.randint(0, 999):03d}",
                farm_name=farm,
                postcode=_postcode(rng, area),
                email=f"{first}.{last}@example.com".lower().replace("'", "") if rng.random() < 0.5 else None,
                area=area,
                places=tuple(places),
                clock_skew_s=round(skew, 1),
                created_at=year_start - timedelta(days=rng.uniform(0, 300)),
                activity=min(rng.paretovariate(1.6), 12.0),
            )
        )
    return farmers


@dataclass
class Suspects:
    """Vehicles that turn up at many farms: by force, and a few that cross the borders."""

    by_force: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def make(cls, seed: int, forces: list[str]) -> Suspects:
        rng = random.Random(f"suspects:{seed}")
        roaming = [_vehicle(rng, with_registration=True) for _ in range(4)]
        suspects = cls()
        for force in sorted(forces):
            suspects.by_force[force] = [_vehicle(rng, with_registration=True) for _ in range(6)] + roaming
        return suspects


def _vehicle(rng: random.Random, with_registration: bool) -> dict[str, str]:
    make, model = rng.choice(MAKES)
    vehicle = {"make": make, "model": model, "colour": rng.choice(COLOURS)}
    if with_registration:
        vehicle["registration"] = registration(rng)
    return vehicle


@dataclass(frozen=True)
class PhotoPlan:
    photo_id: str
    photo: DemoPhoto
    arrives_at: datetime | None  # None: never uploaded, so the report shows it missing


@dataclass(frozen=True)
class PlannedReport:
    report_id: str
    farmer: Farmer
    body: ReportCreate
    received_at: datetime
    live: bool
    urgent: bool
    call_reference: str | None
    linked_vehicle: bool
    photos: tuple[PhotoPlan, ...]


def pick_day(rng: random.Random, year: tuple[datetime, datetime], category: str | None) -> date:
    """A day in the year; for a given category, one in its busier months."""
    start, end = year
    days = (end - start).days
    while True:
        day = (start + timedelta(days=rng.uniform(0, days - 1))).date()
        if category is None:
            return day
        season = SEASONS[category]
        if season[day.month - 1] >= 0.7 * max(season):
            return day


CODES = [c.code for c in CATEGORIES]
MONTH_WEIGHTS = [list(itertools.accumulate(BASE_WEIGHT[c] * SEASONS[c][month] for c in CODES)) for month in range(12)]


def pick_category(rng: random.Random, month: int) -> str:
    return rng.choices(CODES, cum_weights=MONTH_WEIGHTS[month - 1])[0]


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


def _grid_ref(place: tuple[float, float], lat: float, lon: float, figures: int) -> str:
    """The farmer's grid reference for (lat, lon), from the place's grid position and a few metres' offset."""
    easting, northing = to_grid(*place)
    easting += (lon - place[1]) * 111_320 * math.cos(math.radians(lat))
    northing += (lat - place[0]) * 110_570
    return format_grid_ref(easting, northing, figures)


def _location(rng: random.Random, farmer: Farmer, category: str) -> tuple[dict[str, Any], str, str]:
    kind = rng.choice(PLACE_KIND[category])
    _, name, place_lat, place_lon = rng.choice([p for p in farmer.places if p[0] == kind])
    # The farmer's own words (the place) and how the phone located it.
    lat = place_lat + rng.gauss(0, 0.0002)
    lon = place_lon + rng.gauss(0, 0.0003)
    source = rng.choices(("gps", "saved_place", "map", "grid_ref", "what3words"), (65, 15, 10, 8, 2))[0]
    location: dict[str, Any] = {"lat": round(lat, 6), "lon": round(lon, 6), "source": source}
    if source == "gps":
        location["accuracy_m"] = round(rng.uniform(3, 25) if rng.random() < 0.85 else rng.uniform(40, 250), 1)
        if rng.random() < 0.4:
            location["place_name"] = name
    elif source == "saved_place":
        location["place_name"] = name
    elif source == "grid_ref":
        figures = rng.choice((6, 8))
        location["grid_ref"] = _grid_ref((place_lat, place_lon), lat, lon, figures)
        location["accuracy_m"] = 70.7 if figures == 6 else 7.1
    elif source == "what3words":
        words = rng.sample(("filled", "count", "soap", "barn", "tractor", "meadow", "gate", "crisp", "lamb"), 3)
        location["what3words"] = "///" + ".".join(words)
        location["accuracy_m"] = 2.1
    return location, name, kind


def _calls(
    rng: random.Random, style: ForceStyle, urgent: bool, live: bool, discovered: datetime, year_progress: float
) -> tuple[list[dict[str, Any]], str | None]:
    """The farmer's calls before reporting: 999 for a live urgent crime, often a 101 call, sometimes both."""
    calls: list[dict[str, Any]] = []
    reference = None
    if live and urgent and rng.random() < 0.7:
        called = discovered + timedelta(seconds=rng.uniform(30, 300))
        calls.append({"channel": "999", "called_at": called, "waited_s": rng.randint(3, 40), "outcome": "answered"})
    elif rng.random() < (0.45 if not live else 0.3):
        called = discovered + timedelta(minutes=rng.uniform(2, 90))
        median = style.wait_101[0] + (style.wait_101[1] - style.wait_101[0]) * year_progress
        abandon = style.abandon_101[0] + (style.abandon_101[1] - style.abandon_101[0]) * year_progress
        waited = min(int(rng.lognormvariate(math.log(median), 0.7)), 3 * 3600)
        if rng.random() < abandon:
            calls.append({"channel": "101", "called_at": called, "waited_s": waited, "outcome": "abandoned"})
            if rng.random() < 0.3:
                online = called + timedelta(minutes=rng.uniform(5, 60))
                calls.append({"channel": "online", "called_at": online, "outcome": "answered"})
        else:
            outcome = rng.choices(("answered", "callback_promised", "cut_off"), (80, 12, 8))[0]
            call = {"channel": "101", "called_at": called, "waited_s": waited, "outcome": outcome}
            if outcome == "answered" and rng.random() < 0.5:
                reference = reference_number(rng, style, called)
                call["reference"] = reference
            calls.append(call)
    return calls, reference


def plan_report(
    rng: random.Random,
    farmer: Farmer,
    category: str,
    day: date,
    year: tuple[datetime, datetime],
    suspects: Suspects,
    photo_pool: dict[str, list[DemoPhoto]],
) -> PlannedReport:
    """One report as the farmer's phone would send it, with when it reached the server and its photos' fate."""
    report_id = new_uuid(rng)
    habit = HABITS[category]
    urgent = BY_CODE[category].urgent
    live = rng.random() < habit.live
    occurred = _local(day, rng.choice(habit.hours), rng.randrange(0, 60))
    until = None
    if live:
        discovered = occurred + timedelta(minutes=rng.uniform(1, 15))
    else:
        discovered = occurred + timedelta(hours=rng.uniform(1, 10))
        if rng.random() < 0.6:
            until = occurred + (discovered - occurred) * rng.uniform(0.3, 0.9)
    style = style_for(farmer.force)
    calls, call_reference = _calls(rng, style, urgent, live, discovered, progress_through_year(occurred, *year))
    created = discovered + timedelta(minutes=rng.uniform(2, 25) if not live else rng.uniform(0.5, 4))
    created = max([created, *(c["called_at"] for c in calls)]) + timedelta(seconds=rng.uniform(20, 300))
    # Most reports go at once; some wait in the phone's outbox for a signal.
    delay = rng.uniform(1, 20) if rng.random() < 0.85 else rng.uniform(600, 8 * 3600)
    received = created + timedelta(seconds=delay)
    if received > year[1]:  # too close to now: the whole incident happened a little earlier
        shift = received - year[1] + timedelta(minutes=rng.uniform(5, 120))
        occurred, discovered, created, received = (t - shift for t in (occurred, discovered, created, received))
        until = until - shift if until else None
        for c in calls:
            c["called_at"] -= shift
    location, place, place_kind = _location(rng, farmer, category)
    details, story = details_and_story(category, rng, place, place_kind, live)
    vehicles, linked = [], False
    if rng.random() < habit.vehicle:
        for _ in range(rng.choices((1, 2), (5, 1))[0]):
            pool = suspects.by_force.get(farmer.force or "", [])
            if pool and rng.random() < 0.3:
                vehicle, linked = dict(rng.choice(pool)), True
            else:
                vehicle = _vehicle(rng, with_registration=rng.random() < 0.65)
            vehicle["direction"] = rng.choice(DIRECTIONS)
            vehicles.append(vehicle)
    people = None
    if rng.random() < habit.people:
        count, seen = rng.choice(PEOPLE)
        people = {"count": count, "description": f"{seen}, {rng.choice(ACCENTS)}."}
    skew = timedelta(seconds=farmer.clock_skew_s)  # every time the phone reports is on the phone's clock
    plans, declared = [], []
    if rng.random() < habit.photos:
        for _ in range(rng.choices((1, 2, 3), (5, 3, 2))[0]):
            photo = rng.choice(photo_pool.get(category) or photo_pool["any"])
            photo_id = new_uuid(rng)
            if any(d["sha256"] == photo.sha256 for d in declared):
                continue  # the same picture twice in one report would not be realistic
            arrives = received + timedelta(seconds=rng.uniform(3, 400)) if rng.random() < 0.96 else None
            plans.append(PhotoPlan(photo_id, photo, arrives))
            declared.append(
                {"photo_id": photo_id, "sha256": photo.sha256, "bytes": len(photo.data), "content_type": "image/jpeg"}
            )
    body = ReportCreate.model_validate(
        {
            "category": category,
            "happening_now": live,
            "occurred_at": occurred + skew,
            "occurred_until": until + skew if until else None,
            "description": story,
            "location": location,
            "details": details,
            "vehicles": vehicles,
            "people": people,
            "calls": [{**c, "called_at": c["called_at"] + skew} for c in calls],
            "created_at": created + skew,
            "photos": declared,
            "sent_at": received + skew,
        }
    )
    return PlannedReport(report_id, farmer, body, received, live, urgent, call_reference, linked, tuple(plans))
