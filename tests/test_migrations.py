"""The migrations are frozen: a fresh database of either side has exactly the schema the shipped code made, and
the one runner and splitter they share behave as the databases in the field need."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from app.store.migrations import migrate as migrate_phone
from backend.migrations import migrate as migrate_server
from core.migrations import migrate, migration_names, run_script, split_statements

FIXTURE = Path(__file__).parent / "fixtures" / "migrated_schema.json"
MIGRATORS = {"backend": migrate_server, "phone": migrate_phone}


def _fresh(path: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(str(path), isolation_level=None))


def _schema(db: sqlite_utils.Database) -> list[list[str]]:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
    return [list(row) for row in rows]


@pytest.mark.parametrize("side", ["backend", "phone"])
def test_a_fresh_database_has_exactly_the_schema_the_shipped_migrations_made(tmp_path: Path, side: str) -> None:
    # The fixture was dumped from the migrations as they shipped, before they were frozen as literal SQL.
    expected = json.loads(FIXTURE.read_text())[side]
    db = _fresh(tmp_path / "fresh.db")
    assert MIGRATORS[side](db) == expected["migrations"]
    assert _schema(db) == expected["sqlite_master"]
    assert MIGRATORS[side](db) == []  # a second run applies nothing
    assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name").fetchall()] == expected["migrations"]


def test_the_splitter_ends_statements_where_sqlite_does() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (x TEXT DEFAULT 'semi;colon'); CREATE TABLE b (y INTEGER);
    CREATE TRIGGER a_new AFTER INSERT ON a
    BEGIN
        INSERT INTO b (y) VALUES (1);
        INSERT INTO b (y) VALUES (2);
    END;
    /* a block comment; */
    INSERT INTO a (x) VALUES ('last, with no semicolon')
    -- trailing comment
    """
    assert [s.split()[0:3] for s in split_statements(script)] == [
        ["--", "a", "comment;"],
        ["CREATE", "TABLE", "b"],
        ["CREATE", "TRIGGER", "a_new"],
        ["/*", "a", "block"],
    ]
    statements = list(split_statements(script))
    assert statements[0].endswith("CREATE TABLE a (x TEXT DEFAULT 'semi;colon');")
    assert statements[2].count(";") == 3  # the trigger whole, with both statements of its body
    assert statements[3].endswith("INSERT INTO a (x) VALUES ('last, with no semicolon')\n    -- trailing comment")
    assert list(split_statements("\n  -- nothing but a comment;\n\n")) == []
    # The old naive split(";") would have cut the string, the comment and the trigger body.
    assert len([s for s in script.split(";") if s.strip()]) == 9


def test_a_script_runs_inside_the_callers_transaction_and_a_trigger_body_works(tmp_path: Path) -> None:
    db = _fresh(tmp_path / "t.db")
    db.conn.execute("BEGIN IMMEDIATE")
    run_script(
        db,
        "CREATE TABLE a (x); CREATE TABLE b (y);\n"
        "CREATE TRIGGER a_new AFTER INSERT ON a BEGIN INSERT INTO b VALUES (NEW.x); INSERT INTO b VALUES (0); END;\n"
        "INSERT INTO a VALUES (7);",
    )
    assert db.execute("SELECT y FROM b ORDER BY y").fetchall() == [(0,), (7,)]
    db.conn.execute("ROLLBACK")  # nothing was committed behind the caller's back
    assert db.table_names() == []


def _package(root: Path, name: str, migrations: dict[str, str]) -> str:
    """A migrations package on disk, as the phone's and the server's are."""
    package = root / name
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    for module, sql in migrations.items():
        (package / f"{module}.py").write_text(f"SQL = {sql!r}\n")
    return name


def test_a_failed_migration_leaves_nothing_and_is_applied_once_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    bad = {"m0001_a": "CREATE TABLE a (x);", "m0002_b": "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);"}
    name = _package(tmp_path, "hedgerow_test_migrations_bad", bad)
    db = _fresh(tmp_path / "t.db")
    with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
        migrate(db, name)
    assert sorted(db.table_names()) == ["_migrations", "a"]  # b rolled back with its migration
    assert [r[0] for r in db.execute("SELECT name FROM _migrations").fetchall()] == ["m0001_a"]

    fixed = _package(tmp_path, "hedgerow_test_migrations_fixed", {**bad, "m0002_b": "CREATE TABLE b (y);"})
    assert migrate(db, fixed) == ["m0002_b"]
    assert migration_names(fixed) == ["m0001_a", "m0002_b"]
    assert sorted(db.table_names()) == ["_migrations", "a", "b"]


def test_a_python_step_after_a_migration_shares_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = _package(tmp_path, "hedgerow_test_migrations_after", {"m0001_a": "CREATE TABLE a (x);"})
    db = _fresh(tmp_path / "t.db")

    def fails(db: sqlite_utils.Database) -> None:
        db.execute("INSERT INTO a VALUES (1)")
        raise RuntimeError("backfill failed")

    with pytest.raises(RuntimeError, match="backfill failed"):
        migrate(db, name, {"m0001_a": fails})
    assert db.table_names() == ["_migrations"]  # the table and the step's row went back together
    assert migrate(db, name, {"m0001_a": lambda db: db.execute("INSERT INTO a VALUES (2)")}) == ["m0001_a"]
    assert db.execute("SELECT x FROM a").fetchall() == [(2,)]


