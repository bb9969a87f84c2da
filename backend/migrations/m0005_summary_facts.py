"""Response-time summaries: `summary_facts`, each routed report's stored clocks in the form the summaries count.

A summary over a year of a million reports has to read every report received in the period with its clocks.
`reports` is wide (descriptions, details) and `report_clocks` is keyed by the report's UUID, so joining the two
costs a random lookup per report. This table holds, per routed report, only what the summaries count, as small
integers, clustered by (area, category, UK month, receipt): a period's figures are a few index range scans
already in the order they are grouped in, with no sort.

It is a copy, never a second computation: every value is read from `report_clocks` as
backend/services/clocks.py stored it, by the triggers below, in the transaction that stored it.

What is settled is kept as 0/1 flags, packed three to an integer (21 bits each: PACK) so that one SUM adds up
three counts; a cell of one area, one category and one month must hold fewer than MAX_CELL reports for the sums
not to carry (the reader checks). Per clock (answered, reference, attendance):
  - done: the stored state is met (answered within target), or met or met_late (given a reference, attended);
  - decided: the stored state is met, met_late or breached;
  - `<clock>_took_s`: stop minus start, for met and met_late;
  - `<clock>_due_s`: the due time while the stored state is running (NULL otherwise): it counts as decided once
    that time has passed, as clocks.py documents.
`answered_open`: no answer yet and the clock still counts (running or breached, not stopped).
The Victims' Code: breached already (a missed run, met late, breached) as flags; `decision_due_s` /
`update_due_s` while a clock is running without a missed run (a breach once passed). `running` is 1 when any
`_due_s` is set, for the small index of what "now" can still change.
The 101 calls the report lists are counted from `report_calls` at the same moment: how many, how many
abandoned, every known wait (text, comma-separated) and the longest. Unrouted reports (no area) are left out:
summaries are by area.

`month` is the report's calendar month in UK time (yyyymm) and `received_s` its receipt in whole Unix seconds
(rounded down, as the clocks store times). British Summer Time runs from 01:00 UTC on the last Sunday of March
to 01:00 UTC on the last Sunday of October.
"""

import sqlite_utils

from backend.migrations import run_script

# Whole seconds, rounded down: the first 19 characters of an ISO time are "YYYY-MM-DDTHH:MM:SS" (stored in UTC).
_SECONDS = "unixepoch(substr({t}, 1, 19))"
_BST = (
    "({s} >= unixepoch(strftime('%Y', {s}, 'unixepoch') || '-03-25', 'weekday 0') + 3600 "
    "AND {s} < unixepoch(strftime('%Y', {s}, 'unixepoch') || '-10-25', 'weekday 0') + 3600)"
)
_MONTH = "CAST(strftime('%Y%m', {s} + 3600 * " + _BST + ", 'unixepoch') AS INTEGER)"
PACK = 21
MAX_CELL = 100_000  # 20 calls a report at most (wire/reports.py), so a cell's calls stay under 2**21 too


def _pack(*flags: str) -> str:
    """SQL for up to three 0/1 (or small) values packed into one integer, PACK bits each."""
    return " + ".join(f"coalesce({flag}, 0) * {1 << (PACK * i)}" for i, flag in enumerate(flags))


def _in(clock: str, *states: str) -> str:
    return f"c.{clock}_state IN ({', '.join(repr(s) for s in states)})"


_DECIDED = ("met", "met_late", "breached")
_TOOK = "CASE WHEN c.{c}_state IN ('met', 'met_late') THEN c.{c}_stop_s - c.{c}_start_s END"
_RUNNING = "CASE WHEN c.{c}_state = 'running' THEN c.{c}_due_s END"
_CALLS = "FROM report_calls k WHERE k.report_id = r.id AND k.channel = '101'"
_DECISION_BREACHED = "c.decision_missed > 0 OR c.decision_state IN ('met_late', 'breached')"
_UPDATE_BREACHED = "c.update_missed > 0 OR c.update_state = 'breached'"
_DUES = {
    "answered_due_s": _RUNNING.format(c="answered"),
    "reference_due_s": _RUNNING.format(c="reference"),
    "attendance_due_s": _RUNNING.format(c="attendance"),
    "decision_due_s": "CASE WHEN c.decision_missed = 0 AND c.decision_state = 'running' THEN c.decision_due_s END",
    "update_due_s": "CASE WHEN c.update_missed = 0 AND c.update_state = 'running' THEN c.update_due_s END",
}

