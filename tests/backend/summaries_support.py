"""A fixed synthetic data set for the summaries, written through the real services, and its right answers worked
out here independently of the code under test.

`PLAN` is a deterministic list of reports (when, where, what, which calls) and of what happened to each (which
action, when). `write_plan` sends them through the real intake (`put_report`) and the real event log
(`record_event`, which keeps each report's stored clocks current), in a real SQLite file.

`expected` works out, from the plan alone, what each report's clocks should say: its own calendar of bank
holidays (typed in from gov.uk, not the `holidays` library), its own working-day arithmetic, and its own reading
of the response policy's rules (backend/data/response-policy.toml). Medians and percentiles are taken from
sorted lists, shares rounded half up with fractions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx

from core.uktime import LONDON
from tests.backend.clocks_support import ClockDb
from tests.support import HAMPSHIRE, KENT, MAIDSTONE_PATCH, SCOTTISH_BORDERS, LiveServer, console_login

NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)

# Where the demo areas put each point: (area name, force, nation).
PLACES = {
    "kent": (KENT, "Kent", "Kent Police", "england_wales"),
    "maidstone": (MAIDSTONE_PATCH, "Maidstone rural patch", "Kent Police", "england_wales"),
    "hampshire": (HAMPSHIRE, "Hampshire", "Hampshire and Isle of Wight Constabulary", "england_wales"),
    "borders": (SCOTTISH_BORDERS, "Scottish Borders", "Police Scotland", "scotland"),
}
GROUP = {
    "fly_tipping": "Fly-tipping",
    "hare_coursing": "Wildlife and hare coursing",
    "theft_quad": "Theft",
    "livestock_worrying": "Livestock",
    "suspicious_activity": "Suspicious activity",
}
URGENT = {"hare_coursing", "poaching", "livestock_worrying", "intimidation"}

# Bank holidays, from gov.uk (2025 and 2026).
BANK_HOLIDAYS = {
    "england_wales": {
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
        date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3),
        date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25),
        date(2026, 12, 28),
    },
    "scotland": {
        date(2025, 1, 1), date(2025, 1, 2), date(2025, 4, 18), date(2025, 5, 5), date(2025, 5, 26),
        date(2025, 8, 4), date(2025, 12, 1), date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1),
        date(2026, 1, 2), date(2026, 4, 3), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 3),
        date(2026, 11, 30), date(2026, 12, 25), date(2026, 12, 28),
    },
}  # fmt: skip


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Planned:
    """One report of the plan and everything that happens to it."""

    place: str
    category: str
    received: datetime
    happening_now: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)
    actions: list[tuple[str, datetime]] = field(default_factory=list)  # (event kind, when), any order
    id: str = ""

    @property
    def area(self) -> str:
        return PLACES[self.place][1]

    @property
    def force(self) -> str:
        return PLACES[self.place][2]

    @property
    def nation(self) -> str:
        return PLACES[self.place][3]


# -- The plan ---------------------------------------------------------------------------------------------------

# Named cases whose working-day arithmetic is worked out by hand in the tests (Monday 31 August 2026 is a bank
# holiday in England and Wales but not in Scotland, whose summer holiday was on 3 August).
BANK_HOLIDAY_ENGLAND = Planned(
    "kent", "fly_tipping", utc("2026-08-28 16:00"), actions=[("acknowledged", utc("2026-09-01 15:00"))]
)
BANK_HOLIDAY_SCOTLAND = Planned(
    "borders", "fly_tipping", utc("2026-08-28 16:00"), actions=[("acknowledged", utc("2026-09-01 15:00"))]
)
SATURDAY = Planned(
    "hampshire", "theft_quad", utc("2026-07-11 09:00"), actions=[("acknowledged", utc("2026-07-13 22:30"))]
)
# 00:30 BST on 1 July: still 30 June in UTC, but July (and Q3) in the UK.
FIRST_OF_JULY = Planned(
    "kent", "theft_quad", utc("2026-06-30 23:30"), actions=[("acknowledged", utc("2026-07-01 09:00"))]
)
# 00:30 BST on 1 October: October (Q4), not Q3.
FIRST_OF_OCTOBER = Planned("kent", "fly_tipping", utc("2026-09-30 23:30"))

ANSWER_DELAYS = [20, 90, 180, 420, 1200, 1560, 3000, 5760]  # minutes
REFERENCE_DELAYS = [600, 1800, 2820, 3600, 7200]
ATTEND_DELAYS = [25, 55, 80, 180, 1800]
DECISION_DELAYS = [2 * 1440, 4 * 1440, 6 * 1440, 9 * 1440]
UPDATE_DELAYS = [10 * 1440, 25 * 1440, 40 * 1440]
WAITS = [30, 200, 420, 800, 1000, 1500, 2400, None]
CATEGORY_CHOICES = ["fly_tipping", "fly_tipping", "hare_coursing", "theft_quad", "livestock_worrying"]
CATEGORY_CHOICES += ["suspicious_activity"]
# (quarter start, quarter end, reports per place)
QUARTERS = [
    (date(2026, 7, 1), date(2026, 9, 30), {"kent": 14, "maidstone": 9, "hampshire": 12, "borders": 10}),
    (date(2026, 4, 1), date(2026, 6, 30), {"kent": 8, "maidstone": 6, "hampshire": 7, "borders": 5}),
    (date(2025, 7, 1), date(2025, 9, 30), {"kent": 7, "maidstone": 5, "hampshire": 6, "borders": 6}),
]


def _random_report(rng: random.Random, place: str, first: date, last: date) -> Planned:
    while True:
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        received = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), tzinfo=LONDON).astimezone(UTC)
        # Scotland may have had an extra bank holiday on 15 June 2026: keep clear of it.
        if not (place == "borders" and date(2026, 6, 10) <= day <= date(2026, 6, 17)):
            break
    category = rng.choice(CATEGORY_CHOICES)
    live = rng.random() < (0.5 if category in URGENT else 0.15)
    p = Planned(place, category, received, happening_now=live)
    minutes = lambda choices: received + timedelta(minutes=rng.choice(choices))  # noqa: E731
    roll = rng.random()
    if roll < 0.80:
        p.actions.append(("acknowledged", minutes(ANSWER_DELAYS)))
    elif roll < 0.88:
        p.actions.append(("contacted", minutes(ANSWER_DELAYS)))
    if rng.random() < 0.6:
        p.actions.append(("reference_added", minutes(REFERENCE_DELAYS)))
    if live and rng.random() < 0.7:
        p.actions.append(("attended", minutes(ATTEND_DELAYS)))
    if rng.random() < 0.6:
        p.actions.append(("decision", minutes(DECISION_DELAYS)))
    if rng.random() < 0.4:
        p.actions.append(("update_sent", minutes(UPDATE_DELAYS)))
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        p.actions.append(("chased", received + timedelta(hours=rng.choice([20, 30, 70, 200]))))
    if rng.random() < 0.3 and p.actions:
        p.actions.append(("closed", max(at for _, at in p.actions) + timedelta(days=1)))
    p.actions = sorted((a for a in p.actions if a[1] <= NOW), key=lambda a: a[1])
    if rng.random() < 0.4:
        for _ in range(rng.choice([1, 1, 2])):
            p.calls.append(
                {
                    "channel": "101",
                    "called_at": received - timedelta(minutes=rng.randrange(10, 300)),
                    "waited_s": rng.choice(WAITS),
                    "outcome": rng.choice(["answered", "answered", "abandoned", "callback_promised"]),
                }
            )
        if rng.random() < 0.2:
            p.calls.append({"channel": "999", "called_at": received, "waited_s": 5000, "outcome": "abandoned"})
    return p


def make_plan(seed: int = 2026) -> list[Planned]:
    rng = random.Random(seed)
    plan = [BANK_HOLIDAY_ENGLAND, BANK_HOLIDAY_SCOTLAND, SATURDAY, FIRST_OF_JULY, FIRST_OF_OCTOBER]
    for first, last, counts in QUARTERS:
        for place, n in counts.items():
            plan += [_random_report(rng, place, first, last) for _ in range(n)]
    return plan


def write_plan(cdb: ClockDb, plan: Iterable[Planned]) -> None:
    """Each report through the real intake, then each action through the real event log, at its own time."""
    for p in plan:
        calls = [{**c, "called_at": c["called_at"].isoformat()} for c in p.calls]
        p.id = cdb.report(p.received, p.category, PLACES[p.place][0], happening_now=p.happening_now, calls=calls)
        for kind, at in p.actions:
            data = {"reference": "KP-1"} if kind == "reference_added" else {}
            if kind == "decision":
                data = {"decision": "investigate"}
            if kind == "closed":
                data = {"outcome": "no_further_action"}
            if kind in ("update_sent", "contacted", "chased"):
                data = {"text": "An update"}
            cdb.act(p.id, kind, at, **data)


# -- The right answers, worked out from the plan alone ----------------------------------------------------------


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS[nation]


def _next_working_day(day: date, nation: str) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def add_working_days(start: datetime, n: int, nation: str) -> datetime:
    """Received on a working day at local time T: due at T on the Nth working day after. Received on a day off
    (or at midnight): the count starts with the next working day (or that day), due at the end of the Nth."""
    local = start.astimezone(LONDON)
    day, wall = local.date(), local.time()
    if not is_working_day(day, nation) or wall == time(0):
        if not is_working_day(day, nation):
            day = _next_working_day(day, nation)
        for _ in range(n - 1):
            day = _next_working_day(day, nation)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    for _ in range(n):
        day = _next_working_day(day, nation)
    return datetime.combine(day, wall, tzinfo=LONDON).astimezone(UTC)


# What stops each clock (response-policy.toml), and its target.
STOPS = {
    "answered": {"acknowledged", "contacted", "reference_added", "attended", "decision", "update_sent", "closed"},
    "reference": {"reference_added"},
    "decision": {"decision", "closed"},
    "attendance": {"attended"},
}
UPDATE_STOPS = {"update_sent", "contacted", "decision", "reference_added", "attended"}


def due(p: Planned, clock: str) -> datetime | None:
    r, urgent = p.received, p.category in URGENT
    if clock == "answered":
        return r + timedelta(hours=2) if urgent else add_working_days(r, 1, p.nation)
    if clock == "reference":
        return r + timedelta(hours=48)
    if clock == "decision":
        return None if p.category == "suspicious_activity" else add_working_days(r, 5, p.nation)
    if clock == "attendance":
        if not p.happening_now:
            return None
        return r + timedelta(minutes=60) if urgent else r + timedelta(hours=48)
    raise ValueError(clock)


@dataclass(frozen=True)
class Outcome:
    state: str  # met, met_late, breached, running, not_applicable
    took_s: int | None  # receipt to the action, for met and met_late


def outcome(p: Planned, clock: str, now: datetime = NOW) -> Outcome:
    target = due(p, clock)
    if target is None:
        return Outcome("not_applicable", None)
    for kind, at in p.actions:
        if kind in STOPS[clock]:
            took = math.floor(at.timestamp()) - math.floor(p.received.timestamp())
            return Outcome("met" if at <= target else "met_late", took)
        if kind == "closed":
            return Outcome("breached" if at > target else "not_applicable", None)
    return Outcome("breached" if now > target else "running", None)


def update_breached(p: Planned, now: datetime = NOW) -> bool:
    """The Victims' Code cadence: more than 30 days without an update while the report is open."""
    if p.category == "suspicious_activity":
        return False
    next_due = p.received + timedelta(days=30)
    for kind, at in p.actions:
        if kind in UPDATE_STOPS or kind == "closed":
            if at > next_due:
                return True
            if kind == "closed":
                return False
            next_due = at + timedelta(days=30)
    return now > next_due


