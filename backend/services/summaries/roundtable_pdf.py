"""The printable "roundtable report": a summary as a PDF, drawn with fpdf2.

The headline, the overview against the period before and a year earlier (one period when they coincide), the
charts (the page's own SVG, embedded as vectors), the tables for the chosen breakdown, the targets used and a note
on method. Only the summary's published figures go in, already protected against small counts. A report can hold
editions in several languages one after the other (a Welsh force's NFU roundtable report: Welsh, then English).

Text needs a Unicode TrueType font: the first of FONT_FILES found is used. Without one (a bare machine), the
PDF falls back to the built-in Helvetica, which covers Latin-1 only, and letters beyond it are folded
("ŵ" to "w", "–" to "-").
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from backend.i18n import _, speaking, speaking_now
from backend.services.summaries.charts import Chart
from backend.services.summaries.figures import Summary
from backend.services.summaries.summary_text import (
    METHOD,
    TOPIC_KEYS,
    comparison_text,
    overview_rows,
    subject_words,
    table_rows,
    topic_title,
    where_words,
)
from core.i18n import DEFAULT_LANGUAGE, local_datetime
from core.uktime import LONDON

FAMILY = "Hedgerow Sans"  # the charts' first font-family, so their text uses the same font
FONT_FILES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ),
)
_DESC = re.compile(r"<(desc|title)\b[^>]*>.*?</\1>", re.DOTALL)
_FOLD = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-"}


@dataclass(frozen=True)
class ReportText:
    """What the PDF says beyond the tables, worked out by the caller (it needs the database)."""

    headline: list[str]
    targets: list[dict[str, Any]]


class _Report(FPDF):
    def __init__(self, footer_text: str, unicode_font: tuple[Path, Path] | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.unicode = unicode_font is not None
        if unicode_font:
            regular, bold = unicode_font
            self.add_font(FAMILY, "", str(regular))
            self.add_font(FAMILY, "B", str(bold if bold.exists() else regular))
            self.family = FAMILY
        else:
            self.family = "helvetica"
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()

    def clean(self, text: str) -> str:
        """Text the font can draw."""
        if self.unicode:
            return text
        text = "".join(_FOLD.get(ch, ch) for ch in text)
        folded = unicodedata.normalize("NFKD", text)
        kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
        return unicodedata.normalize("NFC", kept).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7)
        page = _("page %(page)d of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, self.clean(f"{self.footer_text} · {page}"), align="C")

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(0, size * 0.48, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def grid(self, lines: list[list[str]], widths: Sequence[float] | None = None, size: float = 7.5) -> None:
        self.set_font(self.family, "", size)
        with self.table(
            width=self.epw,
            col_widths=widths,
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD"),
            text_align="LEFT",
            padding=0.8,
        ) as table:
            for line in lines:
                row = table.row()
                for value in line:
                    row.cell(self.clean(value))
        self.ln(3)


@dataclass(frozen=True)
class Edition:
    """The report in one language: its words and charts worked out while that language was spoken."""

    language: str
    text: ReportText
    charts: list[Chart]


def roundtable_pdf(
    summary: Summary,
    text: ReportText,
    charts: list[Chart],
    dimension: str,
    fonts: Sequence[tuple[Path, Path]] = FONT_FILES,
) -> bytes:
    """The roundtable report for a summary, broken down by `dimension`, as PDF bytes (in the first of `fonts`
    found, else in Helvetica), in the language being spoken."""
    return editions_pdf(summary, [Edition(speaking_now(), text, charts)], dimension, fonts)


def editions_pdf(
    summary: Summary,
    editions: Sequence[Edition],
    dimension: str,
    fonts: Sequence[tuple[Path, Path]] = FONT_FILES,
) -> bytes:
    """The report once per edition, one after the other in one PDF (a Welsh force's: Welsh, then English), each
    edition starting on a new page and numbered with the rest."""
    pdf = _Report("", next((pair for pair in fonts if pair[0].exists()), None))
    pdf.set_author("Hedgerow")
    for n, edition in enumerate(editions):
        with speaking(edition.language):
            _edition(pdf, summary, edition, dimension, first=n == 0)
    return bytes(pdf.output())


def _made(moment: datetime) -> str:
    """'15 October 2026 at 10:30' in the language being spoken, UK time."""
    language = speaking_now()
    if language == DEFAULT_LANGUAGE:
        return f"{moment.astimezone(LONDON):%d %B %Y at %H:%M}"
    return _("%(date)s at %(time)s") % {
        "date": local_datetime(moment, language, "d MMMM y"),
        "time": local_datetime(moment, language, "HH:mm"),
    }


def _edition(pdf: _Report, summary: Summary, edition: Edition, dimension: str, first: bool) -> None:
    where = where_words(summary)
    scope = f"{subject_words(summary)} {where}"
    scope = scope[0].upper() + scope[1:]
    period = summary.periods["this"].label
    # The footer of a page is drawn as the next one starts: change the words only once this edition's page exists.
    pdf.add_page(orientation="portrait")
    pdf.footer_text = _(
        "Hedgerow roundtable report: %(where)s, %(period)s. Aggregate figures; fewer than 5 reports are never shown"
    ) % {"where": where, "period": period}
    title = _("Rural crime response times, %(period)s") % {"period": period}
    if first:
        pdf.set_title(pdf.clean(f"{title}: {scope}"))
        pdf.set_lang(edition.language)
    pdf.heading(title, 16)
    pdf.heading(scope, 12)
    made = _("Hedgerow roundtable report, made %(when)s UK time.") % {"when": _made(summary.now)}
    pdf.paragraph(f"{made} {comparison_text(summary)}", 9)
    pdf.heading(_("In short"), 12)
    for sentence in edition.text.headline:
        pdf.paragraph(sentence, 11)
    pdf.heading(_("Overview"), 12)
    overview = overview_rows(summary)
    # The label column, then the 90 mm left shared by this period and the one or two it is compared with.
    pdf.grid(overview, (90, *[90 / (len(overview[0]) - 1)] * (len(overview[0]) - 1)), 8)
    for chart in edition.charts:
        if pdf.get_y() > 297 - 16 - 85:
            pdf.add_page()
        # The title and description are for screen readers on the page; fpdf2 does not draw them (and logs so).
        svg = _DESC.sub("", chart.svg if pdf.unicode else pdf.clean(chart.svg))
        pdf.image(io.BytesIO(svg.encode()), x=15, w=180, title=pdf.clean(chart.title), alt_text=pdf.clean(chart.title))
        pdf.ln(4)
    for topic in TOPIC_KEYS:
        pdf.add_page(orientation="landscape")
        pdf.heading(f"{topic_title(topic, dimension)}, {period}", 12)
        lines = table_rows(summary, dimension, topic)
        labels = 2 if dimension in ("area", "category") else 1
        figures = len(lines[0]) - labels
        label_w = 42 if labels == 2 else 52
        widths = [label_w] * labels + [(267 - label_w * labels) / figures] * figures
        pdf.grid(lines, widths, 7)
    pdf.add_page(orientation="portrait")
    pdf.heading(_("Targets used"), 12)
    pdf.paragraph(
        _(
            "Each report is measured against the targets in force when it was received; these are the ones in force "
            "at the end of the period."
        ),
        9,
    )
    for block in edition.text.targets:
        pdf.heading(block["title"], 10)
        for line in block["lines"]:
            pdf.paragraph(f"• {line}", 9)
    pdf.heading(_("How the figures are worked out"), 12)
    for paragraph in METHOD:
        pdf.paragraph(_(paragraph), 9)


def generated_name(summary: Summary) -> str:
    """A file name for the download: hedgerow-roundtable-kent-police-2026-Q3.pdf."""
    where = summary.selection.area_name or summary.selection.force or "all-forces"
    slug = "".join(ch if ch.isalnum() else "-" for ch in where.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    period = summary.periods["this"]
    when = period.key if period.kind != "custom" else f"{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}"
    if period.kind == "rolling":
        when = f"12-months-to-{period.end:%Y-%m-%d}"
    return f"hedgerow-roundtable-{slug}-{when}.pdf"
