"""Response-time summaries for NFU representatives and police supervisors: figures for a roundtable.

`build_summary` reads the stored clocks of the reports received in a period (summary_data.read_cells), adds
them up by force, area, category group, category and month, for the period, the period before it and the same
period a year earlier, and protects every figure against small counts (summary_suppression.protect).

Every published figure is a `Cell`: a count, a share in whole percent, or a time in seconds (rounded down to the
minute), with its status: shown, "fewer than 5" (built on 1 to 4 reports), hidden (so that a small figure cannot
be worked out from a total) or none (built on no report). Only areas are named: no report, point, name,
description or photo is read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import sqlite_utils

from backend.i18n import N_
from backend.services.clocks.response_clocks import CALL_RED_S
from backend.services.errors import Forbidden, Invalid
from backend.services.summaries.summary_data import (
    ANSWER_BANDS_S,
    WAIT_BANDS_S,
    CellKey,
    Tally,
    band_counts,
    read_cells,
)
from backend.services.summaries.summary_periods import Period
from backend.services.summaries.summary_suppression import Equation, protect
from wire.categories import BY_CODE, CATEGORIES

Kind = Literal["count", "share", "time"]
Status = Literal["shown", "small", "hidden", "none"]
PeriodName = Literal["this", "previous", "last_year"]
PERIODS: tuple[PeriodName, ...] = ("this", "previous", "last_year")
DIMENSIONS = ("force", "area", "category_group", "category", "month")
# The words below are English, marked for the catalogue and translated where they are shown (summary_text.py); the
# API gives them in English.
DIMENSION_LABELS = {
    "force": N_("Force"),
    "area": N_("Area"),
    "category_group": N_("Category group"),
    "category": N_("Category"),
    "month": N_("Month"),
}
GROUPS = tuple(dict.fromkeys(c.group for c in CATEGORIES))
# The charts' bands (summary_data.ANSWER_BANDS_S and WAIT_BANDS_S) in words.
ANSWER_BAND_LABELS = (
    N_("Under 2 hours"),
    N_("2 to 8 hours"),
    N_("8 to 24 hours"),
    N_("1 to 2 days"),
    N_("2 to 5 days"),
    N_("Over 5 days"),
)
WAIT_BAND_LABELS = (N_("Under 1 min"), N_("1 to 5 min"), N_("5 to 15 min"), N_("15 to 30 min"), N_("Over 30 min"))


def whole_percent(numerator: int, denominator: int) -> int:
    """Rounded half up, in integers (so 2 of 8 is 25 and 1 of 8 is 13)."""
    return (200 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: Kind
    # (value, the number of reports it is built on); the value is None when it is built on none.
    figure: Callable[[Tally], tuple[int | None, int]]
    note: str = ""

    @property
    def additive(self) -> bool:
        """Counts and shares add up to their totals, so they are protected against subtraction; times do not."""
        return self.kind != "time"


def _count(attr: str, base_attr: str | None = None) -> Callable[[Tally], tuple[int | None, int]]:
    return lambda t: (getattr(t, attr), getattr(t, base_attr or attr))


def _share(num: str, den: str) -> Callable[[Tally], tuple[int | None, int]]:
    def figure(t: Tally) -> tuple[int | None, int]:
        n, d = getattr(t, num), getattr(t, den)
        return (whole_percent(n, d) if d else None), d

    return figure


def _time(
    attr: str, numerator: int, denominator: int, base_attr: str | None = None
) -> Callable[[Tally], tuple[int | None, int]]:
    def figure(t: Tally) -> tuple[int | None, int]:
        values = t.values(attr)
        base = getattr(t, base_attr) if base_attr else len(values)
        if len(values) == 0 or base == 0:
            return None, base
        return t.percentile(attr, numerator, denominator) // 60 * 60, base

    return figure


def _over_red(t: Tally) -> tuple[int | None, int]:
    waits = t.values("waits_101")
    base = t.reports_101_waits
    return (whole_percent(int(np.count_nonzero(waits > CALL_RED_S)), len(waits)) if len(waits) else None), base


def _abandoned(t: Tally) -> tuple[int | None, int]:
    return (whole_percent(t.abandoned_101, t.calls_101) if t.calls_101 else None), t.reports_101


MEASURES: tuple[Measure, ...] = (
    Measure("received", N_("Reports received"), "count", _count("received")),
    Measure(
        "answered_within_target",
        N_("Answered within target"),
        "share",
        _share("answered_met", "answered_decided"),
        N_("of reports answered, or whose target has passed"),
    ),
    Measure("answer_median", N_("Median time to answer"), "time", _time("answer_times", 1, 2)),
    Measure("answer_p90", N_("90% answered within"), "time", _time("answer_times", 9, 10)),
    Measure("unanswered_now", N_("Still unanswered"), "count", _count("unanswered_now")),
    Measure(
        "reference_given",
        N_("Given a police reference"),
        "share",
        _share("reference_given", "reference_decided"),
        N_("of reports given one, or whose 48 hours have passed"),
    ),
    Measure("reference_median", N_("Median time to a reference"), "time", _time("reference_times", 1, 2)),
    Measure(
        "attended",
        N_("Attended (live incidents)"),
        "share",
        _share("attended", "attendance_decided"),
        N_("of incidents reported as happening, attended or past their target"),
    ),
    Measure("attendance_median", N_("Median time to attendance"), "time", _time("attendance_times", 1, 2)),
    Measure("decision_breaches", N_("No decision in 5 working days"), "count", _count("decision_breaches")),
    Measure("update_breaches", N_("No update for over 30 days"), "count", _count("update_breaches")),
    Measure("reports_101", N_("Reports with a 101 call"), "count", _count("reports_101")),
    Measure(
        "wait_101_median", N_("Median 101 wait"), "time", _time("waits_101", 1, 2, "reports_101_waits"), N_("per call")
    ),
    Measure("wait_101_over_15", N_("101 calls waiting over 15 min"), "share", _over_red),
    Measure("abandoned_101", N_("101 calls abandoned"), "share", _abandoned),
    Measure("reports_chased", N_("Reports chased by the farmer"), "count", _count("reports_chased")),
    Measure("chases", N_("Chases"), "count", _count("chases", "reports_chased")),
)
BY_KEY = {m.key: m for m in MEASURES}
# The figures shown for the comparison periods beside each row of a table (the overview shows them all).
COMPARED = ("received", "answered_within_target")


@dataclass(frozen=True)
class Cell:
    kind: Kind
    status: Status
    value: int | None  # None unless shown

    @classmethod
    def make(cls, kind: Kind, value: int | None, base: int, hidden: str | None) -> Cell:
        if hidden:
            return cls(kind, hidden, None)  # type: ignore[arg-type]
        if value is None or (base == 0 and kind != "count"):
            return cls(kind, "none", None)
        return cls(kind, "shown", value)


@dataclass(frozen=True)
class Selection:
    force: str | None = None
    area_id: int | None = None
    area_name: str | None = None
    category_group: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Row:
    dimension: str
    key: Hashable
    label: str
    parent: str | None  # the force of an area, the group of a category
    cells: dict[tuple[PeriodName, str], Cell]


@dataclass(frozen=True)
class Band:
    label: str
    cell: Cell


@dataclass
class Summary:
    selection: Selection
    periods: dict[PeriodName, Period]
    now: datetime
    overview: dict[str, dict[PeriodName, Cell]]
    tables: dict[str, list[Row]]
    answer_bands: list[Band]
    answer_total: Cell
    wait_bands: list[Band]
    wait_total: Cell
    forces: list[str] = field(default_factory=list)

    @property
    def compared(self) -> tuple[PeriodName, ...]:
        """The periods shown beside this one: the period before and a year earlier, or one of them when they are
        the same dates (the 12 months before the last 12). Then "last_year" is kept: its figures are protected
        against the month table's sums as well as the others (see `_shown_pairs`), so it hides at least as much."""
        if self.periods["previous"].same_dates(self.periods["last_year"]):
            return ("last_year",)
        return ("previous", "last_year")


