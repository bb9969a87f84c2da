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
from babel.dates import format_date

from backend.i18n import N_, _, ngettext, speaking_now, wire_label
from backend.services.clocks import policy
from backend.services.clocks.clock_words import clock_label, target_words
from backend.services.summaries.figures import (
    BY_KEY,
    COMPARED,
    DIMENSION_LABELS,
    Cell,
    PeriodName,
    Row,
    Summary,
)
from core.i18n import DEFAULT_LANGUAGE
from wire.categories import BY_CODE, CATEGORIES

# Every word below is said in the language being spoken (backend/i18n.py): English unless a console page or the
# PDF asked for another.
SMALL = N_("fewer than 5")
HIDDEN = N_("hidden")
NONE = "–"


def duration_text(seconds: int) -> str:
    """'under 1 min', '45 min', '3 h 20 min', '2 days 4 h'."""
    minutes = seconds // 60
    if minutes < 1:
        return _("under 1 min")
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)d h") % {"hours": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(days)d days %(hours)d h") % {"days": days, "hours": hours}
    return _("%(days)d days") % {"days": days}


def cell_text(cell: Cell) -> str:
    if cell.status == "small":
        return _(SMALL)
    if cell.status == "hidden":
        return _(HIDDEN)
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
        N_("Answering"),
        ("received", "answered_within_target", "answer_median", "answer_p90", "unanswered_now", "reports_chased"),
    ),
    (
        "follow_up",
        N_("References, visits and the Victims' Code"),
        (
            "reference_given",
            "reference_median",
            "attended",
            "attendance_median",
            "decision_breaches",
            "update_breaches",
        ),
    ),
    ("calls", N_("101 calls"), ("reports_101", "wait_101_median", "wait_101_over_15", "abandoned_101", "chases")),
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
        label = _(BY_KEY[key].label)
        out.append(Column("this", key, f"{label}, {period_label(summary, 'this')}"))
        if key in COMPARED:
            for p in comparisons:
                word = _("same month a year earlier") if dimension == "month" else period_label(summary, p)
                out.append(Column(p, key, f"{label}, {word}"))
    return out


def period_label(summary: Summary, period: PeriodName) -> str:
    return summary.periods[period].label


def total_cells(summary: Summary) -> dict[tuple[PeriodName, str], Cell]:
    return {(p, m): cells[p] for m, cells in summary.overview.items() for p in cells}


def row_label_headers(dimension: str) -> list[str]:
    parent = {"area": DIMENSION_LABELS["force"], "category": DIMENSION_LABELS["category_group"]}.get(dimension)
    return [_(DIMENSION_LABELS[dimension])] + ([_(parent)] if parent else [])


def dimension_words(dimension: str) -> str:
    """'area', 'category group': a breakdown as it reads inside a title."""
    return _(DIMENSION_LABELS[dimension]).lower()


def topic_title(topic: str, dimension: str) -> str:
    """'Answering by area': a topic's table broken down by one dimension."""
    title = _(next(t[1] for t in TOPICS if t[0] == topic))
    return _("%(topic)s by %(dimension)s") % {"topic": title, "dimension": dimension_words(dimension)}


def month_label(month: int) -> str:
    """'Aug 2026' for yyyymm 202608, in the language being spoken."""
    year, number = divmod(month, 100)
    language = speaking_now()
    if language == DEFAULT_LANGUAGE:
        return datetime(year, number, 1).strftime("%b %Y")
    return format_date(datetime(year, number, 1), "LLL y", locale=language)


def row_label(row: Row) -> str:
    """A table row's name: an area's or force's as stored, a category's or group's, a month's, in words."""
    if row.dimension == "month":
        return month_label(int(row.key))  # type: ignore[call-overload]
    return wire_label(row.label) if row.dimension in ("category", "category_group") else row.label


def _parent_label(row: Row) -> str:
    return wire_label(row.parent or "") if row.dimension == "category" else row.parent or ""


def table_rows(summary: Summary, dimension: str, topic: str) -> list[list[str]]:
    """Header, one line per row, and the total line, as text."""
    cols = columns(summary, dimension, topic)
    headers = row_label_headers(dimension)
    lines = [headers + [c.header for c in cols]]
    for row in summary.tables[dimension]:
        labels = [row_label(row)] + ([_parent_label(row)] if len(headers) > 1 else [])
        lines.append(labels + [cell_text(row.cells[(c.period, c.measure)]) for c in cols])
    totals = total_cells(summary)
    lines.append([_("All")] + [""] * (len(headers) - 1) + [cell_text(totals[(c.period, c.measure)]) for c in cols])
    return lines


