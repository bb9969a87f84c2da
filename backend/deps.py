"""Typed dependencies the routes declare: the database, the clock, and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import sqlite_utils
from fastapi import Depends, HTTPException, Request

from backend.security import DEVICE_TOKEN_PREFIX, STAFF_TOKEN_PREFIX, token_hash
from backend.services.staff.accounts import StaffUser, user_for_token
from backend.settings import Settings
from backend.writes import GroupCommitWriter


# The small dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in the thread
# pool, and each such hop costs more than the work itself (a pool checkout, an indexed lookup).
async def get_db(request: Request) -> AsyncIterator[sqlite_utils.Database]:
    with request.app.state.pool.connection() as db:
        yield db


async def get_writer(request: Request) -> GroupCommitWriter:
    return request.app.state.writer


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_now(request: Request) -> datetime:
    """The clock is injected (app.state.clock) so tests can move time."""
    return request.app.state.clock()


DbDep = Annotated[sqlite_utils.Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WriterDep = Annotated[GroupCommitWriter, Depends(get_writer)]
NowDep = Annotated[datetime, Depends(get_now)]


def client_ip(request: Request) -> str:
    settings: Settings = request.app.state.settings
    if settings.behind_proxy:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    language: str = "en"  # what every farmer-facing text the server writes for this phone is in


async def current_device(request: Request, db: DbDep) -> Device:
    token = _bearer(request)
    if token is None:
        raise _unauthorized("send the device token as 'Authorization: Bearer <token>'")
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        raise _unauthorized("this needs a device token")
    row = db.execute(
        "SELECT id, name, language FROM devices WHERE token_hash = ? AND revoked_at IS NULL", [token_hash(token)]
    ).fetchone()
    if row is None:
        raise _unauthorized("unknown or revoked device token; register again")
    return Device(row["id"], row["name"], row["language"])


async def current_staff(request: Request, db: DbDep, now: NowDep) -> StaffUser:
    token = _bearer(request)
    if token is None:
        raise _unauthorized("send a staff API token as 'Authorization: Bearer <token>'")
    if not token.startswith(STAFF_TOKEN_PREFIX):
        raise _unauthorized("this needs a staff API token")
    user = user_for_token(db, token, now)
    if user is None:
        raise _unauthorized("unknown or expired API token")
    return user


async def current_principal(request: Request, db: DbDep, now: NowDep) -> Device | StaffUser:
    token = _bearer(request) or ""
    if token.startswith(STAFF_TOKEN_PREFIX):
        return await current_staff(request, db, now)
    return await current_device(request, db)


async def police_staff(user: Annotated[StaffUser, Depends(current_staff)]) -> StaffUser:
    if user.role not in ("officer", "supervisor", "admin"):
        raise HTTPException(status_code=403, detail="only police staff and admins may do this")
    return user


DeviceDep = Annotated[Device, Depends(current_device)]
StaffDep = Annotated[StaffUser, Depends(current_staff)]
PoliceDep = Annotated[StaffUser, Depends(police_staff)]
PrincipalDep = Annotated[Device | StaffUser, Depends(current_principal)]
