"""Fetching the published response policy (GET /api/v1/policy), for the phone's own estimate of when the police's
first answer is due while the server has not said: once a day, and at once after a registration.

The policy is a help, never a reason to fail a sync: on any failure the copy on the phone stays and the fetch is
tried again an hour later (an older server, which refuses a phone's token here, is asked no more often).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from app.store import answer_targets
from app.store.db import Store
from app.sync.errors import is_json

POLICY_PATH = "/api/v1/policy"
REFRESH = timedelta(days=1)
RETRY = timedelta(hours=1)


async def fetch_answer_targets(
    store: Store, client: httpx.AsyncClient, server_url: str, token: str, now: datetime
) -> bool:
    """Fetch the published policy and keep its first-answer targets; False (the old copy kept) on any failure."""
    try:
        response = await client.get(server_url + POLICY_PATH, headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return False
    if response.status_code != 200 or not is_json(response):
        return False
    try:
        answer_targets.cache_answer_targets(store, response.json(), now)
    except ValueError:  # not JSON, or not a policy
        return False
    return True


@dataclass
class PolicyRefresh:
    """When the sync engine fetches the policy: when the phone's copy is missing or a day old, or a registration
    has just gone through; never within an hour of a failed fetch."""

    asked: bool = False
    retry_at: datetime | None = None

    def registered(self) -> None:
        self.asked, self.retry_at = True, None

    def wanted(self, store: Store, now: datetime) -> bool:
        if self.retry_at is not None and now < self.retry_at:
            return False
        fetched = answer_targets.fetched_at(store)
        return self.asked or fetched is None or not timedelta(0) <= now - fetched < REFRESH

    async def run(self, store: Store, client: httpx.AsyncClient, server_url: str, token: str, now: datetime) -> None:
        if not self.wanted(store, now):
            return
        fetched = await fetch_answer_targets(store, client, server_url, token, now)
        self.asked = False
        self.retry_at = None if fetched else now + RETRY
