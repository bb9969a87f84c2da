"""Response-time summaries at 1,000,000 demo reports: 12 months for one force and for every force, and the PDF.

The database: the console benchmark's cached million (tests/benchmarks/bench_console.py: the demo generator alone,
a million reports, under HEDGEROW_BENCH_CACHE) when it is ready. Otherwise one is made here in minutes rather than
hours, as bench_sweep makes its own: the demo generator writes --seed-reports reports through the real intake and
event log; they are copied with their events and 101 calls (copy k moved back 7k minutes, fresh ids) up to
--reports; then one sweep computes every copy's clocks through the clocks module, which fills `summary_facts`
through its triggers. It is kept beside the console's, under a name with the counts and the demo generator's
version, and reused by later runs. A database made before the summaries existed gets their migration (and its
backfill, timed below) when it is opened.

Measured in the process (the server's own work, no HTTP), the median of REPEAT runs after one unmeasured, each
beside a floor from the same run:
  - the 12-month summary (with the 12 months before, which are also the same period a year earlier), for every
    force and for the force with the most reports (target under 1 s); floor: counting the same rows through the
    same index ranges of summary_facts, the reading no summary can avoid;
  - the roundtable PDF for that force (target under 3 s): the summary, its words, the three SVG charts and the
    PDF; floor: the summary alone.
Then over HTTP against the real server (`hedgerow serve`), timed by the client: the API's JSON for every force and
the PDF download.

Run: .venv/bin/python -m tests.benchmarks.bench_summaries [--reports N] [--seed-reports N] [--repeat R] [--db DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlite_utils

from tests.support import LiveServer, console_login

DEFAULT_REPORTS = 1_000_000
SEED_REPORTS = 20_000
REPEAT = 7
TARGET_SUMMARY_S = 1.0
TARGET_PDF_S = 3.0


def _cache_root() -> Path:
    return Path(os.environ.get("HEDGEROW_BENCH_CACHE", "/tmp/hedgerow-bench-1m"))


def _shared(reports: int) -> Path | None:
    """The console benchmark's database of `reports` demo reports, if it has been built."""
    from tests.benchmarks.bench_console import cache_dir

    found = cache_dir(reports)
    return found if (found / "READY").exists() else None


def _own(reports: int, seed_reports: int) -> tuple[Path, str]:
    """A database of `reports` made from `seed_reports` demo reports and copies of them; built once."""
    from backend.db import open_and_migrate
    from backend.services.clocks import sweep
    from backend.services.demo import generator
    from backend.settings import Settings
    from tests.benchmarks.bench_console import generator_version
    from tests.benchmarks.bench_sweep import _copy_reports

    data_dir = _cache_root() / f"summaries-{reports}-from-{seed_reports}-gen-{generator_version()}"
    if (data_dir / "READY").exists():
        return data_dir, (data_dir / "READY").read_text().strip()
    building = data_dir.with_name(data_dir.name + ".building")  # this benchmark's own: never the console's
    shutil.rmtree(building, ignore_errors=True)
    settings = Settings(data_dir=building, webhook_url="", smtp_host="")
    db = open_and_migrate(settings.db_path)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    generator.seed(db, settings, reports=seed_reports, seed=2026, progress=True, now=now)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    _copy_reports(db, math.ceil(reports / seed_reports), progress=True)
    copied = time.perf_counter() - started
    started = time.perf_counter()
    swept = sweep.sweep(db, now, settings)
    computed = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    how = (
        f"made by this benchmark on {now:%d %b %Y}: the demo generator wrote {seed_reports:,} reports in "
        f"{seeded:.0f} s, copies took {copied:.0f} s, one sweep computed {swept.examined:,} reports' clocks in "
        f"{computed:.0f} s"
    )
    (building / "READY").write_text(how + "\n")
    building.rename(data_dir)
    return data_dir, how


CPU: dict[int, list[float]] = {}  # id of a list of wall times -> the process's CPU times of the same runs


