"""Response clocks: the sweep over a million reports, and one report's clocks.

One database, made in the run:
  - the demo generator (`backend.services.demo.generator.seed`) writes `--seed-reports` reports through the real intake
    and event log; they are then copied (with their events and calls) into `--reports` reports, copy k moved
    back 7k minutes with fresh ids, so the million have the demo's mix of categories, forces and responses
    over its year;
  - a first sweep computes every copy's clocks and raises their flags (the catch-up, shown for information).

Measured, each next to a baseline from the same run:
  - the sweep with no clock due (target under 50 ms), against the bare indexed query it starts with;
  - the sweep with 1,000 reports due (target under 1 s), against computing the same reports' clocks without
    writing anything;
  - one report's clocks, read and computed (target under 1 ms), against reading the report's row and events.

Run: .venv/bin/python -m tests.benchmarks.bench_sweep [--reports N] [--seed-reports N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from backend.db import open_and_migrate
from backend.services.clocks import response_clocks, sweep
from backend.services.demo import generator
from backend.settings import Settings
from tests.benchmarks.copies import copy_reports

TARGET_NONE_S = 0.050
TARGET_THOUSAND_S = 1.0
TARGET_ONE_S = 0.001


def _median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _build(db: sqlite_utils.Database, settings: Settings, reports: int, seed_reports: int, now: datetime) -> str:
    started = time.perf_counter()
    generator.seed(db, settings, reports=seed_reports, seed=2026, progress=True, now=now)
    seeded = time.perf_counter() - started
    copies = math.ceil(reports / seed_reports)
    started = time.perf_counter()
    copy_reports(db, copies, step="7 minutes", progress=True)
    copied = time.perf_counter() - started
    return f"demo generator {seeded:.0f} s for {seed_reports:,}; copies {copied:.0f} s"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed-reports", type=int, default=20_000, help="made by the demo generator, then copied")
    parser.add_argument("--keep", type=Path, help="build the database here and keep it (reused when it exists)")
    args = parser.parse_args(argv or [])
    work = args.keep or Path(tempfile.mkdtemp(prefix="hedgerow-bench-sweep-"))
    settings = Settings(data_dir=work, webhook_url="", smtp_host="")
    reuse = settings.db_path.exists()
    db = open_and_migrate(settings.db_path)
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        built = "reused" if reuse else _build(db, settings, args.reports, args.seed_reports, now)
        total = db.execute("SELECT count(*) FROM reports").fetchone()[0]

        started = time.perf_counter()
        catch_up = sweep.sweep(db, now, settings)
        catch_up_s = time.perf_counter() - started

        # No clock due: the sweep and, as its floor, the query it starts with.
        now_s = math.floor(now.timestamp())
        empty = sweep.sweep(db, now, settings)
        assert empty.examined == 0, empty
        none_s = _median_s(lambda: sweep.sweep(db, now, settings), 50)
        floor_s = _median_s(
            lambda: db.execute(
                "SELECT report_id FROM report_clocks WHERE next_due_s < ? ORDER BY next_due_s LIMIT 250", [now_s]
            ).fetchall(),
            50,
        )

        # 1,000 due: move the clock to about the 1,000th next due time, five times over.
        thousand, compute_only, examined = [], [], []
        moment = now
        for _ in range(5):
            due = [
                r[0]
                for r in db.execute(
                    "SELECT next_due_s FROM report_clocks WHERE next_due_s IS NOT NULL ORDER BY next_due_s LIMIT 3000"
                )
            ]
            # Many clocks fall due in the same second (midnight after a working day): sweep at the last boundary
            # between two due seconds at or before the 1,000th, so that at most 1,000 reports are due.
            bounds = [i for i in range(1, len(due)) if due[i - 1] < due[i]]
            if not bounds:
                break  # a small database has run out of future due times
            cut = max([i for i in bounds if i <= 1000] or [min(bounds)])
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT report_id FROM report_clocks WHERE next_due_s < ? ORDER BY next_due_s", [due[cut]]
                )
            ]
            moment = datetime.fromtimestamp(due[cut], UTC)
            started = time.perf_counter()
            response_clocks.compute_many(db, ids, moment)
            compute_only.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = sweep.sweep(db, moment, settings)
            thousand.append(time.perf_counter() - started)
            examined.append(result.examined)

        # One report's clocks.
        sample = random.Random(1).sample(range(1, total + 1), 2000)
        ids = [r[0] for r in db.execute(f"SELECT id FROM reports WHERE rowid IN ({','.join(map(str, sample))})")]

        def per_report(fn: Callable[[str], object]) -> tuple[float, float]:
            times = []
            for rid in ids:
                started = time.perf_counter()
                fn(rid)
                times.append(time.perf_counter() - started)
            times.sort()
            return statistics.median(times), times[int(len(times) * 0.99)]

        def read_only(rid: str) -> None:
            db.execute("SELECT * FROM reports WHERE id = ?", [rid]).fetchone()
            db.execute("SELECT kind, at FROM events WHERE report_id = ?", [rid]).fetchall()

        one_median, one_p99 = per_report(lambda rid: response_clocks.report_clocks(db, rid, moment))
        read_median, _ = per_report(read_only)
    finally:
        db.close()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    def verdict(value: float, target: float) -> str:
        return "yes" if value < target else "**no**"

    rows = [
        ("Sweep, no clock due (median of 50)", none_s, TARGET_NONE_S, f"indexed query alone {floor_s * 1e3:.2f} ms"),
        (
            f"Sweep, 1,000 reports due (median of 5; examined {min(examined)}-{max(examined)})",
            statistics.median(thousand),
            TARGET_THOUSAND_S,
            f"computing their clocks without writing {statistics.median(compute_only) * 1e3:.0f} ms",
        ),
        (
            f"One report's clocks (median of {len(ids)}; p99 {one_p99 * 1e3:.2f} ms)",
            one_median,
            TARGET_ONE_S,
            f"reading its row and events {read_median * 1e3:.3f} ms",
        ),
    ]
    table = [
        f"{total:,} reports ({built}). Catch-up sweep over all of them: {catch_up_s:.0f} s, "
        f"{catch_up.examined:,} examined, {len(catch_up.raised):,} flags raised.",
        "",
        "| measurement | result | target | met | baseline (same run) |",
        "|---|---|---|---|---|",
    ]
    for label, value, target, baseline in rows:
        table.append(
            f"| {label} | {value * 1e3:.2f} ms | < {target * 1e3:g} ms | {verdict(value, target)} | {baseline} |"
        )
    text = "\n".join(table)
    print(text)
    return text


if __name__ == "__main__":
    main(sys.argv[1:])
