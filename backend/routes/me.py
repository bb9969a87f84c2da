"""The farmer's own data, by the phone's token: everything as one ZIP, and the erasure of their contact details."""

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from backend.deps import DbDep, DeviceDep, NowDep, SettingsDep
from backend.routes.errors import errors
from backend.services.farmer_data import erasure, export
from wire.farmer_data import ContactErasure

router = APIRouter(prefix="/api/v1/me", tags=["your data"])


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "One ZIP: device.json, reports/<id>.json, photos/<report id>/<photo id>.<ext> as sent, "
            "manifest.json (every file's SHA-256 and size) and README.txt",
        }
    }
    | errors(401),
)
def export_my_data(device: DeviceDep, db: DbDep, settings: SettingsDep, now: NowDep) -> StreamingResponse:
    """Everything Hedgerow holds about this phone and the reports it sent, as the farmer sees them."""
    spool, size, _ = export.spooled_export(db, settings.photos_dir, device.id, now)
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename(now)}"',
        "Content-Length": str(size),
        "Cache-Control": "no-store",
    }
    return StreamingResponse(export.stream(spool), media_type="application/zip", headers=headers)


@router.post("/erasure", response_model=ContactErasure, responses=errors(401))
def erase_my_contact_details(device: DeviceDep, db: DbDep, now: NowDep) -> ContactErasure:
    """Erase the farmer's name, phone, email, farm name and postcode. The reports stay (police records) and the
    token keeps working, so the police's answers still arrive. Asking again answers the same."""
    return erasure.erase_contact_details(db, device.id, now)
