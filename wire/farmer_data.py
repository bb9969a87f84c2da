"""The farmer's own data as it crosses the wire: the answer to a request to erase their contact details.

(The export, `GET /api/v1/me/export`, is a ZIP file; its README.txt and manifest.json describe themselves.)
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ContactErasure(BaseModel):
    """What the server did with a farmer's request to erase their contact details, in plain words."""

    erased_at: datetime = Field(description="When they were erased (at the first request: later ones change nothing).")
    removed: list[str] = Field(description="What was erased, in words: 'your name', 'your phone number', ...")
    kept: list[str] = Field(description="What stays, and why, in words.")
    message: str = Field(description="The whole answer in plain English, for the app to show as it is.")