@dataclass(frozen=True)
class AreaRow:
    id: int
    name: str
    force: str


def areas_in_scope(db: sqlite_utils.Database, scope_force: str | None) -> list[AreaRow]:
    """Every area a user may see summaries of: all of them, or those of their own force."""
    sql = "SELECT id, name, force FROM areas" + (" WHERE force = ?" if scope_force else "") + " ORDER BY force, name"
    return [AreaRow(r[0], r[1], r[2]) for r in db.execute(sql, [scope_force] if scope_force else [])]


def check_selection(
    areas: list[AreaRow],
    scope_force: str | None,
    force: str | None,
    area_id: int | None,
    category_group: str | None,
    category: str | None,
) -> Selection:
    """The filters, checked against what the user may see. Raises Forbidden or Invalid."""
    if scope_force and force and force != scope_force:
        raise Forbidden(f"you see the summaries of {scope_force} only")
    force = force or scope_force
    if force and not any(a.force == force for a in areas):
        raise Invalid(f"no areas of a force called {force!r}")
    area_name = None
    if area_id is not None:
        area = next((a for a in areas if a.id == area_id), None)
        if area is None:
            raise Forbidden("no such area among those you may see")
        if force and area.force != force:
            raise Invalid("that area is not in the chosen force")
        force, area_name = area.force, area.name
    if category_group and category_group not in GROUPS:
        raise Invalid(f"category_group must be one of: {', '.join(GROUPS)}")
    if category:
        if category not in BY_CODE:
            raise Invalid(f"no category {category!r}")
        if category_group and BY_CODE[category].group != category_group:
            raise Invalid("that category is not in the chosen group")
        category_group = BY_CODE[category].group
    return Selection(force, area_id, area_name, category_group, category)


