"""The summary page for NFU representatives (and police staff, for their own force): filters, a headline in plain
words, charts drawn as SVG on the server, tables, and downloads as CSV and as a printable PDF.

Every figure comes from backend/services/summaries/figures.py, already protected against small counts; no report, name,
point or photo is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend.console.render import page, security_headers
from backend.console.session import ConsoleSession, SessionDep
from backend.deps import DbDep, NowDep
from backend.i18n import WELSH_FORCES, _, speaking, speaking_now, wire_label
from backend.services.errors import Invalid
from backend.services.summaries import charts, roundtable_pdf, summary_text
from backend.services.summaries.alert_figures import alert_lines, alert_rows
from backend.services.summaries.figures import (
    DIMENSION_LABELS,
    DIMENSIONS,
    GROUPS,
    Summary,
    areas_in_scope,
    scope_of,
    summary_for,
)
from backend.services.summaries.summary_periods import CUSTOM, Period, parse_period, period_choices
from core.i18n import LANGUAGES, Language
from core.uktime import LONDON
from wire.categories import CATEGORIES

router = APIRouter(prefix="/console")

FILTERS = ("period", "from", "to", "force", "area", "category_group", "category", "by")
TABLES = ("all", "overview", *summary_text.TOPIC_KEYS, "answer_times", "monthly_trend", "waits_101")
Param = Annotated[str, Query(max_length=100)]


@dataclass(frozen=True)
class Chosen:
    """What the page was asked for, from its query string."""

    params: dict[str, str]
    period: Period
    by: str

    @property
    def query(self) -> str:
        return urlencode(self.params)


def _chosen(request: Request, today: date) -> Chosen:
    params = {k: request.query_params.get(k, "").strip()[:100] for k in FILTERS if request.query_params.get(k)}
    if params.get("period") != CUSTOM:
        params.pop("from", None)
        params.pop("to", None)
    by = params.get("by", "area")
    if by not in DIMENSIONS:
        raise Invalid(_("by must be one of %(choices)s") % {"choices": ", ".join(DIMENSIONS)})
    period = parse_period(params.get("period", ""), today, params.get("from", ""), params.get("to", ""))
    return Chosen(params, period, by)


def _summary(session: ConsoleSession, db: DbDep, now: NowDep, chosen: Chosen) -> Summary:
    area = chosen.params.get("area", "")
    if area and not area.isdigit():
        raise Invalid(_("area must be an area's number"))
    return summary_for(
        db,
        session.user.role,
        session.user.force,
        chosen.period,
        now,
        chosen.params.get("force") or None,
        int(area) if area else None,
        chosen.params.get("category_group") or None,
        chosen.params.get("category") or None,
    )


@router.get("/summaries", response_class=HTMLResponse)
def summaries_page(request: Request, session: SessionDep, db: DbDep, now: NowDep) -> Response:
    today = now.astimezone(LONDON).date()
    chosen = _chosen(request, today)
    summary = _summary(session, db, now, chosen)
    scope = scope_of(session.user.role, session.user.force)
    areas = areas_in_scope(db, scope)
    shown_areas = [a for a in areas if summary.selection.force in (None, a.force)]
    tables = [
        {
            "key": key,
            "title": summary_text.topic_title(key, chosen.by),
            "lines": summary_text.table_rows(summary, chosen.by, key),
            "labels": len(summary_text.row_label_headers(chosen.by)),
        }
        for key in summary_text.TOPIC_KEYS
    ]
    return page(
        request,
        "console/summaries.html",
        {
            "session": session,
            "summary": summary,
            "chosen": chosen,
            "headline": summary_text.headline(summary, summary_text.answer_target(db, summary)),
            "overview": summary_text.overview_rows(summary),
            "overview_caption": summary_text.overview_caption(summary),
            "comparison": summary_text.comparison_text(summary),
            "charts": charts.summary_charts(summary),
            "chart_tables": summary_text.chart_rows(summary),
            "tables": tables,
            "targets": summary_text.targets_used(db, summary),
            "method": [_(paragraph) for paragraph in summary_text.METHOD],
            "periods": period_choices(today),
            "forces": summary.forces if scope is None else [],
            "areas": shown_areas,
            "several_forces": len({a.force for a in shown_areas}) > 1,
            "categories": [c for c in CATEGORIES if summary.selection.category_group in (None, c.group)],
            "dimensions": {key: _(label) for key, label in DIMENSION_LABELS.items()},
            "groups": [(g, wire_label(g)) for g in GROUPS],
            # The roundtable report is in two languages already (a Welsh force's): no second link needed.
            "bilingual": len(pdf_languages(summary, "")) > 1,
            "where": summary_text.where_words(summary),
            "small": _(summary_text.SMALL),
            "hidden": _(summary_text.HIDDEN),
            "alert_lines": alert_lines(alert_rows(db, scope, summary.selection.force, chosen.period)),
        },
    )


def _download(request: Request, body: bytes, media_type: str, filename: str) -> Response:
    headers = {
        **security_headers(request.app.state.settings),
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return Response(body, media_type=media_type, headers=headers)


@router.get("/summaries.csv")
def summaries_csv(request: Request, session: SessionDep, db: DbDep, now: NowDep, table: Param = "all") -> Response:
    """One table of the page (or every table) as CSV, with the same figures and the same words for hidden ones."""
    if table not in TABLES:
        raise Invalid(_("table must be one of %(choices)s") % {"choices": ", ".join(TABLES)})
    chosen = _chosen(request, now.astimezone(LONDON).date())
    summary = _summary(session, db, now, chosen)
    name = roundtable_pdf.generated_name(summary).removesuffix(".pdf").replace("-roundtable-", f"-{table}-")
    if table in summary_text.TOPIC_KEYS:
        name += f"-by-{chosen.by}"
    text = summary_text.csv_for(summary, table, chosen.by)
    return _download(request, text.encode("utf-8-sig"), "text/csv; charset=utf-8", name.replace("_", "-") + ".csv")


def pdf_languages(summary: Summary, asked: str) -> tuple[Language, ...]:
    """The editions of the roundtable report, in order: as asked (`languages=cy,en`), else Welsh then English for
    the four Welsh forces (bound by the Welsh Language Standards), else the reader's console language."""
    if asked:
        chosen = tuple(dict.fromkeys(part.strip() for part in asked.split(",")))
        if not chosen or any(lang not in LANGUAGES for lang in chosen):
            raise Invalid(_("languages must be cy, en or both (cy,en)"))
        return chosen  # type: ignore[return-value]
    if summary.selection.force in WELSH_FORCES:
        return ("cy", "en")
    return (speaking_now(),)


@router.get("/summaries.pdf")
def summaries_pdf(request: Request, session: SessionDep, db: DbDep, now: NowDep, languages: Param = "") -> Response:
    """The printable roundtable report for the chosen area and period; a Welsh force's in Welsh and in English."""
    chosen = _chosen(request, now.astimezone(LONDON).date())
    summary = _summary(session, db, now, chosen)
    target = summary_text.answer_target(db, summary)
    editions = []
    for language in pdf_languages(summary, languages):
        with speaking(language):
            text = roundtable_pdf.ReportText(
                summary_text.headline(summary, target), summary_text.targets_used(db, summary)
            )
            editions.append(roundtable_pdf.Edition(language, text, charts.summary_charts(summary)))
    body = roundtable_pdf.editions_pdf(summary, editions, chosen.by)
    return _download(request, body, "application/pdf", roundtable_pdf.generated_name(summary))
