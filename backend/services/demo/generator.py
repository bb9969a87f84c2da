"""`hedgerow demo`: a year of realistic synthetic reports, written exactly as intake and staff actions write them.

What is seeded:
- the demo areas (assets/areas/demo-areas.geojson) when the database has no areas;
- demo staff with one known password: an admin, an NFU user, and an officer and a supervisor per demo force
  (only those not already there; the ones the demo created are listed in `meta.demo_users`);
- farmers (devices) near the demo areas, a few outside every area;
- reports through `backend.services.intake.reports.put_report`, photos through `backend.services.intake.photos`
  (inspect, store, link) and every later action through `backend.services.intake.events.record_event`, so the
  materialised state is whatever intake and the staff API would have made of the same events.

Each run adds `reports` new reports: run k of a seed draws from its own stream, so a second run adds more
rather than colliding with the first, and areas, users and farmers are never duplicated.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils
from faker import Faker
from tqdm import tqdm

from backend.db import write_transaction
from backend.security import DEVICE_TOKEN_PREFIX, iso, new_token, token_hash
from backend.services.areas.boundaries import import_areas
from backend.services.clocks import response_clocks
from backend.services.demo.photos import DemoPhoto, make_photos
from backend.services.demo.reports import (
    Farmer,
    PhotoPlan,
    PlannedReport,
    Suspects,
    load_demo_areas,
    make_farmers,
    new_uuid,
    pick_category,
    pick_day,
    plan_report,
)
from backend.services.demo.responses import Action, Officers, responses
from backend.services.intake import events, photos
from backend.services.intake import reports as intake
from backend.services.staff import accounts
from backend.settings import Settings
from backend.time_source import clock_for
from wire.categories import CATEGORIES

DEMO_AREAS = Path(__file__).resolve().parents[3] / "assets" / "areas" / "demo-areas.geojson"
DEMO_PASSWORD = "hedgerow-demo"
REPORTS_PER_TRANSACTION = 2000
DISTINCT_PHOTOS = 30
FORCE_SLUGS = {
    "Kent Police": "kent",
    "Thames Valley Police": "thamesvalley",
    "Hampshire and Isle of Wight Constabulary": "hampshire",
    "Wiltshire Police": "wiltshire",
    "Sussex Police": "sussex",
    "Dyfed-Powys Police": "dyfedpowys",
    "Police Scotland": "scotland",
}
SCENES_FOR = {
    "fly_tipping": ("fly-tipping in a gateway",),
    "hare_coursing": ("tyre tracks across a field", "a vehicle in a gateway"),
    "trespass_offroad": ("tyre tracks across a field",),
    "criminal_damage": ("a smashed fence", "tyre tracks across a field"),
    "livestock_worrying": ("sheep scattered in a field",),
    "theft_livestock": ("sheep scattered in a field", "a smashed fence"),
    "suspicious_activity": ("a vehicle in a gateway",),
    "poaching": ("a vehicle in a gateway",),
    "intimidation": ("a vehicle in a gateway",),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    force: str | None


def demo_logins(db: sqlite_utils.Database) -> list[DemoLogin]:
    """The staff accounts the demo created (all with DEMO_PASSWORD), for `hedgerow run` to print."""
    row = db.execute("SELECT value FROM meta WHERE key = 'demo_users'").fetchone()
    names = json.loads(row[0]) if row else []
    logins = []
    for name in names:
        user = db.execute("SELECT role, force FROM users WHERE username = ?", [name]).fetchone()
        if user is not None:
            logins.append(DemoLogin(name, user["role"], user["force"]))
    return logins


def _slug(force: str) -> str:
    return FORCE_SLUGS.get(force) or "".join(c for c in force.lower().split(" police")[0] if c.isalnum())


def ensure_staff(db: sqlite_utils.Database, forces: list[str], seed: int, now: datetime) -> dict[str, Officers]:
    """The demo staff, created once; returns each force's officer and supervisor."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    wanted: list[tuple[str, str, str | None, str]] = [("admin", "admin", None, "Demo administrator")]
    wanted.append(("nfu", "nfu", None, f"{fake.name()} (NFU)"))
    for force in forces:
        slug = _slug(force)
        wanted.append((f"{slug}.officer", "officer", force, f"PC {fake.first_name()} {fake.last_name()}"))
        wanted.append((f"{slug}.supervisor", "supervisor", force, f"PS {fake.first_name()} {fake.last_name()}"))
    created = []
    for username, role, force, display in wanted:
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone() is None:
            accounts.add_user(db, username, DEMO_PASSWORD, role, force, now, display)
            created.append(username)
    if created:
        previous = [login.username for login in demo_logins(db)]
        with db.atomic():
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('demo_users', ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                [json.dumps(previous + created)] * 2,
            )
    officers = {}
    for force in forces:
        slug = _slug(force)
        rows = {
            r["username"]: r
            for r in db.execute(
                "SELECT id, username, display_name FROM users WHERE username IN (?, ?)",
                [f"{slug}.officer", f"{slug}.supervisor"],
            )
        }
        officer, supervisor = rows.get(f"{slug}.officer"), rows.get(f"{slug}.supervisor")
        if officer and supervisor:
            officers[force] = Officers(
                officer["id"], officer["display_name"], supervisor["id"], supervisor["display_name"]
            )
    return officers


