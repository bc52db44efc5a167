"""The JSON API (/api/, docs at /api/docs) and its one error shape:

    {"error": {"code": "invalid", "message": "...", "fields": [{"field": "events.3.type", "message": "..."}]}}
"""

from __future__ import annotations

import logging

import pydantic
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from shopops.core.errors import ShopopsError, ValidationError
from shopops.ingest.api import PayloadTooLarge, ServerKey, TooManyRequests
from shopops.ingest.api import router as ingest_router
from shopops.promotions.api import router as promotions_router

log = logging.getLogger(__name__)

# The docs page and the OpenAPI schema need a login (the endpoints authenticate with their keys).
api = NinjaAPI(title="shopops API", version="1", urls_namespace="api", docs_decorator=login_required)
api.add_router("/", ingest_router)
api.add_router("/", promotions_router, auth=ServerKey())
api.add_router("/", "shopops.customers.api.router", auth=ServerKey())  # check-in, points, opt-out


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
    return _error(request, 400, "bad_request", str(exc))


@api.exception_handler(ShopopsError)
def _shopops(request: HttpRequest, exc: ShopopsError):
    return _error(request, 400, "bad_request", str(exc))


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
