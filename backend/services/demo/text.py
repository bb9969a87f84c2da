"""What the demo farmers report, category by category: the `details` fields and a description in their words.

Every value here is chosen from the choices in wire/categories.py, so the details validate exactly as the
phone's would. The seasons follow what rural crime teams see: hare coursing after harvest and through the
winter, dog attacks in lambing time, heating oil in the cold months, crop fires and off-roaders in summer.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wire.categories import FLY_TIP_SIZES, WASTE_TYPES

# Relative monthly weights, January first, for when each kind of crime happens.
SEASONS: dict[str, tuple[float, ...]] = {
    "theft_machinery": (1.0, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.1, 1.2, 1.2, 1.1),
    "theft_quad": (1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2),
    "theft_gps": (0.8, 1.0, 1.5, 1.6, 1.2, 0.8, 0.7, 0.9, 1.3, 1.2, 0.9, 0.8),
    "theft_vehicle": (1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2),
    "theft_livestock": (0.7, 0.8, 1.0, 1.1, 1.0, 0.9, 0.9, 1.1, 1.3, 1.3, 1.1, 0.9),
    "theft_fuel": (1.6, 1.5, 1.2, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.5, 1.7),
    "theft_tools_burglary": (1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2),
    "theft_equine": (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8),
    "fly_tipping": (1.0, 1.0, 1.0, 1.1, 1.1, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0),
    "hare_coursing": (2.2, 2.0, 1.3, 0.2, 0.05, 0.05, 0.1, 0.4, 1.6, 2.4, 2.5, 2.3),
    "poaching": (1.4, 1.2, 0.9, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.5, 1.6, 1.5),
    "wildlife_crime": (0.6, 0.8, 1.4, 1.7, 1.6, 1.2, 0.9, 0.8, 0.8, 0.8, 0.7, 0.6),
    "livestock_worrying": (0.6, 1.8, 2.6, 2.6, 1.6, 0.9, 0.8, 0.8, 0.6, 0.5, 0.5, 0.6),
    "intimidation": (0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.1, 1.0),
    "criminal_damage": (0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.5, 1.1, 0.9, 0.9, 0.9),
    "trespass_offroad": (0.6, 0.6, 0.9, 1.2, 1.4, 1.5, 1.6, 1.5, 1.1, 0.8, 0.6, 0.6),
    "suspicious_activity": (1.1, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9, 1.0, 1.0, 1.1, 1.2, 1.2),
}
# How common each category is over a year, before the season: fly-tipping dominates, as councils' figures do.
BASE_WEIGHT: dict[str, float] = {
    "theft_machinery": 4,
    "theft_quad": 4,
    "theft_gps": 2.5,
    "theft_vehicle": 4,
    "theft_livestock": 2,
    "theft_fuel": 4,
    "theft_tools_burglary": 7,
    "theft_equine": 1.5,
    "fly_tipping": 22,
    "hare_coursing": 9,
    "poaching": 4,
    "wildlife_crime": 1.5,
    "livestock_worrying": 5,
    "intimidation": 3,
    "criminal_damage": 7,
    "trespass_offroad": 7,
    "suspicious_activity": 12.5,
}


@dataclass(frozen=True)
class Habit:
    """When a crime tends to happen and how it comes to light."""

    hours: tuple[int, ...]  # local hours it is likely to happen in
    live: float  # chance the farmer reports it while it is happening
    vehicle: float  # chance a vehicle is described
    people: float  # chance people are seen and described
    photos: float  # chance the report has photos


_NIGHT = (22, 23, 0, 1, 2, 3, 4)
_DAY = tuple(range(8, 19))
HABITS: dict[str, Habit] = {
    "theft_machinery": Habit(_NIGHT, 0.03, 0.35, 0.1, 0.55),
    "theft_quad": Habit(_NIGHT, 0.05, 0.35, 0.15, 0.5),
    "theft_gps": Habit(_NIGHT, 0.02, 0.2, 0.05, 0.45),
    "theft_vehicle": Habit(_NIGHT, 0.05, 0.3, 0.1, 0.45),
    "theft_livestock": Habit(_NIGHT, 0.02, 0.4, 0.05, 0.35),
    "theft_fuel": Habit(_NIGHT, 0.05, 0.3, 0.1, 0.5),
    "theft_tools_burglary": Habit(_NIGHT, 0.05, 0.25, 0.15, 0.6),
    "theft_equine": Habit(_NIGHT, 0.02, 0.3, 0.05, 0.4),
    "fly_tipping": Habit((*_NIGHT, 5, 6, 12, 13, 14, 15), 0.08, 0.4, 0.2, 0.85),
    "hare_coursing": Habit((7, 8, 9, 10, 11, 14, 15, 16, 17), 0.7, 0.85, 0.8, 0.35),
    "poaching": Habit((*_NIGHT, 19, 20, 21), 0.5, 0.6, 0.6, 0.25),
    "wildlife_crime": Habit(_DAY, 0.1, 0.1, 0.2, 0.6),
    "livestock_worrying": Habit(_DAY, 0.4, 0.15, 0.4, 0.55),
    "intimidation": Habit((*_DAY, 19, 20, 21), 0.35, 0.5, 0.9, 0.2),
    "criminal_damage": Habit(_NIGHT, 0.1, 0.2, 0.2, 0.7),
    "trespass_offroad": Habit((*_DAY, 19, 20), 0.5, 0.5, 0.6, 0.45),
    "suspicious_activity": Habit((*_DAY, 19, 20, 21, 22), 0.35, 0.8, 0.5, 0.25),
}

# Where on a farm things happen, by kind: each farmer has a few of each, and incidents recur at them.
PLACES: dict[str, tuple[str, ...]] = {
    "field": (
        "Long Meadow",
        "Bottom field",
        "Ten Acre",
        "Far Ley",
        "Hill paddock",
        "Home field",
        "Pond field",
        "Water meadows",
        "Forty Acre",
        "Kiln field",
        "Spinney corner",
        "Beech hanger",
    ),
    "gateway": (
        "Top gate",
        "Church Lane gateway",
        "Back lane gate",
        "Old quarry track",
        "Drove end",
        "the lay-by gate",
    ),
    "building": ("the yard", "Lower barn", "the grain store", "the Dutch barn", "the lambing shed", "the workshop"),
}
PLACE_KIND: dict[str, tuple[str, ...]] = {
    "theft_machinery": ("building",),
    "theft_quad": ("building",),
    "theft_gps": ("building", "field"),
    "theft_vehicle": ("building",),
    "theft_livestock": ("field",),
    "theft_fuel": ("building",),
    "theft_tools_burglary": ("building",),
    "theft_equine": ("building", "field"),
    "fly_tipping": ("gateway", "gateway", "field"),
    "hare_coursing": ("field",),
    "poaching": ("field",),
    "wildlife_crime": ("field",),
    "livestock_worrying": ("field",),
    "intimidation": ("gateway", "building", "field"),
    "criminal_damage": ("gateway", "field", "building"),
    "trespass_offroad": ("field",),
    "suspicious_activity": ("gateway", "building"),
}
DIRECTIONS = (
    "towards the village",
    "back towards the main road",
    "north up the lane",
    "south along the drove",
    "towards the A road",
    "off down the bridleway",
    "towards the next farm",
    "back the way they came",
)
DOGS = (
    "two lurchers, one brindle, one grey",
    "three greyhound types, thin, one black",
    "a pair of salukis",
    "four lurchers, one wearing a red collar",
    "two longdogs, fawn and white",
)
PEOPLE: tuple[tuple[int, str], ...] = (
    (1, "One man, stocky, grey hair, flat cap"),
    (1, "One lad, late teens, black hoodie, on a scrambler"),
    (2, "Two men, late 20s, dark clothing, hoods up"),
    (2, "A man and a woman, 40s, she did the talking"),
    (2, "Two men in a van, did not get out, could not see faces"),
    (3, "Three lads, one tall with a beard, another in a high-vis jacket"),
    (4, "Four men walking the hedge line with head torches"),
    (6, "Group of five or six, one filming on his phone"),
)
ACCENTS = ("local accents", "northern accents", "could not hear them speak", "London accents", "Welsh accents")


DAMAGE_AT = {
    "field": ("crops", "fences", "arson"),
    "gateway": ("gates", "fences"),
    "building": ("buildings", "machinery", "arson"),
}
TRESPASS_WORDS = {
    "on foot": "People walking dogs across",
    "off-road bikes": "Scramblers tearing round",
    "4x4s": "4x4s churning up",
    "quads": "Quads tearing round",
}
SIZE_WORDS = {
    "single black bag": "A black bag",
    "single item": "An old fridge freezer",
    "car boot or less": "A car boot's worth",
    "small van load": "A small van load",
    "transit van load": "A transit van load",
    "tipper lorry load": "A tipper lorry load",
    "significant / multiple loads": "Several lorry loads",
}
WASTE_WORDS = {
    "household": "household rubbish",
    "construction": "builders' rubble and plasterboard",
    "tyres": "a pile of tyres",
    "green": "garden waste",
    "vehicle parts": "car parts and a gearbox",
    "asbestos or other hazardous": "what looks like asbestos sheeting",
}
DAMAGE_WORDS = {
    "gates": "the gate smashed off its hinges",
    "fences": "fence posts snapped",
    "crops": "the crop driven through in circles",
    "buildings": "the barn door kicked in",
    "machinery": "windows put through on the tractor",
    "arson": "a bale stack set on fire",
}


def _and(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _money(rng: random.Random, low: int, high: int, step: int = 50) -> int:
    return rng.randrange(low, high, step)


def _serial(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(10))


_MACHINES = (
    ("John Deere", "6155R tractor", 95_000, 140_000),
    ("Ifor Williams", "TA510G cattle trailer", 5_000, 9_000),
    ("JCB", "541-70 telehandler", 45_000, 70_000),
    ("Kubota", "M5-111 tractor", 40_000, 60_000),
    ("McConnel", "PA6570 hedgecutter", 12_000, 25_000),
    ("Kverneland", "ES plough", 8_000, 16_000),
    ("Honda", "generator EU22i", 1_200, 2_000),
)
_QUADS = (
    ("Honda", "TRX420 quad"),
    ("Yamaha", "Grizzly 700"),
    ("Kubota", "RTV-X900 UTV"),
    ("Polaris", "Ranger 570"),
    ("Can-Am", "Outlander 570"),
    ("Suzuki", "KingQuad 500"),
)
_GPS = (
    ("John Deere", "StarFire 7000 receiver"),
    ("John Deere", "G5 display"),
    ("Trimble", "NAV-900 guidance controller"),
    ("Topcon", "AGI-4 receiver"),
    ("Trimble", "GFX-750 display"),
)
_VEHICLES = (
    ("Land Rover", "Defender 110", "the Defender"),
    ("Toyota", "Hilux", "the Hilux"),
    ("Isuzu", "D-Max", "the pickup"),
    ("Land Rover", "Discovery 4", "the catalytic converter off the Discovery"),
    ("Mitsubishi", "L200", "the tailgate and spare wheel off the L200"),
)
_TOOLS = (
    ("Stihl", "MS 261 chainsaws", "two chainsaws and a strimmer"),
    ("Milwaukee", "M18 kit", "all the cordless tools, batteries and chargers"),
    ("Lincoln", "welder", "the welder, a generator and the pressure washer"),
    (None, None, "about 200 metres of copper cable from the pump house"),
    (None, None, "scrap metal and old cast iron troughs from the yard"),
)


def details_and_story(
    code: str, rng: random.Random, place: str, place_kind: str, live: bool
) -> tuple[dict[str, Any], str]:
    """The category's `details` and the farmer's own account of what happened at `place` (a field, a gateway or
    a building)."""
    where = place if place[0].isupper() else place.capitalize()
    marking = rng.choices(("none", "CESAR", "DataTag", "SmartWater", "Selectamark"), (5, 3, 2, 1, 1))[0]
    if code == "theft_machinery":
        make, model, low, high = rng.choice(_MACHINES)
        details = {
            "items": f"{make} {model}",
            "make": make,
            "model": model,
            "serial_number": _serial(rng, "1"),
            "marking_scheme": marking,
            "value_gbp": _money(rng, low, high, 500),
        }
        story = f"{make} {model} gone from {place} overnight. " + rng.choice(
            (
                "Chain on the gate cut, tracks out onto the lane.",
                "Must have come with a low loader.",
                "Keys were hidden.",
            )
        )
        return details, story + (" It was CESAR marked." if marking == "CESAR" else "")
    if code == "theft_quad":
        make, model = rng.choice(_QUADS)
        immobiliser = rng.random() < 0.4
        details = {
            "items": f"{make} {model}",
            "make": make,
            "model": model,
            "serial_number": _serial(rng, "JH2"),
            "marking_scheme": marking,
            "value_gbp": _money(rng, 4_000, 14_000, 250),
            "immobiliser_fitted": immobiliser,
        }
        return details, (
            f"Our {model} has been taken from {place}. Keys were not in it"
            + (", immobiliser was on." if immobiliser else ".")
            + " Pushed it out through the hedge by the look of it."
        )
    if code == "theft_gps":
        make, model = rng.choice(_GPS)
        details = {
            "items": f"{make} {model}",
            "make": make,
            "model": model,
            "serial_number": _serial(rng, "PCGT"),
            "marking_scheme": marking,
            "value_gbp": _money(rng, 3_000, 12_000, 250),
        }
        return details, (
            f"{make} {model} taken out of the tractor cab at {place}. Cab window smashed. "
            "Middle of drilling, we cannot work without it."
        )
    if code == "theft_vehicle":
        make, model, what = rng.choice(_VEHICLES)
        details = {"items": what, "make": make, "model": model, "value_gbp": _money(rng, 600, 38_000, 100)}
        if what.startswith("the ") and what.count(" ") == 1:
            details["stolen_registration"] = registration(rng)
        return details, f"Someone has had {what} from {place}. Glass on the ground, dog barking about 3am."
    if code == "theft_livestock":
        species = rng.choices(("sheep", "cattle", "pigs", "goats", "poultry"), (8, 2, 1, 0.5, 1))[0]
        count = rng.randint(2, 12) if species == "cattle" else rng.randint(5, 80)
        details = {
            "species": species,
            "number_taken": count,
            "ear_tags": f"UK {rng.randint(100000, 999999)} flock tags, red paint mark on the shoulder",
            "value_gbp": count * (1_400 if species == "cattle" else 140),
        }
        return details, (
            f"Counted the {species} in {place} this morning and we are {count} short. "
            "Trailer tyre marks in the gateway. They must have penned them in the corner."
        )
    if code == "theft_fuel":
        fuel = rng.choices(("red diesel", "heating oil", "white diesel"), (6, 3, 1))[0]
        litres = rng.randrange(200, 2500, 50)
        details = {"fuel_type": fuel, "litres": litres, "value_gbp": round(litres * rng.uniform(0.7, 1.1), 2)}
        return details, (
            f"Tank at {place} drilled and drained, about {litres} litres of {fuel} gone. "
            "Diesel all over the ground, worried about it getting in the ditch."
        )
    if code == "theft_tools_burglary":
        make, model, what = rng.choice(_TOOLS)
        details = {"items": what, "value_gbp": _money(rng, 300, 9_000), "building_entered": rng.random() < 0.8}
        if make:
            details |= {"make": make, "model": model, "marking_scheme": marking}
        tail = rng.choice(("Third time this year.", "Dog never barked.", "Neighbour heard a van about 2am.", ""))
        return details, f"Padlock cut on {place}. They have had {what}. {tail}".strip()
    if code == "theft_equine":
        tack = rng.random() < 0.8
        what = "three saddles, bridles and rugs from the tack room" if tack else "a 14.2hh bay gelding"
        details = {"items": what, "value_gbp": _money(rng, 800, 6_000)}
        if not tack:
            details["microchip_or_passport"] = f"826{rng.randint(10**11, 10**12 - 1)}"
        return details, f"{what[0].upper()}{what[1:]} taken from {place}. Door forced with a bar."
    if code == "fly_tipping":
        size = rng.choices(FLY_TIP_SIZES, (1, 3, 5, 8, 6, 2, 1))[0]
        if size in ("single black bag", "single item"):
            waste = ["household"]
        else:
            waste = rng.sample(WASTE_TYPES[:-1], rng.choices((1, 2, 3), (5, 3, 1))[0])
        blocking = rng.random() < 0.45
        story = f"{SIZE_WORDS[size]} dumped at {place}: {_and(WASTE_WORDS[w] for w in waste)}."
        if "asbestos or other hazardous" in waste:
            story += " Not touching it."
        if blocking:
            story += " Cannot get the tractor through the gate."
        return {"size_band": size, "waste_types": waste, "blocking_access": blocking}, story
    if code == "hare_coursing":
        dogs = rng.randint(2, 5)
        filming = rng.random() < 0.4
        details = {"dogs_count": dogs, "dog_description": rng.choice(DOGS), "spectators_filming": filming}
        now = "Right now they are" if live else "Earlier they were"
        return details, (
            f"{now} coursing on {where}, {dogs} dogs running the hares across the drilling. "
            + ("Others watching from the truck and filming. " if filming else "")
            + "Gateway left open, ruts right across the field."
        )
    if code == "poaching":
        quarry = rng.choices(("deer", "fish", "game birds"), (5, 2, 2))[0]
        weapons = rng.random() < 0.45
        details = {"quarry": quarry, "weapons_seen": weapons}
        seen = "Lamps going across the fields" if weapons else "Vehicle parked up with no lights"
        return details, f"{seen} near {place}, after the {quarry}. Heard shots about midnight."
    if code == "wildlife_crime":
        species, what = rng.choice(
            (
                ("buzzard", "Found a dead buzzard by a pheasant carcass, looks like it was laid as bait"),
                ("red kite", "Dead red kite under the trees, no marks on it"),
                ("badger", "Badger sett dug out, spade marks and dog hair around the entrance"),
                ("barn owl", "Barn owl box pulled down and smashed"),
            )
        )
        return {"species": species, "what_happened": what}, f"{what} at {place}."
    if code == "livestock_worrying":
        livestock = rng.choices(("sheep", "cattle", "horses", "poultry"), (8, 1, 1, 1))[0]
        injured, killed = rng.randint(0, 8), rng.choices((0, 1, 2, 4), (4, 3, 2, 1))[0]
        owner = rng.random() < 0.4
        details = {
            "livestock": livestock,
            "animals_injured": injured,
            "animals_killed": killed,
            "dog_description": rng.choice(("black Labrador, red collar", "two huskies", "collie cross", "Staffie")),
            "owner_present": owner,
        }
        story = f"Dog loose in {place} chasing the {livestock}"
        story += ", owner just stood there" if owner else ", no owner anywhere"
        story += f". {injured} injured" + (f", {killed} dead." if killed else ".")
        if livestock == "sheep":
            story += " Ewes in lamb, we will lose more."
        return details, story
    if code == "intimidation":
        said = rng.choice(
            (
                "Told me they know where I live and I should keep my mouth shut",
                "Said they would burn the barn down if I rang the police again",
                "Swore at my wife and drove at her in the gateway",
            )
        )
        details = {"what_was_said": said, "weapon_seen": rng.random() < 0.2, "anyone_injured": rng.random() < 0.1}
        return details, f"Confronted at {place} after I asked them to leave. {said}. {rng.choice(ACCENTS)}."
    if code == "criminal_damage":
        damaged = rng.sample(DAMAGE_AT[place_kind], rng.randint(1, 2))
        details = {"damaged": damaged, "estimated_cost_gbp": _money(rng, 200, 25_000)}
        said = _and(DAMAGE_WORDS[d] for d in damaged)
        return details, f"{said[0].upper()}{said[1:]} at {place} overnight. Deliberate, not an accident."
    if code == "trespass_offroad":
        kind = rng.choices(("on foot", "off-road bikes", "4x4s", "quads"), (2, 5, 3, 2))[0]
        details = {"trespass_kind": kind, "crops_damaged": rng.random() < 0.6}
        who = TRESPASS_WORDS[kind]
        return details, f"{who} {place} again. " + rng.choice(
            ("Told them to leave, they laughed.", "Gates left open, stock got out.", "Every weekend now.")
        )
    seen = rng.choice(
        (
            "Van crawling past the yard twice, slowed right down, passenger looking at the sheds",
            "Two men walking the boundary taking photos of the machinery",
            "Car parked in the gateway with no lights for an hour, drove off when I went up",
            "Pickup with ladders on pulled into the yard, said they were looking for scrap",
        )
    )
    return {"what_seen": seen}, f"{seen} ({place}). Not right, wanted it logged."


def registration(rng: random.Random) -> str:
    """A registration in the current UK format (area letters, age identifier, random letters)."""
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    area = rng.choice(("KN", "KP", "GU", "HW", "WU", "WR", "YK", "BF", "LB", "OU", "EA", "SN", "CK", "FD", "SB"))
    year = rng.choice((15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74))
    return f"{area}{year:02d} {''.join(rng.choice(letters) for _ in range(3))}"
