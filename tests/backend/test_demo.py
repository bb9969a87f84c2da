"""The demo data: seeded into real SQLite files through the real intake, photo and event services, then checked."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from backend.db import open_and_migrate
from backend.services.demo import generator
from backend.services.demo.reports import load_demo_areas, make_farmers
from backend.services.intake import photos
from backend.services.staff import accounts
from backend.settings import Settings
from tests.support import ROOT
from wire.categories import CATEGORIES, validate_details
from wire.reports import ReportCreate

NOW = datetime(2026, 2, 14, 9, 30, tzinfo=UTC)
SEED = 7
REPORTS = 300


@dataclass
class Seeded:
    db: sqlite_utils.Database
    settings: Settings
    summary: str


def _seed(path: Path) -> Seeded:
    settings = Settings(data_dir=path)
    db = open_and_migrate(settings.db_path)
    summary = generator.seed(db, settings, reports=REPORTS, seed=SEED, progress=False, now=NOW)
    return Seeded(db, settings, summary)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    s = _seed(tmp_path_factory.mktemp("demo"))
    yield s
    s.db.close()


def _rows(db: sqlite_utils.Database, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return [dict(r) for r in db.execute(sql, params or []).fetchall()]


def test_every_category_is_present(seeded: Seeded) -> None:
    held = {r["category"] for r in _rows(seeded.db, "SELECT DISTINCT category FROM reports")}
    assert held == {c.code for c in CATEGORIES}
    assert seeded.db.execute("SELECT count(*) FROM reports").fetchone()[0] == REPORTS


def _replay(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The report's state from its events alone, by the rules of the event log (written out independently)."""
    state: dict[str, Any] = {"status": None, "acknowledged_at": None, "police_reference": None, "closed_at": None}
    state["assigned_to"] = None
    for ev in events:
        kind, data = ev["kind"], json.loads(ev["data"])
        if kind == "received":
            state["status"] = "received"
        elif kind == "closed":
            state["status"], state["closed_at"] = "closed", ev["at"]
        elif kind == "reopened":
            state["status"], state["closed_at"] = "in_progress", None
        elif state["status"] == "closed":
            pass
        elif kind in ("reference_added", "contacted", "attended", "decision", "update_sent"):
            state["status"] = "in_progress"
        elif kind in ("acknowledged", "assigned") and state["status"] == "received":
            state["status"] = "acknowledged"
        if kind == "acknowledged" and state["acknowledged_at"] is None:
            state["acknowledged_at"] = ev["at"]
        if kind == "reference_added":
            state["police_reference"] = data["reference"]
        if kind == "assigned":
            state["assigned_to"] = data["user_id"]
    return state


def test_materialised_state_equals_the_replay_of_each_reports_events(seeded: Seeded) -> None:
    events_by_report: dict[str, list[dict[str, Any]]] = {}
    for ev in _rows(seeded.db, "SELECT * FROM events ORDER BY id"):
        events_by_report.setdefault(ev["report_id"], []).append(ev)
    reports = _rows(seeded.db, "SELECT * FROM reports")
    assert len(events_by_report) == len(reports)
    statuses = Counter()
    for row in reports:
        evs = events_by_report[row["id"]]
        assert evs[0]["kind"] == "received" and evs[0]["at"] == row["received_at"]
        replayed = _replay(evs)
        held = {k: row[k] for k in replayed}
        assert held == replayed, row["id"]
        # Events were written in the order they happened, none after `now`, none before the report arrived.
        times = [datetime.fromisoformat(e["at"]) for e in evs]
        assert times == sorted(times)
        assert times[-1] <= NOW and times[0] == datetime.fromisoformat(row["received_at"])
        assert row["updated_at"] == evs[-1]["at"]
        public = [e["id"] for e in evs if e["public"]]
        assert row["public_seq"] == max(public)
        statuses[row["status"]] += 1
    # A plausible mix: some never answered, some under way, many closed.
    assert set(statuses) == {"received", "acknowledged", "in_progress", "closed"}
    assert all(n >= 5 for n in statuses.values()), statuses


