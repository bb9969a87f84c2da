"""Charts of a summary as SVG, drawn here on the server so that they print and go into the PDF unchanged.

Plain SVG with presentation attributes only (no CSS, no script: the console's Content-Security-Policy allows
neither inline), black text on white, and patterns or dashes beside colour so a chart reads in greyscale.
A figure that is not shown (fewer than 5 reports, or hidden to protect one) is drawn as no bar or point, with
its words in place of a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from backend.i18n import _
from backend.services.summaries.figures import Cell, Summary
from backend.services.summaries.summary_text import cell_text, month_label, row_label

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 44, 64
FONT = "Hedgerow Sans, DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK, GRID, BAR, LINE, EARLIER = "#14211a", "#c8cfc8", "#2f5d3a", "#1d4f91", "#7a4b00"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


def _text(x: float, y: float, words: str, size: int = 12, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{INK}">{escape(words)}</text>'
    )


def _frame(key: str, title: str, description: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        + _text(LEFT - 40, 22, title, 15, weight="bold")
        + "".join(body)
        + "</svg>"
    )


def _axis_top(value: int) -> int:
    """A round top for a count axis at or above `value` whose quarters are whole numbers (4, 8, 12, 20 ... 120,
    200 ...), so the gridlines at a quarter, a half and three quarters read as counts."""
    magnitude = 1
    while True:
        for n in (4, 8, 12, 20, 40, 60, 80):
            if n * magnitude >= value:
                return n * magnitude
        magnitude *= 10


def bar_chart(key: str, title: str, labels: list[str], cells: list[Cell], total: Cell, unit: str) -> str:
    """Counts of reports in bands, one bar each; the total is said under the chart."""
    shown = [c.value for c in cells if c.status == "shown" and c.value is not None]
    top = _axis_top(max(shown, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = []
    for i in range(5):  # gridlines at 0, 25, 50, 75 and 100% of the axis
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(LEFT - 6, y + 4, f"{value:,.0f}", 11, "end"))
    slot = plot_w / max(len(cells), 1)
    for i, (label, cell) in enumerate(zip(labels, cells, strict=True)):
        x = LEFT + slot * i + slot * 0.15
        w = slot * 0.7
        if cell.status == "shown" and cell.value is not None:
            h = plot_h * cell.value / top
            y = TOP + plot_h - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BAR}"/>')
            body.append(_text(x + w / 2, y - 5, f"{cell.value:,}", 11, "middle"))
        else:
            body.append(_text(x + w / 2, TOP + plot_h - 6, cell_text(cell), 10, "middle"))
        body.append(_text(x + w / 2, TOP + plot_h + 16, label, 11, "middle"))
    body.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    in_all = _("%(unit)s: %(total)s in all.") % {"unit": unit, "total": cell_text(total)}
    body.append(_text(LEFT, HEIGHT - 14, in_all, 12))
    words = "; ".join(f"{label}: {cell_text(c)}" for label, c in zip(labels, cells, strict=True))
    return _frame(key, title, f"{words}. {in_all}", body)


def line_chart(
    key: str, title: str, labels: list[str], series: list[tuple[str, str, list[Cell]]], first_month: str = "Jan"
) -> str:
    """Shares (0 to 100%) by month, one line per series (name, colour, cells); a point not shown breaks the line.
    Labels are 'Jul 2026' (a month and its year); `first_month` is January's short name in the labels' language."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = []
    for pct in range(0, 101, 25):
        y = TOP + plot_h - plot_h * pct / 100
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(LEFT - 6, y + 4, f"{pct}%", 11, "end"))
    step = plot_w / max(len(labels), 1)
    every = max(1, (len(labels) + 11) // 12)
    for i, label in enumerate(labels):
        if i % every == 0:  # "Jul 2026": the month, and its year under the first month and under each January
            month, _space, year = label.partition(" ")
            x = LEFT + step * (i + 0.5)
            body.append(_text(x, TOP + plot_h + 16, month, 11, "middle"))
            if i == 0 or month == first_month:
                body.append(_text(x, TOP + plot_h + 30, year, 11, "middle"))
    for n, (name, colour, cells) in enumerate(series):
        dash = ' stroke-dasharray="6 4"' if n else ""
        run: list[str] = []
        runs: list[list[str]] = [run]
        for i, cell in enumerate(cells):
            if cell.status != "shown" or cell.value is None:
                run = []
                runs.append(run)
                continue
            x, y = LEFT + step * (i + 0.5), TOP + plot_h - plot_h * cell.value / 100
            run.append(f"{x:.1f},{y:.1f}")
            marker = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
                if not n
                else f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
            )
            body.append(marker)
        for points in runs:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
                )
        legend_x = LEFT + n * 260
        body.append(
            f'<line x1="{legend_x}" y1="{HEIGHT - 12}" x2="{legend_x + 24}" y2="{HEIGHT - 12}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        body.append(_text(legend_x + 30, HEIGHT - 8, name, 12))
    body.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    words = "; ".join(
        f"{name}: " + ", ".join(f"{label} {cell_text(c)}" for label, c in zip(labels, cells, strict=True))
        for name, _colour, cells in series
    )
    return _frame(key, title, words, body)


def summary_charts(summary: Summary) -> list[Chart]:
    """The three charts of a summary: time to answer, the monthly share within target, and 101 waits."""
    this, earlier = summary.periods["this"].label, summary.periods["last_year"].label
    answer_title = _("Time to answer, %(period)s") % {"period": this}
    trend_title = _("Answered within target, by month")
    waits_title = _("Longest 101 wait per report, %(period)s") % {"period": this}
    months = summary.tables["month"]
    return [
        Chart(
            "answer-times",
            answer_title,
            bar_chart(
                "answer-times",
                answer_title,
                [_(b.label) for b in summary.answer_bands],
                [b.cell for b in summary.answer_bands],
                summary.answer_total,
                _("Reports answered"),
            ),
        ),
        Chart(
            "monthly-trend",
            trend_title,
            line_chart(
                "monthly-trend",
                trend_title,
                [row_label(row) for row in months],
                [
                    (this, LINE, [row.cells[("this", "answered_within_target")] for row in months]),
                    (
                        _("A year earlier (%(period)s)") % {"period": earlier},
                        EARLIER,
                        [row.cells[("last_year", "answered_within_target")] for row in months],
                    ),
                ],
                month_label(202601).partition(" ")[0],
            ),
        ),
        Chart(
            "waits-101",
            waits_title,
            bar_chart(
                "waits-101",
                waits_title,
                [_(b.label) for b in summary.wait_bands],
                [b.cell for b in summary.wait_bands],
                summary.wait_total,
                _("Reports with a known 101 wait"),
            ),
        ),
    ]
