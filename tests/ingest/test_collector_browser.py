"""A real store page in Chromium loads the snippet from shopops and its events arrive."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow as pa
import pytest

from shopops.ingest.services import api_key_create
from shopops.warehouse.loader import load

STORE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="{server}/static/ingest/shopops-collect.js" data-key="{key}" data-endpoint="{server}/api/collect"></script>
</head><body data-shopops-product="P42" data-shopops-page="product">
<button id="buy" onclick="shopops.track('add_to_cart', {{product_id: 'P42'}}); shopops.track('checkout'); shopops.flush()">加入购物车</button>
</body></html>"""


@pytest.fixture
def store_site():
    """The store's own site: another origin (127.0.0.1 vs shopops on localhost), a real server."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            body = pages["html"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield pages, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_snippet_events_reach_the_warehouse_cross_origin(live_server, browser_page, warehouse, store_site):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    _, key = api_key_create(store_id="own", kind="collect", name="site")
    pages, site = store_site
    pages["html"] = STORE_PAGE.format(server=live_server.url, key=key)
    with browser_page.expect_response(lambda r: "/api/collect" in r.url and r.status == 202):
        browser_page.goto(f"{site}/item/42?utm_source=wechat&utm_medium=social")
    with browser_page.expect_response(lambda r: "/api/collect" in r.url and r.status == 202):
        browser_page.click("#buy")
    rows = warehouse.table("events").order_by("occurred_at").to_pandas()
    assert sorted(rows.event_type) == ["add_to_cart", "checkout", "product_view"]
    assert set(rows.product_id.dropna()) == {"P42"}
    assert set(rows.traffic_source) == {"social"}
    assert rows.visitor_id.nunique() == 1 and rows.session_id.nunique() == 1
