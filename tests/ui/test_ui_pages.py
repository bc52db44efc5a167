"""Pages on the ui layer, end to end: exports equal the page's table, in the store's currency, formula-safe;
sorting and paging by the URL; bad parameters are a message, never a 500.

The shop: one USD store ``us``. Paid orders in 2025-11-10..11: o1 c1 100.00 (source ``=1+2``),
o2 c2 250.50 (``@SUM(A1)``), o3 c1 30.00 (search) -> GMV 380.50, paying buyers 2.
Events: v1 ``=1+2`` (home, paid), v2 ``@SUM(A1)`` (home), v3 search (home).
Ads: plans p1..p3 on ztc with spend 5.00, 30.00, 12.50.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from support.pages import table_rows

PERIOD = {"period": "custom", "start": "2025-11-10", "end": "2025-11-11"}
PASSWORD = "a-long-test-password"


def _ts(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=dt.UTC)


@pytest.fixture
def usd_shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "us", "platform": "own", "name": "US store", "currency": "USD", "time_zone": "Asia/Shanghai"}]))

    def order(oid, customer, day, amount, source):
        return {"store_id": "us", "order_id": oid, "customer_id": customer, "status": "paid", "created_at": _ts(day),
                "paid_at": _ts(day), "paid_date": dt.date.fromisoformat(day), "paid_amount": Decimal(amount),
                "traffic_source": source}

    load(warehouse, "orders", pa.Table.from_pylist([
        order("o1", "c1", "2025-11-10", "100.00", "=1+2"), order("o2", "c2", "2025-11-11", "250.50", "@SUM(A1)"),
        order("o3", "c1", "2025-11-11", "30.00", "search")]))
    events = [{"store_id": "us", "event_id": f"e{i}", "visitor_id": v, "session_id": v, "event_type": "page_view",
               "page": "home", "product_id": None, "traffic_source": src, "occurred_at": _ts("2025-11-10"),
               "event_date": dt.date(2025, 11, 10)} for i, (v, src) in enumerate(
                   [("v1", "=1+2"), ("v2", "@SUM(A1)"), ("v3", "search")])]
    load(warehouse, "events", pa.Table.from_pylist(events))
    load(warehouse, "ad_spend_daily", pa.Table.from_pylist([
        {"store_id": "us", "date": dt.date(2025, 11, 10), "ad_tool": "ztc", "plan_id": p, "plan_name": f"plan {p}",
         "impressions": 100, "clicks": 10, "cost": Decimal(cost), "attributed_gmv": Decimal("1.00"),
         "attributed_orders": 1} for p, cost in (("p1", "5.00"), ("p2", "30.00"), ("p3", "12.50"))]))
    return warehouse


@pytest.fixture
def director(client, db):
    role_groups_sync()
    client.force_login(user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR))
    return client


def _xlsx(response):
    assert response.status_code == 200, response.content[:300]
    return [[c for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def _csv(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_a_usd_store_shows_and_exports_dollars_never_yuan(director, usd_shop):
    html = director.get(reverse("web:stores"), PERIOD).content.decode()
    assert "US$380.50" in html and "¥" not in html.split('<table class="data-table"', 1)[1].split("</table>")[0]
    sheet = _xlsx(director.get(reverse("web:stores"), {**PERIOD, "format": "xlsx"}))
    keys = [r["store_id"] for r in table_rows(html, "stores")]
    gmv_col = [c.value for c in sheet[0]].index("支付金额")
    us = sheet[1 + keys.index("us")]
    assert us[gmv_col].value == 380.5 and us[gmv_col].number_format == '"US$"#,##0.00'
    rows = _csv(director.get(reverse("web:stores"), {**PERIOD, "format": "csv"}))
    assert rows[0][gmv_col] == "支付金额 (USD)" and rows[1 + keys.index("us")][gmv_col] == "380.50"


@pytest.mark.django_db
def test_csv_and_xlsx_equal_the_page_table(director, usd_shop):
    html = director.get(reverse("web:traffic"), PERIOD).content.decode()
    page = table_rows(html, "sources")
    sheet = _xlsx(director.get(reverse("web:traffic"), {**PERIOD, "format": "xlsx", "table": "sources"}))
    rows = _csv(director.get(reverse("web:traffic"), {**PERIOD, "format": "csv", "table": "sources"}))
    assert len(page) == len(sheet) - 1 == len(rows) - 1 == 3
    # the same headers; a money column's CSV header names its currency (a CSV cell has no format)
    assert [f"{c.value} (USD)" if c.value == "支付金额" else c.value for c in sheet[0]] == rows[0]
    keys = list(page[0])
    for shown, xrow, crow in zip(page, sheet[1:], rows[1:], strict=True):
        for i, key in enumerate(keys):
            if i == 0:
                continue  # the first cell shows the source's label (checked below)
            raw = shown[key]
            if raw == "":
                assert xrow[i].value is None and crow[i] == ""
            else:
                assert float(xrow[i].value) == pytest.approx(float(raw)) and float(crow[i]) == pytest.approx(float(raw))
    # by hand: visitors per source 1, 1, 1; paying buyers =1+2: c1, @SUM(A1): c2, search: c1
    assert sorted(int(r[1]) for r in rows[1:]) == [1, 1, 1]


@pytest.mark.django_db
def test_formula_like_values_from_the_collector_stay_text(director, usd_shop):
    sheet = _xlsx(director.get(reverse("web:traffic"), {**PERIOD, "format": "xlsx", "table": "sources"}))
    first = {r[0].value: r[0] for r in sheet[1:]}
    for text in ("=1+2", "@SUM(A1)"):
        assert first[text].data_type == "s" and first[text].quotePrefix is True
    rows = _csv(director.get(reverse("web:traffic"), {**PERIOD, "format": "csv", "table": "sources"}))
    # one own-site store on the page: the search group in its platform's words (metrics.channels)
    assert sorted(r[0] for r in rows[1:]) == sorted(["'=1+2", "'@SUM(A1)", "小程序搜索"])


@pytest.mark.django_db
def test_the_plans_table_sorts_and_pages_by_the_url(director, usd_shop, monkeypatch):
    from shopops.web.analysis import views

    def spend(params) -> list[str]:
        html = director.get(reverse("web:ads"), {**PERIOD, **params}).content.decode()
        return [r["ad_spend"] for r in table_rows(html, "plans")]

    assert spend({"plans_sort": "ad_spend", "plans_dir": "asc"}) == ["5.00", "12.50", "30.00"]
    assert spend({"plans_sort": "ad_spend", "plans_dir": "desc"}) == ["30.00", "12.50", "5.00"]
    monkeypatch.setattr(views, "PLANS_PER_PAGE", 2)
    assert spend({"plans_sort": "ad_spend", "plans_page": "2"}) == ["5.00"]
    for bad in ({"plans_page": "abc"}, {"plans_page": "-1"}, {"plans_sort": "nope"}, {"plans_dir": "up"}):
        response = director.get(reverse("web:ads"), {**PERIOD, **bad})
        assert response.status_code == 200
        assert len(table_rows(response.content.decode(), "plans")) == 2  # the first page
    # the export has every plan, in the URL's order
    rows = _csv(director.get(reverse("web:ads"), {**PERIOD, "format": "csv", "table": "plans",
                                                 "plans_sort": "ad_spend", "plans_dir": "asc", "plans_page": "2"}))
    assert [r[0] for r in rows[1:]] == ["plan p1", "plan p3", "plan p2"]


@pytest.mark.django_db
@pytest.mark.parametrize("params, message", [
    ({"format": "pdf"}, "pdf"), ({"format": "csv", "table": "nope"}, "nope")])
def test_bad_export_parameters_are_a_message(director, usd_shop, params, message):
    response = director.get(reverse("web:traffic"), {**PERIOD, **params})
    assert response.status_code == 400 and "data-errors" in response.content.decode()
    assert message in response.content.decode()


@pytest.mark.django_db
def test_a_role_without_the_module_gets_no_page_and_no_export(client, usd_shop, db):
    role_groups_sync()
    client.force_login(user_create(username="designer", password=PASSWORD, role=Role.DESIGNER))
    for params in ({}, {"format": "xlsx"}, {"format": "csv"}):
        assert client.get(reverse("web:ads"), {**PERIOD, **params}).status_code == 403


# ---------------------------------------------------------------------------
# the decorator's access checks, per module and per action
# ---------------------------------------------------------------------------
def _guarded_view():
    from django.http import HttpResponse

    from shopops.core.roles import Action, Module
    from shopops.ui.pages import ui_page

    @ui_page(Module.PROMOTIONS, "promotions/promotions.html", warehouse=False, form=None,
             action=Action.PUBLISH_CAMPAIGN)
    def view(page):
        return HttpResponse("ok")

    return view


@pytest.mark.django_db
@pytest.mark.parametrize("role, allowed", [
    (Role.OPS_DIRECTOR, True),  # promotions + publish
    (Role.OPS_SPECIALIST, True),  # promotions + publish
    (Role.ANALYST, False),  # no promotions module
    (Role.ADS_SPECIALIST, False),  # no publish action
])
def test_the_module_and_the_action_are_checked_server_side(rf, role, allowed):
    from django.core.exceptions import PermissionDenied

    from shopops.core.roles import ROLE_ACTIONS, ROLE_MODULES, Action, Module

    role_groups_sync()
    user = user_create(username=f"u-{role.value}", password=PASSWORD, role=role)
    # the expectation, from the role tables themselves (not from the decorator)
    assert allowed == (Module.PROMOTIONS in ROLE_MODULES[role] and Action.PUBLISH_CAMPAIGN in ROLE_ACTIONS[role])
    request = rf.get("/x/")
    request.user = user
    if allowed:
        assert _guarded_view()(request).content == b"ok"
    else:
        with pytest.raises(PermissionDenied):
            _guarded_view()(request)


@pytest.mark.django_db
def test_an_anonymous_user_is_sent_to_log_in(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/x/")
    request.user = AnonymousUser()
    response = _guarded_view()(request)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_empty_warehouse_shows_the_empty_state_and_exports_nothing(director, warehouse):
    response = director.get(reverse("web:stores"), {**PERIOD, "format": "csv"})
    assert response.status_code == 200 and "empty-state" in response.content.decode()