def _row_keys(key: CellKey, areas: dict[int, AreaRow], shift_months: int) -> dict[str, Hashable]:
    return {
        "force": areas[key.area_id].force,
        "area": key.area_id,
        "category_group": BY_CODE[key.category].group if key.category in BY_CODE else key.category,
        "category": key.category,
        "month": key.month + shift_months,
    }


def _label(dimension: str, key: Hashable, areas: dict[int, AreaRow]) -> tuple[str, str | None]:
    if dimension == "area":
        area = areas[key]  # type: ignore[index]
        return area.name, area.force
    if dimension == "category":
        category = BY_CODE.get(str(key))
        return (category.label, category.group) if category else (str(key), None)
    if dimension == "month":
        year, month = divmod(int(key), 100)  # type: ignore[call-overload]
        return datetime(year, month, 1).strftime("%b %Y"), None
    return str(key), None


def _order(dimension: str, key: Hashable, areas: dict[int, AreaRow]) -> tuple:
    if dimension == "area":
        area = areas[key]  # type: ignore[index]
        return (area.force, area.name)
    if dimension == "category_group":
        return (GROUPS.index(key) if key in GROUPS else len(GROUPS), str(key))
    if dimension == "category":
        codes = [c.code for c in CATEGORIES]
        return (codes.index(key) if key in codes else len(codes), str(key))
    return (key,)


def _tallies(
    cells: dict[CellKey, Tally], areas: dict[int, AreaRow], shift_months: int
) -> tuple[Tally, dict[str, dict[Hashable, Tally]]]:
    total = Tally.of(cells.values())
    by: dict[str, dict[Hashable, list[Tally]]] = {d: {} for d in DIMENSIONS}
    for key, tally in cells.items():
        for dimension, row_key in _row_keys(key, areas, shift_months).items():
            by[dimension].setdefault(row_key, []).append(tally)
    return total, {d: {k: Tally.of(v) for k, v in rows.items()} for d, rows in by.items()}