def overview_rows(summary: Summary) -> list[list[str]]:
    shown: tuple[PeriodName, ...] = ("this", *summary.compared)
    lines = [[_("Figure"), *(period_label(summary, p) for p in shown)]]
    for measure_key, cells in summary.overview.items():
        measure = BY_KEY[measure_key]
        label = _(measure.label) + (f" ({_(measure.note)})" if measure.note else "")
        lines.append([label, *(cell_text(cells[p]) for p in shown)])
    return lines


# -- Which periods are compared ----------------------------------------------------------------------------------


def comparison_text(summary: Summary) -> str:
    """Which periods the figures are compared with, with their dates; one when the period before is also the same
    period a year earlier (the last 12 months, a calendar year)."""
    this, before, earlier = (summary.periods[p] for p in ("this", "previous", "last_year"))
    if summary.compared == ("last_year",):
        return _(
            "The figures for %(this)s are compared with %(earlier)s, which is both the period before and the same "
            "period a year earlier."
        ) % {"this": this.described, "earlier": earlier.described}
    return _(
        "The figures for %(this)s are compared with the period before, %(before)s, and with the same period a year "
        "earlier, %(earlier)s."
    ) % {"this": this.described, "before": before.described, "earlier": earlier.described}


def overview_caption(summary: Summary) -> str:
    this = period_label(summary, "this")
    if summary.compared == ("last_year",):
        earlier = period_label(summary, "last_year")
        return _("Every figure for %(this)s, beside %(earlier)s (the period before, and a year earlier)") % {
            "this": this,
            "earlier": earlier,
        }
    return _("Every figure for %(this)s, beside the period before and a year earlier") % {"this": this}


def periods_rows(summary: Summary) -> list[list[str]]:
    """The periods of the figures as a table (for the CSV), one line per period shown."""
    roles: dict[PeriodName, str] = {"this": _("the period of the figures")}
    if summary.compared == ("last_year",):
        roles["last_year"] = _("the period before, which is also the same period a year earlier")
    else:
        roles |= {"previous": _("the period before"), "last_year": _("the same period a year earlier")}
    lines = [[_("Period"), _("First day"), _("Last day"), _("Compared as")]]
    for name, role in roles.items():
        p = summary.periods[name]
        lines.append([p.label, p.start.isoformat(), p.end.isoformat(), role])
    return lines


def chart_rows(summary: Summary) -> dict[str, list[list[str]]]:
    """The charts' figures as tables (for the CSV and for readers who cannot see the charts)."""
    reports = _("Reports")
    answer = [[_("Time to answer"), reports]] + [[_(b.label), cell_text(b.cell)] for b in summary.answer_bands]
    answer.append([_("All answered"), cell_text(summary.answer_total)])
    waits = [[_("Longest 101 wait"), reports]] + [[_(b.label), cell_text(b.cell)] for b in summary.wait_bands]
    waits.append([_("All with a known wait"), cell_text(summary.wait_total)])
    within = _("Answered within target, %(period)s") % {"period": period_label(summary, "this")}
    trend = [[_("Month"), within, _("Same month a year earlier")]]
    for row in summary.tables["month"]:
        trend.append(
            [
                row_label(row),
                cell_text(row.cells[("this", "answered_within_target")]),
                cell_text(row.cells[("last_year", "answered_within_target")]),
            ]
        )
    return {"answer_times": answer, "monthly_trend": trend, "waits_101": waits}


