"""The purge benchmark's code at a tiny size (not timed): it purges exactly the reports it expired, on copies.

`make bench` runs it at a million reports (docs/perf/purge.md); here, a database of 150 demo reports is built the
way the benchmark builds its million (bench_console's cache, under a temporary HEDGEROW_BENCH_CACHE), and the
benchmark runs on it twice: once as it is (made in auto_vacuum=INCREMENTAL mode), once on a copy made in the
older auto_vacuum=NONE mode, which the benchmark converts first. The cached files are never changed.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from tests.benchmarks import bench_purge
from tests.benchmarks.bench_console import dataset

pytestmark = pytest.mark.slow

REPORTS, EXPIRED = 150, 30


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEDGEROW_BENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        return dataset(REPORTS, None)


def test_the_benchmark_purges_exactly_the_expired_reports_and_prints_its_table(cached: Path, tmp_path: Path) -> None:
    digest = _digest(cached / "hedgerow.db")

    args = ["--reports", str(REPORTS), "--expired", str(EXPIRED), "--db", str(cached), "--scratch", str(tmp_path)]
    text = bench_purge.main(args)

    assert _digest(cached / "hedgerow.db") == digest
    assert f"{REPORTS:,} reports; {EXPIRED} closed ones picked at random" in text
    assert f"| {EXPIRED} of {REPORTS} reports | `hedgerow retention run` (purge.run) | plain SQL, same rows |" in text
    assert f"| reports left | {REPORTS - EXPIRED} | {REPORTS - EXPIRED} |" in text
    purged = re.findall(r"^purged (\d+) report\(s\) under closed_(?:reports|duplicate_or_mistake) ", text, re.M)
    assert sum(map(int, purged)) == EXPIRED
    assert "converted once" not in text  # the cache was made by this version, incremental already
    assert list(tmp_path.iterdir()) == []  # the scratch copies are gone


def test_on_a_database_made_before_the_copy_is_converted_and_both_copies_end_the_same(
    cached: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older"
    older.mkdir()
    conn = sqlite3.connect(cached / "hedgerow.db")
    conn.execute("PRAGMA auto_vacuum=NONE")
    conn.execute("VACUUM INTO ?", [str(older / "hedgerow.db")])
    conn.close()
    digest = _digest(older / "hedgerow.db")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    r = bench_purge.run(REPORTS, EXPIRED, str(older), scratch)

    assert _digest(older / "hedgerow.db") == digest
    assert r.conversion_s is not None and r.converted_from is not None and r.converted_from.free == 0
    assert (r.reports, r.rows["reports"], r.chosen_rows["reports"]) == (REPORTS, REPORTS, EXPIRED)
    assert r.chosen_rows["events"] > EXPIRED and r.chosen_rows["report_places"] == EXPIRED
    for outcome in (r.purge, r.plain):
        assert outcome.rows["reports"] == REPORTS - EXPIRED
        assert outcome.rows["events"] == r.rows["events"] - r.chosen_rows["events"]
        assert outcome.rows["summary_facts"] == r.rows["summary_facts"]
        assert set(outcome.chosen_rows.values()) == {0}
        assert outcome.after_delete is not None and outcome.after_delete.free > 0
        assert outcome.after_vacuum is not None and outcome.after_vacuum.free == 0
        assert outcome.after_vacuum.pages < r.before.pages
        assert outcome.file_bytes == outcome.after_vacuum.pages * outcome.after_vacuum.page_size
    assert r.purge.rows == r.plain.rows
    returned = re.search(r"^incremental vacuum: (\d+) free page\(s\)", r.purge_report, re.M)
    assert returned and int(returned.group(1)) >= r.purge.after_delete.free  # and what the index merge freed
