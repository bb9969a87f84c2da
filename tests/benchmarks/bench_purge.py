"""Retention purge at 1,000,000 reports: 100,000 expired ones purged, its time and the file's size, beside plain SQL.

The database: the console benchmark's million (tests/benchmarks/bench_console.py: the demo generator, then copies
in SQL), built once and kept under HEDGEROW_BENCH_CACHE; built here if it is not there yet. It is never changed:
each run works on scratch copies of it (`--scratch DIR`, a temporary directory by default, removed afterwards).

1. The copy is migrated, then, if it was made before new databases were in auto_vacuum=INCREMENTAL mode, converted
   as docs/data-protection.md tells an operator to: `PRAGMA auto_vacuum=INCREMENTAL; VACUUM` on a plain sqlite3
   connection (timed and shown: a one-off cost for an existing database, not part of the purge).
2. `--expired` closed reports, picked at random across the whole table (seeded), have their closure moved back
   seven years (SQL), past the six-year default. The purge runs at a moment (injected) one year after the earliest
   receipt less two days, when nothing else in the data is due: a dry run before the change lists nothing.
3. A second scratch copy is made of that file.
4. On the first: `purge.run`, the service `hedgerow retention run` and the server's daily job call, timed as a
   whole and in two parts (deleting in batches; then merging the free-text index, the incremental vacuum and the
   checkpoint), after its dry run (timed too). It must purge exactly the reports picked.
5. On the second, the baseline: the same rows deleted with plain SQL, one statement per table in one transaction
   (the triggers take the clocks, free-text and map entries, as for the purge; the summary facts are renamed as
   the purge does, so both end in the same state), then one `PRAGMA incremental_vacuum` and a checkpoint, timed.
6. Every table's rows are counted before and after on both: each lost exactly the picked reports' rows, no others.

Run: .venv/bin/python -m tests.benchmarks.bench_purge [--reports N] [--expired N] [--db DIR] [--scratch DIR]
(quick: --reports 20000 --expired 2000)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from backend.db import connect, open_and_migrate
from backend.security import iso
from backend.services.retention import erase, purge
from backend.settings import Settings
from backend.writes import write
from tests.benchmarks.bench_console import dataset

DEFAULT_REPORTS = 1_000_000
DEFAULT_EXPIRED = 100_000
SEED = 2026
CLOSED_YEARS_AGO = 7
CHOSEN = "SELECT id FROM temp.bench_chosen"


@dataclass(frozen=True)
class Size:
    pages: int
    free: int
    page_size: int

    def __str__(self) -> str:
        return f"{self.pages * self.page_size / 2**20:,.1f} MiB ({self.pages:,} pages, {self.free:,} free)"


def size_of(db: sqlite_utils.Database) -> Size:
    """The database's size as SQLite counts it (the WAL's pages included, checkpointed or not)."""
    pages, free, page_size = (
        db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size")
    )
    return Size(pages, free, page_size)


@dataclass
class Outcome:
    """One scratch copy's run: seconds per step, the size after each, and every table's rows at the end."""

    seconds: dict[str, float] = field(default_factory=dict)
    after_delete: Size | None = None
    after_vacuum: Size | None = None
    file_bytes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    chosen_rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Results:
    reports: int
    expired: int
    now: datetime
    made_by: str
    conversion_s: float | None
    converted_from: Size | None
    before: Size
    rows: dict[str, int]
    chosen_rows: dict[str, int]
    purge: Outcome
    plain: Outcome
    purge_report: str
    checks: list[str] = field(default_factory=list)


def _copy_database(source: Path, data_dir: Path) -> Path:
    """The file and its WAL, if it has one (a copy opened later replays it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", data_dir / f"hedgerow.db{suffix}")
    return data_dir / "hedgerow.db"


def convert(path: Path) -> float | None:
    """docs/data-protection.md's one-off conversion of a database made in auto_vacuum=NONE mode, as an operator runs
    it (a plain sqlite3 connection, temporary files on disk); seconds, or None when it is incremental already."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
            return None
        started = time.perf_counter()
        conn.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return time.perf_counter() - started
    finally:
        conn.close()


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, webhook_url="", smtp_host="")


def purge_moment(db: sqlite_utils.Database) -> datetime:
    """A year after the earliest receipt less two days: no report, device or access-log entry is due yet under the
    default policy (its shortest period for them is a year)."""
    earliest = db.execute("SELECT min(received_at) FROM reports").fetchone()[0]
    return (datetime.fromisoformat(earliest) + timedelta(days=365 - 2)).replace(microsecond=0)


def choose(db: sqlite_utils.Database, expired: int) -> list[str]:
    """`expired` closed reports at random across the table (reports outside every area are purged under another
    rule, from receipt, and are left out)."""
    ids = [r[0] for r in db.execute("SELECT id FROM reports WHERE status = 'closed' AND area_id IS NOT NULL")]
    if len(ids) < expired:
        raise SystemExit(f"only {len(ids):,} closed reports: ask for fewer than that with --expired")
    return sorted(random.Random(SEED).sample(ids, expired))


def remember(db: sqlite_utils.Database, chosen: list[str]) -> None:
    """The picked ids in a temporary table of this connection (not in the file)."""
    db.execute("CREATE TEMP TABLE bench_chosen (id TEXT PRIMARY KEY)")
    db.conn.executemany("INSERT INTO temp.bench_chosen (id) VALUES (?)", [(i,) for i in chosen])


def expire(db: sqlite_utils.Database, now: datetime) -> None:
    """Move the picked reports' closure back seven years (and a day per rowid modulo a year, to spread them)."""
    base = iso(now.replace(year=now.year - CLOSED_YEARS_AGO))
    with write(db):
        db.execute(
            "UPDATE reports SET closed_at = strftime('%Y-%m-%dT%H:%M:%SZ', ?, '-' || (rowid % 365) || ' days') "
            f"WHERE id IN ({CHOSEN})",
            [base],
        )


def census(db: sqlite_utils.Database) -> tuple[dict[str, int], dict[str, int]]:
    """Rows in every table that holds a report's rows, and how many of them are the picked reports': by report id,
    or by the report's rowid for the map's R*Tree and the free-text index's document sizes."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    keyed = [t for t in tables if any(c[1] == "report_id" for c in db.execute(f"PRAGMA table_info('{t}')"))]
    rowids = f"SELECT r.rowid FROM reports r WHERE r.id IN ({CHOSEN})"
    keys = {"reports": f"id IN ({CHOSEN})", **{t: f"report_id IN ({CHOSEN})" for t in keyed}}
    keys |= {"report_places": f"id IN ({rowids})", "report_text_docsize": f"id IN ({rowids})", "photo_blobs": "0"}
    rows, chosen = {}, {}
    for table, where in keys.items():
        rows[table] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        chosen[table] = db.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
    return rows, chosen


def plain_delete(db: sqlite_utils.Database) -> None:
    """The same rows as the purge, in plain SQL: one statement per table, one transaction."""
    with write(db):
        db.execute(
            f"CREATE TEMP TABLE bench_photos AS SELECT DISTINCT sha256 FROM report_photos WHERE report_id IN ({CHOSEN})"
        )
        db.execute(
            "UPDATE summary_facts SET report_id = 'purged-' || lower(hex(randomblob(12))) "
            f"WHERE report_id IN ({CHOSEN})"
        )
        for table in erase.OWN_ROWS:
            db.execute(f"DELETE FROM {table} WHERE report_id IN ({CHOSEN})")
        db.execute(f"DELETE FROM reports WHERE id IN ({CHOSEN})")
        db.execute(
            "DELETE FROM photo_blobs WHERE sha256 IN (SELECT sha256 FROM temp.bench_photos) "
            "AND NOT EXISTS (SELECT 1 FROM report_photos p WHERE p.sha256 = photo_blobs.sha256)"
        )


@contextmanager
def _timing_compact(outcome: Outcome, db: sqlite_utils.Database) -> Iterator[None]:
    """Time the purge's last part (index merge, incremental vacuum, checkpoint) apart from its deletes, and read the
    size between the two; the purge's code is run as it is, through a wrapper."""
    compact = purge._compact

    def timed(*args: Any) -> Any:
        outcome.after_delete = size_of(db)
        started = time.perf_counter()
        try:
            return compact(*args)
        finally:
            outcome.seconds["compact"] = time.perf_counter() - started

    purge._compact = timed
    try:
        yield
    finally:
        purge._compact = compact


def _seconds(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def run_purge(data_dir: Path, chosen: list[str], now: datetime) -> tuple[Outcome, str]:
    settings = _settings(data_dir)
    db = connect(settings.db_path)
    try:
        remember(db, chosen)
        outcome = Outcome()
        outcome.seconds["dry_run"], listed = _seconds(lambda: purge.run(db, settings, now, dry_run=True))
        assert sorted(d.key for d in listed.items if d.kind == "report") == chosen, "the dry run lists other reports"
        with _timing_compact(outcome, db):
            outcome.seconds["total"], result = _seconds(lambda: purge.run(db, settings, now))
        outcome.seconds["delete"] = outcome.seconds["total"] - outcome.seconds["compact"]
        assert sorted(d.key for d in result.items if d.kind == "report") == chosen, "the purge took other reports"
        assert [d.kind for d in result.items if d.count and d.kind != "report"] == [], result.report()
        outcome.after_vacuum = size_of(db)
        outcome.rows, outcome.chosen_rows = census(db)
    finally:
        db.close()
    outcome.file_bytes = settings.db_path.stat().st_size
    return outcome, result.report()


def run_plain(data_dir: Path, chosen: list[str]) -> Outcome:
    db = connect(data_dir / "hedgerow.db")
    try:
        remember(db, chosen)
        outcome = Outcome()
        outcome.seconds["delete"], _ = _seconds(lambda: plain_delete(db))
        outcome.after_delete = size_of(db)

        def vacuum() -> None:
            db.executescript("PRAGMA incremental_vacuum")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        outcome.seconds["compact"], _ = _seconds(vacuum)
        outcome.seconds["total"] = outcome.seconds["delete"] + outcome.seconds["compact"]
        outcome.after_vacuum = size_of(db)
        outcome.rows, outcome.chosen_rows = census(db)
    finally:
        db.close()
    outcome.file_bytes = (data_dir / "hedgerow.db").stat().st_size
    return outcome


def _check(results: Results) -> list[str]:
    """Each copy lost exactly the picked reports' rows (their summary facts stay, renamed), and ends as the other."""
    expected = {t: n - results.chosen_rows[t] for t, n in results.rows.items()}
    expected["summary_facts"] = results.rows["summary_facts"]
    for name, outcome in (("purge", results.purge), ("plain SQL", results.plain)):
        unexpected = {t: n for t, n in outcome.rows.items() if t != "photo_blobs" and n != expected[t]}
        assert unexpected == {}, f"{name}: rows left {unexpected}, expected {expected}"
        assert set(outcome.chosen_rows.values()) == {0}, f"{name}: rows of purged reports left {outcome.chosen_rows}"
    assert results.purge.rows == results.plain.rows, (results.purge.rows, results.plain.rows)
    assert results.rows["reports"] - results.purge.rows["reports"] == results.expired
    return [
        f"{t}: {results.rows[t]:,} rows, {results.chosen_rows[t]:,} of them the picked reports'; "
        f"{results.purge.rows[t]:,} left"
        for t in sorted(results.rows)
    ]


def run(reports: int, expired: int, given: str | None, scratch: Path) -> Results:
    """The whole benchmark on scratch copies under `scratch` (left there; the caller removes them)."""
    data_dir = dataset(reports, given)
    ready = data_dir / "READY"
    made_by = ready.read_text().strip() if ready.exists() else "an existing data directory (--db)."
    first, second = scratch / "purge", scratch / "plain"
    path = _copy_database(data_dir / "hedgerow.db", first)
    open_and_migrate(path).close()  # migrations added since the cached database was made
    db = connect(path)
    converted_from = size_of(db) if db.execute("PRAGMA auto_vacuum").fetchone()[0] != 2 else None
    db.close()
    conversion_s = convert(path)
    db = connect(path)
    try:
        now = purge_moment(db)
        nothing = purge.run(db, _settings(first), now, dry_run=True)
        assert not any(d.count for d in nothing.items), f"due before any change:\n{nothing.report()}"
        chosen = choose(db, expired)
        remember(db, chosen)
        expire(db, now)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = size_of(db)
        rows, chosen_rows = census(db)
    finally:
        db.close()
    _copy_database(path, second)
    purged, purge_report = run_purge(first, chosen, now)
    plain = run_plain(second, chosen)
    results = Results(
        reports=rows["reports"],
        expired=expired,
        now=now,
        made_by=made_by,
        conversion_s=conversion_s,
        converted_from=converted_from,
        before=before,
        rows=rows,
        chosen_rows=chosen_rows,
        purge=purged,
        plain=plain,
        purge_report=purge_report,
    )
    results.checks = _check(results)
    return results


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def table(r: Results) -> str:
    p, q = r.purge, r.plain
    lines = [
        f"The data: {r.made_by}",
        "",
        f"{r.reports:,} reports; {r.expired:,} closed ones picked at random across the table (seed {SEED}) and their "
        f"closure moved back {CLOSED_YEARS_AGO} years, past the six-year default; the purge runs at "
        f"{r.now.isoformat()} (injected), when nothing else is due (a dry run before the change lists nothing). "
        "Both copies end with exactly the picked reports' rows gone from every table, and the same rows left.",
        "",
    ]
    if r.conversion_s is not None and r.converted_from is not None:
        lines += [
            "The cached database was made before new databases were in auto_vacuum=INCREMENTAL mode; its copy was "
            "converted once, as docs/data-protection.md says (`PRAGMA auto_vacuum=INCREMENTAL; VACUUM`, plain "
            f"sqlite3): {r.conversion_s:.0f} s, {r.converted_from} before, {r.before} after (and the expiry).",
            "",
        ]
    total = f"**{p.seconds['total']:.1f} s**"
    lines += [
        f"| {r.expired:,} of {r.reports:,} reports | `hedgerow retention run` (purge.run) | plain SQL, same rows |",
        "|---|---:|---:|",
        f"| dry run (listing the {r.expired:,} due) | {p.seconds['dry_run']:.1f} s | - |",
        f"| deleting | {p.seconds['delete']:.1f} s (batches of {purge.BATCH}, each committed; "
        f"secure_delete on) | {q.seconds['delete']:.1f} s (one transaction) |",
        f"| then: free-text index merge, incremental vacuum, checkpoint | {p.seconds['compact']:.1f} s "
        f"| {q.seconds['compact']:.1f} s (vacuum and checkpoint) |",
        f"| total | {total} | **{q.seconds['total']:.1f} s** |",
        f"| database before | {r.before} | {r.before} |",
        f"| after deleting | {p.after_delete} | {q.after_delete} |",
        f"| after the incremental vacuum | {p.after_vacuum} | {q.after_vacuum} |",
        f"| file on disk at the end | {_mib(p.file_bytes)} | {_mib(q.file_bytes)} |",
        f"| reports left | {p.rows['reports']:,} | {q.rows['reports']:,} |",
        "",
        "The purge's own report:",
        "",
        "```",
        r.purge_report,
        "```",
        "",
        "Rows per table (the same on both copies at the end):",
        "",
        *[f"- {c}" for c in r.checks],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--expired", type=int, default=DEFAULT_EXPIRED)
    parser.add_argument(
        "--db",
        default=os.environ.get("HEDGEROW_BENCH_CONSOLE_DB"),
        help="an existing data directory (with hedgerow.db) to copy instead (or HEDGEROW_BENCH_CONSOLE_DB)",
    )
    parser.add_argument("--scratch", type=Path, help="where to make the two scratch copies (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="hedgerow-bench-purge-", dir=args.scratch))
    try:
        text = table(run(args.reports, args.expired, args.db, scratch))
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print(text)
    return text


if __name__ == "__main__":
    main()