TABLE_TITLES = {"overview": N_("Overview"), "answer_times": N_("Time to answer"), "monthly_trend": N_("Monthly trend")}
TABLE_TITLES |= {"waits_101": N_("101 waits"), **{t[0]: t[1] for t in TOPICS}}


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
    periods = (_("Periods compared"), periods_rows(summary))

    def titled(title: str) -> str:
        return f"{title}: {heading}"

    if table == "overview":
        return csv_text([(titled(_(TABLE_TITLES["overview"])), overview_rows(summary)), periods])
    if table in TOPIC_KEYS:
        return csv_text([(titled(topic_title(table, dimension)), table_rows(summary, dimension, table)), periods])
    charts = chart_rows(summary)
    if table in charts:
        return csv_text([(titled(_(TABLE_TITLES[table])), charts[table]), periods])
    sections = [(titled(_(TABLE_TITLES["overview"])), overview_rows(summary))]
    for d in DIMENSION_LABELS:
        sections += [(titled(topic_title(topic, d)), table_rows(summary, d, topic)) for topic in TOPIC_KEYS]
    sections += [(titled(_(TABLE_TITLES[k])), v) for k, v in charts.items()]
    return csv_text([*sections, periods])


# -- The headline ------------------------------------------------------------------------------------------------


def where_words(summary: Summary) -> str:
    s = summary.selection
    if s.area_name:
        return _("in %(area)s") % {"area": s.area_name}
    if s.force:
        return _("to %(force)s") % {"force": s.force}
    return _("across all forces")


def subject_words(summary: Summary) -> str:
    s = summary.selection
    name = wire_label(BY_CODE[s.category].label if s.category else s.category_group or "")
    if not name:
        return _("reports")
    if not name[1:2].isupper():
        name = name[0].lower() + name[1:]
    return _("%(category)s reports") % {"category": name}


def _target_words(text: str | None) -> str:
    if not text:
        return _("within target")
    one = {
        "1 minute": _("within a minute"),
        "1 hour": _("within an hour"),
        "1 day": _("within a day"),
        "1 working day": _("within a working day"),
    }
    return one.get(text) or _("within %(target)s") % {"target": target_words(text)}


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
        sentences.append(_share_sentence(summary, share, before, when, what, where, target))
        last = share["last_year"]
        if last.status == "shown" and before != "last_year":
            sentences.append(
                _("A year earlier, %(when)s, it was %(share)d%%.")
                % {"when": summary.periods["last_year"].in_words, "share": last.value}
            )
    else:
        received = o["received"]["this"]
        values = {"when": when, "what": what, "where": where}
        if received.status != "shown" or (received.value or 0) > 0:
            count = cell_text(received) if received.status != "none" else _("no")
            sentences.append(
                _(
                    "%(when)s, Hedgerow received %(count)s %(what)s %(where)s: too few had an answer due to give a "
                    "share answered within target."
                )
                % {**values, "count": count}
            )
        else:
            sentences.append(_("%(when)s, Hedgerow received no %(what)s %(where)s.") % values)
    median, p90 = o["answer_median"]["this"], o["answer_p90"]["this"]
    if median.status == "shown" and p90.status == "shown":
        sentences.append(
            _("Half of those answered were answered within %(median)s, and nine in ten within %(p90)s.")
            % {"median": cell_text(median), "p90": cell_text(p90)}
        )
    unanswered = o["unanswered_now"]["this"]
    if unanswered.status == "shown" and unanswered.value:
        sentences.append(
            ngettext(
                "%(count)s report received in the period is still unanswered.",
                "%(count)s reports received in the period are still unanswered.",
                unanswered.value,
            )
            % {"count": cell_text(unanswered)}
        )
    elif unanswered.status == "shown" and o["received"]["this"].value:
        sentences.append(_("Every report received in the period has been answered."))
    calls = _call_words(summary)
    if calls:
        listed = (
            calls[0]
            if len(calls) == 1
            else _("%(items)s and %(last)s")
            % {
                "items": ", ".join(calls[:-1]),
                "last": calls[-1],
            }
        )
        sentences.append(_("Farmers who rang 101 %(calls)s.") % {"calls": listed})
    return sentences


def _share_sentence(
    summary: Summary,
    share: dict[PeriodName, Cell],
    before: PeriodName,
    when: str,
    what: str,
    where: str,
    target: str | None,
) -> str:
    """'In Q3 2026, 80% of reports to Kent Police were answered within a working day, up from 70% in Q2 2026.'"""
    first = _("%(when)s, %(share)d%% of %(what)s %(where)s were answered %(within)s") % {
        "when": when,
        "share": share["this"].value,
        "what": what,
        "where": where,
        "within": _target_words(target),
    }
    prev, prev_words = share[before], summary.periods[before].in_words
    values = {"sentence": first, "before": prev_words, "share": prev.value}
    if prev.status == "shown" and prev.value is not None and share["this"].value is not None:
        if prev.value == share["this"].value:
            return _("%(sentence)s, the same as %(before)s.") % values
        if prev.value > share["this"].value:
            return _("%(sentence)s, down from %(share)d%% %(before)s.") % values
        return _("%(sentence)s, up from %(share)d%% %(before)s.") % values
    if prev.status in ("small", "hidden"):
        return _("%(sentence)s (too few reports %(before)s to compare).") % values
    return _("%(sentence)s (no reports %(before)s to compare).") % values


