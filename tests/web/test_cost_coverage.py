"""Margins of stores without SKU costs: unknown ("—" with the reason), never 0 cost / a 100 % margin;
with some costs, shown with how much of the item GMV they cover. Expected values counted by hand:

  one CNY own-site store; paid order t on 2025-11-11 ("yesterday"), 500.00, no refunds (its refunds are imported:
  one rejected request, so 0 is known, not "no refund data"), no platform discount:
    line 1: P1 (SKU S1) × 2 = 400.00 · line 2: P2 (SKU S2) × 1 = 100.00
  * no cost on any SKU (S1, S2 cost null)      -> cogs, 毛利, 毛利率, 商品毛利 unknown: "—", "未导入 SKU 成本"
  * S1 cost 50.00, S2 no cost                  -> cost coverage 400 / 500 = 80 %; cogs 2 × 50 = 100.00;
      毛利 500 − 100 = 400.00, 毛利率 400 / 500 = 80 %; by product: P1 cogs 100.00, margin 300.00; P2 unknown
  * S1 cost 50.00, S2 cost 30.00 (full)        -> coverage 100 %, no note; cogs 130.00, 毛利 370.00, 74 %
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.cli import main
from shopops.core.periods import Period
from shopops.core.roles import Role
from shopops.metrics.rollups import rollup_reads
from shopops.metrics.runners import KpiQuery, run_query
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 11, 11)


def _shop(warehouse, cost1, cost2):
    at = dt.datetime(2025, 11, 11, 4, tzinfo=dt.UTC)
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "own", "platform": "own", "name": "小程序商城", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": "own", "order_id": "t", "customer_id": "c1", "status": "paid", "created_at": at, "paid_at": at,
         "paid_date": DAY, "paid_amount": Decimal("500.00")}]))
    load(warehouse, "refunds", pa.Table.from_pylist([
        {"store_id": "own", "refund_id": "r0", "order_id": "t", "amount": Decimal("10.00"), "status": "failed",
         "requested_at": at, "refund_date": None}]))
    load(warehouse, "order_lines", pa.Table.from_pylist([
        {"store_id": "own", "order_id": "t", "line_no": 1, "product_id": "P1", "sku_id": "S1", "quantity": 2,
         "paid_amount": Decimal("400.00"), "paid_date": DAY},
        {"store_id": "own", "order_id": "t", "line_no": 2, "product_id": "P2", "sku_id": "S2", "quantity": 1,
         "paid_amount": Decimal("100.00"), "paid_date": DAY}]))
    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "own", "sku_id": "S1", "product_id": "P1", "price": Decimal("200.00"), "cost": cost1},
        {"store_id": "own", "sku_id": "S2", "product_id": "P2", "price": Decimal("100.00"), "cost": cost2}],
        schema=pa.schema([("store_id", pa.string()), ("sku_id", pa.string()), ("product_id", pa.string()),
                          ("price", pa.decimal128(18, 2)), ("cost", pa.decimal128(18, 2))])))
    return warehouse


def _tile(html: str, kpi: str) -> str:
    return re.search(rf'<article class="tile" data-tile="{kpi}">.*?</article>', html, re.S).group(0)


def _value(tile: str) -> str:
    return re.search(r'<div class="tile-value"[^>]*>(.*?)</div>', tile, re.S).group(1).strip()


def _login(client):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))


KPIS = ("cogs", "gross_margin", "gross_margin_rate", "item_margin", "cost_coverage")


@pytest.mark.parametrize("rollups", [True, False])
def test_runner_unknown_partial_and_full(warehouse, rollups):
    period = Period(DAY, DAY)
    _shop(warehouse, None, None)
    with rollup_reads(rollups):
        row = run_query(KpiQuery(KPIS, period), con=warehouse).rows[0]
    assert [row[k] for k in KPIS[:4]] == [None, None, None, None] and row["cost_coverage"] == 0

    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "own", "sku_id": "S1", "product_id": "P1", "price": Decimal("200.00"), "cost": Decimal("50.00")}]))
    with rollup_reads(rollups):
        row = run_query(KpiQuery(KPIS, period), con=warehouse).rows[0]
        by = {r["product_id"]: r for r in run_query(KpiQuery(("cogs", "item_margin", "cost_coverage"), period,
                                                             by=("product_id",)), con=warehouse).rows}
    assert row["cogs"] == Decimal("100.00") and row["gross_margin"] == Decimal("400.00")
    assert row["gross_margin_rate"] == pytest.approx(0.80) and row["item_margin"] == Decimal("400.00")
    assert row["cost_coverage"] == pytest.approx(0.80)
    assert (by["P1"]["cogs"], by["P1"]["item_margin"], by["P1"]["cost_coverage"]) == (Decimal("100.00"), Decimal("300.00"), 1.0)
    assert (by["P2"]["cogs"], by["P2"]["item_margin"], by["P2"]["cost_coverage"]) == (None, None, 0.0)

    load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": "own", "sku_id": "S2", "product_id": "P2", "price": Decimal("100.00"), "cost": Decimal("30.00")}]))
    with rollup_reads(rollups):
        row = run_query(KpiQuery(KPIS, period), con=warehouse).rows[0]
    assert (row["cogs"], row["gross_margin"], row["cost_coverage"]) == (Decimal("130.00"), Decimal("370.00"), 1.0)
    assert row["gross_margin_rate"] == pytest.approx(0.74)


def test_cockpit_without_costs_says_unknown_in_both_languages(client, warehouse):
    _shop(warehouse, None, None)
    _login(client)
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    for kpi in ("gross_margin", "gross_margin_rate"):
        tile = _tile(html, kpi)
        assert 'data-value=""' in tile and _value(tile) == "—", tile
        assert 'data-cost="missing"' in tile and "未导入 SKU 成本" in tile and reverse("ingest:upload") in tile
        assert "100.00%" not in tile and "¥500.00" not in tile
    assert 'data-cost=' not in _tile(html, "gmv")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    tile = _tile(html, "gross_margin_rate")
    assert _value(tile) == "—" and "No SKU costs imported" in tile


def test_cockpit_with_part_of_the_costs_shows_the_coverage(client, warehouse):
    _shop(warehouse, Decimal("50.00"), None)
    _login(client)
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    tile = _tile(html, "gross_margin")
    assert _value(tile) == "¥400.00" and 'data-cost="partial"' in tile and 'data-cost-coverage="0.8"' in tile
    assert "成本覆盖 80.00% 的商品销售额" in tile
    assert _value(_tile(html, "gross_margin_rate")) == "80.00%"


def test_cockpit_with_every_cost_is_unchanged(client, warehouse):
    _shop(warehouse, Decimal("50.00"), Decimal("30.00"))
    _login(client)
    html = client.get(reverse("web:cockpit"), {"period": "yesterday"}).content.decode()
    tile = _tile(html, "gross_margin")
    assert _value(tile) == "¥370.00" and "data-cost=" not in tile
    assert _value(_tile(html, "gross_margin_rate")) == "74.00%"


def test_products_page_says_why_the_margin_is_missing(client, warehouse):
    _shop(warehouse, None, None)
    _login(client)
    html = client.get(reverse("web:products"), {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
                      ).content.decode()
    assert "未导入 SKU 成本:商品成本、毛利与毛利率未知" in html


def test_cli_prints_a_dash_and_the_reason(warehouse, capsys):
    _shop(warehouse, Decimal("50.00"), None)
    assert main(["kpi", "item_margin", "cost_coverage", "--by", "product", "--period", "2025-11-11"]) == 0
    out = capsys.readouterr()
    assert "—" in out.out and "cover 80.00% of the item GMV" in out.err


def test_a_rollup_from_before_costed_gmv_gains_it_filled(warehouse):
    """A warehouse whose product_daily predates the column: ensure adds it and refills the rollup, so the
    rollup path answers the coverage like the raw path (not 0 = "unknown" for every old day)."""
    from shopops.warehouse import rollups as warehouse_rollups

    _shop(warehouse, Decimal("50.00"), None)
    warehouse.raw_sql('ALTER TABLE product_daily DROP COLUMN costed_gmv')
    warehouse._shopops_rollups = False
    warehouse_rollups.ensure(warehouse)
    with rollup_reads(True):
        row = run_query(KpiQuery(("cost_coverage", "gross_margin"), Period(DAY, DAY)), con=warehouse).rows[0]
    assert row["cost_coverage"] == pytest.approx(0.80) and row["gross_margin"] == Decimal("400.00")


def test_product_page_and_targets_say_why(client, warehouse):
    from shopops.metrics.services import target_set

    _shop(warehouse, Decimal("50.00"), None)
    _login(client)
    day = {"period": "custom", "start": "2025-11-11", "end": "2025-11-11"}
    p2 = client.get(reverse("web:product", args=("own", "P2")), day).content.decode()  # S2: no cost
    assert "未导入 SKU 成本:商品成本、毛利与毛利率未知" in p2
    p1 = client.get(reverse("web:product", args=("own", "P1")), day).content.decode()  # S1: cost 50.00
    assert "未导入 SKU 成本" not in p1 and "SKU 成本覆盖" not in p1
    target_set(kpi="gross_margin", month=dt.date(2025, 11, 1), value="1000.00")
    html = client.get(reverse("web:targets"), {"month": "2025-11"}).content.decode()
    assert "SKU 成本覆盖 80.00% 的商品销售额" in html  # 400.00 of the month's 500.00 item GMV