def test_a_server_upgraded_from_m0003_measures_its_reports_nearby_forces(tmp_path: Path) -> None:
    """m0004 made `report_nearby_forces` and measured the reports already stored; frozen, it leaves that to the
    server's runner, which must still do it when a database shipped at m0003 is upgraded."""
    from backend.db import connect
    from backend.services.areas.boundaries import import_areas
    from tests.support import DEMO_AREAS

    db = connect(tmp_path / "old.db")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name in ("m0001_intake", "m0002_clocks", "m0003_partners"):
        run_script(db, __import__(f"backend.migrations.{name}", fromlist=["SQL"]).SQL)
        db.execute("INSERT INTO _migrations VALUES (?, '2026-01-01T00:00:00+00:00')", [name])
    import_areas(db, DEMO_AREAS)
    now = "2026-06-01T10:00:00+00:00"
    db.execute(
        "INSERT INTO devices (id, token_hash, name, phone, created_at) VALUES ('d1', 'h', 'Farmer', '0', ?)", [now]
    )
    for rid, (lat, lon) in {"near": (51.10, 0.10), "far": (51.25, 1.20)}.items():  # Kent: 5 km from Sussex; far
        db.execute(
            "INSERT INTO reports (id, device_id, category, category_group, happening_now, occurred_at, description,"
            " lat, lon, location_source, details, vehicles, calls, created_at, received_at, updated_at,"
            " content_hash, status, force) VALUES (?, 'd1', 'fly_tipping', 'waste', 0, ?, 'x', ?, ?, 'gps', '{}',"
            " '[]', '[]', ?, ?, ?, 'c', 'received', 'Kent Police')",
            [rid, now, lat, lon, now, now, now],
        )
    applied = migrate_server(db)
    assert applied[0] == "m0004_console"
    rows = db.execute("SELECT report_id, force, distance_m FROM report_nearby_forces").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("near", "Sussex Police")]
    assert 3000 < rows[0][2] < 6000
    # ...and the queue columns m0006 copies onto that row were filled from the report.
    assert tuple(db.execute("SELECT queue_due_s, open FROM report_nearby_forces").fetchone()) == (0, 1)
    db.close()


def test_the_live_constants_match_the_copies_frozen_in_the_migrations() -> None:
    from backend.migrations import m0004_console, m0005_summary_facts
    from backend.services.summaries.summary_data import PACK
    from backend.services.triage.queue import NOTHING_DUE

    # The queue's due-time triggers: every clock's "nothing due" is the number the queue reads as such.
    assert m0004_console.SQL.count(f", {NOTHING_DUE})") == 15  # 5 clocks x 3 places in two triggers
    # The summary rows pack up to three flags, at the multipliers summary_data unpacks and at no others.
    multipliers = {int(m) for m in re.findall(r", 0\) \* (\d+)", m0005_summary_facts.SQL)}
    assert multipliers == {1, 1 << PACK, 1 << (2 * PACK)}


def test_a_server_upgraded_from_m0016_keeps_its_queued_alert_messages_as_english_alerts(tmp_path: Path) -> None:
    """m0017 rebuilds alert_deliveries (its unique key gains the kind): every row keeps its id and state, as an
    English alert message, and a recipient can now be queued word of the withdrawal beside the alert."""
    from backend.db import connect

    db = connect(tmp_path / "old.db")
    db.execute("PRAGMA foreign_keys=OFF")  # an alert without the user who issued it: only the rows matter here
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name in [n for n in migration_names("backend.migrations") if n < "m0017"]:
        run_script(db, __import__(f"backend.migrations.{name}", fromlist=["SQL"]).SQL)
        db.execute("INSERT INTO _migrations VALUES (?, '2026-01-01T00:00:00+00:00')", [name])
    at = "2026-11-20T06:30:00+00:00"
    db.execute(
        "INSERT INTO alerts (id, force, title, text, lat, lon, radius_km, box_min_lat, box_max_lat, box_min_lon, "
        "box_max_lon, issued_by, issued_at, updated_at, expires_at, issued_s, ends_s, seq) "
        "VALUES (7, 'Kent Police', 't', 'x', 51.2, 0.9, 5, 51.1, 51.3, 0.8, 1.0, 1, ?, ?, ?, 1, 1800000000, 1)",
        [at, at, at],
    )
    rows = [(41, "sms", "07700900001", at, None), (42, "email", "ann@hill.example", None, at)]
    for row_id, channel, recipient, sent, gave_up in rows:
        db.execute(
            "INSERT INTO alert_deliveries (id, alert_id, channel, recipient, created_at, attempts, next_attempt_at, "
            "sent_at, gave_up_at) VALUES (?, 7, ?, ?, ?, 2, ?, ?, ?)",
            [row_id, channel, recipient, at, at, sent, gave_up],
        )
    assert migrate_server(db)[0] == "m0017_alert_deliveries_language_and_withdrawal"
    kept = db.execute(
        "SELECT id, kind, channel, recipient, language, attempts, sent_at, gave_up_at FROM alert_deliveries ORDER BY id"
    ).fetchall()
    assert [tuple(r) for r in kept] == [
        (41, "alert", "sms", "07700900001", "en", 2, at, None),
        (42, "alert", "email", "ann@hill.example", "en", 2, None, at),
    ]
    db.execute(
        "INSERT INTO alert_deliveries (alert_id, kind, channel, recipient, created_at, next_attempt_at) "
        "VALUES (7, 'withdrawn', 'sms', '07700900001', ?, ?)",
        [at, at],
    )
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed"):  # but never twice of one kind
        db.execute(
            "INSERT INTO alert_deliveries (alert_id, kind, channel, recipient, created_at, next_attempt_at) "
            "VALUES (7, 'alert', 'sms', '07700900001', ?, ?)",
            [at, at],
        )
    db.close()
