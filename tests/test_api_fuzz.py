"""Schemathesis over the whole JSON API (every route of the OpenAPI schema), with a valid
server key, a valid collector key and a logged-in session: no server error, and every 4xx in
the API's one error shape ``{"error": {"code", "message"[, "fields"]}}``.

Bounded: a few examples per route (``FUZZ_EXAMPLES``, default 10), so the whole run takes well
under two minutes on two cores. Set SHOPOPS_FUZZ_EXAMPLES higher for a longer hunt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pyarrow as pa
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = int(os.environ.get("SHOPOPS_FUZZ_EXAMPLES", "10"))


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _schema():
    """The schema the app serves at /api/openapi.json (that URL needs a login: read it from the
    API object, as the view does), run against the WSGI app (pytest-django has set Django up
    before collection)."""
    from shopops.config.api import api

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"))))
    loaded.app = _wsgi_app()
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db, warehouse):
    """Like Django's test client: requests must not close the test's database connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def keys(warehouse, client):
    """A store with a server and a collector key (a high rate: the fuzzer must not be throttled),
    a coupon and a running flash sale, and a logged-in director's session cookie."""
    from django.utils import timezone

    from shopops.core.roles import Role
    from shopops.ingest.services import api_key_create
    from shopops.promotions import services as promotions
    from shopops.team.services import role_groups_sync, user_create
    from shopops.warehouse.loader import load

    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    server = api_key_create(store_id="own", kind="server", name="fuzz", rate_per_minute=1_000_000)[1]
    collect = api_key_create(store_id="own", kind="collect", name="fuzz", rate_per_minute=1_000_000)[1]
    now = timezone.now()
    promo = promotions.promotion_create(name="¥10", kind="store_coupon", parameters={"amount": "10"})
    coupon = promotions.coupon_create(promotion=promo, name="¥10", valid_from=now - dt.timedelta(days=1),
                                      valid_until=now + dt.timedelta(days=1), total_quantity=50)
    promotions.coupon_issue(coupon=coupon, now=now, claimable=20)
    promotions.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=50, starts_at=now - dt.timedelta(hours=1),
                                 ends_at=now + dt.timedelta(hours=1))
    role_groups_sync()
    user_create(username="fuzz-director", password="a-long-test-password", role=Role.OPS_DIRECTOR)
    client.login(username="fuzz-director", password="a-long-test-password")
    return {"server": server, "collect": collect, "session": client.cookies["sessionid"].value}


def error_shape_problem(body: bytes) -> str:
    """"" when the body is the API's one error shape, else what is wrong with it."""
    try:
        payload = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or set(payload) != {"error"}:
        return f"not {{'error': {{…}}}}: {payload!r:.300}"
    if not (isinstance(error.get("code"), str) and error["code"] and isinstance(error.get("message"), str)):
        return f"error without a code and a message: {error!r:.300}"
    if not set(error) <= {"code", "message", "fields"}:
        return f"unexpected keys {sorted(set(error) - {'code', 'message', 'fields'})}"
    fields = error.get("fields", [])
    if not (isinstance(fields, list) and all(isinstance(f, dict) and {"field", "message"} <= set(f) for f in fields)):
        return f"fields not a list of {{field, message}}: {fields!r:.300}"
    return ""


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_route_answers_without_server_errors_and_in_one_error_shape(case, keys):
    if case.path.endswith("/collect"):
        case.query = {**(case.query or {}), "k": keys["collect"]}
    response = case.call(headers={"Authorization": f"Bearer {keys['server']}"},
                         cookies={"sessionid": keys["session"]})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}\n{case.as_curl_command()}\n{response.content[:1000]!r}"
    )
    if response.status_code >= 400:
        problem = error_shape_problem(response.content)
        assert not problem, f"{case.method} {case.formatted_path} -> {response.status_code}: {problem}"
