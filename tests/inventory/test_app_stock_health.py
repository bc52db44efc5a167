"""Stock health per store and SKU against an independent pandas oracle on a small generated
warehouse: daily stock carried forward day by day (reindex + ffill), where the code under test
adds up spans between snapshots; plus receipts recorded after the last snapshot and in-transit
taken from open POs (never added to the snapshot's in-transit)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone

from shopops.core.roles import Role
from shopops.inventory import positions, selectors, services
from shopops.team.services import role_groups_sync, user_create
from tests.inventory import app_shop
from tests.inventory.app_shop import DAY

pytestmark = pytest.mark.django_db


def oracle(data: dict[str, pd.DataFrame], *, received: dict, open_po: dict) -> dict[tuple[str, str], dict]:
    snaps = data["snapshots"]
    sales = data["sales"].groupby(["store_id", "sku_id", "paid_date"])["quantity"].sum()
    out = {}
    calendar = pd.date_range(DAY - dt.timedelta(days=200), DAY, freq="D").date
    for (store, sku), g in snaps.groupby(["store_id", "sku_id"]):
        daily = g.set_index("date")["on_hand"].reindex(calendar).ffill()
        last = g.sort_values("date").iloc[-1]
        on_hand = int(last["on_hand"]) + received.get((store, sku), 0)
        in_transit = open_po[(store, sku)] if (store, sku) in open_po else int(last["in_transit"])
        s = sales.loc[(store, sku)] if (store, sku) in sales.index.droplevel(2) else pd.Series(dtype=int)
        u30 = int(sum(q for d, q in s.items() if DAY - dt.timedelta(days=29) <= d <= DAY))
        u90 = int(sum(q for d, q in s.items() if DAY - dt.timedelta(days=89) <= d <= DAY))
        window = [DAY - dt.timedelta(days=k) for k in range(30)]
        out_days = sum(1 for d in window if daily[d] == 0 and not s.get(d, 0))  # a day that sold had stock
        demand = u30 / 30
        in_stock = 30 - out_days
        rate = u30 / in_stock if in_stock else u90 / 90
        code = sku.split("-", 1)[1]
        ago = daily[DAY - dt.timedelta(days=90)]
        ago = 0 if pd.isna(ago) else int(ago)
        aged = min(on_hand, max(0, ago - u90))
        out[(store, sku)] = {
            "on_hand": on_hand, "in_transit": in_transit, "units_30": u30, "units_90": u90, "stockout_days": out_days,
            "days_of_cover": on_hand / demand if demand else None,
            "sell_through": u30 / (u30 + on_hand) if u30 + on_hand else None,
            "lost_sales": app_shop.PRICE[code] * round(out_days * rate), "aged_units": aged,
            "aged_value": app_shop.COST[code] * aged,
            "excess_units": max(0, math.floor(on_hand - demand * 120)) if demand else on_hand,
        }
    return out


@pytest.fixture
def shop(warehouse):
    return app_shop.build(warehouse)


@pytest.fixture
def buyer(db):
    role_groups_sync()
    return user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)


def _compare(rows, expected):
    assert {(r["store_id"], r["sku_id"]) for r in rows} == set(expected)
    for r in rows:
        e = expected[(r["store_id"], r["sku_id"])]
        for key, value in e.items():
            if isinstance(value, float):
                assert r[key] == pytest.approx(value), (r["sku_id"], key)
            else:
                assert r[key] == value, (r["sku_id"], key, r[key], value)


def test_stock_health_matches_the_oracle(shop, warehouse):
    health = selectors.stock_health(day=DAY, con=warehouse)
    assert health.day == DAY
    expected = oracle(shop, received={}, open_po={})
    # the fixture exercises every rule: empty weeks, lost sales, aged stock, SKUs without sales
    assert any(e["stockout_days"] and e["lost_sales"] for e in expected.values())
    assert any(e["aged_units"] for e in expected.values())
    assert any(e["days_of_cover"] is None for e in expected.values())
    _compare(health.rows, expected)
    # the merchant-code view adds the stores up
    by_code = {r["merchant_code"]: r for r in positions.by_merchant_code(health.rows)}
    for code in app_shop.CODES:
        members = [r for r in health.rows if r["merchant_code"] == code]
        assert by_code[code]["on_hand"] == sum(r["on_hand"] for r in members)
        assert by_code[code]["lost_sales"] == sum((r["lost_sales"] for r in members), Decimal("0"))


def test_receipts_after_the_snapshot_and_open_pos_count_once(shop, warehouse, buyer):
    supplier = services.supplier_create(user=buyer, code="S1", name="供应商一")
    for code in app_shop.CODES:
        services.supplier_item_set(user=buyer, supplier=supplier, merchant_code=code, unit_price="10", moq=10,
                                   case_pack=10, valid_from=DAY)
    now = timezone.now()
    sku = app_shop.sku_id("s1", "M-5")
    po = services.purchase_order_create(
        user=buyer, supplier=supplier, ordered_on=DAY - dt.timedelta(days=20), now=now,
        lines=[services.LineIn("s1", sku, "M-5", 100), services.LineIn("s2", app_shop.sku_id("s2", "M-2"), "M-2", 30)])
    services.purchase_order_send(user=buyer, po=po, now=now)
    # a delivery before the last snapshot is in it already; one after it adds to on hand
    services.purchase_order_receive(user=buyer, po=po, reference="DN-1", received_on=app_shop.LAST_SNAPSHOT,
                                    quantities={1: 20}, now=now)
    services.purchase_order_receive(user=buyer, po=po, reference="DN-2", received_on=DAY - dt.timedelta(days=1),
                                    quantities={1: 30}, now=now)
    health = selectors.stock_health(day=DAY, con=warehouse)
    expected = oracle(shop, received={("s1", sku): 30},
                      open_po={("s1", sku): 50, ("s2", app_shop.sku_id("s2", "M-2")): 30})
    _compare(health.rows, expected)
    # receiving the same note again changes nothing
    services.purchase_order_receive(user=buyer, po=po, reference="DN-2", received_on=DAY - dt.timedelta(days=1),
                                    quantities={1: 30}, now=now)
    _compare(selectors.stock_health(day=DAY, con=warehouse).rows, expected)


def test_warm_stock_health_is_served_from_the_cache(shop, warehouse, monkeypatch):
    first = selectors.stock_health(day=DAY, con=warehouse)
    # the warehouse facts are not read again while the data version is the same
    monkeypatch.setattr(selectors, "_frame", lambda *a, **k: pytest.fail("warehouse facts read again"))
    again = selectors.stock_health(day=DAY, con=warehouse)
    assert again.rows == first.rows
