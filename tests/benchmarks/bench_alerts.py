"""Alerts: the devices an alert reaches among 100,000 devices with 3 places each, and one device's pull.

One database, made in the run (or reused with --keep):
  - `--devices` phones, each with 3 alert places spread at random over a box around England and Wales (lat 50.2 to
    53.8, lon -4.5 to 1.5, about 170,000 km2: a farm's density, 100,000 being about England and Wales' holdings),
    radii 3, 5, 10 or 20 km; stored as the API stores them (snapped to the 1 km grid, with their boxes);
  - alerts through the real issuing service, at random points of the demo force areas in England and Wales:
    `--active` in force now and 20 times as many that ended over the past year (radii 3 to 20 km).

Measured, each beside a plain indexed query of the same run:
  - the devices a new alert reaches (`reach.devices_reached`: the R*Tree of place boxes, then the exact distance
    test), for alerts of 5 and of 20 km at random points (target under 100 ms), beside the same query's candidate
    places without the distance test, and a B-tree range read of as many rows as the R*Tree gave (the plain
    indexed-query floor);
  - one device's pull (`reach.pull`), with no cursor (every active alert that reaches it) and with the cursor of its
    last pull (nothing new: the pull every open app makes each minute) (target under 5 ms), beside reading the
    device's places by their index (the floor).

Run: .venv/bin/python -m tests.benchmarks.bench_alerts [--devices N] [--active N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import sqlite_utils

from backend.db import open_and_migrate
from backend.security import iso
from backend.services.alerts import issuing, reach
from backend.services.alerts.geometry import circle_box, coarse_place
from backend.services.areas.boundaries import area_index, import_areas
from backend.services.staff.accounts import add_user, get_user
from backend.settings import Settings
from backend.writes import write
from tests.support import DEMO_AREAS
from wire.alerts import AlertCreate

PLACES_PER_DEVICE = 3
PLACE_RADII_KM = (3.0, 5.0, 10.0, 20.0)
SPREAD = ((50.2, 53.8), (-4.5, 1.5))
TARGET_SELECT_S = 0.100
TARGET_PULL_S = 0.005
SAMPLES = 40
PULLS = 1000
T = TypeVar("T")


def _median_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def add_devices(db: sqlite_utils.Database, devices: int, rng: random.Random, now: datetime) -> None:
    """Phones and their places, written as `places.set_places` writes them, in transactions of 10,000 phones."""
    (lat_lo, lat_hi), (lon_lo, lon_hi) = SPREAD
    for start in range(0, devices, 10_000):
        phones, places = [], []
        for _ in range(start, min(devices, start + 10_000)):
            device_id = str(uuid.uuid4())
            phones.append((device_id, uuid.uuid4().hex, "Farmer", "07700 900000", iso(now)))
            for _ in range(PLACES_PER_DEVICE):
                lat, lon, radius = coarse_place(
                    rng.uniform(lat_lo, lat_hi), rng.uniform(lon_lo, lon_hi), rng.choice(PLACE_RADII_KM)
                )
                box = circle_box(lat, lon, radius)
                places.append((device_id, lat, lon, radius, box.min_lat, box.max_lat, box.min_lon, box.max_lon))
        with write(db):
            db.conn.executemany(
                "INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES (?, ?, ?, ?, ?)", phones
            )
            db.conn.executemany(
                "INSERT INTO alert_places (device_id, lat, lon, radius_km, box_min_lat, box_max_lat, box_min_lon, "
                "box_max_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                places,
            )
            db.conn.executemany(
                "INSERT INTO alert_subscriptions (device_id, places_version, updated_at) VALUES (?, 1, ?)",
                [(p[0], iso(now)) for p in phones],
            )


def _points_in_areas(db: sqlite_utils.Database, rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Random points of the demo force areas south of Scotland (alerts are issued inside a force's area)."""
    index = area_index(db)
    boxes = [g.bounds for a, g in zip(index.areas, index.geoms, strict=True) if a.nation == "england_wales"]
    points = []
    while len(points) < count:
        min_lon, min_lat, max_lon, max_lat = rng.choice(boxes)
        lat, lon = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if index.locate(lat, lon) is not None:
            points.append((lat, lon))
    return points


