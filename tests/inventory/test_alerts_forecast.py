"""Inventory alerts on the demand forecast, checked against hand computations.

A hand-built store: ten SKUs that sell a constant number of units a day for two years, three times as
many on every festival window day (the platforms' calendar, ``festival_windows``) — so the forecast is
known by hand: the constant on ordinary days, three times it on festival days. The stock day is
2026-10-10, five days before 双11's warm-up: the top seller (10 a day) holds 200 units, which its
30-day average (10 a day × 14 days of lead time = 140) says is enough, while 双11 runs it out on day 10.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from shopops.inventory.forecasting.festival_windows import festival_windows
from shopops.inventory.stock_health import forecast_demand_over, forecast_shortfall
from shopops.warehouse import loader

DAY = dt.date(2026, 10, 10)
LEAD = 14  # no supplier: the default lead time
RATE = {f"K-{k}": (10 if k == 0 else 1) for k in range(10)}
ON_HAND = {"K-0": 200, "K-1": 900, **{f"K-{k}": 30 for k in range(2, 10)}}
PRICE = {c: Decimal("80.00") if c == "K-0" else Decimal("40.00") for c in RATE}
COST = {c: Decimal("30.00") if c == "K-0" else Decimal("25.00") for c in RATE}
UPLIFT = 3


def _festival_days(first: dt.date, last: dt.date) -> set[dt.date]:
    out = set()
    for w in festival_windows(first - dt.timedelta(days=60), last + dt.timedelta(days=60)):
        d = w.first
        while d <= w.last:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


def _build(con) -> None:
    utc = dt.timezone.utc
    loader.load(con, "stores", pa.Table.from_pylist([
        {"store_id": "s1", "platform": "own", "name": "店铺s1", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    loader.load(con, "products", pa.Table.from_pylist([
        {"store_id": "s1", "product_id": f"P-{c}", "title": f"商品{c}", "category": "女装"} for c in RATE]))
    loader.load(con, "skus", pa.Table.from_pylist([
        {"store_id": "s1", "sku_id": f"s1-{c}", "product_id": f"P-{c}", "spec": "颜色:黑", "merchant_code": c,
         "price": PRICE[c], "cost": COST[c]} for c in RATE]))
    loader.load(con, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "s1", "date": DAY, "sku_id": f"s1-{c}", "on_hand": ON_HAND[c], "in_transit": 0} for c in RATE]))
    first = DAY - dt.timedelta(days=729)
    festive = _festival_days(first, DAY)
    orders, lines = [], []
    for back in range(730):
        day = DAY - dt.timedelta(days=back)
        for c, rate in RATE.items():
            qty = rate * (UPLIFT if day in festive else 1)
            oid = f"o{c}-{back}"
            paid_at = dt.datetime.combine(day, dt.time(4, 0), tzinfo=utc)
            amount = PRICE[c] * qty
            orders.append({"store_id": "s1", "order_id": oid, "customer_id": f"c{back % 17}", "status": "paid",
                           "created_at": paid_at, "paid_at": paid_at, "paid_date": day, "paid_amount": amount})
            lines.append({"store_id": "s1", "order_id": oid, "line_no": 1, "product_id": f"P-{c}", "sku_id": f"s1-{c}",
                          "quantity": qty, "paid_amount": amount, "paid_date": day})
    loader.load(con, "orders", pa.Table.from_pylist(orders))
    loader.load(con, "order_lines", pa.Table.from_pylist(lines))


def _hand_path(rate: int, days: int) -> list[float]:
    """The forecast by hand: ``rate`` a day, three times it on festival days, from the day after DAY."""
    festive = _festival_days(DAY, DAY + dt.timedelta(days=days))
    return [float(rate * (UPLIFT if DAY + dt.timedelta(days=d) in festive else 1)) for d in range(1, days + 1)]


def test_shortfall_walk_by_hand():
    # 10 on hand, 4 a day: days 1, 2 sell 8; day 3 sells 2 of 4 (2 lost), day 4 all 4 lost
    got = forecast_shortfall(10, [4, 4, 4, 4, 4], days=4)
    assert (got.stockout_day, got.lost_units, got.lost_days) == (3, 6.0, 2)
    # an arrival of 5 on day 3 lasts: 2 + 5 = 7 ≥ 4, 3 left, day 4 short by 1
    got = forecast_shortfall(10, [4, 4, 4, 4, 4], days=4, arrivals={3: 5})
    assert (got.stockout_day, got.lost_units, got.lost_days) == (4, 1.0, 1)
    # lost sales are not back-ordered: day 2 is lost, the day-3 arrival serves day 3 in full
    got = forecast_shortfall(0, [0, 4, 4], days=3, arrivals={3: 4})
    assert (got.stockout_day, got.lost_units, got.lost_days) == (2, 4.0, 1)
    # beyond the path the demand stays at the mean of its last 28 days (here 2)
    got = forecast_shortfall(3, [2, 2], days=5)
    assert (got.stockout_day, got.lost_units) == (2, 7.0)
    assert forecast_shortfall(100, [1, 1], days=2).stockout_day is None
    with pytest.raises(ValueError, match="on hand must not be negative"):
        forecast_shortfall(-1, [1], days=1)
    # demand over 120 days: the path (with uplift) where it reaches, then its ordinary level
    assert forecast_demand_over([3, 1, 1, 3], [3, 1, 1, 3], days=10) == pytest.approx(8 + 6 * 1.0)
    assert forecast_demand_over([2, 2, 6], [1, 1, 3], days=2) == pytest.approx(4)


@pytest.mark.django_db
def test_double11_on_the_forecast_runs_a_top_seller_out_within_its_lead_time(warehouse):
    from shopops.inventory import selectors
    from shopops.inventory.alerts import alerts

    _build(warehouse)
    raised = alerts(DAY)
    risk = [a for a in raised if a.kind == "stockout_risk"]
    assert [a.key for a in risk] == ["s1:s1-K-0"], [(a.key, a.text_en) for a in raised]

    # the 30-day average would not have alerted: the last 30 days hold no festival day
    assert not _festival_days(DAY - dt.timedelta(days=29), DAY) & {DAY - dt.timedelta(days=k) for k in range(30)}
    row = next(r for r in selectors.stock_health(stores=("s1",), day=DAY).rows if r["sku_id"] == "s1-K-0")
    assert row["daily_demand"] == pytest.approx(10) and row["daily_demand"] * LEAD < ON_HAND["K-0"]
    assert row["lead_days"] == LEAD

    # the forecast matches the hand path (festival days ×3)
    means, _ups = selectors.store_forecast_paths(store_id="s1", day=DAY)["s1-K-0"]
    hand = _hand_path(10, LEAD)
    assert means[:LEAD] == pytest.approx(hand, rel=0.01)

    # by hand: 200 on hand, walk the hand path; the first short day and the units lost over 14 days
    stock, lost, first = 200.0, 0.0, None
    for d, demand in enumerate(hand, start=1):
        if demand > stock:
            lost += demand - stock
            first = first or d
            stock = 0.0
        else:
            stock -= demand
    assert first == 10 and lost == 140  # 4 × 10 + 5 × 30 = 190 sold by day 9; day 10 sells 10 of 30, days 11–14 lost
    a = risk[0]
    assert abs(a.money_at_stake - Decimal("80.00") * 140) <= Decimal("0.01") * 140 * 80 / 100  # within 1 %
    # exactly: the same walk on the forecast's own path, valued at the price
    stock, exact = 200.0, 0.0
    for demand in means[:LEAD]:
        exact += max(demand - stock, 0.0)
        stock = max(stock - demand, 0.0)
    assert a.money_at_stake == (Decimal("80.00") * Decimal(repr(round(float(exact), 6)))).quantize(Decimal("0.01"))
    assert a.severity == "high" and "2026-10-20" in a.text_en and "10-20" in a.text_zh
    # money as on the pages: the store's currency with thousands separators (¥11,200.00), in both languages
    assert "margin" in a.text_en and f"¥{a.money_at_stake:,}" in a.text_zh and f"sales ¥{a.money_at_stake:,}" in a.text_en


@pytest.mark.django_db
def test_overstock_and_open_po_on_the_forecast(warehouse):
    from django.utils import timezone

    from shopops.core.roles import Role
    from shopops.inventory import services
    from shopops.inventory.alerts import alerts
    from shopops.team.services import role_groups_sync, user_create

    _build(warehouse)
    # overstock: K-1 (1 a day) holds 900; 120 days of forecast demand = the 56-day path with its festival days
    # ×3, then 64 ordinary days
    over = [a for a in alerts(DAY) if a.kind == "overstock"]
    demand = sum(_hand_path(1, 56)) + 64 * 1
    excess = int(np.floor(900 - demand))
    assert [a.key for a in over] == ["s1:s1-K-1"]
    assert abs(over[0].money_at_stake - Decimal("25.00") * excess) <= Decimal("25.00")  # within one unit
    assert excess * 25 >= 5000

    # a PO of 150 units arriving on day 8 (before the stock-out) saves the top seller: no alert
    role_groups_sync()
    buyer = user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)
    supplier = services.supplier_create(user=buyer, code="S", name="供应商", promised_lead_days=LEAD)
    services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="K-0", unit_price="30", valid_from=DAY)
    now = timezone.now()
    po = services.purchase_order_create(user=buyer, supplier=supplier, ordered_on=DAY - dt.timedelta(days=6), now=now,
                                        lines=[services.LineIn("s1", "s1-K-0", "K-0", 150, unit_price="30",
                                                               expected_on=DAY + dt.timedelta(days=8))])
    services.purchase_order_send(user=buyer, po=po, now=now)
    assert not [a for a in alerts(DAY) if a.kind == "stockout_risk"]
    # the same PO late (expected two days ago, nothing came): the supplier alert counts the sales lost if it
    # does not come, the stock-out alert counts it as arriving tomorrow
    from shopops.inventory.models import PurchaseOrderLine

    PurchaseOrderLine.objects.filter(purchase_order=po).update(expected_on=DAY - dt.timedelta(days=2))
    got = {a.kind: a for a in alerts(DAY)}
    assert "stockout_risk" not in got
    late = got["supplier_late"]
    assert late.money_at_stake == Decimal("4500.00")  # 150 late units × ¥30
    assert "140 units of demand are lost" in late.text_en


def test_stockout_risks_beyond_the_limit_come_as_one_summary_with_their_count_and_money():
    from shopops.core.alerts import Alert
    from shopops.inventory import alerts as inventory_alerts

    day = dt.date(2025, 11, 1)

    def risk(i: int, severity: str, money: str) -> Alert:
        return Alert(source="inventory", kind="stockout_risk", key=f"s1:SKU-{i}", store_id="s1", day=day,
                     severity=severity, text_zh="-", text_en="-", money_at_stake=Decimal(money))

    limit = inventory_alerts.STOCKOUT_LIMIT
    # limit + 5 risks: one critical worth little, the rest high with money 1..limit+4
    risks = [risk(0, "critical", "1.00")] + [risk(i, "high", f"{i}.00") for i in range(1, limit + 5)]
    got = inventory_alerts._stockout_capped(risks, day)
    single = [a for a in got if a.kind == "stockout_risk"]
    summary = [a for a in got if a.kind == "stockout_risk_more"]
    assert len(single) == limit and len(summary) == 1
    assert single[0].key == "s1:SKU-0"  # the critical one first, though it is worth the least
    # kept: the critical + the limit-1 largest high ones (money limit+4 down to 6); summarised: 1..5
    assert {a.key for a in single} == {"s1:SKU-0"} | {f"s1:SKU-{i}" for i in range(6, limit + 5)}
    assert summary[0].money_at_stake == Decimal("15.00") and "5" in summary[0].text_en
    assert summary[0].store_id == "s1" and summary[0].link.startswith("/inventory/")
    assert inventory_alerts._stockout_capped(risks[:limit], day) == sorted(
        risks[:limit], key=lambda a: (a.severity != "critical", -a.money_at_stake, a.key))  # under the limit: no summary