# (column, type, SQL over the report `r` and its stored clocks `c`)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    (
        "done",  # answered within target | answered_open | given a reference
        "INTEGER",
        _pack(
            _in("answered", "met"),
            "c.answered_stop_s IS NULL AND " + _in("answered", "running", "breached"),
            _in("reference", "met", "met_late"),
        ),
    ),
    (
        "done_too",  # attended | had a 101 call | chased
        "INTEGER",
        _pack(_in("attendance", "met", "met_late"), f"(SELECT count(*) > 0 {_CALLS})", "c.chases > 0"),
    ),
    ("decided", "INTEGER", _pack(*(_in(c, *_DECIDED) for c in ("answered", "reference", "attendance")))),
    ("breached", "INTEGER", _pack(_DECISION_BREACHED, _UPDATE_BREACHED)),
    (
        "calls",  # abandoned 101 calls | 101 calls
        "INTEGER",
        _pack(f"(SELECT count(*) {_CALLS} AND k.outcome = 'abandoned')", f"(SELECT count(*) {_CALLS})"),
    ),
    ("chases", "INTEGER", "c.chases"),
    ("answered_took_s", "INTEGER", _TOOK.format(c="answered")),
    ("reference_took_s", "INTEGER", _TOOK.format(c="reference")),
    ("attendance_took_s", "INTEGER", _TOOK.format(c="attendance")),
    ("calls_101_waits", "TEXT", f"(SELECT group_concat(k.waited_s) {_CALLS} AND k.waited_s IS NOT NULL)"),
    ("calls_101_longest_s", "INTEGER", f"(SELECT max(k.waited_s) {_CALLS})"),
    *((name, "INTEGER", sql) for name, sql in _DUES.items()),
    (
        "running",
        "INTEGER",
        "CASE WHEN " + " OR ".join(f"({sql}) IS NOT NULL" for sql in _DUES.values()) + " THEN 1 END",
    ),
)
KEY = ("area_id", "category", "month", "received_s", "report_id")


def month_of(seconds_sql: str) -> str:
    """SQL for the UK calendar month (yyyymm) of a time given as Unix seconds."""
    return _MONTH.format(s=f"({seconds_sql})")


def seconds_of(iso_sql: str) -> str:
    """SQL for an ISO time column as whole Unix seconds."""
    return _SECONDS.format(t=iso_sql)


def _facts_select(report: str) -> str:
    """The summary row of the report(s) matched by `report` (a condition on `r`), from the stored clocks."""
    received = seconds_of("r.received_at")
    return (
        f"SELECT r.area_id, r.category, {month_of(received)}, {received}, r.id, "
        + ", ".join(sql for _, _, sql in COLUMNS)
        + f" FROM reports r JOIN report_clocks c ON c.report_id = r.id WHERE {report} AND r.area_id IS NOT NULL"
    )


_INSERT = f"INSERT INTO summary_facts ({', '.join(KEY)}, {', '.join(name for name, _, _ in COLUMNS)}) "
# An upsert rather than INSERT OR REPLACE: a trigger's own conflict clause gives way to that of the statement
# that fired it, and the clocks are stored by an upsert themselves.
_UPSERT = f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET " + ", ".join(
    f"{name} = excluded.{name}" for name, _, _ in COLUMNS
)


def _delete_old() -> str:
    received = seconds_of("OLD.received_at")
    return (
        f"DELETE FROM summary_facts WHERE area_id = OLD.area_id AND category = OLD.category "
        f"AND month = {month_of(received)} AND received_s = {received} AND report_id = OLD.id"
    )


_TRIGGERS = ("summary_facts_new", "summary_facts_changed", "summary_facts_rerouted", "summary_facts_gone")
SCHEMA = f"""
{"".join(f"DROP TRIGGER IF EXISTS {name};" + chr(10) for name in _TRIGGERS)}
DROP TABLE IF EXISTS summary_facts;

CREATE TABLE summary_facts (
    area_id INTEGER NOT NULL,
    category TEXT NOT NULL,
    month INTEGER NOT NULL,
    received_s INTEGER NOT NULL,
    report_id TEXT NOT NULL,
    {(", " + chr(10) + "    ").join(f"{name} {kind}" for name, kind, _ in COLUMNS)},
    PRIMARY KEY ({", ".join(KEY)})
) WITHOUT ROWID;

-- What "now" can still change: the few reports with a clock running, with their due times (covering).
CREATE INDEX summary_facts_running ON summary_facts(area_id, category, month, received_s, {", ".join(_DUES)})
    WHERE running IS NOT NULL;

CREATE TRIGGER summary_facts_new AFTER INSERT ON report_clocks
BEGIN
    {_INSERT} {_facts_select("r.id = NEW.report_id")}{_UPSERT};
END;

CREATE TRIGGER summary_facts_changed AFTER UPDATE ON report_clocks
BEGIN
    {_INSERT} {_facts_select("r.id = NEW.report_id")}{_UPSERT};
END;

CREATE TRIGGER summary_facts_rerouted AFTER UPDATE OF area_id, category, received_at ON reports
BEGIN
    {_delete_old()};
    {_INSERT} {_facts_select("r.id = NEW.id")}{_UPSERT};
END;

CREATE TRIGGER summary_facts_gone AFTER DELETE ON reports
BEGIN
    {_delete_old()};
END;

{_INSERT} {_facts_select("1")};
"""


def up(db: sqlite_utils.Database) -> None:
    # An early draft of this migration, named m0005_summaries, was never released but may have run on
    # development databases: the DROPs above replace what it made.
    run_script(db, SCHEMA)