def add_alerts(db: sqlite_utils.Database, settings: Settings, active: int, rng: random.Random, now: datetime) -> None:
    """`active` alerts in force now, and 20 times as many issued over the past year and ended."""
    admin = add_user(db, "bench.admin", "bench-admin-password", "admin", None, now)
    user = get_user(db, admin.id)
    ended = active * 20
    points = _points_in_areas(db, rng, active + ended)
    with write(db):
        for i, (lat, lon) in enumerate(points):
            issued = (
                now - timedelta(hours=rng.uniform(0, 40)) if i < active else now - timedelta(days=rng.uniform(3, 365))
            )
            body = AlertCreate.model_validate(
                {
                    "title": f"Bench alert {i}",
                    "text": "A white pickup seen at several farms.",
                    "category": "suspicious_activity",
                    "area": {"lat": lat, "lon": lon, "radius_km": round(rng.uniform(3, 20), 1)},
                }
            )
            issuing.issue(db, user, body, issued, settings)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=200, help="alerts in force now (20 times as many ended)")
    parser.add_argument("--keep", type=Path, help="build the database here and keep it (reused when it exists)")
    args = parser.parse_args(argv or [])
    work = args.keep or Path(tempfile.mkdtemp(prefix="hedgerow-bench-alerts-"))
    settings = Settings(data_dir=work, sms_url="", smtp_host="")
    reuse = settings.db_path.exists()
    db = open_and_migrate(settings.db_path)
    rng = random.Random(2026)
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    try:
        if reuse:
            built = "reused"
        else:
            import_areas(db, DEMO_AREAS)
            started = time.perf_counter()
            add_devices(db, args.devices, rng, now)
            devices_s = time.perf_counter() - started
            started = time.perf_counter()
            add_alerts(db, settings, args.active, rng, now)
            built = f"devices and places {devices_s:.0f} s; alerts {time.perf_counter() - started:.0f} s"
        devices = db.execute("SELECT count(*) FROM devices").fetchone()[0]
        places = db.execute("SELECT count(*) FROM alert_places").fetchone()[0]
        alerts = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
        now_s = int(now.timestamp())
        active = db.execute("SELECT count(*) FROM alerts WHERE ends_s > ?", [now_s]).fetchone()[0]

        # The devices a new alert reaches, and the floors.
        select_rows = []
        for radius in (5.0, 20.0):
            reached, box_only, floor, found, candidates = [], [], [], [], []
            for lat, lon in _points_in_areas(db, random.Random(int(radius)), SAMPLES):
                box = circle_box(lat, lon, radius)
                t, rows = _timed(
                    lambda box=box: db.execute(
                        "SELECT p.device_id, p.lat, p.lon, p.radius_km FROM alert_place_boxes b "
                        "JOIN alert_places p ON p.id = b.id "
                        "WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ?",
                        box.overlap_args(),
                    ).fetchall()
                )
                box_only.append(t)
                candidates.append(len(rows))
                first = rng.randrange(1, max(2, places - len(rows)))
                t, _ = _timed(
                    lambda first=first, n=len(rows): db.execute(
                        "SELECT device_id, lat, lon, radius_km FROM alert_places WHERE id >= ? ORDER BY id LIMIT ?",
                        [first, n],
                    ).fetchall()
                )
                floor.append(t)
                t, devices_found = _timed(lambda lat=lat, lon=lon, r=radius: reach.devices_reached(db, lat, lon, r))
                reached.append(t)
                found.append(len(devices_found))
            select_rows.append(
                (
                    radius,
                    _median_p95(reached),
                    statistics.median(box_only),
                    statistics.median(floor),
                    statistics.mean(found),
                    statistics.mean(candidates),
                )
            )

        # One device's pull.
        ids = [r[0] for r in db.execute("SELECT id FROM devices ORDER BY random() LIMIT ?", [PULLS])]
        full, delta, floor_pull, sent = [], [], [], []
        for device_id in ids:
            t, _ = _timed(
                lambda d=device_id: db.execute(
                    "SELECT lat, lon, radius_km FROM alert_places WHERE device_id = ? ORDER BY id", [d]
                ).fetchall()
            )
            floor_pull.append(t)
            t, pulled = _timed(lambda d=device_id: reach.pull(db, d, None, now))
            full.append(t)
            sent.append(len(pulled.alerts))
            cursor = pulled.cursor
            t, _ = _timed(lambda d=device_id, c=cursor: reach.pull(db, d, c, now + timedelta(minutes=1)))
            delta.append(t)
    finally:
        db.close()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    def verdict(value: float, target: float) -> str:
        return "yes" if value < target else "**no**"

    table = [
        f"{devices:,} devices with {places:,} alert places; {alerts:,} alerts, {active} in force ({built}).",
        "",
        "| measurement | median | p95 | target | met | floor and baseline (same run, medians) |",
        "|---|---|---|---|---|---|",
    ]
    for radius, (median, p95), box_s, floor_s, found_n, candidates_n in select_rows:
        table.append(
            f"| Devices a {radius:g} km alert reaches (of {SAMPLES} alerts; {found_n:,.0f} devices found, "
            f"{candidates_n:,.0f} candidate places) | {median * 1e3:.1f} ms | {p95 * 1e3:.1f} ms | "
            f"< {TARGET_SELECT_S * 1e3:g} ms | {verdict(median, TARGET_SELECT_S)} | "
            f"B-tree range read of as many rows {floor_s * 1e3:.1f} ms; the R*Tree's candidates, no distance test "
            f"{box_s * 1e3:.1f} ms |"
        )
    for label, times in (
        ("no cursor: every active alert that reaches it", full),
        ("with its cursor, nothing new", delta),
    ):
        median, p95 = _median_p95(times)
        table.append(
            f"| One device's pull, {label} (of {len(ids):,} devices; {statistics.mean(sent):.1f} alerts each on "
            f"average) | {median * 1e3:.2f} ms | {p95 * 1e3:.2f} ms | < {TARGET_PULL_S * 1e3:g} ms | "
            f"{verdict(median, TARGET_PULL_S)} | "
            f"its places by their index {statistics.median(floor_pull) * 1e3:.3f} ms |"
        )
    text = "\n".join(table)
    print(text)
    return text


if __name__ == "__main__":
    main(sys.argv[1:])
