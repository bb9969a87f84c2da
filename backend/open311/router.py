"""The GeoReport v2 endpoints under /open311/v2, each in JSON or XML by its extension."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from backend.deps import DbDep, NowDep, WriterDep
from backend.open311 import catalogue, queries, submit
from backend.open311.auth import PartnerDep
from backend.open311.errors import Open311Error
from backend.open311.formats import CONTENT_TYPES, FORMATS, Format, encode, parse_format
from backend.open311.privacy import request_views
from backend.services.errors import plain_message

PREFIX = "/open311/v2"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _answer(fmt: Format, root: str, payload: Any, status_code: int = 200) -> Response:
    return Response(encode(fmt, root, payload), status_code=status_code, media_type=CONTENT_TYPES[fmt])


def _error(request: Request, exc: Open311Error) -> Response:
    fmt = request.path_params.get("fmt")
    return _answer(fmt if fmt in FORMATS else "json", "errors", exc.body(), exc.status)


class Open311Route(APIRoute):
    """Every failure on these routes answers in the spec's error format, in the format the path asked for."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Open311Error as exc:
                return _error(request, exc)
            except RequestValidationError as exc:
                message = "; ".join(plain_message(e.get("msg")) for e in exc.errors())
                return _error(request, Open311Error(400, message))

        return guarded


router = APIRouter(prefix=PREFIX, tags=["open311"], route_class=Open311Route)
_DOC = {
    "response_class": Response,
    "responses": {
        200: {"content": {"application/json": {}, "text/xml": {}}, "description": "JSON or XML, by the extension"},
        400: {"description": "Bad parameters: [{code, description}]"},
        403: {"description": "Missing or invalid api_key: [{code, description}]"},
        404: {"description": "Unknown service, request or format: [{code, description}]"},
    },
}


@router.get("/discovery.{fmt}", **_DOC)
def discovery(fmt: str, request: Request) -> Response:
    """Where this endpoint is and what it speaks."""
    url = str(request.base_url).rstrip("/") + PREFIX
    return _answer(parse_format(fmt), "discovery", catalogue.discovery(url))


@router.get("/services.{fmt}", **_DOC)
def list_services(fmt: str) -> Response:
    """Every category as a service, with its group and keywords."""
    return _answer(parse_format(fmt), "services", catalogue.service_list())


@router.get("/services/{service_code}.{fmt}", **_DOC)
def service_definition(service_code: str, fmt: str) -> Response:
    """A category's own fields as attributes, with partner_request_id (idempotency) and occurred_at."""
    return _answer(parse_format(fmt), "service_definition", catalogue.definition(service_code))


@router.get("/requests.{fmt}", **_DOC)
def list_requests(
    fmt: str,
    partner: PartnerDep,
    db: DbDep,
    now: NowDep,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
) -> Response:
    """The requests this partner may read, newest first, at most 1,000, over at most 90 days (default: the last
    90). Its own in full; others in its permitted categories and forces, at the centre of their 1 km grid square."""
    fmt = parse_format(fmt)
    query = queries.parse_query(service_request_id, service_code, start_date, end_date, status_filter, now)
    rows = queries.find_requests(db, partner, query)
    return _answer(fmt, "service_requests", request_views(db, partner, rows, now))


@router.get("/requests/{service_request_id}.{fmt}", **_DOC)
def get_request(service_request_id: str, fmt: str, partner: PartnerDep, db: DbDep, now: NowDep) -> Response:
    fmt = parse_format(fmt)
    rows = queries.find_requests(db, partner, queries.RequestQuery(ids=(service_request_id,)))
    if not rows:
        raise Open311Error(404, f"no service request {service_request_id!r}")
    return _answer(fmt, "service_requests", request_views(db, partner, rows, now))


async def form_items(request: Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise Open311Error(400, "send the request as application/x-www-form-urlencoded, as the spec says")
    items = []
    for key, value in (await request.form()).multi_items():
        if not isinstance(value, str):
            raise Open311Error(400, f"{key}: files are not accepted; send a media_url")
        items.append((key, value))
    return items


FormDep = Annotated[list[tuple[str, str]], Depends(form_items)]


@router.post("/requests.{fmt}", status_code=status.HTTP_201_CREATED, **_DOC)
def post_request(fmt: str, partner: PartnerDep, items: FormDep, writer: WriterDep, now: NowDep) -> Response:
    """Submit a report through the same intake as the farmer's app, in the partner's own categories and forces
    (else 403). Send attribute[partner_request_id] so that a retried POST answers 200 with the same
    service_request_id instead of making a second report."""
    fmt = parse_format(fmt)
    parsed = submit.parse(items)
    done = writer.run(lambda db: submit.store(db, partner, parsed, now))
    payload = [
        {
            "service_request_id": done.report_id,
            "service_notice": catalogue.EMERGENCY_NOTICE if done.urgent else None,
            "account_id": done.account_id,
        }
    ]
    return _answer(fmt, "service_requests", payload, status.HTTP_201_CREATED if done.created else status.HTTP_200_OK)