def _call_words(summary: Summary) -> list[str]:
    o = summary.overview
    calls = []
    if (wait := o["wait_101_median"]["this"]).status == "shown":
        calls.append(_("waited a median of %(time)s for an answer") % {"time": cell_text(wait)})
    if (over := o["wait_101_over_15"]["this"]).status == "shown":
        calls.append(_("%(share)d%% of calls waited over 15 minutes") % {"share": over.value})
    if (gone := o["abandoned_101"]["this"]).status == "shown":
        calls.append(_("%(share)d%% were abandoned") % {"share": gone.value})
    return calls


# -- Targets and method ------------------------------------------------------------------------------------------


def _target_text(target: str) -> str:
    return _("does not run") if target == policy.NONE else target_words(target)


def targets_used(db: sqlite_utils.Database, summary: Summary) -> list[dict[str, Any]]:
    """The targets in force at the end of the period: one line per clock (and per force where a force has its
    own), the urgent categories' targets named."""
    period = summary.periods["this"]
    at = datetime.fromtimestamp(period.end_s, UTC) - timedelta(seconds=1)
    labels = {c.code: wire_label(c.label) for c in CATEGORIES}
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
            others = "; ".join(
                _("%(target)s for %(categories)s") % {"target": _target_text(t), "categories": ", ".join(cats)}
                for t, cats in texts[1:]
            )
            lines.append(f"{clock_label(spec.label)}: {_target_text(main)}" + (f" ({others})" if others else ""))
        if force is None:
            default_lines = lines
            out.append({"force": None, "title": _("Hedgerow's default targets"), "lines": lines})
        elif lines != default_lines:
            out.append({"force": force, "title": f"{force}", "lines": lines})
    if not summary.selection.force and len(out) == 1:
        out[0]["title"] = _("Targets (every force uses the defaults)")
    return out


# The note on method, paragraph by paragraph (translated where it is shown).
METHOD = (
    N_(
        "Each report runs the response clocks of Hedgerow's policy from the moment it was received: answered by the "
        "rural crime team, a police reference, a decision, updates to the farmer, and attendance for incidents "
        "reported as happening. A clock stops at the first action that satisfies it; its target is the one in force "
        "when the report was received. Working days exclude weekends and the bank holidays of the report's nation."
    ),
    N_(
        "A report counts in the period it was received in, by UK date. Shares are of the reports whose clock has been "
        "decided: answered (or given a reference, or attended), on time or late, or run out without it. Reports whose "
        "target has not yet passed are left out of a share until it does."
    ),
    N_(
        "Times run from receipt (or from a reopening) to the action, in elapsed time, measured to the minute. The "
        "median is the middle time and the 90th percentile the time within which nine in ten were done, both by the "
        "nearest-rank method, over the reports that had the action."
    ),
    N_(
        "101 figures come from the calls the farmer logged with the report: the median wait and the share waiting "
        "over 15 minutes are per call with a known wait; the share abandoned is of all 101 calls logged."
    ),
    N_(
        "Victims' Code breaches count reports with no decision within 5 working days, and reports left more than 30 "
        "days without an update while open. Chases are the farmer's own reminders through the app."
    ),
    N_(
        "Small numbers: a figure built on fewer than 5 reports is shown as 'fewer than 5' and nothing is worked out "
        "from it. Where a total would let such a figure be worked out by subtraction, another figure is hidden too "
        "('hidden'). Counts of 0 are shown. No report, name, place or photo is ever shown here, only areas."
    ),
    N_("Figures for a period that has not ended, and for reports whose clocks are still running, will change."),
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
        "method": [_(paragraph) for paragraph in METHOD],
        "small_counts": {"threshold": 5, "small": _(SMALL), "hidden": _(HIDDEN)},
    }
