"""断货风险 (stock-out risk): one rule for the stock page's status, its tile, its filter and the inventory alerts.

Walkthrough B (#6): a Tmall top seller with 8 on hand, 81 sold in 30 days, 15 days of lead time and 100 units
on an overdue PO was "Healthy" on the stock page while the module's own alert said it runs out on 12-10; the
page's "at risk" count was 0 on the whole demo. The old rule was "cover below the lead time and on hand +
*all* in transit below the lead time's demand on the 30-day average": an order due after the stock runs out
counted as if it were on the shelf, and the forecast's 双12 uplift, which the alert walks, was not looked at.

Now the risk is the walk the alerts make (``stock_health.forecast_shortfall``), made once per row: expected
values below are hand walks.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from shopops.inventory import positions

DAY = dt.date(2026, 12, 7)
LEAD = 15
KEY = ("tmall", "10000002712123")


def _positions(on_hand: int = 8, units_30: int = 81) -> pd.DataFrame:
    return pd.DataFrame([{
        "store_id": KEY[0], "sku_id": KEY[1], "merchant_code": "QM-JF33-0080-0102", "product_id": "P1",
        "title": "被子", "spec": "", "price": Decimal("330.71"), "cost": Decimal("150.00"),
        "snapshot_date": DAY, "snapshot_on_hand": on_hand, "snapshot_in_transit": 0,
        "units_30": units_30, "units_90": units_30 * 3, "stockout_days": 0, "on_hand_aged_ago": 0}])


def _row(*, po_due: dt.date | None, path=None, on_hand: int = 8) -> dict:
    open_po = pd.DataFrame([{"store_id": KEY[0], "sku_id": KEY[1], "open_quantity": 100}] if po_due else [],
                           columns=["store_id", "sku_id", "open_quantity"])
    (row,) = positions.stock_health(
        positions=_positions(on_hand), receipts=pd.DataFrame(columns=["store_id", "sku_id", "received_on", "quantity"]),
        open_po=open_po, ordered_here={KEY} if po_due else set(), lead_days={"QM-JF33-0080-0102": LEAD}, day=DAY,
        paths=None if path is None else {KEY: np.asarray(path, dtype=float)},
        dated_arrivals={KEY: [(po_due, 100)]} if po_due else None)
    return row


def _hand_walk(on_hand: float, demand: list[float], arrivals: dict[int, float]) -> tuple[int | None, float, int]:
    stock, first, lost, days = float(on_hand), None, 0.0, 0
    for d, want in enumerate(demand, start=1):
        stock += arrivals.get(d, 0.0)
        if want > stock + 1e-9:
            lost, days, first, stock = lost + want - stock, days + 1, first or d, 0.0
        else:
            stock -= want
    return first, lost, days


def test_an_order_due_after_the_stock_runs_out_does_not_stop_the_risk():
    # 8 on hand at 2.7 a day (81 ÷ 30) lasts two days; the 100 units come on day 10: days 3–9 are short.
    # The old rule added them to on hand: 108 ≥ 15 × 2.7 = 40.5, "Healthy".
    row = _row(po_due=DAY + dt.timedelta(days=10))
    assert row["in_transit"] == 100 and row["days_of_cover"] == pytest.approx(8 / 2.7)
    first, lost, days = _hand_walk(8, [2.7] * LEAD, {10: 100})
    assert (first, days) == (3, 7) and lost == pytest.approx(0.1 + 6 * 2.7)  # day 3: 2.6 of 2.7 sold
    assert row["status"] == "at_risk" and row["actions"] == ("reorder",)
    assert (row["risk_day"], row["risk_days"], row["risk_basis"]) == (first, days, "average")
    assert row["risk_units"] == pytest.approx(lost)
    # with no order at all, the same
    assert _row(po_due=None)["status"] == "at_risk"
    # an order due tomorrow (or overdue: it counts as coming tomorrow, as in the alerts) covers the lead time
    # on the 30-day average: 108 ≥ 40.5
    assert _row(po_due=DAY + dt.timedelta(days=1))["status"] == "healthy"
    assert _row(po_due=DAY - dt.timedelta(days=3))["risk_day"] is None


def test_the_forecast_path_drives_the_risk_where_there_is_one():
    # the walkthrough's case: the 100 are overdue (tomorrow), but 双12 lifts demand to 4× from day 6: 5 × 2.7 =
    # 13.5, then 10.8 a day; 108 − 13.5 = 94.5 lasts 8 more days (86.4), day 14 is short
    path = [2.7] * 5 + [10.8] * 10 + [2.7] * 41
    row = _row(po_due=DAY - dt.timedelta(days=3), path=path)
    first, lost, days = _hand_walk(8, path[:LEAD], {1: 100})
    assert (first, days) == (14, 2) and lost == pytest.approx(10.8 * 2 - (94.5 - 86.4))
    assert row["status"] == "at_risk" and row["risk_basis"] == "forecast"
    assert (row["risk_day"], row["risk_days"]) == (first, days) and row["risk_units"] == pytest.approx(lost)
    # the page's days of cover stay the 30-day average's (the page says so)
    assert row["days_of_cover"] == pytest.approx(8 / 2.7)


def test_nothing_on_hand_with_forecast_demand_is_out_of_stock():
    row = _row(po_due=None, on_hand=0, path=[1.0] * 56)
    assert row["status"] == "stockout" and row["risk_day"] == 1


@pytest.mark.django_db
def test_page_status_tile_filter_and_alerts_agree_on_the_hand_store(warehouse, client):
    """The alerts' hand store (tests/inventory/test_alerts_forecast.py): 30 days without a festival day, then
    双11's warm-up. Every SKU's risk by a hand walk of its hand path (the rate, ×3 on festival days) over the
    default 14-day lead time; the page's rows, tile and filter list exactly those, and the one top seller among
    them is the one stock-out alert."""
    from shopops.core.roles import Role
    from shopops.inventory.alerts import alerts
    from shopops.team.services import role_groups_sync, user_create
    from tests.inventory import test_alerts_forecast as hand_store

    hand_store._build(warehouse)
    expected = set()
    for code, rate in hand_store.RATE.items():
        first, _lost, _days = _hand_walk(hand_store.ON_HAND[code], hand_store._hand_path(rate, hand_store.LEAD), {})
        if first is not None:
            expected.add(f"s1-{code}")
    # K-0: 200 against 10 a day with 双11 ×3 from day 5; K-2…K-9: 30 against 14 + 2 × 10 festival days; K-1 holds 900
    assert expected == {f"s1-K-{k}" for k in range(10) if k != 1}

    role_groups_sync()
    client.force_login(user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT))
    html = client.get("/inventory/").content.decode()
    statuses = dict(re.findall(r'data-col="sku_id" data-value="([^"]+)">.*?data-col="status" data-value="([^"]+)"',
                               html, re.S))
    assert {sku for sku, status in statuses.items() if status == "at_risk"} == expected
    tile = re.search(r'data-total="stockouts" data-value="(\d+)">(\d+) / (\d+)<', html)
    assert tile.groups() == ("0", "0", str(len(expected)))
    filtered = client.get("/inventory/?status=at_risk").content.decode()
    assert set(re.findall(r'data-col="sku_id" data-value="([^"]+)"', filtered)) == expected
    # the page says what the risk is measured on, and when each SKU runs out (K-0: day 10 by hand, 10-20)
    assert 'data-risk-on="2026-10-20"' in html and "10-20 断货" in html
    assert "断货风险：按需求预测" in html
    client.cookies["django_language"] = "en"
    english = client.get("/inventory/").content.decode()
    assert "Stock-out risk: on the demand forecast" in english and "runs out 10-20" in english

    risk = {a.key for a in alerts(DAY.replace(year=2026, month=10, day=10)) if a.kind == "stockout_risk"}
    assert risk == {"s1:s1-K-0"}  # the top 10 % of ten SKUs: the top seller, which the page lists at risk
