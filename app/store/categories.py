"""The categories the report flow is drawn from: the server's list as last fetched, else the built-in copy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from app.store.db import Store
from app.store.settings import get_setting, set_setting
from wire.categories import CATEGORIES, Category

_KEY = "categories"


def load_categories(store: Store) -> tuple[Category, ...]:
    cached = get_setting(store, _KEY)
    if cached:
        try:
            return tuple(Category.model_validate(c) for c in cached["categories"])
        except (ValidationError, KeyError, TypeError):
            pass  # a cache written by an older app that no longer reads: fall back to the built-in copy
    return CATEGORIES


def cache_categories(store: Store, listing: dict[str, Any], now: datetime) -> tuple[Category, ...]:
    """Keep the server's list if it reads; raises ValidationError (and keeps the old one) if it does not."""
    categories = tuple(Category.model_validate(c) for c in listing["categories"])
    if not categories:
        raise ValueError("the server sent no categories")
    set_setting(store, _KEY, {"categories": [c.model_dump(mode="json") for c in categories]}, now)
    return categories
