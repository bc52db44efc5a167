"""Refund figures of stores without refund data are unknown ("—", 未导入退款数据), not 0.00 % (walkthrough A #5).

Hand case, week 2025-11-24..30:

  covered  (tmall, a refunds file imported): o1 11-25 100.00, o2 11-29 300.00; refund of o1 40.00 (success)
  quiet    (jd, a refunds file with one failed refund, of an order paid long before): q1 11-26 200.00
           -> covered: its 0 in the week is a real 0 (a refund row ever, any status)
  bare     (pdd, no refund row ever): b1 11-27 400.00 -> unknown

  tmall:          refund 40 / GMV 400 = 10 %, net sales 360.00
  jd:             refund 0 / 200 = 0 %, net sales 200.00
  pdd:            unknown (None), net sales unknown
  tmall + jd + pdd (partly covered): refund 40 / GMV 1,000 = 4 %, net sales 960.00; refund coverage 600 / 1,000
  pdd alone:      None everywhere; the cockpit says 未导入退款数据, not 0.00 %
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.periods import Grain, Period
from shopops.core.roles import Role
from shopops.metrics.runners import KpiQuery, refund_coverage, run_query
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

UTC = dt.UTC
WEEK = Period(dt.date(2025, 11, 24), dt.date(2025, 11, 30))
REFUND_KPIS = ("refund_amount", "refunded_orders", "refund_rate", "refund_order_rate", "net_sales")


def _at(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": p, "name": n, "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s, p, n in (("tmall", "tmall", "天猫店"), ("jd", "jd", "京东店"), ("pdd", "pdd", "拼多多店"))]))

    def order(store, oid, day, amount):
        return {"store_id": store, "order_id": oid, "customer_id": f"c-{oid}", "status": "paid",
                "created_at": _at(day), "paid_at": _at(day), "paid_date": dt.date.fromisoformat(day),
                "paid_amount": Decimal(amount)}

    load(warehouse, "orders", pa.Table.from_pylist([
        order("tmall", "o1", "2025-11-25", "100.00"), order("tmall", "o2", "2025-11-29", "300.00"),
        order("jd", "q0", "2025-08-01", "80.00"), order("jd", "q1", "2025-11-26", "200.00"),
        order("pdd", "b1", "2025-11-27", "400.00")]))

    def refund(store, rid, oid, amount, day, status="success"):
        return {"store_id": store, "refund_id": rid, "order_id": oid, "amount": Decimal(amount), "status": status,
                "requested_at": _at(day, 1), "refunded_at": _at(day), "refund_date": dt.date.fromisoformat(day)}

    load(warehouse, "refunds", pa.Table.from_pylist([
        refund("tmall", "r1", "o1", "40.00", "2025-11-26"),
        refund("jd", "r2", "q0", "80.00", "2025-08-03", status="failed")]))
    return warehouse


def test_refund_figures_by_store_covered_quiet_and_bare(shop):
    rows = {r["store_id"]: r for r in run_query(KpiQuery(REFUND_KPIS, WEEK, by=("store_id",)), con=shop).rows}
    assert rows["tmall"]["refund_amount"] == Decimal("40.00") and rows["tmall"]["refund_rate"] == pytest.approx(0.10)
    assert rows["tmall"]["net_sales"] == Decimal("360.00") and rows["tmall"]["refund_order_rate"] == pytest.approx(0.5)
    # a store with refund data and no refund in the week: a real 0
    assert rows["jd"]["refund_amount"] == Decimal("0.00") and rows["jd"]["refund_rate"] == 0.0
    assert rows["jd"]["net_sales"] == Decimal("200.00")
    # no refund row ever: unknown, not 0
    assert all(rows["pdd"][k] is None for k in REFUND_KPIS)


def test_partly_covered_total_adds_the_covered_refunds_and_says_how_much_is_covered(shop):
    total = run_query(KpiQuery((*REFUND_KPIS, "refund_coverage", "gmv"), WEEK), con=shop).rows[0]
    assert total["gmv"] == Decimal("1000.00")
    assert total["refund_amount"] == Decimal("40.00") and total["refund_rate"] == pytest.approx(0.04)
    assert total["net_sales"] == Decimal("960.00")
    assert total["refund_coverage"] == pytest.approx(0.6)
    cov = refund_coverage(WEEK, con=shop)
    assert (cov.kind, cov.status, cov.stores, cov.known, cov.without) == ("refunds", "partial", 3, 2, ("pdd",))
    assert cov.gmv_share == pytest.approx(0.6)
    assert refund_coverage(WEEK, stores=("pdd",), con=shop).status == "missing"
    assert refund_coverage(WEEK, stores=("tmall", "jd"), con=shop).status is None


def test_uncovered_store_is_unknown_on_every_day_and_gross_margin_too(shop):
    days = run_query(KpiQuery(("refund_rate", "net_sales", "gmv"), WEEK, grain=Grain.DAY, stores=("pdd",)),
                     con=shop).rows
    assert [r["net_sales"] for r in days if r["gmv"]] == [None]  # b1's day
    pdd = run_query(KpiQuery(("gross_margin", "gross_margin_rate", "gmv"), WEEK, stores=("pdd",)), con=shop).rows[0]
    assert pdd["gmv"] == Decimal("400.00") and pdd["gross_margin"] is None and pdd["gross_margin_rate"] is None


def test_same_age_refund_figures_of_an_uncovered_store_are_unknown(shop):
    from shopops.metrics.maturity import refund_comparisons

    got = refund_comparisons(kpis=("refund_rate", "net_sales"), period=WEEK, base=WEEK.previous(),
                             as_of=dt.date(2025, 11, 30), stores=("tmall", "pdd"), by_store=True, con=shop)
    assert got[("refund_rate", "pdd")].current is None and got[("net_sales", "pdd")].current is None
    assert got[("refund_rate", "tmall")].current == pytest.approx(0.10)


def _login(client):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))


@pytest.mark.django_db
@pytest.mark.parametrize("language, words", [("zh-hans", "未导入退款数据"), ("en", "No refund data imported")])
def test_the_cockpit_says_no_refund_data_instead_of_0_percent(client, shop, language, words):
    _login(client)
    client.cookies["django_language"] = language
    html = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-24", "end": "2025-11-30",
                                               "store": "pdd"}).content.decode()
    tile = re.search(r'<article class="tile" data-tile="refund_rate">.*?</article>', html, re.S).group(0)
    assert 'data-refunds="missing"' in tile and words in tile
    assert "0.00%" not in tile and 'data-value=""' in tile
    assert "data-immature" not in tile  # nothing to mature: unknown


@pytest.mark.django_db
def test_the_cockpit_of_partly_covered_stores_shows_the_covered_rate_with_its_coverage(client, shop):
    _login(client)
    html = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-24", "end": "2025-11-30"}
                      ).content.decode()
    tile = re.search(r'<article class="tile" data-tile="refund_rate">.*?</article>', html, re.S).group(0)
    assert 'data-value="0.04' in tile and 'data-refunds="partial"' in tile and 'data-refunds-stores="2/3"' in tile


@pytest.mark.django_db
def test_the_stores_page_shows_dashes_and_says_why(client, shop):
    _login(client)
    html = client.get(reverse("web:stores"), {"period": "custom", "start": "2025-11-24", "end": "2025-11-30",
                                              "store": "pdd"}).content.decode()
    assert 'data-refunds="missing"' in html and "未导入退款数据" not in html  # the sentence, not the tile's words
    assert "没有导入退款数据" in html
    cells = re.findall(r'<td[^>]*data-col="refund_rate"[^>]*>(.*?)</td>', html, re.S)
    assert cells and all(c.strip().startswith("—") for c in cells)  # the store's row and the total
