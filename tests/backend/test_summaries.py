"""The summaries' figures on a fixed synthetic data set, against right answers worked out independently from the
plan (tests/backend/summaries_support.py): medians, 90th percentiles, shares within target, period comparisons,
working-day clocks across bank holidays, UK months, 101 calls and chases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from backend.services.areas.boundaries import import_areas
from backend.services.summaries import figures as summary_figures
from backend.services.summaries import summary_text
from backend.services.summaries.figures import Cell, Selection, Summary, build_summary
from backend.services.summaries.summary_data import nearest_rank
from backend.services.summaries.summary_periods import parse_period
from backend.writes import write
from core.uktime import uk_month
from tests.backend import summaries_support as oracle
from tests.backend.clocks_support import ClockDb
from tests.backend.summaries_support import (
    BANK_HOLIDAY_ENGLAND,
    BANK_HOLIDAY_SCOTLAND,
    FIRST_OF_JULY,
    FIRST_OF_OCTOBER,
    GROUP,
    NOW,
    SATURDAY,
    Expected,
    Planned,
    add_working_days,
    figures,
    in_period,
    make_plan,
    minute,
    outcome,
    percent,
    utc,
    write_plan,
)
from tests.support import NOWHERE

TODAY = NOW.date()
Q3, Q2, Q3_2025 = (
    (date(2026, 7, 1), date(2026, 9, 30)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2025, 7, 1), date(2025, 9, 30)),
)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClockDb, list[Planned]]]:
    cdb = ClockDb(tmp_path_factory.mktemp("summaries") / "hedgerow.db")
    plan = make_plan()
    write_plan(cdb, plan)
    yield cdb, plan
    cdb.close()


@pytest.fixture(scope="module")
def q3(planned: tuple[ClockDb, list[Planned]]) -> Summary:
    cdb, _ = planned
    return build_summary(cdb.db, None, Selection(), parse_period("2026-Q3", TODAY), NOW)


def reports_in(plan: list[Planned], period: tuple[date, date], **where: str) -> list[Planned]:
    return [p for p in plan if in_period(p, *period) and all(getattr(p, k) == v for k, v in where.items())]


def check(cell: Cell, expected: Expected, what: str, secondary_allowed: bool = True) -> None:
    """A cell against its right answer: 1 to 4 reports are 'small'; none shows no derived figure; else shown
    with exactly the right value (or hidden to protect a small neighbour, where a table allows it)."""
    if 0 < expected.base < 5:
        assert cell.status == "small", f"{what}: built on {expected.base} reports but {cell}"
        assert cell.value is None
    elif expected.value is None:
        assert cell.status == "none" and cell.value is None, f"{what}: {cell}"
    elif cell.status == "hidden" and secondary_allowed:
        assert cell.value is None
    else:
        assert (cell.status, cell.value) == ("shown", expected.value), f"{what}: expected {expected}, got {cell}"


def test_the_right_answers_of_the_bank_holiday_cases_are_those_worked_out_by_hand() -> None:
    # Friday 28 August 2026, 17:00 BST; Monday 31 August is a bank holiday in England, not in Scotland.
    assert add_working_days(BANK_HOLIDAY_ENGLAND.received, 1, "england_wales") == utc("2026-09-01 16:00")
    assert add_working_days(BANK_HOLIDAY_SCOTLAND.received, 1, "scotland") == utc("2026-08-31 16:00")
    # Saturday 11 July 10:00 BST: the day's count starts on Monday, due at its end (Tuesday 00:00 BST).
    assert add_working_days(SATURDAY.received, 1, "england_wales") == utc("2026-07-13 23:00")
    assert add_working_days(BANK_HOLIDAY_ENGLAND.received, 5, "england_wales") == utc("2026-09-07 16:00")
    assert outcome(BANK_HOLIDAY_ENGLAND, "answered").state == "met"
    assert outcome(BANK_HOLIDAY_SCOTLAND, "answered").state == "met_late"
    assert outcome(SATURDAY, "answered").state == "met"


def test_the_stored_clocks_the_summaries_read_follow_each_nations_working_days(
    planned: tuple[ClockDb, list[Planned]],
) -> None:
    cdb, _ = planned
    cases = [
        (BANK_HOLIDAY_ENGLAND, "2026-09-01 16:00", "met"),
        (BANK_HOLIDAY_SCOTLAND, "2026-08-31 16:00", "met_late"),
        (SATURDAY, "2026-07-13 23:00", "met"),
    ]
    for p, due_text, state in cases:
        stored = cdb.db.execute(
            "SELECT answered_due_s, answered_state FROM report_clocks WHERE report_id = ?", [p.id]
        ).fetchone()
        counted = cdb.db.execute(
            "SELECT done, decided, answered_took_s, answered_due_s FROM summary_facts WHERE report_id = ?", [p.id]
        ).fetchone()
        took = next(at for kind, at in p.actions if kind == "acknowledged") - p.received
        assert tuple(stored) == (int(utc(due_text).timestamp()), state), p
        met, decided = unpack(counted[0])[0], unpack(counted[1])[0]
        assert (met, decided, counted[2], counted[3]) == (state == "met", 1, int(took.total_seconds()), None), p


def test_every_overview_figure_for_the_period_the_one_before_and_a_year_earlier_is_right(
    planned: tuple[ClockDb, list[Planned]], q3: Summary
) -> None:
    _, plan = planned
    for name, period in (("this", Q3), ("previous", Q2), ("last_year", Q3_2025)):
        expected = figures(reports_in(plan, period))
        assert expected["received"].base >= 20, "the plan gives every period enough reports to show"
        for measure in summary_figures.MEASURES:
            check(q3.overview[measure.key][name], expected[measure.key], f"{name} {measure.key}", False)
    # The plan is built so that the headline figures are shown, not withheld.
    for key in ("received", "answered_within_target", "answer_median", "answer_p90", "wait_101_median"):
        assert q3.overview[key]["this"].status == "shown", key


def _row_groups(plan: list[Planned], dimension: str) -> dict[object, list[Planned]]:
    keys = {
        "force": lambda p: p.force,
        "area": lambda p: p.area,
        "category_group": lambda p: GROUP[p.category],
        "category": lambda p: p.category,
        "month": lambda p: uk_month(p.received),
    }[dimension]
    out: dict[object, list[Planned]] = {}
    for p in plan:
        out.setdefault(keys(p), []).append(p)
    return out


def _row_key(row: summary_figures.Row, cdb: ClockDb) -> object:
    if row.dimension == "area":
        return cdb.db.execute("SELECT name FROM areas WHERE id = ?", [row.key]).fetchone()[0]
    return row.key


@pytest.mark.parametrize("dimension", summary_figures.DIMENSIONS)
def test_every_row_of_every_breakdown_is_right(
    planned: tuple[ClockDb, list[Planned]], q3: Summary, dimension: str
) -> None:
    cdb, plan = planned
    this = _row_groups(reports_in(plan, Q3), dimension)
    previous = _row_groups(reports_in(plan, Q2), dimension)
    last_year = _row_groups(reports_in(plan, Q3_2025), dimension)
    if dimension == "month":  # a year earlier lines up with this period's months
        last_year = {int(k) + 100: v for k, v in last_year.items()}  # type: ignore[call-overload]
        previous = {}
    rows = {_row_key(row, cdb): row for row in q3.tables[dimension]}
    assert set(rows) == set(this) | set(previous) | set(last_year)
    shown = 0
    for key, row in rows.items():
        for (period_name, measure), cell in row.cells.items():
            group = {"this": this, "previous": previous, "last_year": last_year}[period_name].get(key, [])
            check(cell, figures(group)[measure], f"{dimension} {key} {period_name} {measure}")
            shown += cell.status == "shown"
    assert shown > len(rows) * 8, "most figures of the table are shown"


def test_the_month_of_a_report_is_its_uk_month(planned: tuple[ClockDb, list[Planned]], q3: Summary) -> None:
    cdb, plan = planned
    months = {row.key: row for row in q3.tables["month"]}
    assert list(months) == [202607, 202608, 202609]
    july = [p for p in reports_in(plan, Q3) if uk_month(p.received) == 202607]
    assert FIRST_OF_JULY in july and FIRST_OF_OCTOBER not in reports_in(plan, Q3)
    assert months[202607].cells[("this", "received")].value == len(july)
    october = build_summary(cdb.db, None, Selection(), parse_period("2026-10", TODAY), NOW)
    assert october.overview["received"]["this"].status == "small"  # the one report of October so far


def test_the_time_to_answer_chart_counts_every_band_right(planned: tuple[ClockDb, list[Planned]], q3: Summary) -> None:
    _, plan = planned
    took = [o.took_s for o in (outcome(p, "answered") for p in reports_in(plan, Q3)) if o.took_s is not None]
    edges = [0, 2 * 3600, 8 * 3600, 24 * 3600, 2 * 86400, 5 * 86400, 10**12]
    counts = [sum(lo <= t < hi for t in took) for lo, hi in pairwise(edges)]
    labels = ["Under 2 hours", "2 to 8 hours", "8 to 24 hours", "1 to 2 days", "2 to 5 days", "Over 5 days"]
    assert [b.label for b in q3.answer_bands] == labels
    for band, n in zip(q3.answer_bands, counts, strict=True):
        check(band.cell, Expected(n, n), band.label)
    assert (q3.answer_total.status, q3.answer_total.value) == ("shown", len(took))


def test_the_headline_compares_with_the_period_before_and_a_year_earlier_in_words(
    planned: tuple[ClockDb, list[Planned]], q3: Summary
) -> None:
    cdb, plan = planned
    now, before, earlier = (figures(reports_in(plan, p))["answered_within_target"].value for p in (Q3, Q2, Q3_2025))
    assert now is not None and before is not None and earlier is not None and now != before
    direction = "down" if before > now else "up"
    sentences = summary_text.headline(q3, summary_text.answer_target(cdb.db, q3))
    assert sentences[0] == (
        f"In Q3 2026, {now}% of reports across all forces were answered within target, "
        f"{direction} from {before}% in Q2 2026."
    )
    assert sentences[1] == f"A year earlier, in Q3 2025, it was {earlier}%."
    median = figures(reports_in(plan, Q3))["answer_median"].value
    assert median is not None
    assert summary_text.duration_text(median) in sentences[2]


def test_a_selection_of_one_force_and_one_category_counts_only_its_reports(
    planned: tuple[ClockDb, list[Planned]],
) -> None:
    cdb, plan = planned
    kent = Selection(force="Kent Police", category_group="Fly-tipping", category="fly_tipping")
    summary = build_summary(cdb.db, None, kent, parse_period("2026-Q3", TODAY), NOW)
    chosen = [p for p in reports_in(plan, Q3, force="Kent Police") if p.category == "fly_tipping"]
    expected = figures(chosen)
    for measure in summary_figures.MEASURES:
        check(summary.overview[measure.key]["this"], expected[measure.key], measure.key, False)
    assert [row.key for row in summary.tables["force"]] == ["Kent Police"]
    assert {row.label for row in summary.tables["area"]} <= {"Kent", "Maidstone rural patch"}
    target = summary_text.answer_target(cdb.db, summary)
    assert target == "1 working day"  # fly-tipping is not urgent: every report had the same target
    share = expected["answered_within_target"]
    if share.base >= 5:
        assert summary_text.headline(summary, target)[0].startswith(
            f"In Q3 2026, {share.value}% of fly-tipping reports to Kent Police were answered within a working day"
        )


def test_a_share_leaves_out_reports_whose_target_has_not_yet_passed(tmp_path: Path) -> None:
    cdb = ClockDb(tmp_path / "hedgerow.db")
    received = [utc("2026-10-05 09:00") + timedelta(hours=i) for i in range(6)]
    ids = [cdb.report(at, "fly_tipping") for at in received]
    for rid, at in zip(ids[:5], received[:5], strict=True):
        cdb.act(rid, "acknowledged", at + timedelta(minutes=30 + 60 * (rid == ids[0]) * 48))
    late = cdb.report(utc("2026-10-15 10:00"), "fly_tipping")  # due tomorrow 10:00: still running at NOW
    period = parse_period("custom", TODAY, "2026-10-01", "2026-10-15")
    summary = build_summary(cdb.db, None, Selection(), period, NOW)
    assert summary.overview["received"]["this"].value == 7
    # Decided: the five answered (one of them late) and the one never answered whose day has passed.
    assert summary.overview["answered_within_target"]["this"].value == percent(4, 6)
    assert summary.overview["unanswered_now"]["this"].status == "small"
    stored = cdb.db.execute("SELECT answered_state, answered_due_s FROM report_clocks WHERE report_id = ?", [late])
    state, due = stored.fetchone()
    assert state == "running" and due == int(utc("2026-10-16 10:00").timestamp())
    counted = cdb.db.execute(
        "SELECT decided, answered_due_s, running FROM summary_facts WHERE report_id = ?", [late]
    ).fetchone()
    assert (unpack(counted[0])[0], counted[1], counted[2]) == (0, due, 1)  # decided only once that time has passed
    cdb.close()


def test_percentiles_are_by_nearest_rank_and_shares_round_half_up() -> None:
    assert nearest_rank(np.array([40, 10, 30, 20]), 1, 2) == 20
    assert nearest_rank(np.array([5, 1, 4, 2, 3]), 1, 2) == 3
    assert nearest_rank(np.arange(1, 11), 9, 10) == 9  # 0.9 * 10 is 9 exactly
    assert nearest_rank(np.arange(1, 12), 9, 10) == 10
    assert nearest_rank(np.array([7]), 9, 10) == 7
    assert [summary_figures.whole_percent(n, 8) for n in (1, 2, 3)] == [13, 25, 38]
    assert summary_figures.whole_percent(1, 3) == 33 and summary_figures.whole_percent(2, 3) == 67
    with pytest.raises(ValueError, match=r"^no values$"):
        nearest_rank(np.array([], dtype=np.int64), 1, 2)
    # The oracle's exact-fraction helpers agree with the server's integer arithmetic at every size up to 60,
    # rounding edges included (so a figure that matches the oracle matches the rule, not a shared mistake).
    for n in range(1, 61):
        values = [(7 * i) % 23 for i in range(n)]  # unsorted, with repeats once n passes 23
        for p in (Fraction(1, 2), Fraction(9, 10)):
            expected = oracle.nearest_rank(values, p)
            assert nearest_rank(np.array(values), p.numerator, p.denominator) == expected, (n, p)
        for k in range(n + 1):
            assert summary_figures.whole_percent(k, n) == percent(k, n), (k, n)
    assert percent(1, 8) == 13 and percent(1, 200) == 1 and percent(1, 201) == 0  # half up, not to even
    assert [minute(s) for s in (0, 59, 60, 3599)] == [0, 0, 60, 3540]


def test_the_stored_month_is_the_uk_month_either_side_of_every_clock_change(tmp_path: Path) -> None:
    cdb = ClockDb(tmp_path / "hedgerow.db")
    moments = []
    for year in range(2024, 2031):
        for month in (3, 10):  # the last Sunday of March and of October, 00:00 to 02:00 UTC each minute
            last_sunday = max(date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6)
            start = datetime(last_sunday.year, last_sunday.month, last_sunday.day, tzinfo=UTC)
            moments += [start + timedelta(minutes=m) for m in range(0, 120, 7)]
        moments += [datetime(year, m, 1, tzinfo=UTC) - timedelta(minutes=k) for m in (4, 7, 10) for k in (1, 59, 61)]
        moments += [datetime(year, 1, 1, tzinfo=UTC) - timedelta(seconds=1), datetime(year, 12, 31, 23, 30, tzinfo=UTC)]
    # The month the migration's triggers store (frozen SQL), for one routed report moved to each moment in turn.
    rid = cdb.report(utc("2026-08-03 10:00"))
    with write(cdb.db):
        for moment in moments:
            cdb.db.execute("UPDATE reports SET received_at = ? WHERE id = ?", [moment.isoformat(), rid])
            stored = cdb.db.execute("SELECT month FROM summary_facts WHERE report_id = ?", [rid]).fetchall()
            assert [row[0] for row in stored] == [uk_month(moment)], moment
    assert len(moments) > 300
    cdb.close()


def test_the_summary_copy_follows_a_report_routed_later_and_one_deleted(tmp_path: Path) -> None:
    cdb = ClockDb(tmp_path / "hedgerow.db")
    rid = cdb.report(utc("2026-08-03 10:00"), "fly_tipping", NOWHERE)
    assert cdb.db.execute("SELECT count(*) FROM summary_facts WHERE report_id = ?", [rid]).fetchone()[0] == 0
    square = [[2.2, 48.7], [2.5, 48.7], [2.5, 49.0], [2.2, 49.0], [2.2, 48.7]]
    area = {
        "type": "Feature",
        "properties": {"name": "Ile de France", "force": "Test Force", "nation": "england_wales"},
    }
    area["geometry"] = {"type": "Polygon", "coordinates": [square]}
    path = tmp_path / "extra.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [area]}))
    import_areas(cdb.db, path)
    cdb.act(rid, "acknowledged", utc("2026-08-03 11:00"))
    row = cdb.db.execute(
        "SELECT a.name, s.month, s.done, s.answered_took_s FROM summary_facts s "
        "JOIN areas a ON a.id = s.area_id WHERE s.report_id = ?",
        [rid],
    ).fetchone()
    assert (row[0], row[1], unpack(row[2])[0], row[3]) == ("Ile de France", 202608, 1, 3600)
    for table in ("events", "report_calls", "report_vehicles", "report_photos", "report_nearby_forces"):
        cdb.db.execute(f"DELETE FROM {table} WHERE report_id = ?", [rid])
    cdb.db.execute("DELETE FROM reports WHERE id = ?", [rid])
    assert cdb.db.execute("SELECT count(*) FROM summary_facts").fetchone()[0] == 0
    cdb.close()


def unpack(value: int) -> tuple[int, int, int]:
    """Three counts packed into one integer, 21 bits each (the migration's layout)."""
    return value & (2**21 - 1), (value >> 21) & (2**21 - 1), value >> 42


def _counted_form(clocks: dict, calls: list) -> dict:
    """What summary_facts should hold for a report's stored clocks and its 101 calls (the migration's documented
    encoding), worked out here in Python and unpacked."""
    state = {c: clocks[f"{c}_state"] for c in ("answered", "reference", "attendance", "decision", "update")}
    out: dict = {
        "answered within target": int(state["answered"] == "met"),
        "still unanswered": int(clocks["answered_stop_s"] is None and state["answered"] in ("running", "breached")),
        "given a reference": int(state["reference"] in ("met", "met_late")),
        "attended": int(state["attendance"] in ("met", "met_late")),
        "had a 101 call": int(bool(calls)),
        "chased": int(clocks["chases"] > 0),
        "decision breached": int(clocks["decision_missed"] > 0 or state["decision"] in ("met_late", "breached")),
        "update breached": int(clocks["update_missed"] > 0 or state["update"] == "breached"),
        "abandoned calls": sum(c["outcome"] == "abandoned" for c in calls),
        "calls": len(calls),
        "chases": clocks["chases"],
    }
    for c in ("answered", "reference", "attendance"):
        out[f"{c} decided"] = int(state[c] in ("met", "met_late", "breached"))
        stopped = state[c] in ("met", "met_late")
        out[f"{c}_took_s"] = clocks[f"{c}_stop_s"] - clocks[f"{c}_start_s"] if stopped else None
        out[f"{c}_due_s"] = clocks[f"{c}_due_s"] if state[c] == "running" else None
    for c in ("decision", "update"):
        out[f"{c}_due_s"] = clocks[f"{c}_due_s"] if state[c] == "running" and not clocks[f"{c}_missed"] else None
    out["running"] = 1 if any(out[f"{c}_due_s"] is not None for c in state) else None
    return out


def _copied_form(row: dict) -> dict:
    met, unanswered, given = unpack(row["done"])
    attended, had_call, chased = unpack(row["done_too"])
    answered, referenced, visited = unpack(row["decided"])
    decision, update, _ = unpack(row["breached"])
    abandoned, calls, _ = unpack(row["calls"])
    out = {
        "answered within target": met,
        "still unanswered": unanswered,
        "given a reference": given,
        "attended": attended,
        "had a 101 call": had_call,
        "chased": chased,
        "decision breached": decision,
        "update breached": update,
        "abandoned calls": abandoned,
        "calls": calls,
        "chases": row["chases"],
        "answered decided": answered,
        "reference decided": referenced,
        "attendance decided": visited,
        "running": row["running"],
    }
    for c in ("answered", "reference", "attendance"):
        out[f"{c}_took_s"] = row[f"{c}_took_s"]
    for c in ("answered", "reference", "attendance", "decision", "update"):
        out[f"{c}_due_s"] = row[f"{c}_due_s"]
    return out


def test_the_summary_copy_holds_the_stored_clocks_of_every_routed_report_as_documented(
    planned: tuple[ClockDb, list[Planned]],
) -> None:
    cdb, plan = planned
    calls = {p.id: [c for c in p.calls if c["channel"] == "101"] for p in plan}
    stored = {
        r["report_id"]: _counted_form(dict(r), calls[r["report_id"]])
        for r in cdb.db.execute("SELECT * FROM report_clocks")
    }
    copied = {r["report_id"]: _copied_form(dict(r)) for r in cdb.db.execute("SELECT * FROM summary_facts")}
    assert copied == stored and len(copied) == len(plan)
    for name in ("still unanswered", "decision breached", "update breached", "had a 101 call", "chased", "running"):
        assert sum(c[name] or 0 for c in copied.values()) > 0, f"the plan has reports that are {name}"
    for p in plan:
        waits = [c["waited_s"] for c in p.calls if c["channel"] == "101" and c["waited_s"] is not None]
        row = cdb.db.execute(
            "SELECT calls_101_waits, calls_101_longest_s FROM summary_facts WHERE report_id = ?", [p.id]
        ).fetchone()
        assert (sorted(int(w) for w in row[0].split(",")) if row[0] else []) == sorted(waits)
        assert row[1] == (max(waits) if waits else None)