def _equations(keys: dict[str, list[Hashable]], areas: dict[int, AreaRow], period: PeriodName) -> list[Equation]:
    """Each table sums to the period's total; a force's row is the sum of its areas', a group's of its categories'."""
    total = (period, "total", None)
    eqs = [Equation(total, tuple((period, d, k) for k in ks)) for d, ks in keys.items() if ks]
    for force in keys.get("force", []):
        members = tuple((period, "area", a) for a in keys.get("area", []) if areas[a].force == force)  # type: ignore[index]
        eqs.append(Equation((period, "force", force), members))
    for group in keys.get("category_group", []):
        members = tuple(
            (period, "category", c)
            for c in keys.get("category", [])
            if BY_CODE.get(str(c), None) is not None and BY_CODE[str(c)].group == group
        )
        eqs.append(Equation((period, "category_group", group), members))
    return eqs


def build_summary(
    db: sqlite_utils.Database,
    scope_force: str | None,
    selection: Selection,
    period: Period,
    now: datetime,
) -> Summary:
    """Every figure of the summary for a selection and period, protected against small counts."""
    all_areas = areas_in_scope(db, scope_force)
    areas = {a.id: a for a in all_areas}
    chosen = [
        a.id
        for a in all_areas
        if (selection.force is None or a.force == selection.force)
        and (selection.area_id is None or a.id == selection.area_id)
    ]
    categories = [
        c.code
        for c in CATEGORIES
        if (selection.category_group is None or c.group == selection.category_group)
        and (selection.category is None or c.code == selection.category)
    ]
    periods: dict[PeriodName, Period] = {
        "this": period,
        "previous": period.previous(),
        "last_year": period.year_before(),
    }
    now_s = int(now.timestamp())
    read: dict[tuple[int, int], dict[CellKey, Tally]] = {}
    totals: dict[PeriodName, Tally] = {}
    rows: dict[PeriodName, dict[str, dict[Hashable, Tally]]] = {}
    for name, p in periods.items():
        span = (p.start_s, p.end_s)
        if span not in read:  # the 12 months before the last 12 are both the previous period and a year earlier
            read[span] = read_cells(db, chosen, categories, p.start_s, p.end_s, p.months(), now_s)
        # A year earlier, month rows line up with this period's months (yyyymm + 100).
        totals[name], rows[name] = _tallies(read[span], areas, 100 if name == "last_year" else 0)
    return _assemble(selection, periods, now, areas, totals, rows, sorted({a.force for a in all_areas}))


def _shown_pairs(dimension: str) -> list[tuple[PeriodName, str]]:
    pairs: list[tuple[PeriodName, str]] = [("this", m.key) for m in MEASURES]
    comparisons: tuple[PeriodName, ...] = ("last_year",) if dimension == "month" else ("previous", "last_year")
    return pairs + [(p, m) for p in comparisons for m in COMPARED]


