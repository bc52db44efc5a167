"""The inventory and service pages' render times on a set-up demo (the Django test client, in process).

Subject: p95 of ``BENCH_RENDERS`` (default 20) renders of each page — stock health,
replenishment, one top SKU's forecast, the stocking plan, suppliers and one supplier, purchase
orders and one order; the ticket queue, templates, chat KPIs, satisfaction, the review list, the
product complaints, one product's complaints and the DSR page. Baseline: the p50 of the same
renders. Also recorded: each page's first render with an empty cache (the first visitor after an
import or a restart), CPU p50/p95 and the load average.

Needs a demo set up in ``SHOPOPS_BENCH_DEMO_VAR`` (a ``SHOPOPS_VAR_DIR`` after
``shopops manage migrate && shopops setup-demo``; for the large demo ``shopops demo --scale large``
first); it is only read. ``BENCH_MODULES`` = ``inventory,service`` (default both).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import demo_client, first_renders, time_pages  # noqa: E402

RENDERS = int(os.environ.get("BENCH_RENDERS", "20"))


def _inventory_pages() -> dict[str, str]:
    from shopops.inventory.models import PurchaseOrder, Supplier
    from shopops.inventory.selectors import stock_health

    health = stock_health(stores=())
    top = max(health.rows, key=lambda r: r["units_30"])
    pages = {"stock": "/inventory/", "replenishment": "/inventory/replenishment/",
             "forecast": f"/inventory/forecast/?store={top['store_id']}&sku={top['sku_id']}",
             "stocking_plan": "/inventory/stocking-plan/", "suppliers": "/inventory/suppliers/",
             "orders": "/inventory/orders/"}
    supplier, po = Supplier.objects.order_by("pk").first(), PurchaseOrder.objects.order_by("-pk").first()
    if supplier:
        pages["supplier"] = f"/inventory/suppliers/{supplier.pk}/"
    if po:
        pages["order"] = f"/inventory/orders/{po.pk}/"
    return pages


def _service_pages(client) -> dict[str, str]:
    pages = {"queue": "/service/", "templates": "/service/templates/", "chat": "/service/chat/",
             "satisfaction": "/service/satisfaction/", "reviews": "/service/reviews/",
             "review_products": "/service/reviews/products/", "dsr": "/service/reviews/dsr/"}
    r = client.get("/service/reviews/products/")
    rows = (r.context or {}).get("rows") or []
    first = rows[0] if rows else None
    if first and first.get("store_id") and first.get("product_id"):
        pages["review_product"] = f"/service/reviews/products/{first['store_id']}/{first['product_id']}/"
    return pages


def run() -> list[dict]:
    client = demo_client(os.environ.get("SHOPOPS_BENCH_DEMO_VAR"))
    modules = os.environ.get("BENCH_MODULES", "inventory,service").split(",")
    assert client.get("/service/").status_code == 200  # the process's first request imports every URL module
    rows = []
    for module in modules:
        pages = _inventory_pages() if module == "inventory" else _service_pages(client)
        cold = first_renders(client, pages)
        rows += time_pages(client, pages, module, RENDERS, cold)
    return rows