def in_period(p: Planned, first: date, last: date) -> bool:
    return first <= p.received.astimezone(LONDON).date() <= last


def percent(numerator: int, denominator: int) -> int:
    """Whole percent, half up."""
    return math.floor(Fraction(100 * numerator, denominator) + Fraction(1, 2))


def nearest_rank(values: list[int], p: Fraction) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered)) - 1]


def minute(seconds: int) -> int:
    return seconds - seconds % 60


@dataclass(frozen=True)
class Expected:
    """A figure's right answer: its value (None when built on no report) and the reports it is built on."""

    value: int | None
    base: int


def figures(reports: list[Planned], now: datetime = NOW) -> dict[str, Expected]:
    """Every measure of the summary for a set of reports, worked out from the plan."""
    out: dict[str, Expected] = {"received": Expected(len(reports), len(reports))}

    def share(clock: str, counted: Callable[[Outcome], bool]) -> Expected:
        decided = [o for o in (outcome(p, clock, now) for p in reports) if o.state in ("met", "met_late", "breached")]
        hits = sum(counted(o) for o in decided)
        return Expected(percent(hits, len(decided)) if decided else None, len(decided))

    def times(clock: str, p: Fraction = Fraction(1, 2)) -> Expected:
        took = [o.took_s for o in (outcome(r, clock, now) for r in reports) if o.took_s is not None]
        return Expected(minute(nearest_rank(took, p)) if took else None, len(took))

    out["answered_within_target"] = share("answered", lambda o: o.state == "met")
    out["answer_median"] = times("answered")
    out["answer_p90"] = times("answered", Fraction(9, 10))
    unanswered = sum(outcome(p, "answered", now).state in ("running", "breached") for p in reports)
    out["unanswered_now"] = Expected(unanswered, unanswered)
    out["reference_given"] = share("reference", lambda o: o.state in ("met", "met_late"))
    out["reference_median"] = times("reference")
    out["attended"] = share("attendance", lambda o: o.state in ("met", "met_late"))
    out["attendance_median"] = times("attendance")
    decision = sum(outcome(p, "decision", now).state in ("met_late", "breached") for p in reports)
    out["decision_breaches"] = Expected(decision, decision)
    updates = sum(update_breached(p, now) for p in reports)
    out["update_breaches"] = Expected(updates, updates)
    calls = [c for p in reports for c in p.calls if c["channel"] == "101"]
    with_calls = [p for p in reports if any(c["channel"] == "101" for c in p.calls)]
    with_waits = [p for p in reports if any(c["channel"] == "101" and c["waited_s"] is not None for c in p.calls)]
    waits = [c["waited_s"] for c in calls if c["waited_s"] is not None]
    out["reports_101"] = Expected(len(with_calls), len(with_calls))
    out["wait_101_median"] = Expected(minute(nearest_rank(waits, Fraction(1, 2))) if waits else None, len(with_waits))
    over = sum(w > 15 * 60 for w in waits)
    out["wait_101_over_15"] = Expected(percent(over, len(waits)) if waits else None, len(with_waits))
    abandoned = sum(c["outcome"] == "abandoned" for c in calls)
    out["abandoned_101"] = Expected(percent(abandoned, len(calls)) if calls else None, len(with_calls))
    chased = [p for p in reports if any(k == "chased" for k, _ in p.actions)]
    out["reports_chased"] = Expected(len(chased), len(chased))
    out["chases"] = Expected(sum(k == "chased" for p in reports for k, _ in p.actions), len(chased))
    return out


