"""The published policy's targets for the police's first answer, per category, as last fetched from the server.

Kept on the phone so that a report the server has not timed yet (saved, or sent with no pull since) is measured
against the policy in force rather than the built-in defaults, with no signal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.store.db import Store
from app.store.settings import get_setting, set_setting
from wire.clocks import FIRST_ANSWER, PolicyInForce

_KEY = "answer_targets"


def load_answer_targets(store: Store) -> dict[str, str]:
    """Category -> target as published ('2 hours', '1 working day', 'none'); empty when never fetched."""
    cached = get_setting(store, _KEY)
    if not isinstance(cached, dict) or not isinstance(cached.get("targets"), dict):
        return {}
    return {str(category): str(target) for category, target in cached["targets"].items()}


def fetched_at(store: Store) -> datetime | None:
    cached = get_setting(store, _KEY)
    try:
        return datetime.fromisoformat(cached["fetched_at"])
    except (TypeError, KeyError, ValueError):
        return None


def cache_answer_targets(store: Store, published: dict[str, Any], now: datetime) -> dict[str, str]:
    """Keep the first-answer targets of the policy the server published (GET /api/v1/policy). Raises ValueError
    (pydantic's ValidationError is one) and keeps the old copy when the answer does not read."""
    policy = PolicyInForce.model_validate(published)
    targets = {t.category: t.target for t in policy.targets if t.clock == FIRST_ANSWER}
    if not targets:
        raise ValueError("the published policy has no targets for the police's first answer")
    set_setting(store, _KEY, {"fetched_at": now.isoformat(), "targets": targets}, now)
    return targets
