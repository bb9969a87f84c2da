"""The categories, for the app to draw its forms."""

from fastapi import APIRouter
from pydantic import BaseModel

from wire.categories import CATEGORIES, GROUPS, Category

router = APIRouter(prefix="/api/v1", tags=["categories"])


class CategoryList(BaseModel):
    groups: list[str]
    categories: list[Category]


@router.get("/categories", response_model=CategoryList)
def list_categories() -> CategoryList:
    """Every category with its group, label and category-specific fields, grouped as a farmer looks for them."""
    return CategoryList(groups=list(GROUPS), categories=list(CATEGORIES))
