"""The 复盘 of a store imported without SKU costs: its gross margin is unknown, said as such — not the
GMV (what counting no cost gave) and not 0 (what an unknown day read as). With part of the costs it is
shown with the coverage. Hand-made data: one own store, 90 days of one order a day, 2 units of P1 at 50.00
(100.00) — 3 orders a day during the 3-day campaign window; 10.00 of ads a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.campaigns.baseline import DateRange
from shopops.campaigns.retro import RetroPlan, retro_build
from shopops.warehouse.loader import load

START, WINDOW = dt.date(2025, 8, 1), DateRange(dt.date(2025, 10, 10), dt.date(2025, 10, 12))
END = dt.date(2025, 10, 29)


def _store(warehouse, cost, *, refunds: bool = True):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "own", "platform": "own", "name": "店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    orders, lines = [], []
    day = START
    while day <= END:
        for n in range(3 if WINDOW.first <= day <= WINDOW.last else 1):
            oid = f"{day.isoformat()}-{n}"
            at = dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)
            orders.append({"store_id": "own", "order_id": oid, "customer_id": f"c{oid}", "status": "paid",
                           "created_at": at, "paid_at": at, "paid_date": day, "paid_amount": Decimal("100.00")})
            lines.append({"store_id": "own", "order_id": oid, "line_no": 1, "product_id": "P1", "sku_id": "S1",
                          "quantity": 2, "paid_amount": Decimal("100.00"), "paid_date": day})
        day += dt.timedelta(days=1)
    load(warehouse, "orders", pa.Table.from_pylist(orders))
    if refunds:  # refunds imported (one rejected request): none is a known 0
        load(warehouse, "refunds", pa.Table.from_pylist([
            {"store_id": "own", "refund_id": "r0", "order_id": orders[0]["order_id"], "amount": Decimal("10.00"),
             "status": "failed", "requested_at": orders[0]["paid_at"], "refund_date": None}]))
    load(warehouse, "ad_spend_daily", pa.Table.from_pylist([  # 10.00 of ads a day (a series of ads to fit)
        {"store_id": "own", "date": START + dt.timedelta(days=i), "ad_tool": "ztc", "plan_id": "p", "impressions": 100,
         "clicks": 5, "cost": Decimal("10.00"), "attributed_orders": 0, "attributed_gmv": Decimal("0.00")}
        for i in range((END - START).days + 1)]))
    load(warehouse, "order_lines", pa.Table.from_pylist(lines))
    load(warehouse, "skus", pa.Table.from_pylist(
        [{"store_id": "own", "sku_id": "S1", "product_id": "P1", "price": Decimal("50.00"), "cost": cost}],
        schema=pa.schema([("store_id", pa.string()), ("sku_id", pa.string()), ("product_id", pa.string()),
                          ("price", pa.decimal128(18, 2)), ("cost", pa.decimal128(18, 2))])))


def _plan():
    return RetroPlan(stores=("own",), window=WINDOW, history_days=60, side_days=7)


def test_without_costs_the_margin_is_unknown_not_the_gmv(warehouse):
    _store(warehouse, None)
    retro = retro_build(_plan(), as_of=END, con=warehouse)
    gm = retro.figures["gross_margin"]
    assert (gm.actual, gm.baseline, gm.incremental, gm.lift) == (None, None, None, None)
    assert retro.incremental_margin is None and "margin_unknown" in retro.notes and retro.margin_coverage == 0
    assert retro.figures["gmv"].actual == Decimal("300.00") * 3  # the window's GMV is still there


def test_with_costs_the_margin_is_counted(warehouse):
    # cost 20.00 a unit: a day's margin 100 − 2 × 20 = 60.00; the window's 3 days × 3 orders -> 540.00
    _store(warehouse, Decimal("20.00"))
    retro = retro_build(_plan(), as_of=END, con=warehouse)
    assert retro.figures["gross_margin"].actual == Decimal("540.00")
    assert retro.margin_coverage == 1.0 and not any(n.startswith("margin_") for n in retro.notes)


def test_without_refund_data_the_margin_is_unknown_not_a_crash(warehouse):
    # costs known, refunds never imported: net sales and the margin are unknown, the retro is still built
    _store(warehouse, Decimal("20.00"), refunds=False)
    retro = retro_build(_plan(), as_of=END, con=warehouse)
    assert retro.figures["gross_margin"].actual is None and retro.figures["gmv"].actual is not None