# -- A real backend on the data set -------------------------------------------------------------------------------


def serve(data_dir: Path, plan: list[Planned]) -> LiveServer:
    """The plan written into `data_dir`'s database, then the real backend started on it with its clock at NOW."""
    data_dir.mkdir(parents=True, exist_ok=True)
    cdb = ClockDb(data_dir / "hedgerow.db")
    write_plan(cdb, plan)
    cdb.close()
    clock = data_dir / "clock.txt"
    clock.write_text(NOW.isoformat())
    env = {"HEDGEROW_CLOCK_FILE": str(clock), "HEDGEROW_SWEEP_INTERVAL_S": "0", "HEDGEROW_REGISTER_PER_HOUR": "1000"}
    return LiveServer(data_dir, env=env).start()


def add_staff(server: LiveServer, username: str, role: str, force: str | None = None) -> str:
    """A staff account made through the CLI; returns its password."""
    password = f"{username}-password-123"
    done = server.cli(
        "users", "add", username, "--role", role, *(["--force", force] if force else []), stdin=password + "\n"
    )
    assert done.returncode == 0, done.stderr
    return password


def api_headers(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def console_client(server: LiveServer, username: str, password: str) -> httpx.Client:
    """An httpx client logged in to the console (it keeps the session cookie)."""
    client = httpx.Client(base_url=server.url, timeout=60)
    r = console_login(client, username, password, next="/console")
    assert r.status_code == 303, r.text
    return client