def test_reports_are_stored_exactly_as_intake_stores_a_valid_report(seeded: Seeded) -> None:
    reports = _rows(seeded.db, "SELECT * FROM reports")
    assert len(reports) == REPORTS
    for row in reports:
        details = json.loads(row["details"])
        assert validate_details(row["category"], details) == details
        declared = _rows(
            seeded.db,
            "SELECT photo_id, sha256, bytes, content_type FROM report_photos WHERE report_id = ? ORDER BY rowid",
            [row["id"]],
        )
        body = ReportCreate.model_validate(
            {
                "category": row["category"],
                "happening_now": bool(row["happening_now"]),
                "occurred_at": row["occurred_at"],
                "occurred_until": row["occurred_until"],
                "description": row["description"],
                "location": {
                    "lat": row["lat"],
                    "lon": row["lon"],
                    "accuracy_m": row["accuracy_m"],
                    "source": row["location_source"],
                    "grid_ref": row["grid_ref"],
                    "what3words": row["what3words"],
                    "place_name": row["place_name"],
                },
                "details": details,
                "vehicles": json.loads(row["vehicles"]),
                "people": json.loads(row["people"]) if row["people"] else None,
                "calls": json.loads(row["calls"]),
                "created_at": row["created_at"],
                "photos": declared,
            }
        )
        # The canonical hash intake stored is the hash of this content: the same report, validated the same way.
        assert body.content_hash() == row["content_hash"], row["id"]
        assert NOW - timedelta(days=365) <= datetime.fromisoformat(row["received_at"]) <= NOW
        assert row["description"]


def test_photos_are_stored_once_by_hash_and_linked_to_their_reports(seeded: Seeded) -> None:
    db, photos_dir = seeded.db, seeded.settings.photos_dir
    blobs = _rows(db, "SELECT * FROM photo_blobs")
    arrived = _rows(db, "SELECT * FROM report_photos WHERE received_at IS NOT NULL")
    missing = _rows(db, "SELECT * FROM report_photos WHERE received_at IS NULL")
    assert {b["sha256"] for b in blobs} == {p["sha256"] for p in arrived}
    assert len(arrived) > 2 * len(blobs)  # images are reused, and stored once each
    assert missing, "some photos never arrived, so reports show them missing"
    originals = sorted(p for p in (photos_dir / "original").rglob("*") if p.is_file())
    assert len(originals) == len(blobs) == generator.DISTINCT_PHOTOS
    for blob in blobs:
        original = photos.blob_path(photos_dir, blob["sha256"], "original", blob["content_type"])
        assert hashlib.sha256(original.read_bytes()).hexdigest() == blob["sha256"]
        for kind in ("display", "thumb"):
            assert photos.blob_path(photos_dir, blob["sha256"], kind).stat().st_size > 0
    assert any(b["exif_lat"] is not None and b["exif_lon"] is not None for b in blobs)
    assert sum(b["taken_at"] is not None for b in blobs) > len(blobs) // 2
    received_events = db.execute("SELECT count(*) FROM events WHERE kind = 'photo_received'").fetchone()[0]
    assert received_events == len(arrived)
    per_report = Counter(p["report_id"] for p in [*arrived, *missing])
    assert max(per_report.values()) <= 3
    with_photos = len(per_report) / REPORTS
    assert 0.3 < with_photos < 0.9, with_photos


def test_vehicle_registrations_repeat_across_reports_so_linked_reports_exist(seeded: Seeded) -> None:
    linked = _rows(
        seeded.db,
        "SELECT v.registration, count(DISTINCT v.report_id) AS reports, count(DISTINCT r.device_id) AS farms "
        "FROM report_vehicles v JOIN reports r ON r.id = v.report_id GROUP BY v.registration "
        "HAVING count(DISTINCT v.report_id) > 1",
    )
    assert linked
    assert any(row["farms"] > 1 for row in linked)
    for (registration,) in seeded.db.execute("SELECT registration FROM report_vehicles"):
        assert registration.isalnum() and registration == registration.upper()


def test_some_reports_fall_outside_every_area_and_the_rest_are_routed(seeded: Seeded) -> None:
    unrouted = seeded.db.execute("SELECT count(*) FROM reports WHERE area_id IS NULL").fetchone()[0]
    assert 0 < unrouted < REPORTS * 0.1
    assert (
        seeded.db.execute("SELECT count(*) FROM reports WHERE area_id IS NOT NULL AND force IS NULL").fetchone()[0] == 0
    )
    forces = {r["force"] for r in _rows(seeded.db, "SELECT DISTINCT force FROM reports WHERE force IS NOT NULL")}
    assert forces == {a.force for a in load_demo_areas(generator.DEMO_AREAS)}