def _insert_farmers(db: sqlite_utils.Database, farmers: list[Farmer]) -> None:
    """As `POST /api/v1/devices` registers them; each token is random and thrown away, so nobody can use it."""
    rows = []
    for f in farmers:
        secret_hash = token_hash(new_token(DEVICE_TOKEN_PREFIX))
        rows.append((f.device_id, secret_hash, f.name, f.phone, f.farm_name, f.postcode, f.email, iso(f.created_at)))
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO devices (id, token_hash, name, phone, farm_name, postcode, email, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _next_run(db: sqlite_utils.Database) -> int:
    """Which run of the demo this is: taken before any report is written, so an interrupted run is not reused."""
    with write_transaction(db):
        row = db.execute("SELECT value FROM meta WHERE key = 'demo_runs'").fetchone()
        run = int(row[0]) if row else 0
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('demo_runs', ?) ON CONFLICT(key) DO UPDATE SET value = ?",
            [str(run + 1)] * 2,
        )
    return run


@dataclass
class Uploads:
    """The demo's photos as the upload path handles them: checked once, stored on first arrival, then linked."""

    photos_dir: Path
    inspected: dict[str, photos.Inspected]
    stored: set[str] = field(default_factory=set)

    def arrive(self, db: sqlite_utils.Database, report_id: str, plan: PhotoPlan, device_id: str, at: datetime) -> None:
        info = self.inspected[plan.photo.sha256]
        if info.sha256 not in self.stored:
            photos.store(self.photos_dir, plan.photo.data, info)  # a no-op for a file an earlier run stored
            self.stored.add(info.sha256)
        photos.link(db, report_id, plan.photo_id, info, device_id, at)


def _photo_pool(
    settings: Settings, seed: int, year: tuple[datetime, datetime], farmers: list[Farmer]
) -> tuple[dict[str, list[DemoPhoto]], Uploads]:
    """Generate the distinct images and check each once; returns them by category, and the upload path."""
    rng = random.Random(f"photos:{seed}")
    points = [f.places[0][2:] for f in farmers[:40]]
    pool = make_photos(rng, DISTINCT_PHOTOS, year, points)
    uploads = Uploads(settings.photos_dir, {p.sha256: photos.inspect(p.data, p.sha256) for p in pool})
    by_category: dict[str, list[DemoPhoto]] = {"any": pool}
    for code, scenes in SCENES_FOR.items():
        by_category[code] = [p for p in pool if p.scene in scenes]
    for category in CATEGORIES:
        if category.code.startswith("theft"):
            by_category[category.code] = [p for p in pool if p.scene in ("a barn broken into", "a smashed fence")]
    return by_category, uploads


def _plans(
    rng: random.Random,
    count: int,
    farmers: list[Farmer],
    year: tuple[datetime, datetime],
    suspects: Suspects,
    pool: dict[str, list[DemoPhoto]],
) -> Iterator[PlannedReport]:
    # Cumulative weights, summed once: rng.choices would otherwise sum every farmer's weight for every report.
    cumulative = list(itertools.accumulate(f.activity for f in farmers))
    outside = [f for f in farmers if f.area is None]
    for i in range(count):
        # The first reports cover every category once (in its season) and one farm outside every area, so
        # even a small demo shows them all.
        forced = CATEGORIES[i].code if i < len(CATEGORIES) else None
        day = pick_day(rng, year, forced)
        category = forced or pick_category(rng, day.month)
        farmer = outside[0] if i == len(CATEGORIES) and outside else rng.choices(farmers, cum_weights=cumulative)[0]
        yield plan_report(rng, farmer, category, day, year, suspects, pool)


@dataclass
class Tally:
    reports: int = 0
    unrouted: int = 0
    events: int = 0
    photos_linked: int = 0
    photos_missing: int = 0
    calls: int = 0