def _assemble(
    selection: Selection,
    periods: dict[PeriodName, Period],
    now: datetime,
    areas: dict[int, AreaRow],
    totals: dict[PeriodName, Tally],
    rows: dict[PeriodName, dict[str, dict[Hashable, Tally]]],
    forces: list[str],
) -> Summary:
    # The rows of each table: every key with reports in any period it shows.
    keys: dict[str, list[Hashable]] = {}
    for d in DIMENSIONS:
        if d == "month":  # this period's months, beside the same months a year earlier
            found = (set(rows["this"][d]) | set(rows["last_year"][d])) & set(periods["this"].months())
        else:
            found = {k for p in PERIODS for k in rows[p][d]}
        keys[d] = sorted(found, key=lambda k, d=d: _order(d, k, areas))
    empty = Tally()
    statuses: dict[tuple[PeriodName, str], dict[Hashable, str]] = {}
    figures: dict[tuple[PeriodName, str], dict[Hashable, tuple[int | None, int]]] = {}
    for period_name in PERIODS:
        for measure in MEASURES:
            cells: dict[Hashable, tuple[int | None, int]] = {
                (period_name, "total", None): measure.figure(totals[period_name])
            }
            for d in DIMENSIONS:
                if (period_name, measure.key) in _shown_pairs(d):
                    for k in keys[d]:
                        cells[(period_name, d, k)] = measure.figure(rows[period_name][d].get(k, empty))
            figures[(period_name, measure.key)] = cells
            bases = {key: base for key, (_, base) in cells.items()}
            if measure.additive:
                shown_keys = {d: [k for k in keys[d] if (period_name, d, k) in cells] for d in DIMENSIONS}
                statuses[(period_name, measure.key)] = protect(bases, _equations(shown_keys, areas, period_name))
            else:
                statuses[(period_name, measure.key)] = protect(bases, [])

    def cell(period_name: PeriodName, measure: Measure, key: Hashable) -> Cell:
        value, base = figures[(period_name, measure.key)][key]
        return Cell.make(measure.kind, value, base, statuses[(period_name, measure.key)].get(key))

    overview = {m.key: {p: cell(p, m, (p, "total", None)) for p in PERIODS} for m in MEASURES}
    tables: dict[str, list[Row]] = {}
    for d in DIMENSIONS:
        table = []
        for k in keys[d]:
            label, parent = _label(d, k, areas)
            cells_of_row = {(p, m): cell(p, BY_KEY[m], (p, d, k)) for p, m in _shown_pairs(d)}
            table.append(Row(d, k, label, parent, cells_of_row))
        tables[d] = table
    answer_bands, answer_total = _bands(totals["this"].values("answer_times"), ANSWER_BANDS_S, ANSWER_BAND_LABELS)
    wait_bands, wait_total = _bands(totals["this"].values("longest_101"), WAIT_BANDS_S, WAIT_BAND_LABELS)
    return Summary(
        selection, periods, now, overview, tables, answer_bands, answer_total, wait_bands, wait_total, forces
    )


def _bands(values: np.ndarray, edges: tuple[int, ...], labels: tuple[str, ...]) -> tuple[list[Band], Cell]:
    """A distribution's bands (counts of reports) and its total, protected like a table's column."""
    counts = band_counts(values, edges)
    total = sum(counts)
    bases: dict[Hashable, int] = {("band", i): n for i, n in enumerate(counts)}
    bases[("band", "total")] = total
    hidden = protect(bases, [Equation(("band", "total"), tuple(("band", i) for i in range(len(counts))))])
    bands = [
        Band(label, Cell.make("count", n, n, hidden.get(("band", i))))
        for i, (label, n) in enumerate(zip(labels, counts, strict=True))
    ]
    return bands, Cell.make("count", total, total, hidden.get(("band", "total")))


def scope_of(role: str, force: str | None) -> str | None:
    """Whose figures a user sees: None for every force (NFU representatives, admins), else their own force."""
    if role in ("nfu", "admin"):
        return None
    if role in ("officer", "supervisor") and force:
        return force
    raise Forbidden("summaries are for NFU representatives, police staff and admins")


def summary_for(
    db: sqlite_utils.Database,
    role: str,
    user_force: str | None,
    period: Period,
    now: datetime,
    force: str | None = None,
    area_id: int | None = None,
    category_group: str | None = None,
    category: str | None = None,
) -> Summary:
    """The summary a user asked for, within what their role lets them see. Raises Forbidden or Invalid."""
    scope = scope_of(role, user_force)
    selection = check_selection(areas_in_scope(db, scope), scope, force, area_id, category_group, category)
    return build_summary(db, scope, selection, period, now)