def test_calls_to_101_have_waits_and_some_were_abandoned(seeded: Seeded) -> None:
    calls = _rows(seeded.db, "SELECT * FROM report_calls")
    by_channel = Counter(c["channel"] for c in calls)
    assert by_channel["101"] > 20 and by_channel["999"] > 0
    waits = [c["waited_s"] for c in calls if c["channel"] == "101"]
    assert all(w is not None and w >= 0 for w in waits)
    assert 60 < statistics.median(waits) < 1800
    outcomes = Counter(c["outcome"] for c in calls if c["channel"] == "101")
    assert outcomes["abandoned"] > 0 and outcomes["answered"] > outcomes["abandoned"]


def test_responses_range_from_prompt_to_never_and_forces_differ(seeded: Seeded) -> None:
    rows = _rows(seeded.db, "SELECT * FROM reports WHERE force IS NOT NULL")
    hours: dict[str, list[float]] = {}
    never_answered = 0
    for r in rows:
        if r["acknowledged_at"] is None:
            never_answered += datetime.fromisoformat(r["received_at"]) < NOW - timedelta(days=7)
            continue
        taken = datetime.fromisoformat(r["acknowledged_at"]) - datetime.fromisoformat(r["received_at"])
        hours.setdefault(r["force"], []).append(taken.total_seconds() / 3600)
    everything = [h for hs in hours.values() for h in hs]
    assert min(everything) < 1 and max(everything) > 72
    assert never_answered > 0
    medians = {force: statistics.median(hs) for force, hs in hours.items() if len(hs) >= 5}
    assert max(medians.values()) > 3 * min(medians.values()), medians
    kinds = Counter(r[0] for r in seeded.db.execute("SELECT kind FROM events"))
    for kind in ("acknowledged", "assigned", "reference_added", "contacted", "attended", "decision", "update_sent"):
        assert kinds[kind] > 0, kind
    for kind in ("note", "closed", "chased", "farmer_update"):
        assert kinds[kind] > 0, kind
    # Internal notes are never public; farmers' chases are.
    assert seeded.db.execute("SELECT count(*) FROM events WHERE kind = 'note' AND public = 1").fetchone()[0] == 0
    assert seeded.db.execute("SELECT count(*) FROM events WHERE kind = 'chased' AND public = 0").fetchone()[0] == 0


def test_hare_coursing_is_seasonal_and_fly_tipping_is_all_year(seeded: Seeded) -> None:
    sql = "SELECT occurred_at FROM reports WHERE category = ?"
    months = {
        code: [datetime.fromisoformat(r[0]).month for r in seeded.db.execute(sql, [code])]
        for code in ("hare_coursing", "fly_tipping")
    }
    coursing = months["hare_coursing"]
    assert len(coursing) >= 10
    assert sum(m in (9, 10, 11, 12, 1, 2, 3) for m in coursing) >= 0.85 * len(coursing)
    assert len(set(months["fly_tipping"])) >= 10


def test_demo_staff_can_log_in_with_the_demo_password(seeded: Seeded) -> None:
    logins = generator.demo_logins(seeded.db)
    forces = {a.force for a in load_demo_areas(generator.DEMO_AREAS)}
    assert Counter(login.role for login in logins) == {
        "admin": 1,
        "nfu": 1,
        "officer": len(forces),
        "supervisor": len(forces),
    }
    assert {login.force for login in logins if login.role == "officer"} == forces
    user = accounts.authenticate(seeded.db, "kent.officer", generator.DEMO_PASSWORD)
    assert user is not None and user.force == "Kent Police" and user.role == "officer"
    assert accounts.authenticate(seeded.db, "kent.officer", "not-the-password") is None
    assert "hedgerow-demo" in seeded.summary and f"Seeded {REPORTS} demo reports" in seeded.summary


def test_farmers_have_phones_in_the_range_kept_for_drama(seeded: Seeded) -> None:
    devices = _rows(seeded.db, "SELECT * FROM devices")
    assert devices
    for d in devices:
        assert d["phone"].startswith("07700 900") and len(d["phone"]) == 12
        assert d["name"] and d["farm_name"] and d["postcode"]
    orphans = seeded.db.execute(
        "SELECT count(*) FROM reports WHERE device_id NOT IN (SELECT id FROM devices)"
    ).fetchone()[0]
    assert orphans == 0


TABLES = {
    "reports": "SELECT * FROM reports ORDER BY id",
    "events": "SELECT * FROM events ORDER BY id",
    "report_photos": "SELECT * FROM report_photos ORDER BY report_id, photo_id",
    "report_vehicles": "SELECT * FROM report_vehicles ORDER BY report_id, idx",
    "report_calls": "SELECT * FROM report_calls ORDER BY report_id, idx",
    "photo_blobs": "SELECT * FROM photo_blobs ORDER BY sha256",
    # Device tokens are random secrets thrown away at once, and password hashes are salted: left out.
    "devices": "SELECT id, name, phone, farm_name, postcode, email, created_at, clock_skew_s FROM devices ORDER BY id",
    "users": "SELECT id, username, display_name, role, force, created_at FROM users ORDER BY id",
}


