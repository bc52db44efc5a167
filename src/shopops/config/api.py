"""The JSON API (/api/, docs at /api/docs) and its one error shape:

    {"error": {"code": "invalid", "message": "...", "fields": [{"field": "events.3.type", "message": "..."}]}}
"""

from __future__ import annotations

import logging

import pydantic
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from shopops.core.errors import ResourceBusy, ShopopsError, ValidationError
from shopops.ingest.api import PayloadTooLarge, ServerKey, TooManyRequests
from shopops.ingest.api import router as ingest_router
from shopops.promotions.api import router as promotions_router

log = logging.getLogger(__name__)

# The docs page and the OpenAPI schema need a login (the endpoints authenticate with their keys).
api = NinjaAPI(title="shopops API", version="1", urls_namespace="api", docs_decorator=login_required)
api.add_router("/", ingest_router)
api.add_router("/", promotions_router, auth=ServerKey())
api.add_router("/", "shopops.customers.api.router", auth=ServerKey())  # check-in, points
api.add_router("/", "shopops.audience.api.router", auth=ServerKey())  # opt-out (/api/customers/opt-out)
api.add_router("/", "shopops.service.api.router", auth=ServerKey())  # tickets, survey answers


def _error(request, status: int, code: str, message: str, fields: list | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = api.create_response(request, body, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _field(loc) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "batch"))


@api.exception_handler(NinjaValidationError)
def _ninja_invalid(request: HttpRequest, exc: NinjaValidationError):
    fields = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
    return _error(request, 422, "invalid", "the request does not match the schema", fields)


@api.exception_handler(pydantic.ValidationError)
def _pydantic_invalid(request: HttpRequest, exc: pydantic.ValidationError):
    fields = [{"field": _field(e["loc"]), "message": e["msg"]} for e in exc.errors(include_url=False)]
    return _error(request, 422, "invalid", "the request does not match the schema", fields)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    if exc.problems:  # per-field problems found after the schema (e.g. events outside the time window)
        return _error(request, 422, "invalid", str(exc), exc.problems)
    return _error(request, 400, "bad_request", str(exc))


@api.exception_handler(ShopopsError)
def _shopops(request: HttpRequest, exc: ShopopsError):
    return _error(request, 400, "bad_request", str(exc))


@api.exception_handler(ResourceBusy)
def _busy(request: HttpRequest, exc: ResourceBusy):
    response = _error(request, 503, "busy", str(exc))
    response["Retry-After"] = "5"
    return response


@api.exception_handler(OperationalError)
def _app_db_busy(request: HttpRequest, exc: OperationalError):
    """SQLite still locked after its busy timeout: a clear, retryable 503 (other errors stay 500s)."""
    if "locked" not in str(exc).lower():
        raise exc
    response = _error(request, 503, "busy", "the database is busy with other writes; nothing was changed, retry later")
    response["Retry-After"] = "2"
    return response


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError):
    return _error(request, 401, "unauthorized", "missing or invalid API key (Authorization: Bearer sk_…)")


@api.exception_handler(TooManyRequests)
def _throttled(request: HttpRequest, exc: TooManyRequests):
    return _error(request, 429, "rate_limited", str(exc))


@api.exception_handler(PayloadTooLarge)
def _too_large(request: HttpRequest, exc: PayloadTooLarge):
    return _error(request, 413, "too_large", str(exc))


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}


class ApiErrorShapeMiddleware:
    """Errors Django or ninja answer themselves under /api/ (an unknown path: 404; a method the
    route lacks: 405; a body over the upload limits: 400/413) are plain text or HTML; give
    them the API's one error shape too. JSON responses pass unchanged; /api/docs is a page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (response.status_code < 400 or not request.path.startswith("/api/") or request.path.startswith("/api/docs")
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        code = _STATUS_CODES.get(response.status_code, "error" if response.status_code < 500 else "server_error")
        message = {404: f"no API route {request.path}",
                   405: f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}"}.get(
            response.status_code, response.reason_phrase)
        shaped = _error(request, response.status_code, code, message)
        for header in ("Allow", "Retry-After"):
            if header in response:
                shaped[header] = response[header]
        return shaped
