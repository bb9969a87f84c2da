"""The words and tables of a summary, shared by the page, the CSV, the PDF and the API: figures as text, the
headline, the targets used, the note on method, and the layout of each table.

The headline is built only from figures that are shown: a share built on fewer than 5 reports, or hidden to
protect one, is never put into a sentence.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from backend.services.clocks import policy
from backend.services.summaries.figures import (
    BY_KEY,
    COMPARED,
    DIMENSION_LABELS,
    Cell,
    PeriodName,
    Summary,
)
from wire.categories import BY_CODE, CATEGORIES

SMALL = "fewer than 5"
HIDDEN = "hidden"
NONE = "–"


def duration_text(seconds: int) -> str:
    """'under 1 min', '45 min', '3 h 20 min', '2 days 4 h'."""
    minutes = seconds // 60
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


def cell_text(cell: Cell) -> str:
    if cell.status == "small":
        return SMALL
    if cell.status == "hidden":
        return HIDDEN
    if cell.status == "none" or cell.value is None:
        return NONE
    if cell.kind == "share":
        return f"{cell.value}%"
    if cell.kind == "time":
        return duration_text(cell.value)
    return f"{cell.value:,}"


# The tables of the page, the CSV and the PDF: (key, title, measures). Received and the share answered within
# target are shown for the comparison periods too.
TOPICS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "answering",
        "Answering",
        ("received", "answered_within_target", "answer_median", "answer_p90", "unanswered_now", "reports_chased"),
    ),
    (
        "follow_up",
        "References, visits and the Victims' Code",
        (
            "reference_given",
            "reference_median",
            "attended",
            "attendance_median",
            "decision_breaches",
            "update_breaches",
        ),
    ),
    ("calls", "101 calls", ("reports_101", "wait_101_median", "wait_101_over_15", "abandoned_101", "chases")),
)
TOPIC_KEYS = tuple(t[0] for t in TOPICS)


@dataclass(frozen=True)
class Column:
    period: PeriodName
    measure: str
    header: str


def columns(summary: Summary, dimension: str, topic: str) -> list[Column]:
    """A table's figure columns: each measure of the topic, with the comparison periods beside the compared ones."""
    measures = next(t[2] for t in TOPICS if t[0] == topic)
    comparisons: tuple[PeriodName, ...] = ("last_year",) if dimension == "month" else summary.compared
    out = []
    for key in measures:
        label = BY_KEY[key].label
        out.append(Column("this", key, f"{label}, {period_label(summary, 'this')}"))
        if key in COMPARED:
            for p in comparisons:
                word = "same month a year earlier" if dimension == "month" else period_label(summary, p)
                out.append(Column(p, key, f"{label}, {word}"))
    return out


def period_label(summary: Summary, period: PeriodName) -> str:
    return summary.periods[period].label


def total_cells(summary: Summary) -> dict[tuple[PeriodName, str], Cell]:
    return {(p, m): cells[p] for m, cells in summary.overview.items() for p in cells}


def row_label_headers(dimension: str) -> list[str]:
    parent = {"area": "Force", "category": "Category group"}.get(dimension)
    return [DIMENSION_LABELS[dimension]] + ([parent] if parent else [])


def table_rows(summary: Summary, dimension: str, topic: str) -> list[list[str]]:
    """Header, one line per row, and the total line, as text."""
    cols = columns(summary, dimension, topic)
    headers = row_label_headers(dimension)
    lines = [headers + [c.header for c in cols]]
    for row in summary.tables[dimension]:
        labels = [row.label] + ([row.parent or ""] if len(headers) > 1 else [])
        lines.append(labels + [cell_text(row.cells[(c.period, c.measure)]) for c in cols])
    totals = total_cells(summary)
    lines.append(["All"] + [""] * (len(headers) - 1) + [cell_text(totals[(c.period, c.measure)]) for c in cols])
    return lines


def overview_rows(summary: Summary) -> list[list[str]]:
    shown: tuple[PeriodName, ...] = ("this", *summary.compared)
    lines = [["Figure", *(period_label(summary, p) for p in shown)]]
    for measure_key, cells in summary.overview.items():
        measure = BY_KEY[measure_key]
        label = measure.label + (f" ({measure.note})" if measure.note else "")
        lines.append([label, *(cell_text(cells[p]) for p in shown)])
    return lines


# -- Which periods are compared ----------------------------------------------------------------------------------


