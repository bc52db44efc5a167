"""The engines over a demo warehouse end to end: forecast, stock health, suggestions, campaign plan —
shapes and a few facts checked against pandas over the generator's files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.inventory import demand_data, planning
from shopops.inventory.replenishment import SupplyTerms
from tests.inventory.conftest import END


@pytest.fixture(scope="module")
def forecast(inventory_store):
    from shopops.warehouse import connection

    url, _files = inventory_store
    con = connection.connect(url)
    try:
        yield planning.demand_forecast(end=END, level="merchant_code", horizon=28, con=con)
    finally:
        connection.disconnect_all()


def test_forecast_covers_every_sold_merchant_code(inventory_warehouse, forecast):
    con, _ = inventory_warehouse
    sold = demand_data.daily_units(first=END - dt.timedelta(days=119), last=END, level="merchant_code", con=con)
    assert set(sold["unique_id"]) <= set(forecast.series["unique_id"])
    assert len(forecast.forecasts) == 28 * len(forecast.series)
    f = forecast.forecasts
    assert (f["mean"] >= 0).all() and (f["lo_80"] <= f["mean"] + 1e-9).all() and (f["hi_95"] >= f["hi_80"] - 1e-9).all()
    assert f["ds"].min() == END + dt.timedelta(days=1)


def test_stock_health_rows_agree_with_the_snapshots(inventory_warehouse, forecast):
    con, files = inventory_warehouse
    rows = planning.stock_health(day=END, forecast=forecast, level="merchant_code", con=con)
    stock = demand_data.stock_on(day=END, level="merchant_code", con=con).set_index("unique_id")
    by_id = {r["unique_id"]: r for r in rows}
    sample = list(stock.index[:50])
    for uid in sample:
        assert by_id[uid]["on_hand"] == int(stock.loc[uid, "on_hand"])
    # stock-out days: snapshots of the last 90 days with nothing on hand, each standing for the 7 days
    # between weekly snapshots (pandas over the warehouse's snapshot history)
    hist = demand_data.stock_history(first=END - dt.timedelta(days=89), last=END, level="merchant_code", con=con)
    empty = hist[hist["on_hand"] <= 0].groupby("unique_id").size() * 7
    for r in rows:
        assert r["stockout_days"] == int(empty.get(r["unique_id"], 0)), r["unique_id"]
        assert r["status"] in ("ok", "slow", "dead")
        if r["days_of_cover"] is not None:
            assert r["days_of_cover"] == pytest.approx(r["on_hand"] / r["daily_forecast"])
        if r["age"] is not None:
            assert sum(r["age"].values()) == r["on_hand"]


def test_suggestions_and_campaign_plan_run_on_the_forecast(inventory_warehouse, forecast):
    con, _ = inventory_warehouse
    stock = demand_data.stock_on(day=END, level="merchant_code", con=con)
    top = forecast.series.sort_values("daily_mean", ascending=False)["unique_id"].head(20).tolist()
    terms = {uid: SupplyTerms("S1" if k % 2 else "S2", Decimal("30.00"), lead_time_days=10, lead_time_sd_days=2,
                              moq=20, case_pack=10) for k, uid in enumerate(top)}
    orders = planning.purchase_suggestions(forecast=forecast, stock=stock, terms=terms, open_po={},
                                           budget=Decimal("5000.00"))
    assert sum(o.total for o in orders) <= Decimal("5000.00")
    for o in orders:
        for line in o.lines:
            assert line.quantity % 10 == 0 and line.quantity >= 20
    lines = planning.campaign_plan(forecast=forecast, stock=stock, terms=terms, today=END,
                                   first=END + dt.timedelta(days=14), last=END + dt.timedelta(days=16), post_days=10)
    assert len(lines) == 20
    for line in lines:
        assert line.latest_order_date == END + dt.timedelta(days=14) - dt.timedelta(days=14)  # ⌈10 + 1.645·2⌉ = 14
        assert line.order_qty == 0 or line.order_qty >= 20
