"""Officer console at 1,000,000 demo reports: queue pages, report page with linked reports, free-text search.

The database: SEED_REPORTS reports made by the demo generator (`hedgerow demo`: intake's put_report and the
event log, so every table, trigger and index is filled as in production), in runs of 50,000 reports from the same
8,333 farms; then copied in SQL (tests/benchmarks/copies.py: each report with its events, calls, vehicles, photos
and nearby forces, fresh ids, copy k moved back k x COPY_STEP) up to the count asked for, and swept once so that
overdue reports hold their flags. A million through the generator alone takes hours; even so the build takes a
while, so the result is kept outside the repository, under HEDGEROW_BENCH_CACHE (default /tmp/hedgerow-bench-1m),
in a directory named after the counts, the seed and the generator's version (a hash of the demo modules): a
changed generator makes a new one, and a build cut off resumes where it stopped. Migrations added since are
applied when the server opens it. `--db DIR` (or HEDGEROW_BENCH_CONSOLE_DB) uses an existing data directory
instead.

The real server (`hedgerow serve`, one uvicorn worker, WAL, synchronous=FULL, the background sweep off) runs on
that database; an officer of the largest force logs in, and each page is fetched REPEAT times, one request at
a time, over loopback. The time is measured by the client from sending the request to the last byte: an upper
bound on server time. Beside it, in the same run, two floors: the empty endpoint (GET /healthz) and a page
rendered from a template with no query (GET /console/login).

Run: .venv/bin/python -m tests.benchmarks.bench_console [--reports N] [--repeat R] [--db DIR] [--build-only]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support import ROOT, LiveServer, console_login

DEFAULT_REPORTS = 1_000_000
SEED = 2026
RUN_SIZE = 50_000
SEED_REPORTS = 200_000
COPY_STEP = "9 days"
REPEAT = 200
DEEP_PAGE = 40
WARMUP = 10
# Words an officer might search for; those found in the force's reports are used.
CANDIDATE_WORDS = ("tractor", "gate", "quad", "sheep", "diesel", "dogs", "trailer", "van", "fence", "barn", "hare")
TARGETS_MS = {"queue": 100.0, "report": 50.0, "search": 100.0}


def generator_version() -> str:
    """What decides the generated data: the demo modules' code. (Migrations added later are applied to the
    cached database when the server opens it, as they would be to a real one.)"""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "backend" / "services" / "demo").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir(reports: int) -> Path:
    root = Path(os.environ.get("HEDGEROW_BENCH_CACHE", "/tmp/hedgerow-bench-1m"))
    return root / f"reports-{reports}-from-{min(reports, SEED_REPORTS)}-seed-{SEED}-gen-{generator_version()}"


def build(data_dir: Path, reports: int) -> str:
    """Seed up to SEED_REPORTS demo reports into the data directory (resuming a build that was cut off), copy them
    up to `reports`, then sweep once. Returns what was made, in words."""
    from backend.db import open_and_migrate
    from backend.services.clocks import sweep
    from backend.services.demo import generator
    from backend.settings import Settings
    from tests.benchmarks.copies import copy_reports

    building = data_dir.with_name(data_dir.name + ".building")
    settings = Settings(data_dir=building)
    db = open_and_migrate(settings.db_path)
    started = time.perf_counter()
    seeded = min(reports, SEED_REPORTS)
    made = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    if made:
        print(f"resuming: {made:,} reports already made", file=sys.stderr, flush=True)
    while made < seeded:
        # Runs of RUN_SIZE: each run adds its own reports from the same farms (the demo draws a farm per report
        # by weight from max(12, reports / 6) farms, which costs time in proportion to the number of farms).
        count = min(RUN_SIZE, seeded - made)
        generator.seed(db, settings, reports=count, seed=SEED, progress=True)
        made += count
        print(f"{made:,} of {seeded:,} from the demo generator", file=sys.stderr, flush=True)
    made = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    copies = math.ceil(reports / made)
    total = copy_reports(db, copies, COPY_STEP, progress=True) if copies > 1 else made
    swept = sweep.sweep(db, datetime.now(UTC), settings)
    print(f"swept {swept.examined} reports, raised {len(swept.raised)} flags", file=sys.stderr, flush=True)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    minutes = (time.perf_counter() - started) / 60
    made_by = (
        f"{made:,} reports from the demo generator, copied {copies - 1} times (copy k moved back k x {COPY_STEP}): "
        f"{total:,} reports; built in {minutes:.0f} minutes."
    )
    (building / "READY").write_text(made_by + "\n")
    building.rename(data_dir)
    return made_by


def dataset(reports: int, given: str | None) -> Path:
    if given:
        return Path(given).resolve()
    data_dir = cache_dir(reports)
    if not (data_dir / "READY").exists():
        print(f"building {reports} demo reports in {data_dir} (this takes a while; kept for later runs)", flush=True)
        build(data_dir, reports)
    return data_dir


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


ROW = 'a href="/console/reports/'  # a report listed: a page that found nothing would be timed for nothing


def timed(client: httpx.Client, urls: Callable[[int], str], repeat: int, expect: str | None = None) -> list[float]:
    """Milliseconds for each of `repeat` GETs (after WARMUP unmeasured ones), checking each answer."""
    times = []
    for i in range(-WARMUP, repeat):
        url = urls(i % max(repeat, 1))
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:300]}"
        if expect is not None:
            assert expect in response.text, f"{url}: {expect!r} not in the page"
        if i >= 0:
            times.append(elapsed)
    return times


def _largest_force(server: LiveServer) -> tuple[str, str]:
    from backend.db import connect
    from backend.services.demo.generator import DEMO_PASSWORD, _slug

    db = connect(server.data_dir / "hedgerow.db")
    force = db.execute(
        "SELECT force FROM reports WHERE force IS NOT NULL GROUP BY force ORDER BY count(*) DESC"
    ).fetchone()[0]
    db.close()
    return force, f"{_slug(force)}.officer:{DEMO_PASSWORD}"


def _samples(server: LiveServer, force: str, count: int) -> dict[str, Any]:
    """Report ids with linked reports, registrations and words to search for, picked from the data."""
    from backend.db import connect
    from backend.services.triage.search import fts_query

    db = connect(server.data_dir / "hedgerow.db")
    rng = random.Random(SEED)
    max_rowid = db.execute("SELECT max(rowid) FROM reports").fetchone()[0]
    ids: list[str] = []
    while len(ids) < count:
        row = db.execute(
            "SELECT id FROM reports WHERE rowid >= ? AND force = ? LIMIT 1", [rng.randint(1, max_rowid), force]
        ).fetchone()
        if row:
            ids.append(row[0])
    regs = [
        r[0]
        for r in db.execute(
            "SELECT v.registration FROM report_vehicles v JOIN reports r ON r.id = v.report_id "
            "WHERE r.force = ? GROUP BY v.registration HAVING count(*) > 1 LIMIT ?",
            [force, count],
        )
    ]
    places = [
        r[0]
        for r in db.execute(
            "SELECT place_name FROM reports WHERE force = ? AND place_name IS NOT NULL GROUP BY place_name LIMIT 50",
            [force],
        )
    ]
    totals = {
        "reports": db.execute("SELECT count(*) FROM reports").fetchone()[0],
        "force_reports": db.execute("SELECT count(*) FROM reports WHERE force = ?", [force]).fetchone()[0],
        "force_open": db.execute(
            "SELECT count(*) FROM reports WHERE force = ? AND status != 'closed'", [force]
        ).fetchone()[0],
        "flagged": db.execute(
            "SELECT coalesce(sum(n), 0) FROM console_flag_counts WHERE force = ? AND flag = 'unanswered'", [force]
        ).fetchone()[0],
    }
    words = [
        word
        for word in CANDIDATE_WORDS
        if db.execute(
            "SELECT 1 FROM report_text t CROSS JOIN reports r ON r.rowid = t.rowid "
            "WHERE report_text MATCH ? AND r.force = ? LIMIT 1",
            [fts_query(word), force],
        ).fetchone()
    ][:8]
    db.close()
    return {"ids": ids, "regs": regs or ["AB12CDE"], "places": places, "words": words, "totals": totals}


def _login(client: httpx.Client, credentials: str) -> None:
    username, password = credentials.split(":", 1)
    r = console_login(client, username, password)
    assert r.status_code == 303 and "hedgerow_session" in client.cookies, r.text[:300]


def measure(server: LiveServer, repeat: int) -> tuple[list[tuple[str, str, list[float]]], dict[str, Any]]:
    force, credentials = _largest_force(server)
    samples = _samples(server, force, repeat)
    rows: list[tuple[str, str, list[float]]] = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        rows.append(("floor", "GET /healthz (empty endpoint)", timed(client, lambda i: "/healthz", repeat)))
        rows.append(
            ("floor", "GET /console/login (template, no query)", timed(client, lambda i: "/console/login", repeat))
        )
        _login(client, credentials)
        # The views a shift works through; each is remembered, so the plain queue below is the last one set here.
        for view, label in (
            ("backlog", "Backlog (overdue by more than 30 days)"),
            ("due", "Due soonest"),
            ("new", "New and unanswered"),
            ("overdue", "Most overdue"),
        ):
            rows.append(
                ("queue", f"queue view: {label}", timed(client, lambda i, v=view: f"/console?view={v}", repeat))
            )
        rows.append(("queue", "queue, first page", timed(client, lambda i: "/console", repeat, "Next page")))
        deep, pages = "/console", 1
        while pages < DEEP_PAGE:  # walk along the queue, to time a page deep in it by its keyset cursor
            found = re.search(r'href="(/console\?after=[^"]+)" rel="next"', client.get(deep).text)
            if found is None:
                break
            deep, pages = found.group(1).replace("&amp;", "&"), pages + 1
        rows.append(("queue", f"queue, page {pages} (keyset cursor)", timed(client, lambda i: deep, repeat, ROW)))
        rows.append(
            (
                "queue",
                "queue filtered: flag Not answered",
                timed(client, lambda i: "/console?flag=unanswered", repeat, ROW),
            )
        )
        rows.append(
            (
                "queue",
                "queue filtered: category Quad + unassigned + received",
                timed(client, lambda i: "/console?category=theft_quad&assigned=none&status=received", repeat, ROW),
            )
        )
        rows.append(
            (
                "queue",
                "queue filtered: received in one month, any status",
                timed(
                    client,
                    lambda i: f"/console?status=any&from=2026-0{1 + i % 9}-01&to=2026-0{1 + i % 9}-28",
                    repeat,
                    ROW,
                ),
            )
        )
        rows.append(
            (
                "queue",
                "queue: other forces' open reports near our border",
                timed(client, lambda i: "/console?scope=border", repeat, ROW),
            )
        )
        ids = samples["ids"]
        rows.append(
            (
                "report",
                "report page with linked reports (a different report each time)",
                timed(client, lambda i: f"/console/reports/{ids[i % len(ids)]}", repeat, "Linked reports"),
            )
        )
        regs, words, places = samples["regs"], samples["words"], samples["places"]
        rows.append(
            (
                "search",
                "search: a registration",
                timed(client, lambda i: "/console?" + urlencode({"q": regs[i % len(regs)]}), repeat, ROW),
            )
        )
        rows.append(
            (
                "search",
                "search: a common word",
                timed(client, lambda i: "/console?" + urlencode({"q": words[i % len(words)]}), repeat, ROW),
            )
        )
        if places:
            rows.append(
                (
                    "search",
                    "search: a place name",
                    timed(client, lambda i: "/console?" + urlencode({"q": places[i % len(places)]}), repeat, ROW),
                )
            )
    return rows, {"force": force, **samples["totals"]}


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument(
        "--db",
        default=os.environ.get("HEDGEROW_BENCH_CONSOLE_DB"),
        help="an existing data directory (with hedgerow.db) to measure instead (or HEDGEROW_BENCH_CONSOLE_DB)",
    )
    parser.add_argument("--build-only", action="store_true", help="make the cached database and stop")
    args = parser.parse_args(argv)
    data_dir = dataset(args.reports, args.db)
    if args.build_only:
        return str(data_dir)
    # Migrations added since the data was made run here, before the server, however long they take.
    from backend.db import open_and_migrate

    open_and_migrate(data_dir / "hedgerow.db").close()
    server = LiveServer(data_dir, env={"HEDGEROW_SWEEP_INTERVAL_S": "0"})
    server.start(timeout=120)
    try:
        rows, facts = measure(server, args.repeat)
    finally:
        server.stop()
    ready = data_dir / "READY"
    made_by = ready.read_text().strip() if ready.exists() else "an existing data directory (--db)."
    lines = [
        f"The data: {made_by}",
        "",
        f"{facts['reports']:,} demo reports; the officer's force ({facts['force']}) holds {facts['force_reports']:,}, "
        f"{facts['force_open']:,} of them open and {facts['flagged']:,} flagged not answered. Each line: {args.repeat} "
        f"requests one at a time after {WARMUP} unmeasured, client-side time to the last byte over loopback.",
        "",
        "| kind | page | p50 ms | p95 ms | max ms | target (p95) |",
        "|---|---|---:|---:|---:|---|",
    ]
    for kind, what, times in rows:
        target = TARGETS_MS.get(kind)
        verdict = ""
        if target is not None:
            verdict = f"under {target:.0f} ms: {'met' if percentile(times, 0.95) < target else 'NOT met'}"
        lines.append(
            f"| {kind} | {what} | {statistics.median(times):.1f} | {percentile(times, 0.95):.1f} | "
            f"{max(times):.1f} | {verdict} |"
        )
    lines += ["", *HOW]
    table = "\n".join(lines)
    print(table)
    return table


HOW = (
    "How the pages stay fast (backend/migrations/m0004_console.py, m0006_console_border.py):",
    "- the queue is one range scan of a partial index on open reports, (force, soonest due time, id, then the "
    "filtered columns), so a filtered page reads the index alone until it has its 50 rows; the due time is copied "
    "by a trigger from the clocks module's stored clocks; pages are keyset cursors, never OFFSET;",
    "- flag counts are kept per force by triggers on `report_flags`, not counted;",
    "- free-text search is SQLite FTS5 (contentless) over descriptions, places and normalised registrations, "
    "read newest first in rowid order and stopped at 50;",
    "- linked reports come from an SQLite R*Tree of (latitude, longitude, day) boxes, then the exact distance, "
    "and from the index on registrations.",
)


if __name__ == "__main__":
    main()
