"""Response-time statistics for NFU representatives and police staff: aggregate figures only, never a report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from backend.deps import DbDep, NowDep, StaffDep
from backend.routes.errors import errors
from backend.services.summaries import summary_text
from backend.services.summaries.figures import DIMENSIONS, summary_for
from backend.services.summaries.summary_periods import parse_period
from core.uktime import LONDON

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])


class Figure(BaseModel):
    status: Literal["shown", "small", "hidden", "none"] = Field(
        description="shown; small (built on 1 to 4 reports); hidden (so that a small figure cannot be worked out "
        "from a total); none (built on no report)"
    )
    value: int | None = Field(description="A count, a whole percent or seconds (to the minute); null unless shown")
    text: str = Field(description="The figure in words, as the page shows it: '41%', '3 h 20 min', 'fewer than 5'")


class RowFigure(Figure):
    period: Literal["this", "previous", "last_year"]
    measure: str


class Row(BaseModel):
    key: str
    label: str
    parent: str | None = Field(description="The force of an area, the group of a category")
    figures: list[RowFigure]


class PeriodOut(BaseModel):
    key: str
    label: str
    first_day: date
    last_day: date


class Selection(BaseModel):
    force: str | None
    area_id: int | None
    area: str | None
    category_group: str | None
    category: str | None


class MeasureOut(BaseModel):
    key: str
    label: str
    kind: Literal["count", "share", "time"]
    note: str


class BandFigure(Figure):
    label: str


class Distribution(BaseModel):
    bands: list[BandFigure]
    total: Figure


class Targets(BaseModel):
    force: str | None
    title: str
    lines: list[str]


class SmallCounts(BaseModel):
    threshold: int
    small: str
    hidden: str


class ResponseTimes(BaseModel):
    selection: Selection
    period: PeriodOut
    previous_period: PeriodOut
    same_period_last_year: PeriodOut
    generated_at: datetime
    headline: list[str]
    measures: list[MeasureOut]
    overview: dict[str, dict[Literal["this", "previous", "last_year"], Figure]]
    tables: dict[str, list[Row]]
    answer_times: Distribution
    waits_101: Distribution
    targets: list[Targets]
    method: list[str]
    small_counts: SmallCounts


Text = Annotated[str | None, Query(max_length=100)]


@router.get("/response-times", response_model=ResponseTimes, responses=errors(401, 403, 422))
def response_times(
    user: StaffDep,
    db: DbDep,
    now: NowDep,
    period: Annotated[
        str, Query(max_length=20, description="2026-08 (a month), 2026-Q3, 2026, 12m (the last 12 months) or custom")
    ] = "12m",
    first_day: Annotated[str, Query(alias="from", max_length=10, description="custom: the first day")] = "",
    last_day: Annotated[str, Query(alias="to", max_length=10, description="custom: the last day")] = "",
    force: Text = None,
    area: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    category_group: Text = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[
        Literal["all", "force", "area", "category_group", "category", "month"],
        Query(description="Which breakdown tables to include"),
    ] = "all",
) -> dict[str, Any]:
    """Response-time figures for a period, beside the period before and the same period a year earlier.

    NFU representatives and admins see every force; officers and supervisors their own force's. Every figure
    built on fewer than 5 reports is withheld, and so is any figure that would let one be worked out.
    """
    today = now.astimezone(LONDON).date()
    chosen = parse_period(period, today, first_day, last_day)
    summary = summary_for(db, user.role, user.force, chosen, now, force, area, category_group, category)
    sentences = summary_text.headline(summary, summary_text.answer_target(db, summary))
    dimensions = DIMENSIONS if by == "all" else (by,)
    return summary_text.summary_json(summary, sentences, summary_text.targets_used(db, summary), dimensions)
