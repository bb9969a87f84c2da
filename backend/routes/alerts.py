"""Alerts from the police to farmers: staff issue and change them, phones pull the ones that reach them and say
which places they want to hear about (coarse) and whether by SMS or email too."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, status

from backend.deps import DbDep, DeviceDep, NowDep, PoliceDep, SettingsDep
from backend.routes.errors import errors
from backend.services.alerts import delivery, issuing, places, reach, views
from backend.services.alerts.store import alert_row
from wire.alerts import AlertChannels, AlertCreate, AlertPlaces, AlertPull, AlertStaff, AlertUpdate

router = APIRouter(prefix="/api/v1", tags=["alerts"])

_ALERT_ERRORS = {404: {"description": "No such alert"}}
# Bounded to SQLite's 64-bit integers: a larger id cannot be an alert, and would fail the query.
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def send_soon(request: Request, tasks: BackgroundTasks) -> None:
    """Deliver the SMS and email queued by this request once it has answered (the schedule retries failures)."""
    app = request.app
    tasks.add_task(delivery.run, app.state.pool, app.state.settings, app.state.clock)


@router.post(
    "/alerts",
    status_code=status.HTTP_201_CREATED,
    response_model=AlertStaff,
    responses=errors(401, 403, 413, 422),
)
def create_alert(
    body: AlertCreate,
    user: PoliceDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
    tasks: BackgroundTasks,
) -> dict:
    """Issue an alert (officers and supervisors of the force whose area holds the centre; admins anywhere). It
    reaches the phones whose alert places its circle meets at their next pull (within a minute while the app is
    open), and the farmers there who chose SMS or email."""
    alert_id = issuing.issue(db, user, body, now, settings)
    send_soon(request, tasks)
    return views.staff_view(db, alert_row(db, alert_id))


@router.get("/alerts/{alert_id}", response_model=AlertStaff, responses=errors(401, 403) | _ALERT_ERRORS)
def get_alert(alert_id: AlertId, user: PoliceDep, db: DbDep) -> dict:
    """An alert as its force sees it: how many devices pulled it, and the reports made from it."""
    return views.staff_view(db, issuing.managed_alert(db, user, alert_id))


@router.patch(
    "/alerts/{alert_id}",
    response_model=AlertStaff,
    responses=errors(401, 403, 409, 413, 422) | _ALERT_ERRORS,
)
def change_alert(
    alert_id: AlertId,
    body: AlertUpdate,
    user: PoliceDep,
    db: DbDep,
    now: NowDep,
    settings: SettingsDep,
    request: Request,
    tasks: BackgroundTasks,
) -> dict:
    """Change an alert (only the fields given), or withdraw it with `{"withdrawn": true}` (for good). Phones drop
    a withdrawn alert at their next pull."""
    issuing.edit(db, user, alert_id, body, now, settings)
    send_soon(request, tasks)
    return views.staff_view(db, alert_row(db, alert_id))


@router.get("/alerts", response_model=AlertPull, responses=errors(401, 422))
def pull_alerts(
    device: DeviceDep,
    db: DbDep,
    now: NowDep,
    since: Annotated[
        str | None,
        Query(max_length=40, description="The cursor from the previous pull; leave out for every alert."),
    ] = None,
) -> AlertPull:
    """The active alerts that reach this device (one of its alert places meets the alert's circle) and changed
    since the cursor, and the alerts it pulled before that were withdrawn, expired or moved away since."""
    found = reach.pull(db, device.id, reach.Cursor.parse(since), now)
    reach.record_pulled(db, device.id, [a["id"] for a in found.alerts], now)
    return AlertPull.model_validate(
        {
            "alerts": [views.public_view(a) for a in found.alerts],
            "withdrawn": found.withdrawn,
            "cursor": str(found.cursor),
        }
    )


@router.put("/me/alert-places", response_model=AlertPlaces, responses=errors(401, 413, 422))
def put_alert_places(body: AlertPlaces, device: DeviceDep, db: DbDep, now: NowDep) -> dict:
    """Replace the places this phone wants alerts about ([] opts out). Each is stored snapped to the centre of
    its 1 km National Grid square, whatever precision is sent; the answer is what is stored."""
    return {"places": places.set_places(db, device.id, body.places, now)}


@router.put("/me/alert-channels", response_model=AlertChannels, responses=errors(401, 413, 422))
def put_alert_channels(body: AlertChannels, device: DeviceDep, db: DbDep, now: NowDep) -> AlertChannels:
    """Also send this phone's alerts by SMS to the number it registered with, and by email to its registered
    address (refused without one). Sent only where the server has an SMS gateway or an SMTP host; each alert at
    most once per number and address."""
    return places.set_channels(db, device.id, body, now)
