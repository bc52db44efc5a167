"""Stock health on the forecast: the projected stock-out day (hand-worked paths, and a plain loop over
the store forecast's own paths as the oracle), and planned promotions as forecast uplift windows
(a promotion of a kind seen in the history raises its SKUs' forecast on its days only)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pytest
from django.utils import timezone

from shopops.inventory import planning, selectors
from shopops.inventory.stock_health import projected_stockout
from shopops.warehouse import loader
from tests.inventory import app_shop
from tests.inventory.app_shop import LAST_SNAPSHOT as DAY  # the stock pages' as-of day


def test_projected_stockout_by_hand():
    on_hand = np.array([10, 0, 5, 7, 3])
    daily = np.array([
        [3, 3, 3, 3, 3],  # 3, 6, 9, 12: out on day 4
        [0, 0.5, 0, 0, 0],  # nothing on hand: out the first day with demand (2)
        [1, 1, 1, 1, 1],  # exactly the stock over the path: lasts
        [0, 0, 0, 0, 0],  # no demand: lasts
        [np.nan, 2, 2, 0, 0],  # NaN counts as no demand: 0, 2, 4 > 3 on day 3
    ], dtype=float)
    got = projected_stockout(on_hand, daily)
    assert got[0] == 4 and got[1] == 2 and np.isnan(got[2]) and np.isnan(got[3]) and got[4] == 3
    with pytest.raises(ValueError, match=r"daily must be \[n, days\]"):
        projected_stockout(on_hand, daily[:2])


@pytest.fixture
def shop(warehouse):
    return app_shop.build(warehouse)


def _oracle_days(on_hand: int, path) -> int | None:
    total = 0.0
    for d, x in enumerate(path, start=1):
        total += 0.0 if np.isnan(x) else float(x)
        if total > on_hand + 1e-9:
            return d
    return None


@pytest.mark.django_db
def test_forecast_cover_rows_follow_the_forecast(shop, warehouse):
    day, rows = selectors.forecast_stock_cover(store_id="s1", con=warehouse)
    assert day == DAY and {r["sku_id"] for r in rows} == {app_shop.sku_id("s1", c) for c in app_shop.CODES}
    fc = selectors.store_forecast(store_id="s1", day=DAY, con=warehouse)
    f = fc.forecasts
    for r in rows:
        path = f[f["unique_id"] == f"s1:{r['sku_id']}"]["mean"].to_numpy()
        # a SKU that never sold (M-1) is no series of the forecast: no demand, no stock-out
        assert r["forecast_daily"] == pytest.approx(float(np.mean(path[:28])) if path.size else 0.0)
        expected = _oracle_days(r["on_hand"], path)
        assert r["stockout_in_days"] == expected, r["sku_id"]
        assert r["stockout_date"] == (None if expected is None else DAY + dt.timedelta(days=expected))
        assert r["stockout_within_lead"] == (expected is not None and expected <= r["lead_days"])
        if r["forecast_daily"] > 0:
            assert r["days_of_cover_forecast"] == pytest.approx(r["on_hand"] / r["forecast_daily"])
    # the fast seller (M-5, ~5 a day) with little stock runs out inside the horizon on some store
    assert any(r["stockout_in_days"] is not None for r in rows)


@pytest.mark.django_db
def test_planned_promotion_raises_the_forecast_on_its_days_only(shop, warehouse):
    from shopops.promotions.models import Promotion

    sku = app_shop.sku_id("s1", "M-5")
    # a past flash sale on the SKU: 20 extra units a day over seven days, 60 days ago
    past = [DAY - dt.timedelta(days=60 - k) for k in range(7)]
    utc = dt.timezone.utc
    orders, lines = [], []
    for k, d in enumerate(past):
        paid_at = dt.datetime.combine(d, dt.time(4, 0), tzinfo=utc)
        amount = app_shop.PRICE["M-5"] * 20
        orders.append({"store_id": "s1", "order_id": f"promo{k}", "customer_id": "c1", "status": "paid",
                       "created_at": paid_at, "paid_at": paid_at, "paid_date": d, "paid_amount": amount})
        lines.append({"store_id": "s1", "order_id": f"promo{k}", "line_no": 1, "product_id": "P-M-5", "sku_id": sku,
                      "quantity": 20, "paid_amount": amount, "paid_date": d})
    loader.load(warehouse, "orders", pa.Table.from_pylist(orders))
    loader.load(warehouse, "order_lines", pa.Table.from_pylist(lines))
    tz = timezone.get_fixed_timezone(8 * 60)

    def at(d):
        return dt.datetime.combine(d, dt.time(0, 0), tzinfo=tz)

    Promotion.objects.create(name="秒杀一", kind="flash_sale", parameters={}, scope_skus=[sku],
                             starts_at=at(past[0]), ends_at=at(past[-1] + dt.timedelta(days=1)))
    without = selectors.store_forecast(store_id="s1", day=DAY, con=warehouse)
    planned = [DAY + dt.timedelta(days=k) for k in (10, 11, 12)]
    promo = Promotion.objects.create(name="秒杀二", kind="flash_sale", parameters={}, scope_skus=[sku],
                                     starts_at=at(planned[0]), ends_at=at(planned[-1] + dt.timedelta(days=1)))
    with_promo = selectors.store_forecast(store_id="s1", day=DAY, con=warehouse)

    def path(fc, uid):
        f = fc.forecasts[fc.forecasts["unique_id"] == uid]
        return dict(zip(f["ds"], f["mean"]))  # ds: dates

    a, b = path(without, f"s1:{sku}"), path(with_promo, f"s1:{sku}")
    for d in a:
        if d in planned:
            assert b[d] > 1.5 * a[d], d  # past: ~5 + 20 a day against ~5
        else:
            assert b[d] == pytest.approx(a[d]), d
    other = f"s1:{app_shop.sku_id('s1', 'M-4')}"
    assert path(with_promo, other) == pytest.approx(path(without, other))
    # switched off, it is not a plan: the forecast goes back
    promo.is_active = False
    promo.save()
    again = selectors.store_forecast(store_id="s1", day=DAY, con=warehouse)
    assert path(again, f"s1:{sku}") == pytest.approx(a)


@pytest.mark.django_db
def test_forecast_page_shows_the_projected_stockout_in_zh_and_en(client, shop, warehouse, monkeypatch):
    from shopops.core.roles import Role
    from shopops.team.services import role_groups_sync, user_create

    monkeypatch.setattr(selectors, "connect", lambda *a, **k: warehouse)
    role_groups_sync()
    client.force_login(user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT))
    _, rows = selectors.forecast_stock_cover(store_id="s1", con=warehouse)
    row = next(r for r in rows if r["stockout_date"] is not None)
    url = f"/inventory/forecast/?store=s1&sku={row['sku_id']}"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'data-stockout="{row["stockout_date"]:%Y-%m-%d}"' in html and "预计断货日" in html
    assert f'data-within-lead="{1 if row["stockout_within_lead"] else 0}"' in html
    # the demand class in words of the reader's language, not the engine's code
    code = re.search(r'data-demand-class="([a-z]+)">([^<]*)<', html)
    zh = {"smooth": "平稳", "erratic": "波动", "intermittent": "间歇", "lumpy": "间歇且波动", "new": "新品", "inactive": "无需求"}
    assert code is not None and code.group(2) == zh[code.group(1)]
    client.cookies["django_language"] = "en"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Projected stock-out" in html and f"{row['on_hand']} on hand" in html
    en = {"smooth": "smooth", "erratic": "erratic", "intermittent": "intermittent", "lumpy": "lumpy", "new": "new product",
          "inactive": "no demand"}
    assert f'data-demand-class="{code.group(1)}">{en[code.group(1)]}<' in html
