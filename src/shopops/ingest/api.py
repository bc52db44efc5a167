"""Ways in for the store's own site: the event collector and order / refund upserts."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.security import HttpBearer

from shopops.core.errors import ValidationError
from shopops.ingest import collector
from shopops.ingest.models import ApiKey
from shopops.ingest.services import api_key_check, api_key_throttle, events_collect, orders_upsert, refunds_upsert

router = Router(tags=["ingest"])


class TooManyRequests(Exception):
    pass


class PayloadTooLarge(Exception):
    pass


def _throttle(key: ApiKey) -> None:
    if not api_key_throttle(key=key):
        raise TooManyRequests(f"more than {key.rate_per_minute} requests a minute for key {key.prefix}; retry next minute")


class ServerKey(HttpBearer):
    """A live secret key of a store, counted against its rate limit (every route that uses it:
    orders, refunds, promotions, customers)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = api_key_check(token, kind=ApiKey.Kind.SERVER)
        if key is not None:
            _throttle(key)
        return key


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@router.api_operation(["OPTIONS"], "/collect", auth=None, include_in_schema=False)
def collect_preflight(request: HttpRequest):
    return _cors(HttpResponse(status=204))


@router.post(
    "/collect",
    auth=None,
    summary="Collect behaviour events (batched JSON)",
    description=(
        "Body: `{\"events\": [EventIn, …]}` (at most 500 events, 256 KB), sent as `application/json` or "
        "`text/plain` (what `navigator.sendBeacon` sends). The publishable collector key goes in the query: "
        "`/api/collect?k=pk_…`. Events are deduplicated by `event_id`: sending a batch twice stores it once."
    ),
    response={202: dict},
)
def collect(request: HttpRequest, k: str = ""):
    key = api_key_check(k, kind=ApiKey.Kind.COLLECT)
    if key is None:
        return _cors(HttpResponse(json.dumps({"error": {"code": "unauthorized", "message": "unknown or revoked collector key (?k=)"}}),
                                  status=401, content_type="application/json"))
    _throttle(key)
    if len(request.body) > collector.MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is {len(request.body)} bytes; at most {collector.MAX_BODY_BYTES}")
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"body is not JSON: {exc}") from exc
    batch = collector.EventBatchIn.model_validate(payload)
    if problems := collector.events_outside_window(batch, now=dt.datetime.now(dt.UTC)):
        raise ValidationError(f"{len(problems)} event(s) outside the accepted time window; nothing was stored", problems)
    result = events_collect(key=key, batch=batch)
    return _cors(HttpResponse(json.dumps({"received": len(batch.events), "stored": result.inserted,
                                          "duplicates": result.rows - result.inserted - result.updated}),
                              status=202, content_type="application/json"))


@router.post("/orders", auth=ServerKey(), summary="Upsert orders with their lines", response={200: dict})
def orders(request: HttpRequest, batch: collector.OrderBatchIn):
    results = orders_upsert(key=request.auth, batch=batch)
    return {table: {"inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged} for table, r in results.items()}


@router.post("/refunds", auth=ServerKey(), summary="Upsert refunds", response={200: dict})
def refunds(request: HttpRequest, batch: collector.RefundBatchIn):
    r = refunds_upsert(key=request.auth, batch=batch)
    return {"refunds": {"inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged}}
