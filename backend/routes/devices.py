"""Farmers' devices register once and get a token."""

import uuid

from fastapi import APIRouter, HTTPException, Request, status

from backend.deps import DbDep, DeviceDep, NowDep, client_ip
from backend.routes.errors import errors
from backend.schemas import DeviceSettings
from backend.services.intake import devices
from wire.reports import DeviceCreate, DeviceRegistered

router = APIRouter(prefix="/api/v1", tags=["devices"])


@router.post(
    "/devices",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceRegistered,
    responses=errors(413, 422, 429),
)
def register_device(body: DeviceCreate, request: Request, db: DbDep, now: NowDep) -> DeviceRegistered:
    """Register the farmer's phone. The token in the answer is shown once and stored only as a hash."""
    ip = client_ip(request)
    wait = request.app.state.register_limiter.hit(ip)
    if wait:
        raise HTTPException(
            status_code=429,
            detail="too many registrations from this address; try again later",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    device_id, token = devices.register(db, body, ip, now)
    return DeviceRegistered(device_id=uuid.UUID(device_id), token=token)


@router.patch("/me", response_model=DeviceSettings, responses=errors(401, 422))
def update_device(body: DeviceSettings, device: DeviceDep, db: DbDep) -> DeviceSettings:
    """Change what the farmer's phone reads: `{"language": "cy"}` for Welsh, `"en"` for English. Every text the
    server writes for this phone (the timeline's words, the police's templated updates) follows it."""
    devices.set_language(db, device.id, body.language)
    return DeviceSettings(language=body.language)