def _times(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock seconds of `repeat` runs after one unmeasured (the page cache, the policy cache), and beside
    them (in CPU) the CPU seconds this process spent: on a shared machine, the work itself."""
    fn()
    out, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU[id(out)] = cpu
    return out


def _floor(db: sqlite_utils.Database, area_ids: list[int], period: object, categories: list[str]) -> int:
    """Count the period's rows through the same index ranges the summary reads (its unavoidable reading)."""
    areas = ", ".join(str(a) for a in area_ids)
    cats = ", ".join(f"'{c}'" for c in categories)
    total = 0
    for p in (period, period.previous(), period.year_before()):  # type: ignore[attr-defined]
        months = p.months()
        total += db.execute(
            f"SELECT count(*) FROM summary_facts WHERE area_id IN ({areas}) AND category IN ({cats}) "
            "AND month BETWEEN ? AND ? AND received_s >= ? AND received_s < ?",
            [months[0], months[-1], p.start_s, p.end_s],
        ).fetchone()[0]
    return total


def main(argv: list[str] | None = None) -> str:
    from backend.db import open_and_migrate
    from backend.services.demo.generator import DEMO_PASSWORD
    from backend.services.summaries import charts, roundtable_pdf, summary_text
    from backend.services.summaries.figures import Selection, build_summary
    from backend.services.summaries.summary_periods import parse_period
    from core.uktime import LONDON
    from wire.categories import CATEGORIES

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--seed-reports", type=int, default=SEED_REPORTS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--db", type=Path, help="an existing data directory to measure instead")
    args = parser.parse_args(argv or [])
    if args.db:
        data_dir, how = args.db.resolve(), f"the data directory {args.db}"
    elif shared := _shared(args.reports):
        data_dir, how = shared, "the console benchmark's cached database, made by the demo generator alone"
    else:
        data_dir, how = _own(args.reports, args.seed_reports)
    db_path = data_dir / "hedgerow.db"
    started = time.perf_counter()
    applied = open_and_migrate(db_path)
    migrated_s = time.perf_counter() - started
    applied.close()
    db = open_and_migrate(db_path)
    now = datetime.now(UTC)
    period = parse_period("12m", now.astimezone(LONDON).date())
    total = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    facts = db.execute("SELECT count(*) FROM summary_facts").fetchone()[0]
    force, force_reports = db.execute(
        "SELECT a.force, count(*) FROM summary_facts s JOIN areas a ON a.id = s.area_id GROUP BY a.force "
        "ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    all_areas = [r[0] for r in db.execute("SELECT id FROM areas")]
    force_areas = [r[0] for r in db.execute("SELECT id FROM areas WHERE force = ?", [force])]
    codes = [c.code for c in CATEGORIES]

    rows: list[tuple[str, list[float], float | None, str]] = []
    every = _times(lambda: build_summary(db, None, Selection(), period, now), args.repeat)
    floor_every = _times(lambda: _floor(db, all_areas, period, codes), args.repeat)
    rows.append(
        (
            f"12-month summary, every force ({facts:,} reports)",
            every,
            TARGET_SUMMARY_S,
            f"counting the same rows {statistics.median(floor_every) * 1e3:.0f} ms",
        )
    )
    one = _times(lambda: build_summary(db, None, Selection(force=force), period, now), args.repeat)
    floor_one = _times(lambda: _floor(db, force_areas, period, codes), args.repeat)
    rows.append(
        (
            f"12-month summary, {force} ({force_reports:,} reports)",
            one,
            TARGET_SUMMARY_S,
            f"counting the same rows {statistics.median(floor_one) * 1e3:.0f} ms",
        )
    )

    def pdf() -> bytes:
        summary = build_summary(db, None, Selection(force=force), period, now)
        text = roundtable_pdf.ReportText(
            summary_text.headline(summary, summary_text.answer_target(db, summary)),
            summary_text.targets_used(db, summary),
        )
        return roundtable_pdf.roundtable_pdf(summary, text, charts.summary_charts(summary), "area")

    pdf_times = _times(pdf, args.repeat)
    rows.append(
        (
            f"Roundtable PDF, {force}, 12 months ({len(pdf()) // 1024} KiB)",
            pdf_times,
            TARGET_PDF_S,
            f"the summary alone {statistics.median(one) * 1e3:.0f} ms",
        )
    )
    db.close()

    server = LiveServer(data_dir, env={"HEDGEROW_SWEEP_INTERVAL_S": "0"}).start(timeout=600)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            token = client.post("/api/v1/tokens", json={"username": "nfu", "password": DEMO_PASSWORD})
            assert token.status_code == 201, token.text
            headers = {"Authorization": f"Bearer {token.json()['token']}"}
            health = _times(lambda: client.get("/healthz"), args.repeat)

            def api() -> None:
                r = client.get("/api/v1/stats/response-times", params={"period": "12m"}, headers=headers)
                assert r.status_code == 200, r.text[:300]

            login = console_login(client, "nfu", DEMO_PASSWORD)
            assert login.status_code == 303, login.text[:300]

            def download() -> None:
                r = client.get("/console/summaries.pdf", params={"period": "12m", "force": force})
                assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]

            floor_http = f"GET /healthz {statistics.median(health) * 1e3:.1f} ms"
            rows.append(
                (
                    "HTTP: GET /api/v1/stats/response-times, every force, 12 months",
                    _times(api, args.repeat),
                    None,
                    floor_http,
                )
            )
            rows.append((f"HTTP: the PDF download, {force}", _times(download, args.repeat), None, floor_http))
    finally:
        server.stop()

    def verdict(value: float, target: float | None) -> str:
        if target is None:
            return "–"
        return "yes" if value < target else "**no**"

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"{total:,} reports ({how}); {facts:,} routed reports in `summary_facts`. Opening the database took "
        f"{migrated_s:.1f} s (the summaries' migration and its backfill, when it had not run yet). Period: "
        f"{period.label}, with the 12 months before it. Median of {args.repeat} runs after one unmeasured; "
        f"beside the wall-clock time, the CPU time of the measuring process (in-process rows only: the work "
        f"itself, whatever else the machine runs). Load average at the end: {load}.",
        "",
        "| measurement | median | slowest | CPU (median) | target | met | baseline (same run) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, times, target, baseline in rows:
        median = statistics.median(times)
        target_text = f"< {target:g} s" if target else "–"
        cpu = f"{statistics.median(CPU[id(times)]) * 1e3:.0f} ms" if not label.startswith("HTTP") else "–"
        lines.append(
            f"| {label} | {median * 1e3:.0f} ms | {max(times) * 1e3:.0f} ms | {cpu} | {target_text} | "
            f"{verdict(median, target)} | {baseline} |"
        )
    text = "\n".join(lines)
    print(text)
    return text


if __name__ == "__main__":
    main(sys.argv[1:])
