"""Inventory's alerts for insights, with the money at stake computed by hand from the fixture."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.utils import timezone

from shopops.core.roles import Role
from shopops.insights.services import module_alerts_collect
from shopops.inventory import selectors, services
from shopops.inventory.alerts import alerts
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import loader
from tests.inventory import app_shop
from tests.inventory.app_shop import LAST_SNAPSHOT

pytestmark = pytest.mark.django_db


def test_top_seller_out_of_stock_overstock_and_a_late_supplier(warehouse):
    app_shop.build(warehouse)
    top = app_shop.sku_id("s1", "M-5")  # sells ~5 a day: the store's top seller
    loader.load(warehouse, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "s1", "date": LAST_SNAPSHOT, "sku_id": top, "on_hand": 0, "in_transit": 0}]))
    role_groups_sync()
    buyer = user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)
    supplier = services.supplier_create(user=buyer, code="S", name="迟到供应商", promised_lead_days=10)
    services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="M-2", unit_price="10", valid_from=LAST_SNAPSHOT)
    now = timezone.now()
    po = services.purchase_order_create(user=buyer, supplier=supplier, ordered_on=LAST_SNAPSHOT - dt.timedelta(days=20),
                                        now=now, lines=[services.LineIn("s2", app_shop.sku_id("s2", "M-2"), "M-2", 30)])
    services.purchase_order_send(user=buyer, po=po, now=now)

    day = LAST_SNAPSHOT
    raised = alerts(day)
    by_kind = {}
    for a in raised:
        by_kind.setdefault(a.kind, []).append(a)
        assert a.source == "inventory" and isinstance(a.money_at_stake, Decimal) and a.link.startswith("/inventory/")

    # out of stock, no open PO, no supplier (default lead time 14 days): the forecast's 14 days are all lost
    means, _ups = selectors.store_forecast_paths(store_id="s1", day=day)[top]
    lost = sum(float(x) for x in means[:14])
    stock_out = [a for a in by_kind["stockout_risk"] if a.key == f"s1:{top}"]
    assert len(stock_out) == 1 and stock_out[0].severity == "critical"
    assert stock_out[0].money_at_stake == (app_shop.PRICE["M-5"] * Decimal(repr(round(lost, 6)))).quantize(Decimal("0.01"))
    assert 3 * 14 <= lost <= 7 * 14  # it sells ~5 a day

    # the supplier 10 days late on 30 units at ¥10
    late = by_kind["supplier_late"]
    assert [(a.key, a.money_at_stake, a.store_id) for a in late] == [(f"po:{po.pk}", Decimal("300.00"), "s2")]
    assert "迟到供应商" in late[0].text_zh and "10 days late" in late[0].text_en and late[0].severity == "high"

    # overstock: beyond 120 days of demand at cost, only when worth ≥ ¥5,000
    for a in by_kind.get("overstock", []):
        assert a.money_at_stake >= Decimal("5000")

    # insights collects them; collecting twice changes nothing
    first = module_alerts_collect(day=day, sources=["shopops.inventory.alerts.alerts"])
    again = module_alerts_collect(day=day, sources=["shopops.inventory.alerts.alerts"])
    assert first.raised == len(raised) and again.created == 0 and not first.failed
