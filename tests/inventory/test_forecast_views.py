"""The forecast page per merchant code (the same goods summed over every store) and per week: the history the
page shows against an independent pandas sum of the generated order lines, the forecast rows' periods and
intervals, escaping, and the module permission."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from shopops.inventory import selectors
from tests.inventory import app_shop
from tests.inventory.app_shop import LAST_SNAPSHOT as DAY  # the stock pages' as-of day: history ends here


@pytest.fixture
def shop(warehouse, monkeypatch):
    monkeypatch.setattr(selectors, "connect", lambda *a, **k: warehouse)
    return app_shop.build(warehouse)


@pytest.fixture
def buyer_client(client, db):
    from shopops.core.roles import Role
    from shopops.team.services import role_groups_sync, user_create

    role_groups_sync()
    client.force_login(user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT))
    return client


def _rows(html: str, table: str) -> list[dict]:
    body = re.search(rf'data-table="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    out = []
    for tr in re.findall(r"<tr (.*?)</tr>", body, re.S):
        row = dict(re.findall(r'data-(start|end)="([0-9-]+)"', tr))
        for col, value in re.findall(r'data-col="(units|mean)" data-value="([^"]+)"', tr):
            row[col] = float(value)
        for col, lo, hi in re.findall(r'data-col="(pi80|pi95)" data-lo="([^"]+)" data-hi="([^"]+)"', tr):
            row[col] = (float(lo), float(hi))
        out.append(row)
    return out


def _oracle(sales: pd.DataFrame, sku_ids: set[str], first: dt.date, step: int, periods: int) -> list[float]:
    """Units of ``sku_ids`` per block of ``step`` days from ``first`` up to the stock day (pandas, from the
    generated lines; the sales after the last snapshot are not history yet)."""
    s = sales[sales["sku_id"].isin(sku_ids) & (sales["paid_date"] <= DAY)].copy()
    s["k"] = s["paid_date"].map(lambda d: (d - first).days // step)
    s = s[(s["k"] >= 0) & (s["k"] < periods)]
    per = s.groupby("k")["quantity"].sum()
    return [float(per.get(k, 0)) for k in range(periods)]


def _intervals_hold(forecast: list[dict]) -> None:
    for f in forecast:
        lo95, hi95 = f["pi95"]
        lo80, hi80 = f["pi80"]
        assert 0 <= lo95 <= lo80 <= f["mean"] <= hi80 <= hi95, f


@pytest.mark.django_db
def test_merchant_code_by_day_sums_every_store(shop, buyer_client):
    code = "M-5"  # ~5 a day in each of the two stores
    html = buyer_client.get(f"/inventory/forecast/?code={code}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-subject="code"' in html and "全部店铺合计" in html
    history = _rows(html, "history")
    first = DAY - dt.timedelta(days=17 * 7 - 1)  # 120 days of history shown as 17 whole weeks ending on the stock day
    expected = _oracle(shop["sales"], {app_shop.sku_id(s, code) for s in app_shop.STORES}, first, 7, 17)
    assert [h["units"] for h in history] == expected and len(history) == 17
    assert history[0]["start"] == f"{first:%Y-%m-%d}" and history[-1]["end"] == f"{DAY:%Y-%m-%d}"
    one_store = _oracle(shop["sales"], {app_shop.sku_id("s1", code)}, first, 7, 17)
    assert sum(expected) > 1.5 * sum(one_store)  # both stores, not one
    forecast = _rows(html, "forecast")
    assert len(forecast) == 56 and forecast[0]["end"] == f"{DAY + dt.timedelta(days=1):%Y-%m-%d}"
    _intervals_hold(forecast)
    # the level: the forecast's mean a day within 30 % of the last 28 days' (pandas) over both stores
    recent = sum(_oracle(shop["sales"], {app_shop.sku_id(s, code) for s in app_shop.STORES},
                         DAY - dt.timedelta(days=27), 28, 1)) / 28
    assert sum(f["mean"] for f in forecast[:28]) / 28 == pytest.approx(recent, rel=0.3)


@pytest.mark.django_db
def test_weekly_view_of_a_code_and_of_a_store_sku(shop, buyer_client):
    weeks = selectors.HISTORY_WEEKS
    first = DAY - dt.timedelta(days=7 * weeks - 1)
    buyer_client.cookies["django_language"] = "en"
    for query, skus in (("code=M-3", {app_shop.sku_id(s, "M-3") for s in app_shop.STORES}),
                        (f"store=s2&sku={app_shop.sku_id('s2', 'M-5')}", {app_shop.sku_id("s2", "M-5")})):
        html = buyer_client.get(f"/inventory/forecast/?{query}&freq=W", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-freq="W"' in html and "Forecast (units per week)" in html, query
        history = _rows(html, "history")
        assert [h["units"] for h in history] == _oracle(shop["sales"], skus, first, 7, weeks), query
        assert history[-1]["end"] == f"{DAY:%Y-%m-%d}"  # weeks end on the stock day
        forecast = _rows(html, "forecast")
        assert [f["end"] for f in forecast] == [f"{DAY + dt.timedelta(days=7 * (k + 1)):%Y-%m-%d}"
                                                for k in range(selectors.FORECAST_WEEKS)], query
        _intervals_hold(forecast)
        # the same numbers as the daily view: its days summed into the weeks
        daily = _rows(buyer_client.get(f"/inventory/forecast/?{query}&freq=D").content.decode(), "forecast")
        assert [f["mean"] for f in forecast] == pytest.approx(
            [sum(d["mean"] for d in daily[7 * k:7 * k + 7]) for k in range(selectors.FORECAST_WEEKS)], rel=1e-9)
        assert forecast[0]["start"] == daily[0]["end"] and forecast[-1]["end"] == daily[-1]["end"]
        last4 = sum(h["units"] for h in history[-4:]) / 4
        assert sum(f["mean"] for f in forecast[:4]) / 4 == pytest.approx(last4, rel=0.35), query
    # the SKU's weekly page links its daily page and back
    assert 'href="?store=s2&amp;sku=s2-M-5&amp;freq=D"' in html


@pytest.mark.django_db
def test_stock_page_code_rows_link_the_code_forecast(shop, buyer_client):
    html = buyer_client.get("/inventory/?view=code", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'href="/inventory/forecast/?code=M-5" data-link="forecast"' in html


@pytest.mark.django_db
def test_unknown_code_is_escaped_404_and_other_roles_get_403(shop, buyer_client, client):
    from shopops.core.roles import Role
    from shopops.team.services import user_create

    buyer_client.cookies["django_language"] = "en"
    r = buyer_client.get("/inventory/forecast/?code=<b>x</b>&freq=W", HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 404 and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    buyer_client.logout()
    client.force_login(user_create(username="designer", password="a-long-test-password", role=Role.DESIGNER))
    for url in ("/inventory/forecast/?code=M-5", "/inventory/forecast/?code=M-5&freq=W",
                "/inventory/forecast/?store=s1&sku=s1-M-5&freq=W"):
        assert client.get(url).status_code == 403, url