def comparison_text(summary: Summary) -> str:
    """Which periods the figures are compared with, with their dates; one when the period before is also the same
    period a year earlier (the last 12 months, a calendar year)."""
    this, before, earlier = (summary.periods[p] for p in ("this", "previous", "last_year"))
    if summary.compared == ("last_year",):
        return (
            f"The figures for {this.described} are compared with {earlier.described}, which is both the period "
            "before and the same period a year earlier."
        )
    return (
        f"The figures for {this.described} are compared with the period before, {before.described}, and with the "
        f"same period a year earlier, {earlier.described}."
    )


def overview_caption(summary: Summary) -> str:
    this = period_label(summary, "this")
    if summary.compared == ("last_year",):
        earlier = period_label(summary, "last_year")
        return f"Every figure for {this}, beside {earlier} (the period before, and a year earlier)"
    return f"Every figure for {this}, beside the period before and a year earlier"


def periods_rows(summary: Summary) -> list[list[str]]:
    """The periods of the figures as a table (for the CSV), one line per period shown."""
    roles: dict[PeriodName, str] = {"this": "the period of the figures"}
    if summary.compared == ("last_year",):
        roles["last_year"] = "the period before, which is also the same period a year earlier"
    else:
        roles |= {"previous": "the period before", "last_year": "the same period a year earlier"}
    lines = [["Period", "First day", "Last day", "Compared as"]]
    for name, role in roles.items():
        p = summary.periods[name]
        lines.append([p.label, p.start.isoformat(), p.end.isoformat(), role])
    return lines


def chart_rows(summary: Summary) -> dict[str, list[list[str]]]:
    """The charts' figures as tables (for the CSV and for readers who cannot see the charts)."""
    answer = [["Time to answer", "Reports"]] + [[b.label, cell_text(b.cell)] for b in summary.answer_bands]
    answer.append(["All answered", cell_text(summary.answer_total)])
    waits = [["Longest 101 wait", "Reports"]] + [[b.label, cell_text(b.cell)] for b in summary.wait_bands]
    waits.append(["All with a known wait", cell_text(summary.wait_total)])
    trend = [["Month", f"Answered within target, {period_label(summary, 'this')}", "Same month a year earlier"]]
    for row in summary.tables["month"]:
        trend.append(
            [
                row.label,
                cell_text(row.cells[("this", "answered_within_target")]),
                cell_text(row.cells[("last_year", "answered_within_target")]),
            ]
        )
    return {"answer_times": answer, "monthly_trend": trend, "waits_101": waits}


TABLE_TITLES = {"overview": "Overview", "answer_times": "Time to answer", "monthly_trend": "Monthly trend"}
TABLE_TITLES |= {"waits_101": "101 waits", **{t[0]: t[1] for t in TOPICS}}


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (area names come from imported files)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and value != NONE else value


