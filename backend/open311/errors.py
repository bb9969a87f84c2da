"""The one error Open311 answers with: an HTTP status and a list of {code, description}, as the spec shows."""

from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description

    def body(self) -> list[dict[str, int | str]]:
        return [{"code": self.status, "description": self.description}]