@dataclass
class Writer:
    """Writes planned reports, their photos and their later history, each through the service the live system
    uses: intake's put_report, the photo service, and the event log."""

    db: sqlite_utils.Database
    rng: random.Random
    officers: dict[str, Officers]
    uploads: Uploads
    year: tuple[datetime, datetime]
    now: datetime
    tally: Tally = field(default_factory=Tally)

    def write(self, plan: PlannedReport) -> None:
        db, tally, device = self.db, self.tally, plan.farmer.device_id
        intake.put_report(db, device, plan.report_id, plan.body, plan.received_at)
        row = intake.report_row(db, plan.report_id)
        later = responses(
            self.rng,
            category=plan.body.category,
            urgent=plan.urgent,
            live=plan.live,
            received=plan.received_at,
            device_id=device,
            force=row["force"],
            officers=self.officers.get(row["force"]),
            call_reference=plan.call_reference,
            linked_vehicle=plan.linked_vehicle,
            year=self.year,
            new_id=lambda: new_uuid(self.rng),
        )
        arrivals = [(p.arrives_at, p) for p in plan.photos if p.arrives_at is not None]
        steps: list[tuple[datetime, Action | PhotoPlan]] = [*arrivals, *((a.at, a) for a in later)]
        steps.sort(key=lambda s: (s[0], isinstance(s[1], Action)))  # a photo arriving with an action comes first
        for at, step in steps:
            if at > self.now:
                break  # the rest has not happened yet
            if isinstance(step, PhotoPlan):
                self.uploads.arrive(db, plan.report_id, step, device, at)
                row = intake.report_row(db, plan.report_id)  # link recorded its event on its own copy of the row
                tally.photos_linked += 1
            else:
                events.record_event(db, row, step.kind, at, step.actor_kind, step.actor_id, step.data, step.idem_key)
                tally.events += 1
        tally.reports += 1
        tally.unrouted += row["area_id"] is None
        tally.photos_missing += sum(p.arrives_at is None or p.arrives_at > self.now for p in plan.photos)
        tally.calls += len(plan.body.calls)


def seed(
    db: sqlite_utils.Database,
    settings: Settings,
    reports: int = 2000,
    seed: int = 2026,
    progress: bool = True,
    now: datetime | None = None,
) -> str:
    """Seed the demo; returns a paragraph saying what was made. Deterministic for a given seed and `now`."""
    started = time.perf_counter()
    now = (now or clock_for(settings)()).astimezone(UTC).replace(microsecond=0)
    year = (now - timedelta(days=365), now)
    areas_added = 0
    if db.execute("SELECT count(*) FROM areas").fetchone()[0] == 0:
        areas_added = len(import_areas(db, DEMO_AREAS))
    demo_areas = load_demo_areas(DEMO_AREAS)
    forces = sorted({a.force for a in demo_areas})
    officers = ensure_staff(db, forces, seed, now)
    farmers = make_farmers(seed, max(12, reports // 6), demo_areas, year[0])
    _insert_farmers(db, farmers)
    run = _next_run(db)
    pool, uploads = _photo_pool(settings, seed, year, farmers)
    rng = random.Random(f"reports:{seed}:{run}")
    plans = _plans(rng, reports, farmers, year, Suspects.make(seed, forces), pool)
    writer = Writer(db, rng, officers, uploads, year, now)
    tally = writer.tally
    bar = tqdm(total=reports, desc="demo reports", unit=" reports", file=sys.stderr, disable=not progress)
    with bar:
        while tally.reports < reports:
            batch = min(REPORTS_PER_TRANSACTION, reports - tally.reports)
            # Many reports per transaction: one commit (one fsync) per batch instead of one per report.
            # Clocks are computed once per report at the end of the batch rather than after each of its events.
            with write_transaction(db), response_clocks.deferred_refresh(db):
                for _ in range(batch):
                    writer.write(next(plans))
            bar.update(batch)
    categories = Counter(r[0] for r in db.execute("SELECT category FROM reports"))
    elapsed = time.perf_counter() - started
    logins = ", ".join(login.username for login in demo_logins(db))
    return (
        f"Seeded {tally.reports} demo reports (run {run + 1} of seed {seed}) received between "
        f"{year[0]:%d %b %Y} and {now:%d %b %Y}, from {len(farmers)} farms"
        + (f", after loading {areas_added} demo areas" if areas_added else "")
        + f"; {tally.unrouted} fell outside every area (the unrouted list). They carry {tally.calls} calls to "
        f"101/999 and {tally.events} later events (acknowledgements, references, visits, decisions, updates, "
        f"closures, chases); {tally.photos_linked} photos arrived ({len(uploads.stored)} distinct images, each stored "
        f"once) and {tally.photos_missing} are still missing. The database now holds {sum(categories.values())} "
        f"reports in {len(categories)} categories. Demo logins (password {DEMO_PASSWORD!r}): {logins}. "
        f"Took {elapsed:.1f} s."
    )
