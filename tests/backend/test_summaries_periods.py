"""Periods in UK dates with the period before and a year earlier, the charts as printable SVG, figures in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from backend.services.errors import Invalid
from backend.services.summaries import charts
from backend.services.summaries.figures import Band, Cell, Selection, Summary
from backend.services.summaries.summary_periods import parse_period, period_choices
from backend.services.summaries.summary_text import cell_text, duration_text

TODAY = date(2026, 10, 15)


def utc_seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("key", "first", "last", "label", "previous", "year_before"),
    [
        ("2026-Q3", "2026-07-01", "2026-09-30", "Q3 2026", ("2026-04-01", "2026-06-30", "Q2 2026"), "Q3 2025"),
        ("2026-Q1", "2026-01-01", "2026-03-31", "Q1 2026", ("2025-10-01", "2025-12-31", "Q4 2025"), "Q1 2025"),
        (
            "2026-03",
            "2026-03-01",
            "2026-03-31",
            "March 2026",
            ("2026-02-01", "2026-02-28", "February 2026"),
            "March 2025",
        ),
        (
            "2024-02",
            "2024-02-01",
            "2024-02-29",
            "February 2024",
            ("2024-01-01", "2024-01-31", "January 2024"),
            "February 2023",
        ),
        ("2025", "2025-01-01", "2025-12-31", "2025", ("2024-01-01", "2024-12-31", "2024"), "2024"),
        (
            "12m",
            "2025-10-16",
            "2026-10-15",
            "the 12 months to 15 October 2026",
            ("2024-10-16", "2025-10-15", "the 12 months to 15 October 2025"),
            "the 12 months to 15 October 2025",
        ),
    ],
)
def test_a_period_knows_its_days_the_one_before_and_a_year_earlier(
    key: str, first: str, last: str, label: str, previous: tuple[str, str, str], year_before: str
) -> None:
    p = parse_period(key, TODAY)
    assert (p.start.isoformat(), p.end.isoformat(), p.label) == (first, last, label)
    before = p.previous()
    assert (before.start.isoformat(), before.end.isoformat(), before.label) == previous
    assert p.year_before().label == year_before
    assert p.key == key


def test_a_custom_period_is_compared_with_as_many_days_just_before() -> None:
    p = parse_period("custom", TODAY, "2026-03-01", "2026-04-15")
    assert p.label == "1 March 2026 to 15 April 2026" and p.in_words == "from 1 March 2026 to 15 April 2026"
    assert p.days == 46
    assert (p.previous().start, p.previous().end) == (date(2026, 1, 14), date(2026, 2, 28))
    assert (p.year_before().start, p.year_before().end) == (date(2025, 3, 1), date(2025, 4, 15))
    assert p.months() == [202603, 202604]


@pytest.mark.parametrize(
    ("key", "start", "end", "coincide", "described"),
    [
        ("12m", "", "", True, "the 12 months to 15 October 2026 (16 October 2025 to 15 October 2026)"),
        ("2025", "", "", True, "2025 (1 January 2025 to 31 December 2025)"),
        ("custom", "2025-10-16", "2026-10-15", True, "16 October 2025 to 15 October 2026"),
        ("2026-Q3", "", "", False, "Q3 2026 (1 July 2026 to 30 September 2026)"),
        ("2026-08", "", "", False, "August 2026 (1 August 2026 to 31 August 2026)"),
        ("custom", "2026-09-01", "2026-09-30", False, "1 September 2026 to 30 September 2026"),
    ],
)
def test_the_period_before_is_also_a_year_earlier_for_a_year_long_period(
    key: str, start: str, end: str, coincide: bool, described: str
) -> None:
    p = parse_period(key, TODAY, start, end)
    assert p.previous().same_dates(p.year_before()) == coincide
    assert p.described == described


def test_a_period_runs_from_uk_midnight_to_uk_midnight() -> None:
    summer = parse_period("2026-Q3", TODAY)
    assert summer.start_s == utc_seconds("2026-06-30 23:00")  # 00:00 BST
    assert summer.end_s == utc_seconds("2026-09-30 23:00")
    winter = parse_period("2026-01", TODAY)
    assert (winter.start_s, winter.end_s) == (utc_seconds("2026-01-01 00:00"), utc_seconds("2026-02-01 00:00"))
    march = parse_period("2026-03", TODAY)  # the clocks go forward on 29 March: the month is an hour short
    assert march.end_s - march.start_s == 31 * 86400 - 3600


@pytest.mark.parametrize(
    ("key", "start", "end", "words"),
    [
        ("2026-00", "", "", "no month 0"),
        ("2026-Q5", "", "", "period must be"),
        ("1999", "", "", "between 2000 and today"),
        ("0000", "", "", "between 2000 and today"),
        ("9999-12", "", "", "between 2000 and today"),
        ("custom", "9999-12-30", "9999-12-31", "between 2000 and today"),
        ("2026-11", "", "", "between 2000 and today"),
        ("custom", "2026-01-01", "", "both a first and a last day"),
        ("custom", "yesterday", "2026-01-01", "from must be a date"),
        ("custom", "2026-05-01", "2026-04-30", "before its first day"),
        ("custom", "2020-01-01", "2026-01-01", "at most three years"),
    ],
)
def test_a_period_that_cannot_be_is_refused_with_the_reason(key: str, start: str, end: str, words: str) -> None:
    with pytest.raises(Invalid, match=words):
        parse_period(key, TODAY, start, end)


def test_the_page_offers_recent_quarters_months_and_years() -> None:
    keys = [k for k, _ in period_choices(TODAY)]
    assert keys[0] == "12m" and keys[-1] == "custom"
    assert keys[1:9] == ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"]
    assert "2026-10" in keys and "2025-10" in keys and "2025-09" not in keys
    assert dict(period_choices(TODAY))["2026-Q4"] == "Q4 2026 (so far)"
    for key in keys[:-1]:
        parse_period(key, TODAY)  # every choice is a period


def test_figures_read_in_words() -> None:
    assert [duration_text(s) for s in (0, 59, 60, 2700, 3600, 12000, 47 * 3600 + 60, 48 * 3600, 200000)] == [
        "under 1 min",
        "under 1 min",
        "1 min",
        "45 min",
        "1 h",
        "3 h 20 min",
        "47 h 1 min",
        "2 days",
        "2 days 7 h",
    ]
    assert cell_text(Cell("share", "shown", 41)) == "41%"
    assert cell_text(Cell("count", "shown", 12345)) == "12,345"
    assert cell_text(Cell("count", "small", None)) == "fewer than 5"
    assert cell_text(Cell("count", "hidden", None)) == "hidden"
    assert cell_text(Cell("time", "none", None)) == "–"


def _summary(bands: list[Cell]) -> Summary:
    period = parse_period("2026-Q3", TODAY)
    labels = ["Under 2 hours", "2 to 8 hours", "8 to 24 hours", "1 to 2 days", "2 to 5 days", "Over 5 days"]
    waits = ["Under 1 min", "1 to 5 min", "5 to 15 min", "15 to 30 min", "Over 30 min"]
    return Summary(
        Selection(),
        {"this": period, "previous": period.previous(), "last_year": period.year_before()},
        datetime(2026, 10, 15, tzinfo=UTC),
        {},
        {"month": []},
        [Band(label, cell) for label, cell in zip(labels, bands, strict=True)],
        Cell("count", "shown", 40),
        [Band(label, Cell("count", "shown", 0)) for label in waits],
        Cell("count", "shown", 0),
    )


def test_the_charts_are_plain_svg_that_print_and_never_draw_a_withheld_figure() -> None:
    shown = Cell("count", "shown", 17)
    bands = [shown, Cell("count", "small", None), Cell("count", "hidden", None), Cell("count", "shown", 0)]
    bands += [Cell("count", "shown", 9), Cell("count", "shown", 14)]
    made = charts.summary_charts(_summary(bands))
    assert [c.key for c in made] == ["answer-times", "monthly-trend", "waits-101"]
    svg = ET.fromstring(made[0].svg)
    ns = "{http://www.w3.org/2000/svg}"
    for element in svg.iter():
        assert "style" not in element.attrib and element.tag not in (f"{ns}style", f"{ns}script")
    bars = [r for r in svg.iter(f"{ns}rect") if r.get("fill") == charts.BAR]
    assert len(bars) == 4  # 17, 0, 9 and 14: the small and the hidden bands have no bar
    words = [t.text for t in svg.iter(f"{ns}text")]
    assert "fewer than 5" in words and "hidden" in words and "17" in words
    assert svg.find(f"{ns}title").text == "Time to answer, Q3 2026"
    assert "2 to 8 hours: fewer than 5" in svg.find(f"{ns}desc").text
    tallest = max(bars, key=lambda r: float(r.get("height")))
    assert tallest.get("height") == f"{(300 - 44 - 64) * 17 / 20:.1f}"  # the axis goes to 20 for a top of 17