def csv_text(sections: Iterable[tuple[str, list[list[str]]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    many = False
    for title, lines in sections:
        if many:
            writer.writerow([])
        writer.writerow([title])
        writer.writerows([[_safe(v) for v in line] for line in lines])
        many = True
    return out.getvalue()


def csv_for(summary: Summary, table: str, dimension: str) -> str:
    """One table ('overview', a topic, a chart's figures) or every table ('all') as CSV; each ends with the periods
    compared and their dates (a spreadsheet keeps no page around it to say so)."""
    where = where_words(summary)
    heading = f"{where[0].upper()}{where[1:]}, {period_label(summary, 'this')}"
    periods = ("Periods compared", periods_rows(summary))
    if table == "overview":
        return csv_text([(f"Overview: {heading}", overview_rows(summary)), periods])
    if table in TOPIC_KEYS:
        title = f"{TABLE_TITLES[table]} by {DIMENSION_LABELS[dimension].lower()}: {heading}"
        return csv_text([(title, table_rows(summary, dimension, table)), periods])
    charts = chart_rows(summary)
    if table in charts:
        return csv_text([(f"{TABLE_TITLES[table]}: {heading}", charts[table]), periods])
    sections = [(f"Overview: {heading}", overview_rows(summary))]
    for d in DIMENSION_LABELS:
        for topic, title, _ in TOPICS:
            sections.append((f"{title} by {DIMENSION_LABELS[d].lower()}: {heading}", table_rows(summary, d, topic)))
    sections += [(f"{TABLE_TITLES[k]}: {heading}", v) for k, v in charts.items()]
    return csv_text([*sections, periods])


# -- The headline ------------------------------------------------------------------------------------------------


def where_words(summary: Summary) -> str:
    s = summary.selection
    if s.area_name:
        return f"in {s.area_name}"
    if s.force:
        return f"to {s.force}"
    return "across all forces"


def subject_words(summary: Summary) -> str:
    s = summary.selection
    name = BY_CODE[s.category].label if s.category else s.category_group
    if not name:
        return "reports"
    if not name[1:2].isupper():
        name = name[0].lower() + name[1:]
    return f"{name} reports"


def _target_words(text: str | None) -> str:
    if not text:
        return "within target"
    amount, _, unit = text.partition(" ")
    if amount == "1":
        article = "an" if unit.startswith("hour") else "a"
        return f"within {article} {unit}"
    return f"within {text}"


def answer_target(db: sqlite_utils.Database, summary: Summary) -> str | None:
    """The answer target of every report in the selection when they all share one ('1 working day'), else None."""
    current = policy.current_policy(db)
    forces = [summary.selection.force] if summary.selection.force else summary.forces
    codes = (
        [summary.selection.category]
        if summary.selection.category
        else [c.code for c in CATEGORIES if summary.selection.category_group in (None, c.group)]
    )
    period = summary.periods["this"]
    moments = [datetime.fromtimestamp(s, UTC) for s in (period.start_s, period.end_s - 1)]
    texts = {current.target_text(f, c, "answered", at) for f in forces for c in codes for at in moments}
    return texts.pop() if len(texts) == 1 else None


def headline(summary: Summary, target: str | None) -> list[str]:
    """The headline sentences, in plain words, from shown figures only."""
    o = summary.overview
    when = summary.periods["this"].in_words
    when = when[0].upper() + when[1:]
    where, what = where_words(summary), subject_words(summary)
    share = o["answered_within_target"]
    sentences = []
    # The period before; when it is also the same period a year earlier, the one comparison says both.
    before: PeriodName = summary.compared[0]
    if share["this"].status == "shown":
        first = f"{when}, {share['this'].value}% of {what} {where} were answered {_target_words(target)}"
        prev, prev_words = share[before], summary.periods[before].in_words
        if prev.status == "shown" and prev.value is not None and share["this"].value is not None:
            if prev.value == share["this"].value:
                first += f", the same as {prev_words}"
            else:
                first += f", {'down' if prev.value > share['this'].value else 'up'} from {prev.value}% {prev_words}"
        elif prev.status in ("small", "hidden"):
            first += f" (too few reports {prev_words} to compare)"
        else:
            first += f" (no reports {prev_words} to compare)"
        sentences.append(first + ".")
        last = share["last_year"]
        if last.status == "shown" and before != "last_year":
            sentences.append(f"A year earlier, {summary.periods['last_year'].in_words}, it was {last.value}%.")
    else:
        received = o["received"]["this"]
        count = cell_text(received) if received.status != "none" else "no"
        sentences.append(
            f"{when}, Hedgerow received {count} {what} {where}: too few had an answer due to give a share "
            "answered within target."
            if received.status != "shown" or (received.value or 0) > 0
            else f"{when}, Hedgerow received no {what} {where}."
        )
    median, p90 = o["answer_median"]["this"], o["answer_p90"]["this"]
    if median.status == "shown" and p90.status == "shown":
        sentences.append(
            f"Half of those answered were answered within {cell_text(median)}, and nine in ten within {cell_text(p90)}."
        )
    unanswered = o["unanswered_now"]["this"]
    if unanswered.status == "shown" and unanswered.value:
        plural = "s" if unanswered.value != 1 else ""
        verb = "are" if unanswered.value != 1 else "is"
        sentences.append(f"{cell_text(unanswered)} report{plural} received in the period {verb} still unanswered.")
    elif unanswered.status == "shown" and o["received"]["this"].value:
        sentences.append("Every report received in the period has been answered.")
    calls = []
    if (wait := o["wait_101_median"]["this"]).status == "shown":
        calls.append(f"waited a median of {cell_text(wait)} for an answer")
    if (over := o["wait_101_over_15"]["this"]).status == "shown":
        calls.append(f"{over.value}% of calls waited over 15 minutes")
    if (gone := o["abandoned_101"]["this"]).status == "shown":
        calls.append(f"{gone.value}% were abandoned")
    if calls:
        sentences.append(
            "Farmers who rang 101 " + ", ".join(calls[:-1]) + (" and " if len(calls) > 1 else "") + calls[-1] + "."
        )
    return sentences


# -- Targets and method ------------------------------------------------------------------------------------------


def _target_text(target: str) -> str:
    return "does not run" if target == policy.NONE else target


def targets_used(db: sqlite_utils.Database, summary: Summary) -> list[dict[str, Any]]:
    """The targets in force at the end of the period: one line per clock (and per force where a force has its
    own), the urgent categories' targets named."""
    period = summary.periods["this"]
    at = datetime.fromtimestamp(period.end_s, UTC) - timedelta(seconds=1)
    labels = {c.code: c.label for c in CATEGORIES}
    forces: list[str | None] = [summary.selection.force] if summary.selection.force else [None, *summary.forces]
    default_lines: list[str] | None = None
    out = []
    for force in forces:
        by_clock: dict[str, dict[str, list[str]]] = {}
        for item in policy.resolved_table(db, force, at):
            by_clock.setdefault(item["clock"], {}).setdefault(item["target"], []).append(labels[item["category"]])
        lines = []
        for spec in policy.clock_specs():
            texts = sorted(by_clock.get(spec.name, {}).items(), key=lambda kv: -len(kv[1]))
            main = texts[0][0] if texts else policy.NONE
            others = "; ".join(f"{_target_text(t)} for {', '.join(cats)}" for t, cats in texts[1:])
            lines.append(f"{spec.label}: {_target_text(main)}" + (f" ({others})" if others else ""))
        if force is None:
            default_lines = lines
            out.append({"force": None, "title": "Hedgerow's default targets", "lines": lines})
        elif lines != default_lines:
            out.append({"force": force, "title": f"{force}", "lines": lines})
    if not summary.selection.force and len(out) == 1:
        out[0]["title"] = "Targets (every force uses the defaults)"
    return out


METHOD = (
    "Each report runs the response clocks of Hedgerow's policy from the moment it was received: answered by the "
    "rural crime team, a police reference, a decision, updates to the farmer, and attendance for incidents "
    "reported as happening. A clock stops at the first action that satisfies it; its target is the one in force "
    "when the report was received. Working days exclude weekends and the bank holidays of the report's nation.",
    "A report counts in the period it was received in, by UK date. Shares are of the reports whose clock has been "
    "decided: answered (or given a reference, or attended), on time or late, or run out without it. Reports whose "
    "target has not yet passed are left out of a share until it does.",
    "Times run from receipt (or from a reopening) to the action, in elapsed time, measured to the minute. The "
    "median is the middle time and the 90th percentile the time within which nine in ten were done, both by the "
    "nearest-rank method, over the reports that had the action.",
    "101 figures come from the calls the farmer logged with the report: the median wait and the share waiting "
    "over 15 minutes are per call with a known wait; the share abandoned is of all 101 calls logged.",
    "Victims' Code breaches count reports with no decision within 5 working days, and reports left more than 30 "
    "days without an update while open. Chases are the farmer's own reminders through the app.",
    "Small numbers: a figure built on fewer than 5 reports is shown as 'fewer than 5' and nothing is worked out "
    "from it. Where a total would let such a figure be worked out by subtraction, another figure is hidden too "
    "('hidden'). Counts of 0 are shown. No report, name, place or photo is ever shown here, only areas.",
    "Figures for a period that has not ended, and for reports whose clocks are still running, will change.",
)


# -- JSON ----------------------------------------------------------------------------------------------------------


def cell_json(cell: Cell) -> dict[str, Any]:
    return {"status": cell.status, "value": cell.value, "text": cell_text(cell)}


def summary_json(
    summary: Summary, sentences: list[str], targets: list[dict[str, Any]], dimensions: Iterable[str]
) -> dict[str, Any]:
    """A summary as the API gives it: every figure with its status, value and words."""

    def period(name: PeriodName) -> dict[str, Any]:
        p = summary.periods[name]
        return {"key": p.key, "label": p.label, "first_day": p.start, "last_day": p.end}

    s = summary.selection
    return {
        "selection": {
            "force": s.force,
            "area_id": s.area_id,
            "area": s.area_name,
            "category_group": s.category_group,
            "category": s.category,
        },
        "period": period("this"),
        "previous_period": period("previous"),
        "same_period_last_year": period("last_year"),
        "generated_at": summary.now,
        "headline": sentences,
        "measures": [{"key": m.key, "label": m.label, "kind": m.kind, "note": m.note} for m in BY_KEY.values()],
        "overview": {m: {p: cell_json(c) for p, c in cells.items()} for m, cells in summary.overview.items()},
        "tables": {
            d: [
                {
                    "key": str(row.key),
                    "label": row.label,
                    "parent": row.parent,
                    "figures": [{"period": p, "measure": m, **cell_json(c)} for (p, m), c in row.cells.items()],
                }
                for row in summary.tables[d]
            ]
            for d in dimensions
        },
        "answer_times": {
            "bands": [{"label": b.label, **cell_json(b.cell)} for b in summary.answer_bands],
            "total": cell_json(summary.answer_total),
        },
        "waits_101": {
            "bands": [{"label": b.label, **cell_json(b.cell)} for b in summary.wait_bands],
            "total": cell_json(summary.wait_total),
        },
        "targets": targets,
        "method": list(METHOD),
        "small_counts": {"threshold": 5, "small": SMALL, "hidden": HIDDEN},
    }