def _dump(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    return {name: _rows(db, sql) for name, sql in TABLES.items()}


def test_the_same_seed_and_time_give_the_same_data(seeded: Seeded, tmp_path: Path) -> None:
    twin = _seed(tmp_path)
    try:
        first, second = _dump(seeded.db), _dump(twin.db)
        for name in TABLES:
            assert first[name] == second[name], name
        assert len(first["reports"]) == REPORTS
    finally:
        twin.db.close()
    other = make_farmers(SEED + 1, 20, load_demo_areas(generator.DEMO_AREAS), NOW)
    same = make_farmers(SEED, 20, load_demo_areas(generator.DEMO_AREAS), NOW)
    held = {r["id"]: r["name"] for r in first["devices"]}
    assert {f.device_id: f.name for f in same}.items() <= held.items()  # the seeded farmers are these
    assert not {f.device_id for f in other} & held.keys()
    assert [f.name for f in other] != [f.name for f in same]


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEDGEROW_DATA_DIR": str(data_dir), "HEDGEROW_CLOCK_FILE": str(data_dir / "clock")}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_hedgerow_demo_shows_progress_and_a_second_run_adds_reports_without_duplicating(tmp_path: Path) -> None:
    (tmp_path / "clock").write_text(NOW.isoformat())
    first = _cli(tmp_path, "demo", "--reports", "40")
    assert first.returncode == 0, first.stderr
    assert "demo reports: 100%" in first.stderr and "40/40" in first.stderr
    assert "Seeded 40 demo reports (run 1 of seed 2026)" in first.stdout
    db = sqlite_utils.Database(tmp_path / "hedgerow.db")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("areas", "users", "devices")}
    ids_first = {r[0] for r in db.execute("SELECT id FROM reports")}
    assert len(ids_first) == 40

    second = _cli(tmp_path, "demo", "--reports", "40", "--quiet")
    assert second.returncode == 0, second.stderr
    assert "demo reports" not in second.stderr  # --quiet: no progress bar
    assert "Seeded 40 demo reports (run 2 of seed 2026)" in second.stdout
    assert "The database now holds 80 reports" in second.stdout
    ids_all = {r[0] for r in db.execute("SELECT id FROM reports")}
    assert len(ids_all) == 80 and ids_first < ids_all
    assert {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("areas", "users", "devices")} == counts
    assert db.execute("SELECT count(*) FROM report_photos WHERE received_at IS NOT NULL").fetchone()[0] > 0
    files = [p for p in (tmp_path / "photos" / "original").rglob("*") if p.is_file()]
    # Stored when first linked, once: no file without its blob, no blob without its file.
    blobs = {r[0] for r in db.execute("SELECT sha256 FROM photo_blobs")}
    assert {p.name.split(".")[0] for p in files} == blobs and len(files) == len(blobs) <= generator.DISTINCT_PHOTOS
    db.close()


def test_clocks_computed_once_per_batch_equal_clocks_refreshed_after_every_event(seeded: Seeded) -> None:
    """The demo writes many reports per batch, which computes each report's clocks once at its end; that must
    store what computing them after every event would, whose last computation is as of the report's last event."""
    from backend.writes import write

    db = seeded.db
    sample = [r["id"] for r in _rows(db, "SELECT id FROM reports ORDER BY id LIMIT 60")]
    marks = ",".join("?" * len(sample))
    clocks_sql = f"SELECT * FROM report_clocks WHERE report_id IN ({marks})"
    before = {r["report_id"]: r for r in _rows(db, clocks_sql, sample)}
    assert len(before) == len(sample)
    last_event_sql = (
        "SELECT report_id, max(at) AS at FROM events WHERE kind NOT IN ('flag_raised', 'flag_cleared') "
        f"AND report_id IN ({marks}) GROUP BY report_id"
    )
    last_event = {r["report_id"]: datetime.fromisoformat(r["at"]) for r in _rows(db, last_event_sql, sample)}
    for report_id in sample:
        with write(db) as batch:  # the per-event path's final computation, alone in its own batch
            batch.report_changed(report_id, last_event[report_id])
    after = {r["report_id"]: r for r in _rows(db, clocks_sql, sample)}
    assert after == before
    assert any(r["answered_state"] not in (None, "not_applicable") for r in after.values())
